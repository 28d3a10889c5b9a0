"""Records as a scan on a given night would have seen them: nothing from the future."""

from __future__ import annotations

from datetime import date

import pandas as pd

from flows.load.records import RecordFrame

__all__ = ["records_as_of", "visible_records"]


def records_as_of(frame: RecordFrame, dates: list[str], opened: str, as_of: date) -> pd.DataFrame:
    """Return the records as they were known at the end of ``as_of``.

    Records whose ``opened`` date is later are dropped; other date columns later than the
    end of the as-of day become NaT, because they had not happened yet.
    """
    return visible_records(frame.records, dates, opened, as_of)


def visible_records(
    records: pd.DataFrame, dates: list[str], opened: str, as_of: date
) -> pd.DataFrame:
    """Return ``records`` opened by the end of ``as_of``, later dates blanked (NaT)."""
    cutoff = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    visible = records[records[opened] < cutoff].copy()
    for column in dates:
        visible.loc[visible[column] >= cutoff, column] = pd.NaT
    return visible
