"""Helpers for the web tests: sign in, read a form's CSRF token and a page's error line."""

from __future__ import annotations

import json
import re
import threading
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


class Receiver:
    """A local webhook endpoint that answers with a scripted list of statuses, then 200."""

    def __init__(self) -> None:
        self.bodies: list[Any] = []
        self.statuses: list[int] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                outer.bodies.append(json.loads(self.rfile.read(length)))
                status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook?token=s3cret"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
