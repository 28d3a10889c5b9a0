"""One Great Expectations context per process, kept while the suites stay the same.

A replay validates the same suites every night. Building the context, its datasource,
assets, suites and validation definitions anew for each night cost about a third of a
second a night on the UCI replay; a session keeps them while the suite plans (what the
config asks each source's suites to check) are unchanged, and starts afresh when they
change; suites and their versions are built only then, too. Each use drops the
validation results the previous one left, so a night's Data Docs show that night only.
The suites' own pages are the same for every use, so they are rendered once and copied
into later sites. A batch whose result depends only on a key (the schema suite's columns
and types) is validated once per key; later uses store a copy of that result. GX
contexts are not thread-safe: hold :data:`LOCK` while using a session.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.gate.suites import STAGES, SuitePlan, build_suites, suite_version

__all__ = ["LOCK", "GxSession", "session_for"]

_RESULT_FORMAT = {"result_format": "COMPLETE", "return_unexpected_index_query": False}
_SUITE_PAGES = "expectations"  # where a GX site keeps the suites' pages

#: Held by whoever validates or builds Data Docs with the shared session.
LOCK = threading.RLock()


@dataclass(frozen=True)
class GxSession:
    """A GX context with one validation definition per source and stage."""

    plans: dict[str, SuitePlan]
    versions: dict[str, str]  # the suite version of each source, as gate results record it
    context: Any
    definitions: dict[tuple[str, str], Any]
    suite_pages: dict[Path, bytes] = field(default_factory=dict)  # relative path: page
    # (source, stage, key): the result validated under that key, and its store identifier
    validated_once: dict[tuple[str, str, Hashable], tuple[Any, Any]] = field(default_factory=dict)

    def validate(
        self,
        source: str,
        stage: str,
        batch: Any,
        parameters: dict[str, Any],
        run_id: Any,
        *,
        same_as: Hashable | None = None,
    ) -> Any:
        """Validate ``batch`` with the suite of ``source`` and ``stage``; return GX's result.

        With ``same_as``, a batch validated earlier in this session under the same key is
        not validated again: a copy of its result is stored under ``run_id`` (so this
        run's Data Docs show it) and returned.
        """
        from great_expectations.data_context.types.resource_identifiers import (
            ValidationResultIdentifier,
        )

        store = self.context.validation_results_store
        earlier = self.validated_once.get((source, stage, same_as)) if same_as is not None else None
        if earlier is not None:
            result, identifier = copy.deepcopy(earlier)
            result.meta.update(run_id=run_id, validation_time=run_id.run_time)
            identifier = ValidationResultIdentifier(
                identifier.expectation_suite_identifier, run_id, identifier.batch_identifier
            )
            store.store_validation_results(
                result, identifier, identifier.expectation_suite_identifier
            )
            return result
        result = self.definitions[source, stage].run(
            batch_parameters={"dataframe": batch},
            expectation_parameters=parameters,
            result_format=_RESULT_FORMAT,
            run_id=run_id,
        )
        if same_as is not None:
            suite = self.definitions[source, stage].suite.name
            (identifier,) = (
                k
                for k in store.list_keys()
                if k.run_id == run_id and k.expectation_suite_identifier.name == suite
            )
            self.validated_once[source, stage, same_as] = (result, identifier)
        return result

    def build_docs(self, name: str, site: Path) -> None:
        """Render the held validation results into the site ``name`` rooted at ``site``.

        The first build renders the suites' pages too and keeps them; later builds copy
        them and render only the validation pages (about half the rendering).
        """
        if not self.suite_pages:
            self.context.build_data_docs(site_names=[name])
            pages = (site / _SUITE_PAGES).rglob("*.html")
            self.suite_pages.update({p.relative_to(site): p.read_bytes() for p in pages})
            return
        for relative, page in self.suite_pages.items():
            (site / relative).parent.mkdir(parents=True, exist_ok=True)
            (site / relative).write_bytes(page)
        results = self.context.validation_results_store.list_keys()
        self.context.build_data_docs(site_names=[name], resource_identifiers=results)

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


def session_for(plans: dict[str, SuitePlan]) -> GxSession:
    """Return the session for these suite plans (per source), reused when unchanged.

    The caller holds :data:`LOCK`. The session holds no validation results on return.
    """
    global _current
    if _current is not None and _current.plans == plans:
        store = _current.context.validation_results_store
        for result in store.list_keys():
            store.remove_key(result)
        return _current
    _current = _new_session(plans)
    return _current


def _new_session(plans: dict[str, SuitePlan]) -> GxSession:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # GX sets this logger to INFO on import and announces every ephemeral context on it.
    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)
    suites = {source: build_suites(plan) for source, plan in plans.items()}
    versions = {source: suite_version(stages) for source, stages in suites.items()}
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
    return GxSession(dict(plans), versions, context, definitions)
