"""Related entries on both backends: the same slice value at about the same time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from register_client import Candidate, Register, Related
from register_client._related import NEAR, SliceWindow, relate

SCAN = datetime(2014, 11, 25, 6, tzinfo=UTC)
VALUES = ["Group 70", "Group 20 <-> Group 70", "A+B", "B", "Group 20"]


def _candidate(kind: str, kpi: str, dimensions: dict[str, str], start: str, end: str) -> Candidate:
    return Candidate.example(
        title=f"{kind} of {kpi}",
        kind=kind,
        kpi={"name": kpi, "unit": "incidents", "better": "lower"},
        dimensions=dimensions,
        window={"start": start, "end": end},
        evidence={"at": end, "value": 40.0, "score": 0.9},
    )


def test_a_spike_and_the_change_on_its_ci_relate_but_a_later_one_does_not(reg: Register) -> None:
    reg.file(
        [
            _candidate(
                "spike", "incidents_opened", {"ci": "WBA000133"}, "2013-11-18", "2013-11-18"
            ),
            _candidate(
                "change_impact",
                "incidents_opened",
                {"change_type": "Standard Change Type 06", "ci": "WBA000058+WBA000133"},
                "2013-11-17",
                "2013-11-21",
            ),
            # the same CI two months later: another event
            _candidate(
                "spike", "interactions_opened", {"ci": "WBA000133"}, "2014-01-27", "2014-01-27"
            ),
        ],
        scan_at=SCAN,
    )
    # Filing orders a scan's candidates by rank, so find each by what it is.
    by = {(e.kind, e.window.start.year): e for e in reg.list()}
    spike, change, later = by["spike", 2013], by["change_impact", 2013], by["spike", 2014]
    to_change = Related(id=change.id, what="incidents_opened change impact", shared="WBA000133")
    assert spike.related == [to_change]
    assert change.related == [
        Related(id=spike.id, what="incidents_opened spike", shared="WBA000133")
    ]
    assert later.related == []
    # A listing filtered by status still relates to entries outside it.
    reg.reject(change.id, reason="known release")
    listed = {e.id: e for e in reg.list(status="new")}
    assert change.id not in listed
    assert listed[spike.id].related == [to_change]
    assert reg.get(change.id).to_json()["related"] == [
        {"id": spike.id, "what": "incidents_opened spike", "shared": "WBA000133"}
    ]


def test_a_team_pair_relates_to_both_teams_entries(reg: Register) -> None:
    reg.file(
        [
            _candidate(
                "level_shift",
                "incidents_opened",
                {"assignment_group": "Group 70"},
                "2016-03-27",
                "2016-04-02",
            ),
            _candidate(
                "handover",
                "pingpongs",
                {"team_pair": "Group 20 <-> Group 70"},
                "2016-02-28",
                "2016-04-24",
            ),
            _candidate(
                "spike",
                "incidents_opened",
                {"assignment_group": "Group 20"},
                "2016-05-09",
                "2016-05-09",
            ),
        ],
        scan_at=SCAN,
    )
    by = {e.kind: e for e in reg.list()}
    shift, handover, late = by["level_shift"], by["handover"], by["spike"]
    assert [r.id for r in handover.related] == [shift.id]
    assert shift.related == [Related(id=handover.id, what="pingpongs handover", shared="Group 70")]
    assert late.related == []  # 15 days after the handover's window


@given(
    st.lists(
        st.tuples(
            st.dictionaries(
                st.sampled_from(["team", "pair", "ci"]), st.sampled_from(VALUES), max_size=2
            ),
            st.integers(0, 60),
            st.integers(0, 40),
        ),
        max_size=25,
    )
)
def test_the_sweep_finds_exactly_the_pairs_a_brute_force_finds(
    specs: list[tuple[dict[str, str], int, int]],
) -> None:
    day = datetime(2016, 1, 1, tzinfo=UTC)
    rows = [
        SliceWindow(
            f"CIR-{i:04d}",
            "x",
            dims,
            day + timedelta(days=start),
            day + timedelta(days=start + length),
        )
        for i, (dims, start, length) in enumerate(specs)
    ]

    def parts(dims: dict[str, str]) -> set[str]:
        return {p.strip() for v in dims.values() for p in v.replace("<->", "+").split("+")}

    expected = {
        a.id: [
            b.id
            for b in rows
            if b is not a
            and parts(dict(a.dimensions)) & parts(dict(b.dimensions))
            and max(a.start, b.start) - min(a.end, b.end) <= NEAR
        ]
        for a in rows
    }
    found = relate(rows)
    assert {k: [r.id for r in v] for k, v in found.items()} == {
        k: v for k, v in expected.items() if v
    }
    for k, links in found.items():
        mine = parts(dict(next(r.dimensions for r in rows if r.id == k)))
        assert all(r.shared in mine for r in links)
