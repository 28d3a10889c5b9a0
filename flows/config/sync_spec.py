"""The ``sync:`` and ``web:`` sections of the scan config (pydantic, strict).

Credentials never live here: they come from ``RADAR_JIRA_USER`` / ``RADAR_JIRA_TOKEN``
and ``RADAR_SERVICENOW_USER`` / ``RADAR_SERVICENOW_PASSWORD`` or ``RADAR_SERVICENOW_TOKEN``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["JiraSpec", "ServiceNowSpec", "SyncSpec"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _http_url(url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"expected an http(s) URL, got {url!r}")
    return url.rstrip("/")


class JiraSpec(_Strict):
    """A Jira Cloud project that mirrors the register (REST API v3)."""

    url: str = Field(description="the site, e.g. https://example.atlassian.net")
    project: str = Field(min_length=1, description="the project key, e.g. CI")
    issue_type: str = "Task"
    priorities: dict[int, str] = {1: "Highest", 2: "High", 3: "Medium", 4: "Low", 5: "Lowest"}
    fields: dict[str, str] = Field(
        {}, description="extra fields: register field (owner, csf, ...) -> Jira field id"
    )
    settle_seconds: float = Field(
        30.0, ge=0, description="how long a created issue may stay invisible to search"
    )
    timeout: float = Field(30.0, gt=0)

    _url = field_validator("url")(classmethod(lambda cls, v: _http_url(v)))


class ServiceNowSpec(_Strict):
    """A ServiceNow table (CIM improvement initiatives by default) that mirrors the register."""

    url: str = Field(description="the instance, e.g. https://example.service-now.com")
    table: str = "sn_cim_register"
    fields: dict[str, str] = Field(
        {}, description="register field -> column, overriding the CIM defaults"
    )
    assignment_group: str | None = None
    timeout: float = Field(30.0, gt=0)

    _url = field_validator("url")(classmethod(lambda cls, v: _http_url(v)))


class SyncSpec(_Strict):
    """Where the register is mirrored."""

    jira: JiraSpec | None = None
    servicenow: ServiceNowSpec | None = None
