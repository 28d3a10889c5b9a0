"""ServiceNow (Table API) as a mirror of the register: CIM improvement initiatives.

Each entry is one record of the configured table (``sn_cim_register``, the CIM
Improvement Initiative table, by default). Its ``correlation_id`` carries the
entry's fingerprint and id, and is how records are found again: a Table API query
reads the database, so unlike Jira's search it sees a record as soon as it exists.
Writes use display values (``sysparm_input_display_value``), so states, priorities
and groups are given by name.
"""

from __future__ import annotations

from typing import Any

import httpx

from flows.config.sync_spec import ServiceNowSpec
from flows.sync.content import Content
from flows.sync.http import Credentials, RetryPolicy, request
from flows.sync.mirror import Remote, RemoteStatus

__all__ = ["DEFAULT_COLUMNS", "ServiceNowMirror", "correlation_id"]

DEFAULT_COLUMNS = {
    "summary": "short_description",
    "description": "description",
    "source": "source",
    "priority": "priority",
    "state": "state",
    "base_value": "base_value",
    "target_value": "target_value",
    "benefits": "benefit",
    "assignment_group": "assignment_group",
}
"""Register field -> column of the CIM Improvement Initiative form; ``fields:`` overrides."""

_STATES = {
    "canceled": "rejected",
    "cancelled": "rejected",
    "rejected": "rejected",
    "closed": "closed",
    "accepted": "accepted",
    "assess": "accepted",
    "approved": "accepted",
    "implement": "in_progress",
    "in progress": "in_progress",
    "work in progress": "in_progress",
    "monitor/review": "monitoring",
}


def correlation_id(content: Content) -> str:
    """Return the record's correlation id: ``radar:<fingerprint>:<entry id>``."""
    return f"radar:{content.fingerprint}:{content.entry_id}"


class ServiceNowMirror:
    """One ServiceNow table, through the Table API.

    Parameters
    ----------
    spec : ServiceNowSpec
        The instance, table and column mapping.
    creds : Credentials
        Basic auth (``RADAR_SERVICENOW_USER`` + ``RADAR_SERVICENOW_PASSWORD``) or a
        bearer token (``RADAR_SERVICENOW_TOKEN``).
    """

    target = "servicenow"
    settle_seconds = 0.0  # Table API reads are consistent: no search lag to wait out

    def __init__(
        self, spec: ServiceNowSpec, creds: Credentials, policy: RetryPolicy | None = None
    ) -> None:
        self.spec = spec
        self.creds = creds
        self.policy = policy or RetryPolicy()
        self.columns = {**DEFAULT_COLUMNS, **spec.fields}
        self.client = httpx.Client(
            base_url=spec.url,
            auth=creds.auth,
            headers={"Accept": "application/json", **creds.headers},
            timeout=spec.timeout,
        )
        self.path = f"/api/now/table/{spec.table}"

    def close(self) -> None:
        """Release the HTTP connections."""
        self.client.close()

    def _call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return request(self.client, self.target, self.creds, method, path, policy=self.policy, **kw)

    def _query(self, query: str, fields: str) -> list[dict[str, Any]]:
        """Return every record matching an encoded query, paged by offset."""
        records: list[dict[str, Any]] = []
        while True:
            params = {
                "sysparm_query": query,
                "sysparm_fields": fields,
                "sysparm_limit": 100,
                "sysparm_offset": len(records),
                "sysparm_display_value": "true",
            }
            page = self._call("GET", self.path, params=params).json().get("result") or []
            records += page
            if len(page) < 100:
                return records

    def find_all(self) -> dict[str, Remote]:
        """Return the radar's records by ``entry id/fingerprint`` (from their correlation id)."""
        found: dict[str, Remote] = {}
        for record in self._query("correlation_idSTARTSWITHradar:", "sys_id,number,correlation_id"):
            _, fingerprint, entry_id = str(record.get("correlation_id", "")).split(":", 2)
            found.setdefault(
                f"{entry_id}/{fingerprint}", Remote(record["sys_id"], str(record.get("number", "")))
            )
        return found

    def find(self, content: Content) -> Remote | None:
        """Return the entry's record, if it exists."""
        records = self._query(f"correlation_id={correlation_id(content)}", "sys_id,number")
        return Remote(records[0]["sys_id"], str(records[0].get("number", ""))) if records else None

    def _fields(self, content: Content, *, state: bool) -> dict[str, Any]:
        values: dict[str, Any] = {
            "summary": content.summary,
            "description": content.text(),
            "source": f"Improvement Radar {content.entry_id}",
            "priority": content.priority,
            "base_value": content.base_value,
            "target_value": content.target_value,
            "benefits": content.benefits,
            "owner": content.owner,
            "assignment_group": self.spec.assignment_group,
        }
        if state:
            values["state"] = "New"
        return {
            self.columns[name]: value
            for name, value in values.items()
            if name in self.columns and value is not None
        }

    def create(self, content: Content, idempotency_key: str) -> Remote:
        """Insert the entry's record (not idempotent: the outbox guards it)."""
        body = {**self._fields(content, state=True), "correlation_id": correlation_id(content)}
        result = self._call(
            "POST",
            self.path,
            params={"sysparm_input_display_value": "true"},
            json=body,
            ok=(201,),
            idempotent=False,
        ).json()["result"]
        return Remote(str(result["sys_id"]), str(result.get("number", "")))

    def update(self, key: str, content: Content) -> None:
        """Rewrite the record's mapped fields (never its state: that is triaged there)."""
        self._call(
            "PATCH",
            f"{self.path}/{key}",
            params={"sysparm_input_display_value": "true"},
            json=self._fields(content, state=False),
        )

    def comment(self, key: str, text: str, marker: str) -> None:
        """Add a work note that ends with `marker`."""
        self._call("PATCH", f"{self.path}/{key}", json={"work_notes": f"{text} [radar:{marker}]"})

    def has_comment(self, key: str, marker: str) -> bool:
        """Tell whether a work note carrying `marker` exists (journal table)."""
        query = f"element_id={key}^element=work_notes^valueLIKE[radar:{marker}]"
        response = self._call(
            "GET",
            "/api/now/table/sys_journal_field",
            params={"sysparm_query": query, "sysparm_fields": "sys_id", "sysparm_limit": 1},
        )
        return bool(response.json().get("result"))

    def status(self, key: str) -> RemoteStatus:
        """Read the record's state and who last updated it."""
        record = self._call(
            "GET",
            f"{self.path}/{key}",
            params={
                "sysparm_fields": "state,sys_updated_by,assigned_to",
                "sysparm_display_value": "true",
            },
        ).json()["result"]
        label = str(record.get("state") or "")
        assigned = record.get("assigned_to")
        assignee = assigned.get("display_value") if isinstance(assigned, dict) else assigned
        by = str(record.get("sys_updated_by") or "servicenow")
        return RemoteStatus(label, _STATES.get(label.casefold()), by, assignee or None)
