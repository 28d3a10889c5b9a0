"""Local users in the register: argon2 hashes, roles, groups and the sign-in throttle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from register_client import (
    Candidate,
    InvalidTriage,
    SignInPolicy,
    SignInRefused,
    User,
    UserError,
    connect,
)
from register_client._users import users

PASSWORD = "correct horse battery"


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_users_round_trip_on_both_backends(backend: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("register_sqlite_url" if backend == "sqlite" else "pg_url")
    reg = connect(url)
    added = reg.add_user("olga", role="owner", password=PASSWORD, groups=["ops"])
    assert (added.name, added.role, added.groups) == ("olga", "owner", ["ops"])
    with reg.engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert reg.authenticate("olga", PASSWORD) == reg.get_user("olga")
    assert [u.name for u in reg.list_users()] == ["olga"]
    with pytest.raises(UserError, match="user 'olga': already exists"):
        reg.add_user("olga", role="viewer", password=PASSWORD)
    reg.dispose()


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("ok", "boss", PASSWORD, "role 'boss' is invalid; one of: viewer, owner, admin"),
        ("<b>", "viewer", PASSWORD, "a name is 1-64 letters"),
        ("ok", "viewer", "short", "the password needs at least 8 characters"),
    ],
)
def test_bad_users_are_refused(name: str, role: str, password: str, message: str) -> None:
    reg = connect("sqlite://")
    with pytest.raises(UserError, match=message):
        reg.add_user(name, role=role, password=password)
    assert reg.list_users() == []


def test_failures_lock_the_name_and_the_client_for_a_while() -> None:
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    reg = connect("sqlite://", clock=lambda: now[0])
    reg.add_user("olga", role="owner", password=PASSWORD)
    policy = SignInPolicy(
        max_failures=3, window=timedelta(minutes=5), lockout=timedelta(minutes=10)
    )
    for _ in range(3):
        with pytest.raises(SignInRefused, match=r"^wrong name or password$"):
            reg.authenticate("olga", "nope", client="10.0.0.1", policy=policy)
    with pytest.raises(SignInRefused, match="too many failed sign-ins") as locked:
        reg.authenticate("olga", PASSWORD, client="10.0.0.2", policy=policy)
    assert 590 <= locked.value.retry_after <= 601
    # the client address is locked too, whatever name it tries next
    with pytest.raises(SignInRefused, match="too many"):
        reg.authenticate("someone", PASSWORD, client="10.0.0.1", policy=policy)
    now[0] += timedelta(minutes=11)
    assert reg.authenticate("olga", PASSWORD, client="10.0.0.1", policy=policy).name == "olga"


def test_unknown_names_count_like_wrong_passwords() -> None:
    reg = connect("sqlite://")
    policy = SignInPolicy(max_failures=2)
    for _ in range(2):
        with pytest.raises(SignInRefused, match=r"^wrong name or password$"):
            reg.authenticate("ghost", PASSWORD, policy=policy)
    with pytest.raises(SignInRefused, match="too many"):
        reg.authenticate("ghost", PASSWORD, policy=policy)


def test_roles_decide_who_acts_on_which_entry() -> None:
    reg = connect("sqlite://")
    reg.file([Candidate.example(owner="ops")])
    entry = reg.get("CIR-0001")
    assert User(name="a", role="admin").may_act_on_entry(entry)
    assert User(name="o", role="owner", groups=["ops"]).may_act_on_entry(entry)
    assert not User(name="o", role="owner", groups=["dev"]).may_act_on_entry(entry)
    assert User(name="ops", role="owner").may_act_on_entry(entry)
    assert not User(name="ops", role="viewer").may_act_on_entry(entry)


def test_a_target_outside_the_kpi_domain_is_refused_by_the_register() -> None:
    reg = connect("sqlite://")
    share = {"name": "reopen_rate", "unit": "share", "better": "lower", "domain": (0, 1)}
    reg.file([Candidate.example(kpi=share)])
    with pytest.raises(InvalidTriage, match="reopen_rate cannot go above 1"):
        reg.accept("CIR-0001", owner="o", target=2.0)
    with pytest.raises(InvalidTriage, match="finite"):
        reg.set_target("CIR-0001", float("inf"))
    entry = reg.get("CIR-0001")
    assert entry.status == "new" and len(entry.history) == 1
    assert reg.accept("CIR-0001", owner="o", target=0.1).target_value == 0.1
