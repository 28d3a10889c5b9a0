"""Stage 1, load: read each source into a RecordFrame in canonical column names.

Also the calendar facts a night needs about its records: holidays, extract edges, and the
records as they were known on the scan date.
"""

from flows.load.as_of import records_as_of
from flows.load.calendars import Exclusion, exclude_periods, holiday_days, summarise
from flows.load.edges import censored_periods, extract_end, missing_share
from flows.load.records import RecordFrame, SourceError, load_records, probe_source

__all__ = [
    "Exclusion",
    "RecordFrame",
    "SourceError",
    "censored_periods",
    "exclude_periods",
    "extract_end",
    "holiday_days",
    "load_records",
    "missing_share",
    "probe_source",
    "records_as_of",
    "summarise",
]
