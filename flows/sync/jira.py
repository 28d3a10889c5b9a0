"""Jira Cloud (REST API v3) as a mirror of the register.

Each entry is one issue: the summary, an Atlassian Document Format description with
the baseline, target, provenance and entry link, the labels ``improvement-radar``,
the entry's fingerprint and ``radar-<entry id>``, and the priority. Issues are
found with ``POST /rest/api/3/search/jql`` paged by ``nextPageToken`` (the old
``/rest/api/3/search`` is gone); that search is eventually consistent, so the
register's outbox, not the search, says which issues exist.
"""

from __future__ import annotations

from typing import Any

import httpx

from flows.config.sync_spec import JiraSpec
from flows.sync.content import Content
from flows.sync.http import Credentials, RetryPolicy, SyncAuthError, SyncError, request
from flows.sync.mirror import Remote, RemoteStatus

__all__ = ["JiraMirror", "adf"]

LABEL = "improvement-radar"
_REJECTED = {"won't do", "wont do", "won't fix", "rejected", "declined", "cancelled", "canceled"}
_ACCEPTED = {"accepted", "selected for development", "approved"}


def _text(text: str, link: str | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": text}
    if link:
        node["marks"] = [{"type": "link", "attrs": {"href": link}}]
    return node


def adf(content: Content) -> dict[str, Any]:
    """Return the issue description as an Atlassian Document Format document."""
    body: list[dict[str, Any]] = []
    for heading, lines in content.sections:
        body.append({"type": "heading", "attrs": {"level": 3}, "content": [_text(heading)]})
        items = [
            {"type": "listItem", "content": [{"type": "paragraph", "content": [_text(line)]}]}
            for line in lines
        ]
        body.append({"type": "bulletList", "content": items})
    if content.link:
        body.append(
            {
                "type": "paragraph",
                "content": [_text("Entry page: "), _text(content.link, content.link)],
            }
        )
    return {"type": "doc", "version": 1, "content": body}


def _paragraph(text: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [_text(text)]}],
    }


def _doc_text(node: Any) -> str:
    if isinstance(node, dict):
        return str(node.get("text", "")) + "".join(_doc_text(c) for c in node.get("content", []))
    if isinstance(node, list):
        return "".join(_doc_text(c) for c in node)
    return str(node or "")


class JiraMirror:
    """One Jira Cloud project, through REST API v3.

    Parameters
    ----------
    spec : JiraSpec
        The site, project and field mapping.
    creds : Credentials
        Basic auth from ``RADAR_JIRA_USER`` and ``RADAR_JIRA_TOKEN``.
    policy : RetryPolicy, optional
        Retries and backoff.
    """

    target = "jira"

    def __init__(self, spec: JiraSpec, creds: Credentials, policy: RetryPolicy | None = None):
        self.spec = spec
        self.creds = creds
        self.policy = policy or RetryPolicy()
        self.settle_seconds = spec.settle_seconds
        self.client = httpx.Client(
            base_url=spec.url,
            auth=creds.auth,
            headers={"Accept": "application/json", **creds.headers},
            timeout=spec.timeout,
        )

    def close(self) -> None:
        """Release the HTTP connections."""
        self.client.close()

    def _call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return request(self.client, self.target, self.creds, method, path, policy=self.policy, **kw)

    # -- finding ------------------------------------------------------------------------------
    def search(self, jql: str) -> list[dict[str, Any]]:
        """Return every issue matching `jql`, following ``nextPageToken``."""
        issues: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            body: dict[str, Any] = {"jql": jql, "fields": ["labels", "status"], "maxResults": 100}
            if token:
                body["nextPageToken"] = token
            page = self._call("POST", "/rest/api/3/search/jql", json=body).json()
            issues += page.get("issues") or []
            token = page.get("nextPageToken")
            if not token or page.get("isLast"):
                return issues

    def _jql(self, *labels: str) -> str:
        clauses = " AND ".join(f'labels = "{label}"' for label in labels)
        return f'project = "{self.spec.project}" AND {clauses}'

    def find_all(self) -> dict[str, Remote]:
        """Return the project's radar issues that search sees, by ``entry id/fingerprint``."""
        found: dict[str, Remote] = {}
        for issue in self.search(self._jql(LABEL)):
            labels = issue.get("fields", {}).get("labels") or []
            entries = [x.removeprefix("radar-") for x in labels if x.startswith("radar-CIR-")]
            for entry_id in entries:
                for fingerprint in labels:
                    found.setdefault(f"{entry_id}/{fingerprint}", Remote(issue["key"], issue["id"]))
        return found

    def find(self, content: Content) -> Remote | None:
        """Return the entry's issue if search already sees it."""
        label = f"radar-{content.entry_id}"
        for issue in self.search(self._jql(content.fingerprint, label)):
            labels = (issue.get("fields") or {}).get("labels")
            if labels is None or label in labels:  # guard against a looser search
                return Remote(issue["key"], issue["id"])
        return None

    # -- writing ------------------------------------------------------------------------------
    def _fields(self, content: Content) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "summary": content.summary,
            "description": adf(content),
            "labels": [LABEL, content.fingerprint, f"radar-{content.entry_id}"],
        }
        if content.priority in self.spec.priorities:
            fields["priority"] = {"name": self.spec.priorities[content.priority]}
        values = {
            "owner": content.owner,
            "base_value": content.base_value,
            "target_value": content.target_value,
            "benefits": content.benefits,
        }
        for name, field_id in self.spec.fields.items():
            if name in values:
                fields[field_id] = values[name]
        return fields

    def create(self, content: Content, idempotency_key: str) -> Remote:
        """Create the entry's issue (not idempotent: the outbox guards it)."""
        fields = {
            "project": {"key": self.spec.project},
            "issuetype": {"name": self.spec.issue_type},
            **self._fields(content),
        }
        created = self._call(
            "POST", "/rest/api/3/issue", json={"fields": fields}, ok=(201,), idempotent=False
        ).json()
        return Remote(str(created["key"]), str(created["id"]))

    def update(self, key: str, content: Content) -> None:
        """Rewrite the issue's summary, description, labels, priority and mapped fields."""
        self._call("PUT", f"/rest/api/3/issue/{key}", json={"fields": self._fields(content)})

    def comment(self, key: str, text: str, marker: str) -> None:
        """Add a comment that ends with `marker`, so a retry can tell it was made."""
        body = _paragraph(f"{text} [radar:{marker}]")
        self._call(
            "POST",
            f"/rest/api/3/issue/{key}/comment",
            json={"body": body},
            ok=(201,),
            idempotent=False,
        )

    def has_comment(self, key: str, marker: str) -> bool:
        """Tell whether a comment carrying `marker` exists (read straight from the issue)."""
        start = 0
        while True:
            page = self._call(
                "GET",
                f"/rest/api/3/issue/{key}/comment",
                params={"startAt": start, "maxResults": 100},
            ).json()
            comments = page.get("comments") or []
            if any(f"[radar:{marker}]" in _doc_text(c.get("body")) for c in comments):
                return True
            start += len(comments)
            if not comments or start >= int(page.get("total", 0)):
                return False

    # -- reading back -------------------------------------------------------------------------
    def _changelog(self, key: str) -> list[dict[str, Any]]:
        """Read the changelog on its own endpoint, when ``expand=changelog`` gave none."""
        try:
            page = self._call("GET", f"/rest/api/3/issue/{key}/changelog").json()
        except SyncAuthError:
            raise
        except SyncError:
            return []  # who moved it is then the assignee, or "jira"
        return list(page.get("values") or page.get("histories") or [])

    def status(self, key: str) -> RemoteStatus:
        """Read the issue's status and who set it (the latest status change's author)."""
        issue = self._call(
            "GET",
            f"/rest/api/3/issue/{key}",
            params={"fields": "status,resolution,assignee", "expand": "changelog"},
        ).json()
        fields = issue.get("fields") or {}
        status = fields.get("status") or {}
        name = str(status.get("name") or "")
        category = str((status.get("statusCategory") or {}).get("key") or "")
        resolution = str((fields.get("resolution") or {}).get("name") or "")
        histories = (issue.get("changelog") or {}).get("histories")
        if histories is None:
            histories = self._changelog(key)
        by = None
        for history in reversed(histories):
            if any(item.get("field") == "status" for item in history.get("items") or []):
                by = (history.get("author") or {}).get("displayName")
                break
        assignee = (fields.get("assignee") or {}).get("displayName")
        label = f"{name} ({resolution})" if resolution else name
        if name.casefold() in _REJECTED or resolution.casefold() in _REJECTED:
            wanted = "rejected"
        elif category == "done" or name.casefold() in ("done", "closed", "resolved"):
            wanted = "closed"
        elif category == "indeterminate" or name.casefold() == "in progress":
            wanted = "in_progress"
        elif name.casefold() in _ACCEPTED:
            wanted = "accepted"
        else:
            wanted = None
        return RemoteStatus(label, wanted, by or assignee or "jira", assignee)
