"""The ServiceNow mirror against a Table API stand-in on 127.0.0.1 (CIM improvement table)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.config.sync_spec import ServiceNowSpec
from flows.sync import SyncAuthError, sync_register
from flows.sync.http import RetryPolicy, credentials
from flows.sync.servicenow import ServiceNowMirror
from register_client import Register
from tests.sync.fake_servicenow import SN_TOKEN, TABLE, FakeServiceNow

FAST = RetryPolicy(attempts=6, backoff=0.01, max_backoff=0.05)


def mirror(server: FakeServiceNow, **spec: object) -> ServiceNowMirror:
    settings = {"url": server.url, "table": TABLE, **spec}
    return ServiceNowMirror(
        ServiceNowSpec.model_validate(settings), credentials("servicenow"), FAST
    )


def records(server: FakeServiceNow) -> list[dict[str, object]]:
    return list(server.tables[TABLE].values())


def test_one_cim_record_per_entry_with_the_cim_fields(
    servicenow: FakeServiceNow, register: Register
) -> None:
    m = mirror(servicenow, assignment_group="CI Office", fields={"owner": "assigned_to"})
    report = sync_register(register, m, base_url="http://radar.local")
    assert len(report.created) == 3 and not report.failed
    for entry in register.list():
        [record] = [r for r in records(servicenow) if str(r["correlation_id"]).endswith(entry.id)]
        assert record["correlation_id"] == f"radar:{entry.fingerprint}:{entry.id}"
        assert str(record["short_description"]).startswith(f"[{entry.id}]")
        assert "Baseline" in str(record["description"])
        assert f"http://radar.local/entries/{entry.id}" in str(record["description"])
        assert record["priority"] == 3 and record["state"] == "New"
        assert record["base_value"] == 8.0 and record["target_value"] == 8.0
        assert record["assignment_group"] == "CI Office"
        assert record["source"] == f"Improvement Radar {entry.id}"
    again = sync_register(register, m, base_url="http://radar.local")
    assert again.created == [] and again.updated == [] and len(records(servicenow)) == 3


def test_state_changes_come_back_audited_under_the_servicenow_user(
    servicenow: FakeServiceNow, register: Register
) -> None:
    sync_register(register, mirror(servicenow))
    by_entry = {str(r["correlation_id"]).rpartition(":")[2]: r for r in records(servicenow)}
    servicenow.set_state(str(by_entry["CIR-0001"]["sys_id"]), "Canceled", "beth.cim")
    servicenow.set_state(str(by_entry["CIR-0002"]["sys_id"]), "Implement", "beth.cim")
    report = sync_register(register, mirror(servicenow))
    assert sorted(report.pulled) == ["CIR-0001: rejected", "CIR-0002: accepted, in_progress"]
    assert register.get("CIR-0001").status == "rejected"
    assert register.get("CIR-0001").history[-1].by == "servicenow:beth.cim"
    assert register.get("CIR-0002").status == "in_progress"
    servicenow.set_state(str(by_entry["CIR-0002"]["sys_id"]), "Closed", "beth.cim")
    sync_register(register, mirror(servicenow))
    assert register.get("CIR-0002").closure_code == "successful"


def test_a_new_verdict_becomes_one_work_note(
    servicenow: FakeServiceNow, register: Register
) -> None:
    sync_register(register, mirror(servicenow))
    register.accept("CIR-0003", owner="ops-lead")
    register.add_measurement("CIR-0003", datetime(2024, 4, 1, tzinfo=UTC), 7.5, "target_met")
    report = sync_register(register, mirror(servicenow))
    assert report.commented == ["CIR-0003"]
    notes = list(servicenow.tables["sys_journal_field"].values())
    assert len(notes) == 1 and "target_met" in str(notes[0]["value"])
    assert sync_register(register, mirror(servicenow)).commented == []


def test_a_bearer_token_works_and_bad_credentials_are_one_clear_error(
    servicenow: FakeServiceNow, register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RADAR_SERVICENOW_USER")
    monkeypatch.delenv("RADAR_SERVICENOW_PASSWORD")
    monkeypatch.setenv("RADAR_SERVICENOW_TOKEN", SN_TOKEN)
    assert len(sync_register(register, mirror(servicenow)).created) == 3
    monkeypatch.setenv("RADAR_SERVICENOW_TOKEN", "not-the-t0ken")
    with pytest.raises(SyncAuthError) as err:
        sync_register(register, mirror(servicenow))
    assert "servicenow: 401" in str(err.value) and "RADAR_SERVICENOW_TOKEN" in str(err.value)
    assert "not-the-t0ken" not in str(err.value)
    monkeypatch.delenv("RADAR_SERVICENOW_TOKEN")
    with pytest.raises(SyncAuthError, match="RADAR_SERVICENOW_USER\\+RADAR_SERVICENOW_PASSWORD"):
        credentials("servicenow")


def test_an_unknown_table_is_one_error_per_entry(
    servicenow: FakeServiceNow, register: Register
) -> None:
    with pytest.raises(Exception, match="400 Invalid table sn_nope"):
        sync_register(register, mirror(servicenow, table="sn_nope"))
