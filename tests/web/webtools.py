"""Helpers for the web tests: sign in, read a form's CSRF token and a page's error line."""

from __future__ import annotations

import re
import warnings
from typing import Any

from register_client import Register

PASSWORD = "correct horse battery"
SCRIPT = "<script>window.pwned=1</script>"
OWNER_GROUP = "resolver-group-manager"


def make_client(register: Register, **options: Any) -> Any:
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient

    from flows.web.app import create_app

    return TestClient(create_app(register, secret="test-secret-" + "x" * 32, **options))


def token(html: str) -> str:
    """Return the CSRF token of the first form on a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def error_line(html: str) -> str:
    """Return the page's one-line error, unescaped."""
    import html as html_lib

    found = re.search(r'id="error">([^<]*)<', html)
    assert found, "the page shows no error"
    return html_lib.unescape(found.group(1))


def sign_in(client: Any, name: str, password: str = PASSWORD) -> Any:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": token(page.text)},
        follow_redirects=False,
    )


def post_action(client: Any, entry_id: str, action: str, **fields: str) -> Any:
    page = client.get(f"/entries/{entry_id}")
    data = {"csrf_token": token(page.text), **fields}
    return client.post(f"/entries/{entry_id}/{action}", data=data, follow_redirects=False)
