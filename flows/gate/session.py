"""One Great Expectations context per process, kept while the suites stay the same.

A replay validates the same suites every night. Building the context, its datasource,
assets, suites and validation definitions anew for each night cost about a third of a
second a night on the UCI replay; a session keeps them while the suites (their
:func:`~flows.gate.suites.suite_version` per source) are unchanged, and starts afresh when
they change. Each use drops the validation results the previous one left, so a night's
Data Docs show that night only. GX contexts are not thread-safe: hold :data:`LOCK` while
using a session.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flows.gate.suites import STAGES, suite_version

__all__ = ["LOCK", "GxSession", "session_for"]

#: Held by whoever validates or builds Data Docs with the shared session.
LOCK = threading.RLock()


@dataclass(frozen=True)
class GxSession:
    """A GX context with one validation definition per source and stage."""

    key: tuple[tuple[str, str], ...]
    context: Any
    definitions: dict[tuple[str, str], Any]

    def versions(self) -> dict[str, str]:
        """Return the suite version of each source, as recorded in gate results."""
        return dict(self.key)

    def docs_site(self, name: str, base: Path) -> None:
        """Point the Data Docs site ``name`` at ``base``; a session has one site at a time."""
        for site in list(self.context.list_data_docs_sites()):
            self.context.delete_data_docs_site(site)
        base.mkdir(parents=True, exist_ok=True)
        self.context.add_data_docs_site(
            site_name=name,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(base.resolve()),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )


_current: GxSession | None = None


def session_for(suites: dict[str, dict[str, Any]]) -> GxSession:
    """Return the session for these suites (per source, per stage), reused when unchanged.

    The caller holds :data:`LOCK`. The session holds no validation results on return.
    """
    global _current
    key = tuple(sorted((source, suite_version(stages)) for source, stages in suites.items()))
    if _current is not None and _current.key == key:
        store = _current.context.validation_results_store
        for result in store.list_keys():
            store.remove_key(result)
        return _current
    _current = _new_session(key, suites)
    return _current


def _new_session(key: tuple[tuple[str, str], ...], suites: dict[str, dict[str, Any]]) -> GxSession:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # GX sets this logger to INFO on import and announces every ephemeral context on it.
    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    datasource = context.data_sources.add_pandas("radar")
    definitions = {}
    for source, stages in suites.items():
        for stage in STAGES:
            asset = datasource.add_dataframe_asset(f"{source}.{stage}")
            batch = asset.add_batch_definition_whole_dataframe("all")
            suite = context.suites.add(stages[stage])
            definitions[source, stage] = context.validation_definitions.add(
                gx.ValidationDefinition(name=f"{source}.{stage}", data=batch, suite=suite)
            )
    return GxSession(key, context, definitions)
