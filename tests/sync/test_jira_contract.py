"""The Jira mirror against a REST API v3 stand-in on 127.0.0.1: payloads, paging, errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from flows.config.sync_spec import JiraSpec
from flows.sync import SyncAuthError, sync_register
from flows.sync.http import RetryPolicy, credentials
from flows.sync.jira import JiraMirror
from register_client import Candidate, Register, SyncOutbox
from tests.sync.fake_jira import TOKEN, USER, FakeJira
from tests.sync.sync_support import file_entries

FAST = RetryPolicy(attempts=6, backoff=0.01, max_backoff=0.05)


def mirror(server: FakeJira, **spec: object) -> JiraMirror:
    settings = {"url": server.url, "project": "CI", "settle_seconds": 2.0, **spec}
    return JiraMirror(JiraSpec.model_validate(settings), credentials("jira"), FAST)


def posts(server: FakeJira, path: str) -> int:
    return sum(1 for method, p in server.requests if method == "POST" and p == path)


def test_one_issue_per_entry_with_its_evidence_and_a_rerun_creates_nothing(
    jira: FakeJira, register: Register
) -> None:
    report = sync_register(register, mirror(jira), base_url="http://radar.local:8765")
    assert len(report.created) == 3 and not report.failed
    for entry in register.list():
        [issue] = jira.by_label(entry.fingerprint)
        fields = issue.fields
        assert f"radar-{entry.id}" in fields["labels"] and "improvement-radar" in fields["labels"]
        assert fields["summary"].startswith(f"[{entry.id}]")
        assert fields["priority"] == {"name": "Medium"}  # Candidate.example is priority 3
        text = json.dumps(fields["description"])
        assert fields["description"]["type"] == "doc"
        for needle in ("Baseline", "median 8", "Provenance", "abc123", "target", entry.id):
            assert needle in text, needle
        assert f"http://radar.local:8765/entries/{entry.id}" in text
    again = sync_register(register, mirror(jira), base_url="http://radar.local:8765")
    assert again.created == [] and again.updated == [] and again.adopted == []
    assert len(jira.issues) == 3 and posts(jira, "/rest/api/3/issue") == 3
    assert ("POST", "/rest/api/3/search") not in jira.requests


def test_search_is_paged_by_next_page_token_and_adopts_issues_the_ledger_lost(
    jira: FakeJira, register: Register
) -> None:
    sync_register(register, mirror(jira))
    # Lose the ledger's links (a restored backup): search must find the issues again.
    with register.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM sync_links")
    import time

    time.sleep(jira.lag)
    report = sync_register(register, mirror(jira))
    assert sorted(report.adopted) == sorted(e.id for e in register.list())
    assert report.created == [] and len(jira.issues) == 3
    searches = [r for r in jira.requests if r[1] == "/rest/api/3/search/jql"]
    assert len(searches) >= 2  # three issues, pages of two


def test_the_removed_search_endpoint_answers_410(jira: FakeJira) -> None:
    import httpx

    r = httpx.post(f"{jira.url}/rest/api/3/search", auth=(USER, TOKEN), json={"jql": "x"})
    assert r.status_code == 410


def entry_of(register: Register, group: str) -> str:
    return next(e.id for e in register.list() if e.dimensions["assignment_group"] == group)


def test_redetection_updates_the_issue_and_a_new_verdict_adds_one_comment(
    jira: FakeJira, register: Register
) -> None:
    sync_register(register, mirror(jira))
    later = Candidate.example(
        dimensions={"assignment_group": "Group 0"},
        title="Spike 0",
        evidence={"at": "2024-03-09", "value": 16.0, "score": 0.98},
    )
    register.file([later])
    eid = entry_of(register, "Group 0")
    register.accept(eid, owner="ops-lead")
    register.add_measurement(eid, datetime(2024, 4, 1, tzinfo=UTC), 9.0, "improving")
    report = sync_register(register, mirror(jira))
    assert report.updated == [eid] and report.commented == [eid]
    issue = jira.by_label(f"radar-{eid}")[0]
    assert "seen 2x" in json.dumps(issue.fields["description"])
    assert len(issue.comments) == 1 and "improving" in json.dumps(issue.comments[0]["body"])
    quiet = sync_register(register, mirror(jira))
    assert quiet.updated == [] and quiet.commented == [] and len(issue.comments) == 1


@pytest.mark.parametrize(
    ("status", "resolution", "expected", "closure"),
    [
        ("Won't Do", None, "rejected", None),
        ("Done", "Won't Do", "rejected", None),
        ("Done", "Done", "closed", "successful"),
        ("In Progress", None, "in_progress", None),
    ],
)
def test_a_transition_made_in_jira_becomes_a_triage_action_under_the_jira_user(
    jira: FakeJira,
    register: Register,
    status: str,
    resolution: str | None,
    expected: str,
    closure: str | None,
) -> None:
    sync_register(register, mirror(jira))
    jira.expand_changelog = status != "Done"  # either way of reading who moved it
    key = jira.by_label("radar-CIR-0002")[0].key
    jira.transition(key, status, by="Ana Lima", resolution=resolution)
    report = sync_register(register, mirror(jira))
    entry = register.get("CIR-0002")
    assert entry.status == expected and entry.closure_code == closure
    assert entry.history[-1].by == "jira:Ana Lima"
    assert report.pulled and report.pulled[0].startswith("CIR-0002")
    assert register.get("CIR-0001").status == "new"
    assert sync_register(register, mirror(jira)).pulled == []  # applied once


def test_a_rejection_in_jira_suppresses_the_finding_on_the_next_scan(
    jira: FakeJira, register: Register
) -> None:
    sync_register(register, mirror(jira))
    eid = entry_of(register, "Group 2")
    jira.transition(jira.by_label(f"radar-{eid}")[0].key, "Won't Do", by="Ana Lima")
    sync_register(register, mirror(jira))
    assert register.get(eid).status == "rejected"
    again = Candidate.example(
        dimensions={"assignment_group": "Group 2"},
        title="Spike 2",
        evidence={"at": "2024-03-10", "value": 14.5, "score": 0.97},
    )
    report = register.file([again])
    assert report.created == [] and len(report.suppressed) == 1
    assert "rejected" in report.suppressed[0].reason


def test_field_errors_are_reported_per_entry_and_leave_no_pending_intent(
    jira: FakeJira, register: Register
) -> None:
    bad = mirror(jira, priorities={3: "Urgent"})
    report = sync_register(register, bad)
    assert len(report.failed) == 3 and jira.issues == {}
    assert (
        "400" in report.failed[0]
        and "priority: Priority name 'Urgent' is not valid" in (report.failed[0])
    )
    assert SyncOutbox(register, "jira").pending() == []
    assert len(sync_register(register, mirror(jira)).created) == 3


def test_wrong_or_missing_credentials_are_one_error_naming_the_variables(
    jira: FakeJira, register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RADAR_JIRA_TOKEN", "wrong-t0ken-value")
    with pytest.raises(SyncAuthError) as err:
        sync_register(register, mirror(jira))
    message = str(err.value)
    assert "jira: 401" in message and "RADAR_JIRA_USER / RADAR_JIRA_TOKEN" in message
    assert "wrong-t0ken-value" not in message and "\n" not in message
    monkeypatch.delenv("RADAR_JIRA_TOKEN")
    with pytest.raises(SyncAuthError, match="missing: RADAR_JIRA_TOKEN"):
        credentials("jira")


def test_forbidden_is_one_error_too(jira: FakeJira, register: Register) -> None:
    jira.forbidden_users.add(USER)
    with pytest.raises(SyncAuthError, match=r"jira: 403 .* lack permission"):
        sync_register(register, mirror(jira))


def test_a_deleted_issue_and_a_conflict_fail_their_entry_only(
    jira: FakeJira, register: Register
) -> None:
    sync_register(register, mirror(jira))
    gone = jira.by_label("radar-CIR-0001")[0].key
    del jira.issues[gone]
    busy = jira.by_label("radar-CIR-0002")[0].key
    jira.conflict_keys.add(busy)
    file_entries(register, 3)  # nothing new: the same three detections
    register.set_priority("CIR-0002", 1, reason="escalated")
    register.set_priority("CIR-0003", 2, reason="escalated")
    report = sync_register(register, mirror(jira))
    failed = "\n".join(report.failed)
    assert "CIR-0001" in failed and "404" in failed and "Issue does not exist" in failed
    assert "CIR-0002" in failed and "409" in failed
    assert report.updated == ["CIR-0003"]
    assert jira.by_label("radar-CIR-0003")[0].fields["priority"] == {"name": "High"}


def test_429_waits_for_retry_after_and_5xx_backs_off(jira: FakeJira, register: Register) -> None:
    import time

    stamps: list[float] = []
    original = jira.handle

    def timed(*args: object) -> object:
        stamps.append(time.monotonic())
        return original(*args)  # type: ignore[arg-type]

    jira.handle = timed  # type: ignore[method-assign]
    jira.rate_limit_next = 1
    report = sync_register(register, mirror(jira))
    assert len(report.created) == 3
    assert stamps[1] - stamps[0] >= 0.9  # Retry-After: 1 was honoured
    jira.flaky = 1.0
    m = mirror(jira)
    with pytest.raises(Exception, match="gave up after 6 tries"):
        m.find_all()


def test_a_pending_create_waits_out_the_search_lag_instead_of_creating_again(
    jira: FakeJira, register: Register
) -> None:
    from flows.sync.content import entry_content

    jira.lag = 1.5
    content = entry_content(register.get("CIR-0001").to_json())
    intent = SyncOutbox(register, "jira").intend("CIR-0001", "create", content.digest)
    mirror(jira).create(content, intent.idempotency_key)  # made; the ledger never heard
    report = sync_register(register, mirror(jira, settle_seconds=5))
    assert sorted(report.created) == ["CIR-0002", "CIR-0003"] and len(jira.issues) == 3
    assert report.adopted == ["CIR-0001"]
    link = SyncOutbox(register, "jira").link("CIR-0001")
    assert link is not None and link.external_key == jira.by_label("radar-CIR-0001")[0].key


def test_the_issue_names_the_entries_related_to_its_entry(
    jira: FakeJira, register: Register
) -> None:
    backlog = {"name": "backlog_open", "unit": "incidents", "better": "lower"}
    group = register.get("CIR-0001").dimensions
    register.file([Candidate.example(kind="level_shift", kpi=backlog, dimensions=group)])
    sync_register(register, mirror(jira))
    first = json.dumps(jira.by_label("radar-CIR-0001")[0].fields["description"])
    value = group["assignment_group"]
    related = f"CIR-0004 backlog_open level shift ({value})"
    assert f"Related entries (same slice value, windows within a week): {related}" in first
    assert "Related entries" not in json.dumps(
        jira.by_label("radar-CIR-0002")[0].fields["description"]
    )
