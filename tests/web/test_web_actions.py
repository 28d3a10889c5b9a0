"""Each triage action from its form and the API: audited under the user, refusals write nothing."""

from __future__ import annotations

import html
from typing import Any

from register_client import Register
from tests.web.webtools import SCRIPT, error_line, post_action, sign_in


def test_each_action_lands_in_the_audit_trail_under_the_signed_in_user(
    client: Any, register: Register
) -> None:
    sign_in(client, "olga")
    steps: list[tuple[str, str, dict[str, str]]] = [
        ("CIR-0001", "assign", {"owner": "resolver-group-manager"}),
        ("CIR-0001", "target", {"target": "7", "target_by": "2024-06-01"}),
        ("CIR-0001", "priority", {"priority": "2", "reason": "fewer P1 now"}),
        ("CIR-0001", "comment", {"text": "checked with the team"}),
        ("CIR-0001", "accept", {"owner": "olga", "target": "6.5"}),
        ("CIR-0001", "start", {"note": "runbook change"}),
        ("CIR-0001", "monitor", {}),
        ("CIR-0001", "close", {"code": "successful", "note": "done"}),
        ("CIR-0002", "reject", {"reason": "batch jobs", "noise": "on"}),
        ("CIR-0002", "reopen", {"reason": "not noise after all"}),
        ("CIR-0002", "duplicate", {"of": "CIR-0001"}),
    ]
    for entry_id, action, fields in steps:
        response = post_action(client, entry_id, action, **fields)
        assert response.status_code == 303, (action, response.text[-400:])
        assert response.headers["location"] == f"/entries/{entry_id}"
    first, second = register.get("CIR-0001"), register.get("CIR-0002")
    assert [h.action for h in first.history[1:]] == [
        "assign",
        "set_target",
        "set_priority",
        "comment",
        "accept",
        "start",
        "monitor",
        "close",
    ]
    assert [h.action for h in second.history[1:]] == ["reject", "reopen", "mark_duplicate"]
    assert {h.by for h in first.history[1:] + second.history[1:]} == {"olga"}
    assert (first.status, first.closure_code, first.owner) == ("closed", "successful", "olga")
    assert first.target is not None and first.target.value == 6.5
    assert second.history[1].detail == {"reason": "noise: batch jobs", "noise": True}
    assert (second.status, second.duplicate_of) == ("duplicate", "CIR-0001")
    page = client.get("/entries/CIR-0002")  # the last action's flash, shown once
    assert "CIR-0002: mark duplicate done, now duplicate" in page.text
    assert "now duplicate" not in client.get("/entries/CIR-0002").text


def test_an_invalid_transition_shows_the_registers_error(client: Any, register: Register) -> None:
    sign_in(client, "olga")
    response = post_action(client, "CIR-0001", "start")
    assert response.status_code == 409
    assert error_line(response.text) == (
        "entry CIR-0001: cannot go from 'new' to 'in_progress' "
        "(from 'new' it may go to accepted, closed, duplicate, rejected)"
    )
    assert len(register.get("CIR-0001").history) == 1


def test_a_target_outside_the_kpis_domain_writes_nothing(client: Any, register: Register) -> None:
    sign_in(client, "olga")
    share = post_action(client, "CIR-0002", "accept", owner="olga", target="1.5")
    assert share.status_code == 400
    assert error_line(share.text) == (
        "entry CIR-0002: target=1.5 is invalid; "
        "reassignment_rate is a share in [0, 1] (5 % is 0.05)"
    )
    hours = post_action(client, "CIR-0001", "target", target="-3")
    assert "mttr_hours cannot go below 0" in error_line(hours.text)
    text = post_action(client, "CIR-0001", "accept", owner="olga", target="soon")
    assert error_line(text.text) == "entry CIR-0001: target='soon' is invalid; expected a number"
    for entry_id in ("CIR-0001", "CIR-0002"):
        entry = register.get(entry_id)
        assert entry.status == "new" and len(entry.history) == 1


def test_a_stale_form_is_refused(client: Any, register: Register) -> None:
    sign_in(client, "olga")
    seen = register.get("CIR-0001").version
    register.assign("CIR-0001", owner="resolver-group-manager", by="someone-else")
    response = post_action(client, "CIR-0001", "reject", reason="x", version=str(seen))
    assert response.status_code == 409
    assert "was changed concurrently" in error_line(response.text)
    assert register.get("CIR-0001").status == "new"


def test_an_unknown_entry_is_a_clear_404(client: Any) -> None:
    sign_in(client, "olga")
    page = client.get("/entries/CIR-9999")
    assert page.status_code == 404
    assert error_line(page.text) == "no register entry with id 'CIR-9999'"
    assert client.get("/entries/CIR-9999/plot.png").status_code == 404
    assert post_action(client, "CIR-0001", "accept", owner="o").status_code == 303
    assert client.get("/api/entries/nope").status_code == 404


def test_script_in_a_reason_or_a_slice_is_escaped(client: Any, register: Register) -> None:
    sign_in(client, "ada")
    assert post_action(client, "CIR-0003", "reject", reason=SCRIPT).status_code == 303
    assert register.get("CIR-0003").history[-1].detail["reason"] == SCRIPT
    for path in ("/", "/?status=all", "/entries/CIR-0003", "/overview"):
        page = client.get(path).text
        assert SCRIPT not in page, path
    page = client.get("/entries/CIR-0003").text
    assert html.escape(SCRIPT) in page  # shown, as text, in the slice and the audit trail
    assert page.count("&lt;script&gt;") >= 2


def test_the_plot_is_served_by_the_app(client: Any) -> None:
    sign_in(client, "olga")
    page = client.get("/entries/CIR-0001").text
    assert '<img class="plot" id="evidence-plot" src="/entries/CIR-0001/plot.png"' in page
    plot = client.get("/entries/CIR-0001/plot.png")
    assert plot.status_code == 200 and plot.headers["content-type"] == "image/png"
    assert plot.content.startswith(b"\x89PNG")
    assert "No evidence plot on disk" in client.get("/entries/CIR-0003").text


def test_the_api_acts_with_the_csrf_header(client: Any, register: Register) -> None:
    sign_in(client, "olga")
    me = client.get("/api/me").json()
    assert (me["name"], me["role"]) == ("olga", "owner")
    headers = {"X-CSRF-Token": me["csrf_token"]}
    ok = client.post("/api/entries/CIR-0001/accept", json={"owner": "olga"}, headers=headers)
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
    again = client.post("/api/entries/CIR-0001/accept", json={"owner": "olga"}, headers=headers)
    assert again.status_code == 409 and "cannot go from 'accepted'" in again.json()["error"]
    bad = client.post("/api/entries/CIR-0001/accept", content=b"[1]", headers=headers)
    assert bad.status_code == 400
    assert register.get("CIR-0001").history[-1].by == "olga"
    overview = client.get("/api/overview").json()
    assert overview["by_status"]["accepted"] == 1 and overview["by_status"]["new"] == 2


def test_the_overview_dates_the_last_scanned_night_even_when_it_filed_nothing() -> None:
    from datetime import UTC, date, datetime

    from flows.web.views import overview

    now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    view = overview([], now, scanned=date(2016, 5, 31))
    assert view.night == date(2016, 5, 31)
    assert view.as_of == datetime(2016, 6, 1, tzinfo=UTC)  # the end of that night
    assert overview([], now).night is None


def test_benefits_read_as_words_in_the_inbox_and_on_the_entry(
    client: Any, register: Register
) -> None:
    from register_client import Candidate, benefit_text

    benefit = {"hours_per_week": 231.0, "records_per_week": 231.0, "basis": "33 a day x 7"}
    filed = register.file([Candidate.example(dimensions={"team": "new"}, benefit=benefit)])
    entry = register.get(filed.created[0].entry_id or "")
    sign_in(client, "olga")
    inbox, page = client.get("/").text, client.get(f"/entries/{entry.id}").text
    assert benefit_text(entry.benefits) == "231 hours a week; records 231 a week (33 a day x 7)"
    assert html.escape(benefit_text(entry.benefits), quote=False) in page
    assert html.escape(benefit_text(entry.benefits, basis=False), quote=False) in inbox
    assert "_per_week" not in inbox + page


def test_the_entry_page_links_its_related_entries(client: Any, register: Register) -> None:
    from register_client import Candidate

    # Another KPI of CIR-0002's group in the same week: the same event, seen twice.
    backlog = {"name": "backlog_open", "unit": "incidents", "better": "lower"}
    group = {"assignment_group": "Group 64"}
    filed = register.file([Candidate.example(kind="level_shift", kpi=backlog, dimensions=group)])
    other = filed.created[0].entry_id
    sign_in(client, "olga")
    page = client.get("/entries/CIR-0002").text
    shown = f'<a href="/entries/{other}">{other}</a> backlog_open level shift'
    assert f'{shown} <span class="muted">(Group 64)</span>' in page
    assert 'id="related"' not in client.get("/entries/CIR-0001").text


def test_a_rate_reads_as_a_percentage_on_the_page_as_in_entries_show(
    client: Any, register: Register
) -> None:
    from flows.cli.entry_view import render_entry

    sign_in(client, "olga")
    page = client.get("/entries/CIR-0002").text
    text = render_entry(register.get("CIR-0002").to_json())
    for shown in ("5 %", "92 %", "2 %", "8 %"):  # baseline, at detection, p10, p90
        assert shown in page and shown in text, shown
    assert "share, shown in %" in page and "as a share: 5 % is 0.05" in page
    assert "0.92" not in page.replace('value="0.92"', "")


def test_the_inbox_names_a_slice_once(client: Any, register: Register) -> None:
    from register_client import Candidate

    told, untold = (
        register.file([Candidate.example(title=title, dimensions={"team": team})]).created[0]
        for title, team in (("mttr up for team=red", "red"), ("mttr up", "blue"))
    )
    sign_in(client, "olga")
    rows = client.get("/").text.split("<tr>")
    told_row = next(r for r in rows if f'href="/entries/{told.entry_id}">mttr' in r)
    untold_row = next(r for r in rows if f'href="/entries/{untold.entry_id}">mttr' in r)
    assert "muted" not in told_row.split("team=red</a>")[1].split("</td>")[0]
    assert '<span class="muted">team=blue</span>' in untold_row
