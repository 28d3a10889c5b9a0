"""Load a source into a RecordFrame: canonical columns, parsed types, one row per record.

This is where real-file traps are handled, not cleaned away by hand: encodings,
separators, decimal commas, ``?`` for null, day-first dates, and audit logs with one
row per update (reduced here to each record's final state).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from flows.config.model import ScanConfig, SourceSpec
from flows.errors import SourceError

__all__ = ["RecordFrame", "SourceError", "load_records", "probe_source"]

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


@dataclass(frozen=True)
class RecordFrame:
    """Records of one source after mapping and parsing, with what is needed for provenance.

    ``date_failures`` maps a date column to the number of non-empty values that did not
    parse, ``number_failures`` a number column to its non-empty values that are not
    numbers (counted over the raw rows, before an audit log is reduced), and
    ``date_format_mixes`` a date column to its values written in another shape than the
    column's usual one (``2016-03-05`` among ``05/03/2016``). Nothing is dropped silently:
    the gate decides how bad each count is.
    """

    source: str
    path: Path
    data_hash: str
    records: pd.DataFrame
    raw_rows: int
    date_failures: dict[str, int]
    number_failures: dict[str, int] = field(default_factory=dict)
    number_values: dict[str, int] = field(default_factory=dict)
    date_format_mixes: dict[str, int] = field(default_factory=dict)


def load_records(config: ScanConfig, source: SourceSpec) -> RecordFrame:
    """Read ``source`` as configured and return its RecordFrame.

    Raises
    ------
    SourceError
        If the file is missing, empty, wrongly encoded, lacks a mapped column, or a date
        column has no parsable value at all.
    """
    data_hash = None
    if source.format == "sql":  # a table or query instead of a file: see flows/sql_source.py
        from flows.load.sql import read_sql_source

        path = Path(source.table or "query")
        raw, data_hash = read_sql_source(source)
    else:
        path = config.resolve_path(source)
        if not path.is_file():
            raise SourceError(f"source {source.name!r}: file not found: {path}")
        raw = _read_raw(source, path)
    _check_shape(source, path, raw)
    numbers = {c: _count_non_numeric(raw[source.columns[c]], source) for c in source.numbers}
    if source.audit_log is not None:
        raw = _final_state(raw, source, path)
    records = raw[list(source.columns.values())].rename(
        columns={v: k for k, v in source.columns.items()}
    )
    failures = {}
    mixes = {}
    for column in source.dates:
        mixes[column] = _count_format_mix(records[column])
        records[column], failures[column] = _parse_dates(records[column], source, path, column)
    for column in source.booleans:
        records[column] = _parse_booleans(records[column], source, path, column)
    for column in source.numbers:
        records[column] = _parse_numbers(records[column], source)
    for column in source.dimensions:
        records[column] = records[column].astype("string").fillna("(none)")
    records[source.id_column] = records[source.id_column].astype("string")
    return RecordFrame(
        source=source.name,
        path=path,
        data_hash=data_hash or _sha256(path),
        records=records.reset_index(drop=True),
        raw_rows=len(raw),
        date_failures={k: v for k, v in failures.items() if v},
        number_failures={k: bad for k, (bad, _) in numbers.items() if bad},
        number_values={k: total for k, (_, total) in numbers.items()},
        date_format_mixes={k: v for k, v in mixes.items() if v},
    )


def probe_source(config: ScanConfig, source: SourceSpec) -> None:
    """Fail fast: run the checks of :func:`load_records` that a file's first row decides.

    A missing or empty file, a wrongly encoded start and unmapped columns fail here in
    about a second, before Prefect starts and long before the whole file is read.

    Raises
    ------
    SourceError
        As :func:`load_records` would for the same file.
    """
    if source.format != "csv":
        return  # SQL and Parquet sources are checked when they are read
    path = config.resolve_path(source)
    if not path.is_file():
        raise SourceError(f"source {source.name!r}: file not found: {path}")
    _check_shape(source, path, _read_raw(source, path, rows=1))


def _check_shape(source: SourceSpec, path: Path, raw: pd.DataFrame) -> None:
    if raw.empty:
        raise SourceError(f"source {source.name!r}: {path} has no data rows")
    missing = [col for col in source.columns.values() if col not in raw.columns]
    if missing:
        found = sorted(raw.columns)
        shown = ", ".join(map(repr, found[:12])) + (", ..." if len(found) > 12 else "")
        raise SourceError(
            f"source {source.name!r}: {path} lacks column(s) {missing}; found [{shown}]"
        )


def _read_raw(source: SourceSpec, path: Path, rows: int | None = None) -> pd.DataFrame:
    try:
        if source.engine == "dask" and rows is None:
            from flows.load.partitioned import read_partitioned

            return read_partitioned(source, path)
        if source.format == "parquet":
            return pd.read_parquet(path)
        return pd.read_csv(
            path,
            sep=source.separator,
            encoding=source.encoding,
            na_values=source.na_values,
            keep_default_na=False,
            dtype="string",  # types are parsed per column below, never guessed
            nrows=rows,
        )
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"source {source.name!r}: {path} is not valid {source.encoding} "
            f"(byte {exc.start}); set 'encoding' in the config"
        ) from None
    except UnicodeError as exc:  # e.g. a UTF-16 file without its byte-order mark
        raise SourceError(
            f"source {source.name!r}: {path} is not valid {source.encoding} ({exc}); "
            "set 'encoding' in the config"
        ) from None
    except LookupError:
        raise SourceError(
            f"source {source.name!r}: unknown encoding {source.encoding!r} in the config"
        ) from None
    except pd.errors.EmptyDataError:
        raise SourceError(f"source {source.name!r}: {path} is empty") from None
    except pd.errors.ParserError as exc:
        raise SourceError(f"source {source.name!r}: {path} cannot be parsed: {exc}") from None


def _final_state(raw: pd.DataFrame, source: SourceSpec, path: Path) -> pd.DataFrame:
    spec = source.audit_log
    assert spec is not None
    needed = [spec.key, *spec.order_by, *spec.max_columns]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise SourceError(f"source {source.name!r}: {path} lacks audit column(s) {missing}")
    order = raw[spec.order_by].apply(_sortable, source=source)
    ordered = raw.assign(**{f"__order{i}": order[c] for i, c in enumerate(spec.order_by)})
    ordered = ordered.sort_values([spec.key, *[f"__order{i}" for i in range(len(spec.order_by))]])
    last = ordered.groupby(spec.key, sort=False).tail(1).set_index(spec.key)
    for column in spec.max_columns:
        counts = pd.to_numeric(ordered[column], errors="coerce")
        last[column] = counts.groupby(ordered[spec.key]).max().astype("Int64")
    return last.reset_index().drop(columns=[c for c in last.columns if c.startswith("__order")])


def _sortable(column: pd.Series, source: SourceSpec) -> pd.Series:
    """Order audit rows numerically if the column is numeric, else as dates."""
    numeric = pd.to_numeric(column, errors="coerce")
    if numeric.notna().sum() >= column.notna().sum():
        return numeric
    return pd.to_datetime(
        column, format=source.date_format, dayfirst=source.dayfirst, errors="coerce"
    )


def _parse_dates(
    values: pd.Series, source: SourceSpec, path: Path, column: str
) -> tuple[pd.Series, int]:
    parsed = pd.to_datetime(
        values, format=source.date_format, dayfirst=source.dayfirst, errors="coerce"
    )
    failed = values.notna() & parsed.isna()
    if values.notna().any() and failed.sum() == values.notna().sum():
        example = values[failed].iloc[0]
        raise SourceError(
            f"source {source.name!r}: {path} column {source.columns[column]!r}: "
            f"no value parses as a date (e.g. {example!r}, format {source.date_format!r})"
        )
    return parsed.astype("datetime64[us]"), int(failed.sum())


def _parse_booleans(values: pd.Series, source: SourceSpec, path: Path, column: str) -> pd.Series:
    text = values.astype("string").str.strip().str.lower()
    unknown = text.notna() & ~text.isin(_TRUE | _FALSE)
    if unknown.any():
        raise SourceError(
            f"source {source.name!r}: {path} column {source.columns[column]!r}: "
            f"{int(unknown.sum())} value(s) are not booleans, e.g. {values[unknown].iloc[0]!r}"
        )
    return text.map(lambda v: v in _TRUE, na_action="ignore").astype("boolean")


def _numeric_text(values: pd.Series, source: SourceSpec) -> pd.Series:
    text = values.astype("string").str.strip()
    if source.decimal != ".":
        text = text.str.replace(".", "", regex=False).str.replace(source.decimal, ".", regex=False)
    return text


def _parse_numbers(values: pd.Series, source: SourceSpec) -> pd.Series:
    """Parse numbers; values that are not numbers become empty (counted before, on raw)."""
    return pd.to_numeric(_numeric_text(values, source), errors="coerce").astype("float64")


def _count_non_numeric(values: pd.Series, source: SourceSpec) -> tuple[int, int]:
    """Return how many non-empty values are not numbers, and how many are non-empty."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        return 0, int(values.notna().sum())  # a typed format cannot hold text here
    text = _numeric_text(values, source).replace("", pd.NA)
    bad = text.notna() & pd.to_numeric(text, errors="coerce").isna()
    return int(bad.sum()), int(text.notna().sum())


_DAY_HEAD = 11  # "2016-03-01 " and "29/02/2016 " fit


def _count_format_mix(values: pd.Series) -> int:
    """Count values whose date shape (digit groups and separators) is not the column's usual.

    ``29/02/2016 10:00`` and ``1/3/2016`` share the shape ``n/n/Y``; ``2016-03-01`` is
    ``Y-n-n``. A minority shape means two writers, and day/month may be swapped silently.
    """
    if not (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object):
        return 0
    text = values.astype("string").str.strip()
    text = text[text.notna() & (text != "")]
    # Distinct day parts are few: shape those, not every timestamp (10x faster at 1M rows).
    # A head that holds a separator, or is the whole value, has the value's day part.
    head = text.str.slice(0, _DAY_HEAD)
    whole = head.str.contains(r"[ T]", regex=True) | (text.str.len() <= _DAY_HEAD)
    heads = pd.concat([head[whole], text[~whole]]).value_counts()
    days = heads.index.str.split(r"[ T]", n=1, regex=True).str[0]
    shapes = days.str.replace(r"\d{3,}", "Y", regex=True).str.replace(r"\d{1,2}", "n", regex=True)
    counts = heads.groupby(shapes.to_numpy()).sum()
    return int(counts.sum() - counts.max()) if len(counts) > 1 else 0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
