"""Data Docs links that live as long as the entry: the linked page is kept apart.

Great Expectations rebuilds its site from the validations it holds, and the gate prunes
old runs, so a page under ``data_docs/validations/`` lives a few nights at most. A
candidate's gate page is copied to ``data_docs/kept/`` at the same depth (its relative
links to the site's ``static/`` assets still resolve), which neither GX nor the gate
touches, and the candidate links there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from flows.gate.docs import KEPT
from register_client import Candidate

__all__ = ["KEPT", "keep_docs_page", "kept_path"]

_MANAGED = "validations"


def kept_path(page: Path) -> Path | None:
    """Return where ``page`` (under ``.../validations/...``) is kept, or None if elsewhere.

    Examples
    --------
    >>> kept_path(Path("/h/data_docs/validations/s/records/run/ts/p.html")).as_posix()
    '/h/data_docs/kept/s/records/run/ts/p.html'
    """
    parts = page.parts
    if _MANAGED not in parts:
        return None
    at = len(parts) - 1 - parts[::-1].index(_MANAGED)
    return Path(*parts[:at], KEPT, *parts[at + 1 :])


def keep_docs_page(candidate: Candidate) -> Candidate:
    """Keep the candidate's gate page for good and link the candidate to the kept copy."""
    gate = candidate.source.gate
    page = getattr(gate, "docs_path", None)
    if not page:
        return candidate
    kept = kept_path(Path(page))
    if kept is None:
        return candidate
    if not kept.exists():
        if not Path(page).is_file():
            return candidate
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(page, kept)
    linked = gate.model_copy(update={"docs_path": str(kept)})
    source = candidate.source.model_copy(update={"gate": linked})
    return candidate.model_copy(update={"source": source})
