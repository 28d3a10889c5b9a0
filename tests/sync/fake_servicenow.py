"""A ServiceNow stand-in on 127.0.0.1 that behaves as the Table API documents it.

* ``GET /api/now/table/{table}`` with ``sysparm_query`` (``field=value``,
  ``fieldSTARTSWITHvalue``, ``fieldLIKEvalue`` joined by ``^``), ``sysparm_fields``,
  ``sysparm_limit`` / ``sysparm_offset`` paging and an ``X-Total-Count`` header.
* ``POST`` (201 ``{"result": record}``), ``GET``/``PATCH`` by sys_id (404
  ``{"error": {"message": "No Record found", ...}, "status": "failure"}``).
* Work notes land in ``sys_journal_field``, as on an instance.
* Basic auth or a bearer token; 401 otherwise. 400 for an unknown table or a
  state name that is not a choice. Faults: random 500/503/429 before processing.
"""

from __future__ import annotations

import base64
import json
import random
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

SN_USER, SN_PASSWORD, SN_TOKEN = "radar.integration", "pw-s3cret", "bearer-s3cret"
TABLE = "sn_cim_register"
STATES = {
    "New",
    "Accepted",
    "Assess",
    "Approved",
    "Implement",
    "On Hold",
    "Monitor/Review",
    "Closed",
    "Canceled",
}


def _matches(record: dict[str, Any], query: str) -> bool:
    for clause in filter(None, query.split("^")):
        for op in ("STARTSWITH", "LIKE", "="):
            if op in clause:
                name, _, value = clause.partition(op)
                have = str(record.get(name, ""))
                ok = {
                    "STARTSWITH": have.startswith(value),
                    "LIKE": value in have,
                    "=": have == value,
                }[op]
                if not ok:
                    return False
                break
    return True


class FakeServiceNow:
    """State and fault switches of the stand-in."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, dict[str, Any]]] = {TABLE: {}, "sys_journal_field": {}}
        self.flaky = 0.0
        self.requests: list[tuple[str, str]] = []
        self._random = random.Random(11)
        self._lock = threading.Lock()
        self._numbers = iter(range(1001, 100000))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def set_state(self, sys_id: str, state: str, by: str) -> None:
        """Change a record's state as a ServiceNow user would."""
        record = self.tables[TABLE][sys_id]
        record["state"], record["sys_updated_by"] = state, by

    @contextmanager
    def running(self) -> Iterator[FakeServiceNow]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, user: str
    ) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            if self.flaky and self._random.random() < self.flaky:
                status = self._random.choice([500, 503, 429])
                headers = {"Retry-After": "0"} if status == 429 else {}
                return (
                    status,
                    {"error": {"message": "Transaction cancelled"}, "status": "failure"},
                    headers,
                )
        parts = path.strip("/").split("/")
        if parts[:3] != ["api", "now", "table"] or len(parts) not in (4, 5):
            return 400, {"error": {"message": "Invalid URL"}, "status": "failure"}, {}
        table = self.tables.get(parts[3])
        if table is None:
            return 400, {"error": {"message": "Invalid table " + parts[3]}, "status": "failure"}, {}
        if len(parts) == 4 and method == "GET":
            q = query.get("sysparm_query", [""])[0]
            hits = [r for r in table.values() if _matches(r, q)]
            offset = int(query.get("sysparm_offset", ["0"])[0])
            limit = int(query.get("sysparm_limit", ["10000"])[0])
            fields = [f for f in query.get("sysparm_fields", [""])[0].split(",") if f]
            page = [
                {k: v for k, v in r.items() if not fields or k in fields}
                for r in hits[offset : offset + limit]
            ]
            return 200, {"result": page}, {"X-Total-Count": str(len(hits))}
        if len(parts) == 4 and method == "POST":
            record = dict(body or {})
            if record.get("state", "New") not in STATES:
                return (
                    400,
                    {
                        "error": {
                            "message": "Invalid state",
                            "detail": f"state: {record.get('state')}",
                        },
                        "status": "failure",
                    },
                    {},
                )
            with self._lock:
                sys_id = uuid.uuid4().hex
                record.update(
                    sys_id=sys_id, number=f"CIM{next(self._numbers):07d}", sys_updated_by=user
                )
                record.setdefault("state", "New")
                table[sys_id] = record
            return 201, {"result": record}, {}
        record = table.get(parts[4]) if len(parts) == 5 else None
        if record is None:
            return (
                404,
                {
                    "error": {
                        "message": "No Record found",
                        "detail": "Record doesn't exist or ACL restricts the record retrieval",
                    },
                    "status": "failure",
                },
                {},
            )
        if method == "GET":
            return 200, {"result": record}, {}
        if method == "PATCH":
            changes = dict(body or {})
            note = changes.pop("work_notes", None)
            if note:
                journal_id = uuid.uuid4().hex
                self.tables["sys_journal_field"][journal_id] = {
                    "sys_id": journal_id,
                    "element_id": record["sys_id"],
                    "element": "work_notes",
                    "value": note,
                }
            record.update(changes, sys_updated_by=user)
            return 200, {"result": record}, {}
        return 405, {"error": {"message": "Method not allowed"}, "status": "failure"}, {}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real services do

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                url = urlparse(self.path)
                fake.requests.append((self.command, url.path))
                auth = self.headers.get("Authorization", "")
                user = ""
                if auth == f"Bearer {SN_TOKEN}":
                    user = "oauth.client"
                elif auth.startswith("Basic "):
                    name, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
                    user = name if (name, secret) == (SN_USER, SN_PASSWORD) else ""
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if not user:
                    status, out, headers = (
                        401,
                        {
                            "error": {
                                "message": "User Not Authenticated",
                                "detail": "Required to provide Auth information",
                            },
                            "status": "failure",
                        },
                        {},
                    )
                else:
                    status, out, headers = fake.handle(
                        self.command,
                        url.path,
                        parse_qs(url.query),
                        json.loads(raw) if raw else None,
                        user,
                    )
                data = json.dumps(out).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = _serve

        return Handler
