"""The kinds beyond anomalies on the real logs, each cross-checked against the raw files.

The raw files are read here with plain pandas and the README's traps (separators, encodings,
date formats), not through the loader, so a loader or detector bug cannot agree with itself.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from flows.config.model import load_config
from flows.pipeline import compute_kpi_series, load_sources
from flows.select.kinds import find_opportunities
from flows.select.opportunities import Opportunity
from tests.conftest import ROOT

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]

NIGHT = date(2014, 2, 22)
END = pd.Timestamp(NIGHT) + pd.Timedelta(days=1)
SPAN = pd.Timedelta(weeks=8)


@pytest.fixture(scope="module")
def bpic() -> dict[str, list[Opportunity]]:
    """What the kinds find on one BPIC night (loaded once for the module: ~30 s)."""
    if not Path(os.environ.get("RADAR_DATA_DIR") or "/nonexistent").is_dir():
        pytest.skip("RADAR_DATA_DIR is not set to the shared data folder")
    config = load_config(ROOT / "examples" / "bpic2014_rabobank.yaml")
    frames = load_sources(config)
    found = find_opportunities(frames, compute_kpi_series(frames, config, NIGHT), config, NIGHT)
    by_kind: dict[str, list[Opportunity]] = {}
    for o in found:
        by_kind.setdefault(o.kind, []).append(o)
    return by_kind


def _raw(shared_data: Path, name: str, **read: object) -> pd.DataFrame:
    path = shared_data / "itsm" / "bpic2014_rabobank" / name
    return pd.read_csv(path, dtype="string", **read)  # type: ignore[call-overload]


def test_bpic_service_hotspot_matches_the_incident_and_interaction_files(
    bpic: dict[str, list[Opportunity]], shared_data: Path
) -> None:
    (service,) = [o for o in bpic["hotspot"] if "service" in o.dimensions]
    assert service.dimensions == {"service": "WBS000073"}
    incidents = _raw(shared_data, "detail_incident.csv.gz", sep=";", encoding="latin-1")
    incidents = incidents.dropna(subset=["Incident ID"])
    opened = pd.to_datetime(incidents["Open Time"], format="%d/%m/%Y %H:%M:%S")
    window = incidents[(opened >= END - SPAN) & (opened < END)]
    hits = int((window["Service Component WBS (aff)"] == "WBS000073").sum())
    assert service.culprits[0].note == f"{hits} of {len(window)}"
    interactions = _raw(shared_data, "detail_interaction.csv.gz", sep=";", encoding="latin-1")
    touched = pd.to_datetime(interactions["Open Time (First Touch)"], format="%d-%m-%Y %H:%M")
    calls = interactions[(touched >= END - SPAN) & (touched < END)]
    on_it = int((calls["Service Comp WBS (aff)"] == "WBS000073").sum())
    assert service.culprits[1].note == f"{on_it} of {len(calls)}"


def test_bpic_team_hotspot_and_ping_pong_pair_match_the_activity_log(
    bpic: dict[str, list[Opportunity]], shared_data: Path
) -> None:
    log = _raw(shared_data, "incident_activity_joined_by_surasiterix.csv.gz", encoding="utf-8-sig")
    log = log.rename(
        columns={
            "Incident ID": "id",
            "Detail Incident Activity.DateStamp": "at",
            "Detail Incident Activity.Assignment Group": "team",
        }
    )
    log["at"] = pd.to_datetime(log["at"])
    recent = log[(log["at"] >= END - SPAN) & (log["at"] < END)]
    (team,) = [o for o in bpic["hotspot"] if "team" in o.dimensions]
    assert team.dimensions == {"team": "TEAM0008"}
    touched = recent.loc[recent["team"] == "TEAM0008", "id"].nunique()
    assert team.culprits[0].note == f"{touched} of {recent['id'].nunique()}"

    # Ping-pongs, counted the slow obvious way: each record's team sequence without repeats.
    last = log.groupby("id")["at"].max()
    chosen = log[log["id"].isin(last[(last >= END - SPAN) & (last < END)].index)]
    bounces = 0
    for _, rows in chosen.sort_values(["id", "at"], kind="stable").groupby("id"):
        teams = [t for i, t in enumerate(rows["team"]) if i == 0 or t != rows["team"].iloc[i - 1]]
        bounces += sum(
            1
            for a, b, c in zip(teams, teams[1:], teams[2:], strict=False)
            if a == c and {a, b} == {"TEAM0008", "TEAM0086"}
        )
    (pair,) = bpic["handover"]
    assert pair.dimensions == {"team_pair": "TEAM0008 <-> TEAM0086"}
    assert pair.culprits[0].value == bounces


def test_bpic_release_wave_matches_the_incident_file(
    bpic: dict[str, list[Opportunity]], shared_data: Path
) -> None:
    (wave,) = bpic["change_impact"]
    assert wave.dimensions == {"change_type": "Release Type 06", "ci": "DTA000616"}
    changes = _raw(shared_data, "detail_change.csv.gz", sep=";", encoding="latin-1")
    release = changes[changes["Change ID"] == "C00014785"]
    start = pd.to_datetime(release["Actual Start"], format="%d-%m-%Y %H:%M").min()
    end = pd.to_datetime(release["Actual End"], format="%d-%m-%Y %H:%M").max()
    incidents = _raw(shared_data, "detail_incident.csv.gz", sep=";", encoding="latin-1")
    incidents = incidents.dropna(subset=["Incident ID"])
    on_ci = incidents[
        (incidents["CI Name (aff)"] == "DTA000616") | (incidents["CI Name (CBy)"] == "DTA000616")
    ]
    opened = pd.to_datetime(on_ci["Open Time"], format="%d/%m/%Y %H:%M:%S")
    days = pd.Timedelta(days=4)
    after = int(((opened > end) & (opened <= end + days)).sum())
    before = int(((opened < start) & (opened >= start - days)).sum())
    assert (wave.records, wave.target * 4) == (after, before)
    assert after - before >= 60 and end.day_name() == "Monday"


def test_uci_sla_gap_is_the_total_and_matches_the_audit_log(shared_data: Path) -> None:
    config = load_config(ROOT / "examples" / "uci_servicenow.yaml")
    frames = load_sources(config)
    night = date(2016, 4, 30)
    kpis = compute_kpi_series(frames, config, night)
    (gap,) = [o for o in find_opportunities(frames, kpis, config, night) if o.kind == "target_gap"]
    assert gap.kpi == "sla_breach_rate" and gap.dimensions == {} and gap.target == 0.1
    raw = pd.read_csv(
        shared_data / "itsm" / "uci_incident_event_log" / "incident_event_log.csv.gz",
        dtype="string",
        na_values=["?"],
        keep_default_na=False,
    )
    raw["mods"] = pd.to_numeric(raw["sys_mod_count"])
    final = raw.sort_values(["number", "mods"]).groupby("number").tail(1)
    opened = pd.to_datetime(final["opened_at"], format="%d/%m/%Y %H:%M")
    closed = pd.to_datetime(final["closed_at"], format="%d/%m/%Y %H:%M")
    end = pd.Timestamp(night) + pd.Timedelta(days=1)
    window = final[(opened >= end - pd.Timedelta(days=28)) & (opened < end)]
    done = window[closed[window.index] < end]
    breached = done["made_sla"].str.lower() == "false"
    # The gap pools the complete days only (90 % closed, no holidays): between the share
    # among incidents closed by then and the final share of all of them.
    final_share = (window["made_sla"].str.lower() == "false").mean()
    assert breached.mean() - 0.01 <= gap.current <= final_share
    assert gap.current > 0.1 and gap.score > 0.99


def test_uci_lasting_fall_of_resolution_times_is_a_lesson(shared_data: Path) -> None:
    config = load_config(ROOT / "examples" / "uci_servicenow.yaml")
    frames = load_sources(config)
    night = date(2016, 5, 31)
    kpis = compute_kpi_series(frames, config, night)
    found = find_opportunities(frames, kpis, config, night)
    (lesson,) = [o for o in found if o.kind == "improvement"]
    assert lesson.kpi == "ttr_median_hours" and lesson.dimensions == {}
    raw = pd.read_csv(
        shared_data / "itsm" / "uci_incident_event_log" / "incident_event_log.csv.gz",
        dtype="string",
        na_values=["?"],
        keep_default_na=False,
    )
    raw["mods"] = pd.to_numeric(raw["sys_mod_count"])
    final = raw.sort_values(["number", "mods"]).groupby("number").tail(1)
    opened = pd.to_datetime(final["opened_at"], format="%d/%m/%Y %H:%M")
    resolved = pd.to_datetime(final["resolved_at"], format="%d/%m/%Y %H:%M")
    hours = (resolved - opened).dt.total_seconds() / 3600
    known = resolved < pd.Timestamp(night) + pd.Timedelta(days=1)
    recent = (opened >= lesson.start) & (opened <= lesson.end) & known
    before = (opened < lesson.start) & (opened >= lesson.start - pd.Timedelta(weeks=6)) & known
    # The raw medians tell the same story: resolution times fell by more than half.
    assert hours[recent].median() < 0.5 * hours[before].median()
    assert lesson.current < 0.5 * float(lesson.reference.median())
