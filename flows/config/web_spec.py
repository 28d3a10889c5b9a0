"""The config keys of the web faces: ``web: {base_url}`` and ``notify: {format, ...}``.

The webhook's URL is a secret, so the YAML only names where to find it: an
environment variable (``RADAR_WEBHOOK_URL`` by default) or a Prefect Secret block.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["NotifySpec", "WebSpec"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WebSpec(_Strict):
    """Where people reach ``radar web``; links in notifications start with ``base_url``.

    Examples
    --------
    >>> WebSpec(base_url="https://radar.example.org/").base_url
    'https://radar.example.org'
    """

    base_url: str = "http://127.0.0.1:8765"

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {value!r}")
        return value.rstrip("/")


class NotifySpec(_Strict):
    """Post new and regressed entries to a webhook after each scan.

    Nothing is posted when neither the environment variable nor the Secret block
    yields a URL.

    Examples
    --------
    >>> NotifySpec(format="slack").url_env
    'RADAR_WEBHOOK_URL'
    """

    format: Literal["generic", "slack", "teams"] = "generic"
    url_env: str = Field("RADAR_WEBHOOK_URL", description="environment variable with the URL")
    secret_block: str | None = Field(None, description="Prefect Secret block with the URL")
    retries: int = Field(3, ge=0, le=10)
    timeout: float = Field(10.0, gt=0, le=120)
    backoff: float = Field(1.0, ge=0, le=60, description="first retry delay, doubled each time")
