"""``radar report``: the register, or one scan's new entries, as one self-contained HTML file.

Plots are inlined as base64 ``data:`` URIs and the styles are inline, so the file can
be mailed or attached to a ticket and opens anywhere without the app. It uses the
entry pages' own template, so the report and the app show the same evidence. Given the
app's address (``web.base_url``), each entry links to its page there, and its Data Docs
to the app's copy; a reader without the app still has the whole evidence.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from flows.web.notify import entry_link
from flows.web.render import render_page
from flows.web.views import (
    Filters,
    docs_link,
    inbox,
    overview,
    plot_data_uri,
    resolve,
    slice_text,
)
from register_client import Register

__all__ = ["render_report", "write_report"]


def render_report(
    register: Register,
    *,
    project_dir: Path,
    since: date | None = None,
    status: str = "all",
    base_url: str | None = None,
    docs_dir: Path = Path(".radar/data_docs"),
) -> str:
    """Return the report's HTML.

    Parameters
    ----------
    register : Register
        The register to report on.
    project_dir : Path
        Where relative plot paths start.
    since : date, optional
        Only entries first seen on or after this date (one scan's new entries).
    status : str, default "all"
        Only entries with this status.
    base_url : str, optional
        The web app's address: entries and their kept Data Docs pages link there.
        Without it the report links nowhere outside itself.
    docs_dir : Path, default ".radar/data_docs"
        Where the app serves Data Docs from (relative paths: to the project).
    """
    everything = register.list(status=None if status == "all" else status)
    chosen = [
        e
        for e in inbox(everything, Filters(status="all"))
        if since is None or e.first_seen.date() >= since
    ]
    items: list[dict[str, Any]] = []
    for entry in chosen:
        followed = (entry.progress_detail or {}).get("plot")
        docs = docs_link(project_dir, docs_dir, (entry.source.get("gate") or {}).get("docs_path"))
        items.append(
            {
                "entry": entry,
                "data": entry.to_json(),
                "slice": slice_text(entry.dimensions),
                "plot_src": plot_data_uri(resolve(project_dir, entry.evidence_plot)),
                "follow_src": plot_data_uri(resolve(project_dir, followed)),
                "app_href": entry_link(base_url, entry.id) if base_url else None,
                "docs_href": base_url.rstrip("/") + docs if base_url and docs else None,
            }
        )
    return render_page(
        "report.html",
        title="Improvement Radar: Continual Improvement Register",
        register_url=register.url,
        written=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        since=since,
        entries=chosen,
        in_report={e.id for e in chosen},
        items=items,
        view=overview(chosen, register.now(), register.last_scanned()),
    )


def write_report(html: str, out: Path) -> Path:
    """Write the report atomically: a reader never sees half a file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(html)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is meant to be shared
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
