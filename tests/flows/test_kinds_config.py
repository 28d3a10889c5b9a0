"""The ``kinds:`` config: off by default, and a wrong name is one clear error line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flows.config.model import ConfigError, load_config
from tests.conftest import DEMO_CONFIG


def _with_kinds(tmp_path: Path, kinds: dict[str, object]) -> Path:
    raw = yaml.safe_load(DEMO_CONFIG.read_text())
    raw["sources"][0]["path"] = str((DEMO_CONFIG.parent / raw["sources"][0]["path"]).resolve())
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({**raw, "kinds": kinds}))
    return path


def test_kinds_are_off_unless_configured() -> None:
    kinds = load_config(DEMO_CONFIG).kinds
    assert (kinds.hotspots, kinds.targets, kinds.handovers, kinds.change_impact) == ([],) * 4
    assert kinds.improvement is None


@pytest.mark.parametrize(
    ("kinds", "message"),
    [
        ({"targets": [{"kpi": "nope", "value": 0.1}]}, "kinds.targets.0: unknown KPI 'nope'"),
        (
            {"handovers": [{"source": "uci_incidents", "at": "when"}]},
            "kinds.handovers.0: ['team', 'when'] not mapped in source 'uci_incidents'",
        ),
        (
            {
                "hotspots": [
                    {
                        "name": "h",
                        "dimension": "ci",
                        "counts": [
                            {"source": "other", "key_columns": ["ci"], "date": "d", "label": "x"}
                        ],
                    }
                ]
            },
            "kinds.hotspots.0.counts.0: unknown source 'other'",
        ),
    ],
)
def test_a_wrong_name_is_one_error_line(
    tmp_path: Path, kinds: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_with_kinds(tmp_path, kinds))
    assert message in str(caught.value) and "\n" not in str(caught.value)
