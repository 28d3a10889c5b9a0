"""A Jira Cloud stand-in on 127.0.0.1 that behaves as REST API v3 documents it.

* Basic auth (e-mail + API token); 401 without it, 403 for a user without rights.
* ``POST /rest/api/3/issue`` (201 ``{id, key, self}``), ``GET``/``PUT`` an issue (404 with
  Jira's ``errorMessages`` when it does not exist), comments, ``expand=changelog``.
* 400 with field errors (``{"errorMessages": [], "errors": {field: message}}``) for a
  missing summary, a description that is not an ADF document, a label with a space,
  an unknown priority, issue type or project.
* ``POST /rest/api/3/search/jql``: ``project = "X" AND labels = "y" ...``, paged with
  ``nextPageToken`` (small pages), and **eventually consistent**: an issue is only
  searchable ``lag`` seconds after it was created.
* The removed ``/rest/api/3/search`` answers 410.
* Faults on demand: 429 with ``Retry-After``, a share of random 500/503/429 answers
  given before anything is processed, 409 on chosen keys, and a pause after a create
  is committed (so a test can kill the client between the create and its ledger write).
"""

from __future__ import annotations

import base64
import itertools
import json
import random
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

USER, TOKEN = "ana@example.com", "tok-3x4mple-s3cret"
PRIORITIES = {"Highest", "High", "Medium", "Low", "Lowest"}
STATUS = {
    "To Do": "new",
    "In Progress": "indeterminate",
    "Done": "done",
    "Won't Do": "done",
    "Accepted": "new",
}


@dataclass
class Issue:
    id: str
    key: str
    fields: dict[str, Any]
    created: float
    status: str = "To Do"
    resolution: str | None = None
    comments: list[dict[str, Any]] = field(default_factory=list)
    histories: list[dict[str, Any]] = field(default_factory=list)


class FakeJira:
    """The server's state and fault switches; ``url`` once started."""

    def __init__(self, project: str = "CI", lag: float = 1.0, page_size: int = 2) -> None:
        self.project = project
        self.lag = lag
        self.page_size = page_size
        self.issues: dict[str, Issue] = {}
        self.requests: list[tuple[str, str]] = []
        self.flaky = 0.0
        self.rate_limit_next = 0
        self.conflict_keys: set[str] = set()
        self.pause_after_create = 0.0
        self.created_event = threading.Event()
        self.release = threading.Event()
        self.forbidden_users: set[str] = set()
        self.expand_changelog = True  # False: only GET .../changelog gives the history
        self._ids = itertools.count(10001)
        self._lock = threading.Lock()
        self._random = random.Random(7)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    # -- test helpers -------------------------------------------------------------------------
    def transition(self, key: str, status: str, by: str, resolution: str | None = None) -> None:
        """Move an issue as a Jira user would, with a changelog entry."""
        with self._lock:
            issue = self.issues[key]
            issue.histories.append(
                {
                    "id": str(len(issue.histories) + 1),
                    "author": {"accountId": f"acc-{by}", "displayName": by},
                    "created": time.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    "items": [{"field": "status", "fromString": issue.status, "toString": status}],
                }
            )
            issue.status = status
            issue.resolution = resolution

    def by_label(self, label: str) -> list[Issue]:
        return [i for i in self.issues.values() if label in i.fields.get("labels", [])]

    @contextmanager
    def running(self) -> Iterator[FakeJira]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()

    # -- the API ------------------------------------------------------------------------------
    def _validate(self, fields: dict[str, Any], create: bool) -> dict[str, str]:
        errors: dict[str, str] = {}
        if create and (fields.get("project") or {}).get("key") != self.project:
            errors["project"] = "Specify a valid project ID or key"
        if create and (fields.get("issuetype") or {}).get("name") not in ("Task", "Story"):
            errors["issuetype"] = "Specify an issue type"
        if create and not fields.get("summary"):
            errors["summary"] = "You must specify a summary of the issue."
        if "summary" in fields and len(fields["summary"] or "") > 255:
            errors["summary"] = "Summary must be less than 255 characters."
        desc = fields.get("description")
        if desc is not None and not (
            isinstance(desc, dict) and desc.get("type") == "doc" and desc.get("version") == 1
        ):
            errors["description"] = "Operation value must be an Atlassian Document (see ADF)."
        if any(" " in label for label in fields.get("labels") or []):
            errors["labels"] = "The label must not contain spaces."
        priority = fields.get("priority")
        if priority is not None and priority.get("name") not in PRIORITIES:
            errors["priority"] = f"Priority name '{priority.get('name')}' is not valid"
        return errors

    def _issue_json(self, issue: Issue, expand: str) -> dict[str, Any]:
        fields = dict(issue.fields)
        fields["status"] = {"name": issue.status, "statusCategory": {"key": STATUS[issue.status]}}
        fields["resolution"] = {"name": issue.resolution} if issue.resolution else None
        body: dict[str, Any] = {"id": issue.id, "key": issue.key, "fields": fields}
        if "changelog" in expand and self.expand_changelog:
            body["changelog"] = {
                "startAt": 0,
                "total": len(issue.histories),
                "histories": issue.histories,
            }
        return body

    def _search(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        jql = str(body.get("jql") or "")
        project = re.search(r'project\s*=\s*"?([\w-]+)"?', jql)
        labels = re.findall(r'labels\s*=\s*"([^"]+)"', jql)
        if project is None:
            return 400, {"errorMessages": ["Unbounded JQL queries are not allowed here."]}
        now = time.time()
        hits = [
            i
            for i in sorted(self.issues.values(), key=lambda i: int(i.id))
            if i.key.startswith(project.group(1) + "-")
            and now - i.created >= self.lag
            and all(label in i.fields.get("labels", []) for label in labels)
        ]
        token = body.get("nextPageToken")
        start = 0
        if token:
            try:
                start = int(base64.b64decode(token).decode().removeprefix("page:"))
            except ValueError:
                return 400, {"errorMessages": ["Invalid nextPageToken."]}
        size = min(int(body.get("maxResults") or 50), self.page_size)
        page = hits[start : start + size]
        wanted = body.get("fields") or ["id"]
        out: dict[str, Any] = {
            "issues": [
                {
                    "id": i.id,
                    "key": i.key,
                    "fields": {
                        k: v for k, v in self._issue_json(i, "")["fields"].items() if k in wanted
                    },
                }
                for i in page
            ],
            "isLast": start + size >= len(hits),
        }
        if start + size < len(hits):
            out["nextPageToken"] = base64.b64encode(f"page:{start + size}".encode()).decode()
        return 200, out

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, user: str
    ) -> tuple[int, Any, dict[str, str]]:
        if path.startswith("/rest/api/3/search") and path != "/rest/api/3/search/jql":
            return (
                410,
                {
                    "errorMessages": [
                        "The requested API has been removed. Please migrate to the "
                        "/rest/api/3/search/jql API."
                    ]
                },
                {},
            )
        if user in self.forbidden_users:
            return 403, {"errorMessages": ["You do not have permission to do this."]}, {}
        with self._lock:
            if self.rate_limit_next > 0:
                self.rate_limit_next -= 1
                return 429, {"errorMessages": ["Rate limit exceeded."]}, {"Retry-After": "1"}
            if self.flaky and self._random.random() < self.flaky:
                status = self._random.choice([500, 503, 429])
                headers = {"Retry-After": "0"} if status == 429 else {}
                return status, {"errorMessages": ["Internal server error"]}, headers
        if method == "POST" and path == "/_fake/transition":  # for hand runs, not Jira's API
            body = body or {}
            if body.get("key") not in self.issues:
                return 404, {"errorMessages": ["no such issue"]}, {}
            self.transition(body["key"], body["status"], body["by"], body.get("resolution"))
            return 204, None, {}
        if method == "POST" and path == "/rest/api/3/search/jql":
            status, out = self._search(body or {})
            return status, out, {}
        if method == "POST" and path == "/rest/api/3/issue":
            fields = (body or {}).get("fields") or {}
            errors = self._validate(fields, create=True)
            if errors:
                return 400, {"errorMessages": [], "errors": errors}, {}
            with self._lock:
                number = next(self._ids)
                key = f"{self.project}-{number - 10000}"
                stored = {k: v for k, v in fields.items() if k not in ("project", "issuetype")}
                self.issues[key] = Issue(str(number), key, stored, time.time())
            self.created_event.set()
            if self.pause_after_create:
                self.release.wait(self.pause_after_create)
            return (
                201,
                {"id": str(number), "key": key, "self": f"{self.url}/rest/api/3/issue/{number}"},
                {},
            )
        match = re.fullmatch(r"/rest/api/3/issue/([\w-]+)(/comment|/changelog)?", path)
        if match is None:
            return 404, {"errorMessages": [f"No API at {path}"]}, {}
        issue = self.issues.get(match.group(1))
        if issue is None:
            return (
                404,
                {
                    "errorMessages": [
                        "Issue does not exist or you do not have permission to see it."
                    ],
                    "errors": {},
                },
                {},
            )
        if match.group(2) == "/changelog":
            return (
                200,
                {"values": issue.histories, "isLast": True, "total": len(issue.histories)},
                {},
            )
        if match.group(2):
            if method == "POST":
                comment = {
                    "id": str(len(issue.comments) + 1),
                    "body": (body or {}).get("body"),
                    "author": {"displayName": user},
                }
                issue.comments.append(comment)
                return 201, comment, {}
            start = int(query.get("startAt", ["0"])[0])
            size = min(int(query.get("maxResults", ["50"])[0]), self.page_size)
            return (
                200,
                {
                    "comments": issue.comments[start : start + size],
                    "startAt": start,
                    "maxResults": size,
                    "total": len(issue.comments),
                },
                {},
            )
        if method == "GET":
            return 200, self._issue_json(issue, ",".join(query.get("expand", []))), {}
        if method == "PUT":
            if issue.key in self.conflict_keys:
                return 409, {"errorMessages": ["The issue was changed by someone else."]}, {}
            fields = (body or {}).get("fields") or {}
            errors = self._validate(fields, create=False)
            if errors:
                return 400, {"errorMessages": [], "errors": errors}, {}
            issue.fields.update(fields)
            return 204, None, {}
        return 405, {"errorMessages": [f"{method} not allowed"]}, {}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real services do

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                fake.requests.append((self.command, url.path))
                auth = self.headers.get("Authorization", "")
                user = ""
                if auth.startswith("Basic "):
                    user, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
                    if secret != TOKEN:
                        user = ""
                if not user:
                    status, out, headers = (
                        401,
                        {
                            "errorMessages": [
                                "You are not authenticated. Authentication required to "
                                "perform this operation."
                            ]
                        },
                        {},
                    )
                else:
                    try:
                        body = json.loads(raw) if raw else None
                    except ValueError:
                        body = None
                    status, out, headers = fake.handle(
                        self.command, url.path, parse_qs(url.query), body, user
                    )
                data = b"" if out is None else json.dumps(out).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        return Handler


if __name__ == "__main__":  # python tests/sync/fake_jira.py [PORT]: a stand-in to try by hand
    import sys

    fake = FakeJira(lag=2.0, page_size=50)
    if len(sys.argv) > 1:
        fake.server.server_close()
        fake.server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), fake._handler())
        fake.url = f"http://127.0.0.1:{sys.argv[1]}"
    sys.stderr.write(f"fake Jira at {fake.url} (user {USER}, token {TOKEN})\n")
    fake.server.serve_forever()
