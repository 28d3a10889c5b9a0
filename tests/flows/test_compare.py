"""``radar backtest --compare``: the entries only A, only B and both file, over the same nights."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from flows.config.model import ScanConfig, load_config
from flows.workbench.backtest import backtest
from flows.workbench.compare import Comparison, compare, filed_entries
from tests.conftest import DEMO_CONFIG

NIGHTS = (date(2016, 4, 25), date(2016, 4, 26))


@pytest.fixture(scope="module")
def demo() -> ScanConfig:
    return load_config(DEMO_CONFIG)


@pytest.fixture(scope="module")
def without_backlog(demo: ScanConfig) -> ScanConfig:
    """The demo without its backlog KPI: whatever the demo files on backlog, A does not."""
    return demo.model_copy(update={"kpis": [k for k in demo.kpis if k.name != "backlog_open"]})


@pytest.fixture(scope="module")
def comparison(without_backlog: ScanConfig, demo: ScanConfig) -> Comparison:
    return compare(without_backlog, demo, *NIGHTS)


def test_the_entries_split_by_fingerprint(comparison: Comparison, demo: ScanConfig) -> None:
    only_a, only_b, both = comparison.split()
    assert only_b, "the demo files a backlog entry on these nights"
    assert {e.kpi for e in only_b} == {"backlog_open"}
    assert all(e.kpi != "backlog_open" for e in only_a)
    for ours, theirs in both:
        assert ours.fingerprint == theirs.fingerprint and ours.name == theirs.name
    # B's side is exactly what B files alone: sharing the load and the gate changes nothing.
    alone = filed_entries(backtest(demo, *NIGHTS))
    b_side = [e.name for e in only_b] + [y.name for _, y in both]
    assert sorted(b_side) == sorted(e.name for e in alone)
    assert [(e.first_night, e.nights) for e in alone if e.kpi == "backlog_open"] == [
        (e.first_night, e.nights) for e in only_b
    ]


def test_json_has_the_three_lists_first_nights_per_night_counts_and_scores(
    comparison: Comparison,
) -> None:
    data = json.loads(json.dumps(comparison.to_json()))
    assert (data["from"], data["to"], data["nights"]) == ("2016-04-25", "2016-04-26", 2)
    assert data["a"]["entries"] == len(data["only_a"]) + len(data["both"])
    assert data["b"]["entries"] == len(data["only_b"]) + len(data["both"])
    for entry in data["only_b"]:
        assert entry["first_night"] in ("2016-04-25", "2016-04-26") and entry["title"]
    for entry in data["both"]:
        assert {"first_night_a", "first_night_b", "nights_b"} <= set(entry)
    assert [row["night"] for row in data["per_night"]] == ["2016-04-25", "2016-04-26"]
    last = data["per_night"][-1]
    assert (last["entries_a"], last["entries_b"]) == (data["a"]["entries"], data["b"]["entries"])
    # The demo names its labels: Group 39 (shift) and Group 70 (trend) overlap these nights.
    labels = data["labels"]
    assert labels["events"] == 2
    assert labels["a"]["found"] == 0 and labels["b"]["found"] == 1
    assert labels["b"]["delays"] == {"0": 5}  # 20 Apr start, filed on 25 Apr


def test_the_table_names_both_configs_and_lists(comparison: Comparison) -> None:
    from flows.cli.backtest import render_comparison

    text = render_comparison(comparison.to_json())
    assert "only A files: what A adds to B" in text
    assert "only B files: what A drops from B" in text
    assert "backlog_open level_shift for assignment_group=Group 39" in text
    assert "recall" in text
    assert "nights A  nights B  entry" in text


@pytest.mark.slow
def test_cli_compare_with_a_copy_made_elsewhere(tmp_path: Path) -> None:
    """The 'done when' path: copy a config, change one setting, compare, read the lists."""
    raw = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    raw["sources"][0]["path"] = str(DEMO_CONFIG.parent / raw["sources"][0]["path"])
    raw["drilldown"]["max_findings"] = 1
    copy = tmp_path / "copy.yaml"
    copy.write_text(yaml.safe_dump(raw), encoding="utf-8")

    import typer

    from flows.cli.backtest import backtest as command

    app = typer.Typer()
    app.command("backtest")(command)
    app.command("noop")(lambda: None)
    result = CliRunner().invoke(
        app,
        ["backtest", "--config", str(copy), "--compare", str(DEMO_CONFIG),
         "--from", "2016-05-01", "--to", "2016-05-01", "--format", "json",
         "--plot", str(tmp_path / "n.png")],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    # One finding a night instead of three: the copy files fewer entries, never more.
    assert data["only_a"] == [] and data["only_b"]
    assert "A is scored on B's labels" in data["labels"]["note"]
    assert (tmp_path / "n.png").stat().st_size > 0


def test_a_re_detection_under_another_kind_counts_as_its_entry() -> None:
    from flows.workbench.backtest import BacktestNight, BacktestReport, Decision

    def night(day: int, *decisions: Decision) -> BacktestNight:
        return BacktestNight(date(2016, 5, day), {}, 1, 1, list(decisions))

    spike = Decision("created", "CIR-0005", "rate spike", "first detection", fingerprint="aa",
                     kpi="rate", dimensions={"group": "64"}, kind="spike")  # fmt: skip
    shift = Decision("updated", "CIR-0005", "rate level shift", "same episode",
                     fingerprint="bb", kpi="rate", dimensions={"group": "64"},
                     kind="level_shift")  # fmt: skip
    other = Decision("created", "CIR-0006", "count spike", "first detection",
                     fingerprint="cc", kpi="count", kind="spike")  # fmt: skip
    report = BacktestReport("demo", date(2016, 5, 9), date(2016, 5, 11), None, 0)
    report.nights = [night(9, spike), night(10, shift, other), night(11, shift)]
    entries = filed_entries(report)
    assert [(e.entry_id, e.fingerprint, e.kind, e.title, e.nights) for e in entries] == [
        ("CIR-0005", "aa", "spike", "rate spike", 3),
        ("CIR-0006", "cc", "spike", "count spike", 1),
    ]
