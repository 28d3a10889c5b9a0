"""Properties of the front doors: any config gives a config or one ConfigError, any CSV
gives records or one SourceError; never a traceback from deep inside.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.config.model import ConfigError, ScanConfig, load_config
from flows.load.records import RecordFrame, SourceError, load_records
from tests.conftest import DEMO_CONFIG

_FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=12),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_DEMO: dict[str, Any] = yaml.safe_load(DEMO_CONFIG.read_text())


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, (*prefix, i))
    return out


_DEMO_PATHS = [p for p in _paths(_DEMO) if p]


def _load(tmp_path: Path, text: str | bytes) -> ScanConfig | None:
    path = tmp_path / "fuzz.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    try:
        return load_config(path)
    except ConfigError as exc:
        assert str(exc).strip() and "\n" not in str(exc).strip(), str(exc)
        return None


@_FAST
@given(text=st.text(max_size=200) | st.binary(max_size=200))
def test_any_text_is_a_config_or_one_config_error(tmp_path: Path, text: str | bytes) -> None:
    _load(tmp_path, text)


@_FAST
@given(data=_VALUES)
def test_any_yaml_value_is_a_config_or_one_config_error(tmp_path: Path, data: Any) -> None:
    _load(tmp_path, yaml.safe_dump(data))


@_FAST
@given(where=st.sampled_from(_DEMO_PATHS), value=_VALUES)
def test_one_wrong_field_in_the_demo_is_one_config_error(
    tmp_path: Path, where: tuple[Any, ...], value: Any
) -> None:
    config = yaml.safe_load(DEMO_CONFIG.read_text())
    node = config
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    (tmp_path / "data").mkdir(exist_ok=True)
    _load(tmp_path, yaml.safe_dump(config))


_CONFIG = """
sources:
  - name: log
    path: log.csv
    separator: "{separator}"
    encoding: {encoding}
    dayfirst: true
    columns: {{id: number, opened_at: opened, n: count, ok: flag, team: team}}
    dates: [opened_at]
    numbers: [n]
    booleans: [ok]
    dimensions: [team]
"""
_DATES = st.one_of(
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S")),
    st.text(max_size=10),
    st.just(""),
)
_CELL = st.text(max_size=8)
_ROW = st.tuples(
    _CELL,
    _DATES,
    st.one_of(st.integers(-5, 99).map(str), _CELL),
    st.sampled_from(["true", "false", "", "maybe"]),
    _CELL,
)


def _parse(folder: Path, content: bytes, separator: str, encoding: str) -> RecordFrame | None:
    (folder / "log.csv").write_bytes(content)
    text = _CONFIG.format(separator=separator.replace("\t", "\\t"), encoding=encoding)
    (folder / "log.yaml").write_text(text)
    config = load_config(folder / "log.yaml")
    try:
        return load_records(config, config.sources[0])
    except SourceError as exc:
        assert str(exc).strip() and "\n" not in str(exc).strip(), str(exc)
        return None


@_FAST
@given(
    rows=st.lists(_ROW, max_size=20),
    separator=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "latin-1", "utf-16", "cp1252"]),
    write_as=st.sampled_from(["utf-8", "latin-1", "utf-16"]),
)
def test_any_csv_gives_records_or_one_source_error(
    tmp_path: Path, rows: list[tuple[str, ...]], separator: str, encoding: str, write_as: str
) -> None:
    header = separator.join(["number", "opened", "count", "flag", "team"])
    lines = [header] + [separator.join(r) for r in rows]
    try:
        content = "\n".join(lines).encode(write_as)
    except UnicodeEncodeError:
        content = "\n".join(lines).encode("utf-8")
    frame = _parse(tmp_path, content, separator, encoding)
    if frame is not None:
        assert list(frame.records.columns) == ["id", "opened_at", "n", "ok", "team"]
        assert frame.records["n"].dtype == "float64"
        assert all(v >= 0 for v in frame.number_failures.values())


@_FAST
@given(content=st.binary(max_size=300))
def test_random_bytes_give_records_or_one_source_error(tmp_path: Path, content: bytes) -> None:
    _parse(tmp_path, content, ",", "utf-8")


def _shape_mix_reference(values: list[str | None]) -> int:
    """The date-shape count written plainly, value by value."""
    import re
    from collections import Counter

    shapes = Counter()
    for value in values:
        if value is None or not value.strip():
            continue
        day = re.split(r"[ T]", value.strip(), maxsplit=1)[0]
        shapes[re.sub(r"\d{1,2}", "n", re.sub(r"\d{3,}", "Y", day))] += 1
    return sum(shapes.values()) - max(shapes.values()) if len(shapes) > 1 else 0


_DATE_TEXT = st.text(alphabet="0123456789/-.:T ", max_size=24)


@_FAST
@given(st.lists(st.one_of(st.none(), _DATE_TEXT), max_size=40))
def test_the_date_shape_count_is_the_plain_one(values: list[str | None]) -> None:
    """The loader's vectorised count of minority date shapes equals the value-by-value one."""
    import pandas as pd

    from flows.load.records import _count_format_mix

    assert _count_format_mix(pd.Series(values, dtype="string")) == _shape_mix_reference(values)
