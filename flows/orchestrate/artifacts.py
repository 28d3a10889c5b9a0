"""Artifacts a platform team reads in the Prefect UI: entries filed, follow-up, gate results.

Keys are stable per config (``opportunities-filed-<config>``), so each key's history in
the UI is one config's nights.
"""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows.pipeline import NightOutcome
from register_client import Register

__all__ = ["publish_artifacts"]


@task(cache_policy=NO_CACHE, name="publish-artifacts")
def publish_artifacts(
    nights: list[NightOutcome], register: Register, config: str, base_url: str | None = None
) -> None:
    """Publish the entries filed, the follow-up verdicts and the gate's failed checks.

    With ``base_url`` (the config's ``web.base_url``) each entry links to its page in
    ``radar web``, which a platform team can open; paths on the worker they cannot.
    """
    filed = [o.entry_id for n in nights for o in (*n.filed.created, *n.filed.updated)]
    rows = []
    for entry_id in dict.fromkeys(e for e in filed if e):
        entry = register.get(entry_id).to_json()
        rows.append(
            {
                "id": entry["id"],
                "status": entry["status"],
                "priority": entry["priority"],
                "title": entry["title"],
                "owner": entry["owner"] or "(unassigned)",
                "occurrences": entry["occurrences"],
                **({"link": f"{base_url.rstrip('/')}/entries/{entry['id']}"} if base_url else {}),
            }
        )
    span = f"{nights[0].as_of}..{nights[-1].as_of}"
    create_table_artifact(
        key=f"opportunities-filed-{config}",
        table=rows or [{"id": "-", "title": "no entries filed"}],
        description=f"CIR entries created or updated by {config}, nights {span}",
    )
    latest = {
        f.entry_id: {"night": n.as_of.isoformat(), **f.to_json()}
        for n in nights
        for f in n.followed
    }
    create_table_artifact(
        key=f"follow-up-verdicts-{config}",
        table=list(latest.values()) or [{"id": "-", "verdict": "no entries followed up"}],
        description=f"Latest re-measurement of accepted entries ({config})",
    )
    create_markdown_artifact(
        key=f"dq-results-{config}", markdown=_gate_markdown(nights[-1], config)
    )


def _gate_markdown(night: NightOutcome, config: str) -> str:
    lines = [f"# Quality gate of {config}, {night.as_of}", ""]
    for name, result in night.gate.items():
        verdict = "passed" if result.success else f"failed ({result.highest_failed_severity})"
        lines.append(f"## {name}: {verdict}")
        lines.append(f"validation `{result.validation_id}`, {result.rows_checked} rows checked")
        if result.docs_path:
            lines.append(f"Data Docs: `{result.docs_path}`")
        if result.failures:
            lines += [
                "",
                "| severity | check | column | unexpected | detail |",
                "|---|---|---|---|---|",
            ]
            lines += [
                f"| {f.severity} | {f.expectation} | {f.column or '-'} | "
                f"{f.unexpected_count if f.unexpected_count is not None else '-'} | {f.detail} |"
                for f in result.failures
            ]
        lines.append("")
    return "\n".join(lines)
