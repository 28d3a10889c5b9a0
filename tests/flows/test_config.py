from pathlib import Path

import pytest

from flows.config.model import ConfigError, load_config
from tests.conftest import DEMO_CONFIG


def test_demo_config_loads_and_resolves_paths_relative_to_the_file() -> None:
    config = load_config(DEMO_CONFIG)
    source = config.sources[0]
    assert source.name == "uci_incidents"
    assert config.resolve_path(source) == DEMO_CONFIG.parent / "data/incident_event_log.csv.gz"
    assert {k.name for k in config.kpis} >= {"incidents_opened", "ttr_median_hours"}


def test_data_dir_variable_expands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("sources: [{name: s, path: '${RADAR_DATA_DIR}/x.csv', columns: {id: a}}]")
    monkeypatch.setenv("RADAR_DATA_DIR", "/data/here")
    config = load_config(path)
    assert config.resolve_path(config.sources[0]) == Path("/data/here/x.csv")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources: []", "sources"),
        ("kpis: []", "sources"),
        ("sources: [{name: s, path: x.csv, columns: {id: a}, colour: red}]", "colour"),
        (
            "sources: [{name: s, path: x, columns: {id: a}}]\n"
            "kpis: [{name: k, source: s, measure: count, date: opened, unit: u, better: lower,"
            " csf: c, objective: o}]",
            "needs ['opened']",
        ),
        (
            "sources: [{name: s, path: x, columns: {id: a, d: b}}]\n"
            "kpis: [{name: k, source: s, measure: duration, date: d, unit: u, better: lower,"
            " csf: c, objective: o}]",
            "needs start and end",
        ),
        ("sources: [{name: s, path: x, columns: {id: a}, dates: [opened]}]", "not in columns"),
        (
            "sources: [{name: s, path: x, columns: {id: a, d: b}, dates: [d]}]\n"
            "kpis: [{name: k, source: s, measure: backlog, date: d, start: d, unit: u,"
            " better: lower, csf: c, objective: o}]",
            "measure 'backlog' needs end",
        ),
        (
            "sources: [{name: s, path: x, columns: {id: a, d: b, ci: c}, dates: [d]}]\n"
            "kpis: [{name: k, source: s, measure: linked, date: d, unit: u, better: lower,"
            " link: {source: changes, key: ci, other_key: ci, date: d}, csf: c, objective: o}]",
            "link names unknown source 'changes'",
        ),
        (
            "sources: [{name: s, path: x, columns: {id: a, d: b, ci: c}, dates: [d]},"
            " {name: t, path: y, columns: {id: a}}]\n"
            "kpis: [{name: k, source: s, measure: linked, date: d, unit: u, better: lower,"
            " link: {source: t, key: ci, other_key: ci, date: done}, csf: c, objective: o}]",
            "needs ['ci', 'done'], not mapped in source 't'",
        ),
        (
            "sources: [{name: s, path: x, columns: {id: a, d: b}, dates: [d]}]\n"
            "kpis: [{name: k, source: s, measure: count, date: d, unit: u, better: lower,"
            " csf: c, objective: o}, {name: k, source: s, measure: count, date: d, unit: u,"
            " better: lower, csf: c, objective: o}]",
            "duplicate KPI names: ['k']",
        ),
        (
            "sources: [{name: s, path: x, columns: {id: a, d: b}, extract: {column: d}}]",
            "extract.column 'd' is not in dates",
        ),
        (
            "sources: [{name: s, path: x, columns: {id: a}, calendar: {country: B}}]",
            "calendar.country",
        ),
        ("just text", "mapping"),
        ("sources: [", "not valid YAML"),
    ],
)
def test_invalid_configs_name_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"bad\.yaml") as info:
        load_config(path)
    assert message in str(info.value)


def test_missing_config_file() -> None:
    with pytest.raises(ConfigError, match=r"config file not found: nowhere\.yaml"):
        load_config("nowhere.yaml")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ("{shift__treshold: 3}", r"detector\.params: .*shift__treshold: Extra inputs"),
        ("{shift__window: 0}", r"detector\.params: .*shift__window: .*greater than or equal to 1"),
        ("{seasonal__alpha: -1}", r"detector\.params: .*seasonal__alpha"),
    ],
)
def test_detector_typos_and_bounds_fail_at_load(tmp_path: Path, params: str, message: str) -> None:
    text = DEMO_CONFIG.read_text().replace("params: {min_rel_change: 0.2}", f"params: {params}")
    path = tmp_path / "typo.yaml"
    path.write_text(
        text.replace("data/incident_event_log", str(DEMO_CONFIG.parent / "data/incident_event_log"))
    )
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_a_typo_in_a_key_is_named_with_its_kpi_and_a_suggestion(tmp_path: Path) -> None:
    text = DEMO_CONFIG.read_text()
    assert "    measure: count\n" in text
    path = tmp_path / "typo.yaml"
    path.write_text(text.replace("    measure: count\n", "    mesure: count\n", 1))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert ".mesure: unknown key; did you mean 'measure'?" in message
    assert "kpis.0 (" in message and "Field required" not in message
