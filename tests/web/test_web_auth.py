"""Sign-in, sessions, CSRF and roles, through Starlette's test client on a real SQLite register."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from typer.testing import CliRunner

from flows.cli import app as cli
from register_client import Register, SignInPolicy
from tests.web.webtools import PASSWORD, error_line, make_client, post_action, sign_in, token


def test_without_a_session_pages_redirect_and_the_api_answers_401(client: Any) -> None:
    for path in ("/", "/entries/CIR-0001", "/overview", "/entries/CIR-0001/plot.png"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")
    assert client.get("/api/entries").status_code == 401
    assert client.get("/api/entries/CIR-0001").status_code == 401
    login = client.get("/login")
    assert login.status_code == 200 and 'type="password"' in login.text


def test_sign_in_opens_the_inbox_and_the_api_matches_the_cli(
    client: Any, register: Register
) -> None:
    response = sign_in(client, "olga")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"].lower()
    assert "samesite=lax" in cookie and "httponly" in cookie
    inbox = client.get("/")
    assert inbox.status_code == 200
    assert [i in inbox.text for i in ("CIR-0001", "CIR-0002", "CIR-0003")] == [True] * 3
    # priority first: CIR-0001 (P1) is listed before CIR-0003 (P3)
    assert inbox.text.index("/entries/CIR-0001") < inbox.text.index("/entries/CIR-0003")
    filtered = client.get("/", params={"kpi": "reassignment_rate"})
    assert "CIR-0002" in filtered.text and "CIR-0001" not in filtered.text
    api = client.get("/api/entries").json()
    url = str(register.engine.url)
    listed = CliRunner().invoke(cli, ["entries", "list", "--register", url, "--format", "json"])
    assert listed.exit_code == 0 and api == json.loads(listed.stdout)


def test_wrong_password_is_refused_then_throttled(register: Register) -> None:
    client = make_client(register, sign_in_policy=SignInPolicy(max_failures=3))
    for _ in range(3):
        refused = sign_in(client, "olga", "not the password")
        assert refused.status_code == 401 and error_line(refused.text) == "wrong name or password"
    throttled = sign_in(client, "olga", PASSWORD)
    assert throttled.status_code == 429
    assert error_line(throttled.text).startswith("too many failed sign-ins; try again in")
    assert client.get("/api/entries").status_code == 401


def test_unknown_user_fails_like_a_wrong_password(client: Any) -> None:
    refused = sign_in(client, "mallory", PASSWORD)
    assert refused.status_code == 401 and error_line(refused.text) == "wrong name or password"


def test_expired_session_goes_back_to_sign_in(register: Register) -> None:
    client = make_client(register, session_ttl=timedelta(0))
    assert sign_in(client, "olga").status_code == 303
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert "reason=your%20session%20expired" in response.headers["location"]
    assert "session expired" in client.get(response.headers["location"]).text
    assert client.get("/api/entries").status_code == 401


def test_after_sign_in_only_local_paths_are_followed(client: Any) -> None:
    page = client.get("/login", params={"next": "https://evil.example/"})
    response = client.post(
        "/login",
        data={"name": "olga", "password": PASSWORD, "csrf_token": token(page.text), "next": "//x"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_missing_or_forged_csrf_token_writes_nothing(client: Any, register: Register) -> None:
    sign_in(client, "olga")
    before = register.get("CIR-0001").history
    missing = client.post("/entries/CIR-0001/accept", data={"owner": "olga"})
    forged = client.post(
        "/entries/CIR-0001/accept", data={"owner": "olga", "csrf_token": "forged-token"}
    )
    for response in (missing, forged):
        assert response.status_code == 403
        assert "CSRF token is missing or does not match" in error_line(response.text)
    api = client.post("/api/entries/CIR-0001/accept", json={"owner": "olga"})
    assert api.status_code == 403
    assert register.get("CIR-0001").history == before
    assert register.get("CIR-0001").status == "new"


def test_a_login_form_without_its_token_is_refused(client: Any) -> None:
    client.get("/login")
    response = client.post("/login", data={"name": "olga", "password": PASSWORD})
    assert response.status_code == 403
    assert client.get("/api/entries").status_code == 401


def test_viewer_reads_but_cannot_act(client: Any, register: Register) -> None:
    sign_in(client, "vic")
    page = client.get("/entries/CIR-0001")
    assert page.status_code == 200 and "read entries only" in page.text
    refused = post_action(client, "CIR-0001", "accept", owner="vic")
    assert refused.status_code == 403
    assert error_line(refused.text) == (
        "vic (viewer) may not act on CIR-0001, routed to 'resolver-group-manager'"
    )
    assert register.get("CIR-0001").status == "new"
    assert len(register.get("CIR-0001").history) == 1


def test_owner_acts_only_on_entries_routed_to_their_group(client: Any, register: Register) -> None:
    sign_in(client, "olga")
    refused = post_action(client, "CIR-0003", "reject", reason="not ours")
    assert refused.status_code == 403
    assert "routed to 'service-desk-lead'" in error_line(refused.text)
    assert register.get("CIR-0003").status == "new"
    assert post_action(client, "CIR-0001", "reject", reason="seen").status_code == 303


def test_admin_acts_on_every_entry(client: Any, register: Register) -> None:
    sign_in(client, "ada")
    assert post_action(client, "CIR-0003", "assign", owner="olga").status_code == 303
    event = register.get("CIR-0003").history[-1]
    assert (event.by, event.action, event.detail) == ("ada", "assign", {"owner": "olga"})


def test_sign_out_ends_the_session(client: Any) -> None:
    sign_in(client, "olga")
    page = client.get("/")
    response = client.post("/logout", data={"csrf_token": token(page.text)})
    assert response.status_code == 200 and 'type="password"' in response.text
    assert client.get("/api/entries").status_code == 401
