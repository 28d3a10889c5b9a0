"""Data Docs sites, one per gate run, so concurrent scans never touch each other's pages.

Every call of :func:`flows.gate.run.run_gate` builds its own GX site under
``<docs_dir>/runs/<run id>/`` (run ids start with their UTC time, so they sort in run
order). A run marks its site complete when it is built; pruning removes only complete
sites beyond the newest ``keep``, never a site another scan is still writing, and of a
site holding pages that entries link to (``kept/``) only the other pages. The
top-level ``index.html`` lists the sites and is replaced atomically, so two scans that
finish together leave one whole page.
"""

from __future__ import annotations

import html
import os
import shutil
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["KEPT", "finish_site", "new_site"]

#: The folder of a site that holds the pages entries link to, kept for the entries' life.
KEPT = "kept"

_DONE = ".complete"
_ABANDONED_AFTER_S = 24 * 3600  # a site left incomplete this long was a killed run's


def new_site(docs_dir: Path) -> Path:
    """Return a fresh, empty site folder for one gate run."""
    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    site = docs_dir / "runs" / run_id
    site.mkdir(parents=True)
    return site


def finish_site(docs_dir: Path, site: Path, keep: int) -> None:
    """Mark ``site`` complete, prune complete sites beyond ``keep``, rewrite the index."""
    (site / _DONE).touch()
    complete = sorted(p.parent for p in (docs_dir / "runs").glob(f"*/{_DONE}"))
    for old in complete[:-keep]:
        # Another scan may be pruning it too. A site whose pages entries still link (copied
        # to its kept/ folder) keeps its index and assets; only its other pages go.
        shutil.rmtree(old / "validations" if (old / KEPT).is_dir() else old, ignore_errors=True)
    now = datetime.now(UTC).timestamp()
    for folder in (docs_dir / "runs").iterdir():
        if not (folder / _DONE).exists() and _age(folder, now) > _ABANDONED_AFTER_S:
            shutil.rmtree(folder, ignore_errors=True)
    _write_index(docs_dir)


def _age(folder: Path, now: float) -> float:
    try:
        return now - folder.stat().st_mtime
    except FileNotFoundError:  # pruned by another scan meanwhile
        return 0.0


def _write_index(docs_dir: Path) -> None:
    sites = sorted((p.parent for p in (docs_dir / "runs").glob(f"*/{_DONE}")), reverse=True)
    items = "\n".join(
        f'<li><a href="runs/{html.escape(s.name)}/index.html">{html.escape(s.name)}</a></li>'
        for s in sites
    )
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Radar Data Docs</title>"
        f"</head><body><h1>Quality gate runs, newest first</h1><ul>\n{items}\n</ul></body></html>"
    )
    handle, temp = tempfile.mkstemp(dir=docs_dir, prefix=".index-", suffix=".html")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(page)
    os.replace(temp, docs_dir / "index.html")
