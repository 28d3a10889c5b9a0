"""Small helpers shared by the models and the store: UTC datetimes, plain JSON, frozen models."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from pathlib import PurePath
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer

__all__ = ["FrozenModel", "UtcDatetime", "as_utc", "iso", "jsonable"]


class FrozenModel(BaseModel):
    """Base of the read-only models the register hands out (entries, reports)."""

    model_config = ConfigDict(frozen=True)


def as_utc(value: datetime | date | str) -> datetime:
    """Return `value` as a timezone-aware UTC datetime.

    Naive datetimes are taken to be UTC; dates become midnight UTC.

    Parameters
    ----------
    value : datetime, date or str
        An instant; strings are parsed as ISO 8601.

    Returns
    -------
    datetime
        The same instant, with ``tzinfo=UTC``.

    Examples
    --------
    >>> as_utc("2024-03-01").isoformat()
    '2024-03-01T00:00:00+00:00'
    """
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    """Format a datetime as ISO 8601 in UTC, or pass ``None`` through.

    Examples
    --------
    >>> iso(datetime(2024, 3, 1, 6, 30))
    '2024-03-01T06:30:00+00:00'
    """
    return None if value is None else as_utc(value).isoformat()


def _validate_utc(value: Any) -> Any:
    if isinstance(value, datetime | date | str):
        return as_utc(value)
    return value


UtcDatetime = Annotated[
    datetime,
    BeforeValidator(_validate_utc),
    PlainSerializer(lambda v: iso(v), return_type=str, when_used="json"),
]
"""A datetime validated to aware UTC and serialised as ISO 8601."""


def jsonable(value: Any) -> Any:
    """Turn `value` into plain JSON data.

    NumPy and pandas scalars become Python numbers (through ``.item()``), NaN and
    infinities become ``None``, datetimes become ISO 8601 strings, paths become
    strings and anything else unknown becomes its ``str``.

    Parameters
    ----------
    value : object
        Nested mappings, sequences and scalars.

    Returns
    -------
    object
        Data that ``json.dumps`` accepts and that PostgreSQL's ``json`` stores.

    Examples
    --------
    >>> jsonable({"a": float("nan"), "b": (1, 2.5), "c": date(2024, 1, 2)})
    {'a': None, 'b': [1, 2.5], 'c': '2024-01-02T00:00:00+00:00'}
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date):
        return iso(as_utc(value))
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, PurePath):
        return str(value)
    item = getattr(value, "item", None)
    if callable(item):
        return jsonable(item())
    to_pydatetime = getattr(value, "to_pydatetime", None)
    if callable(to_pydatetime):
        return jsonable(to_pydatetime())
    return str(value)
