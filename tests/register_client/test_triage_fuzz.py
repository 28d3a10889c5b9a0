"""Property: any sequence of triage actions keeps the lifecycle and audits every change."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from register_client import (
    CLOSURE_CODES,
    STATUSES,
    TRANSITIONS,
    Candidate,
    EntryError,
    RegisterError,
    connect,
)

_ACTIONS = st.one_of(
    st.tuples(st.just("accept"), st.fixed_dictionaries({"owner": st.sampled_from(["a", "b"])})),
    st.tuples(
        st.just("reject"), st.fixed_dictionaries({"reason": st.sampled_from(["noise", "n"])})
    ),
    st.tuples(st.just("start"), st.just({})),
    st.tuples(st.just("monitor"), st.just({})),
    st.tuples(st.just("reopen"), st.fixed_dictionaries({"reason": st.just("again")})),
    st.tuples(
        st.just("close"),
        st.fixed_dictionaries({"code": st.sampled_from([*CLOSURE_CODES, "done", ""])}),
    ),
    st.tuples(st.just("assign"), st.fixed_dictionaries({"owner": st.text(max_size=5)})),
    st.tuples(st.just("set_priority"), st.fixed_dictionaries({"priority": st.integers(-1, 7)})),
    st.tuples(st.just("comment"), st.fixed_dictionaries({"text": st.text(max_size=8)})),
    st.tuples(
        st.just("mark_duplicate"), st.fixed_dictionaries({"of": st.sampled_from(["CIR-0001"])})
    ),
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_ACTIONS, max_size=12))
def test_any_action_sequence_keeps_the_lifecycle(actions: list[tuple[str, dict[str, Any]]]) -> None:
    reg = connect("sqlite://")
    entry_id = reg.file([Candidate.example()]).created[0].entry_id or ""
    before = reg.get(entry_id).to_json()
    for step, (action, kwargs) in enumerate(actions):
        actor = f"user{step}"
        try:
            after = getattr(reg, action)(entry_id, by=actor, **kwargs).to_json()
        except EntryError as exc:
            assert str(exc) and "\n" not in str(exc)
            assert reg.get(entry_id).to_json() == before  # a refused action changes nothing
            continue
        except RegisterError as exc:  # pragma: no cover - would be a bug: say which
            raise AssertionError(f"{action} {kwargs}: {exc}") from exc
        assert after["status"] in STATUSES
        new_events = after["history"][len(before["history"]) :]
        assert new_events and all(e["by"] == actor for e in new_events)
        if after["status"] != before["status"]:
            moved = (before["status"], after["status"])
            assert after["status"] in TRANSITIONS[before["status"]] or action == "reopen", moved
            changes = [(e.get("from"), e.get("to")) for e in new_events if e.get("to")]
            assert moved in changes, (moved, changes)
        if after["status"] == "closed":
            assert after.get("closure_code") in CLOSURE_CODES
        before = after
    reg.dispose()
