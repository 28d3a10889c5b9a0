"""Read a source larger than memory with ``dask.dataframe`` (``engine: dask`` on a source).

The file is read in partitions (CSV blocks, Parquet row groups) and only the columns the
config maps, plus the audit-log keys, are kept, so a wide export many times the size of
memory becomes a narrow frame of the columns the scan needs. Types are still parsed by
:func:`flows.load.records.load_records`, the same as for a pandas read, so both engines
give the same RecordFrame.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from flows.config.model import SourceSpec

__all__ = ["BLOCKSIZE", "needed_columns", "read_partitioned"]

#: Bytes of CSV per partition; gzip files cannot be split and are one partition.
BLOCKSIZE = "64MB"


def needed_columns(source: SourceSpec) -> list[str]:
    """Return the file columns a scan reads: the mapped ones and the audit-log keys."""
    audit = source.audit_log
    extra = [audit.key, *audit.order_by, *audit.max_columns] if audit else []
    return list(dict.fromkeys([*source.columns.values(), *extra]))


def read_partitioned(source: SourceSpec, path: Path) -> pd.DataFrame:
    """Read ``path`` with Dask, keeping the needed columns present in the file.

    Columns the file lacks are left out here, so that the caller's check names them.
    """
    import dask.dataframe as dd

    wanted = needed_columns(source)
    if source.format == "parquet":
        present = dd.read_parquet(path).columns
        frame = dd.read_parquet(path, columns=[c for c in wanted if c in present])
        out: pd.DataFrame = frame.compute()
        return out.reset_index(drop=True)
    header = pd.read_csv(
        path, sep=source.separator, encoding=source.encoding, nrows=0, dtype="string"
    )
    frame = dd.read_csv(
        path,
        sep=source.separator,
        encoding=source.encoding,
        na_values=source.na_values,
        keep_default_na=False,
        dtype="string",
        usecols=[c for c in wanted if c in header.columns],
        blocksize=None if path.suffix in (".gz", ".bz2", ".xz", ".zip") else BLOCKSIZE,
    )
    records: pd.DataFrame = frame.compute()
    return records.reset_index(drop=True)
