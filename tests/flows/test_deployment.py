"""prefect.yaml works from a fresh clone: no unset variables, parameters the flow takes."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_prefect_yaml_needs_no_environment_and_matches_the_flow() -> None:
    text = (ROOT / "prefect.yaml").read_text(encoding="utf-8")
    assert not re.search(r"\{\{\s*\$", text), "a {{ $VAR }} template crashes when VAR is unset"
    spec = yaml.safe_load(text)
    for deployment in spec["deployments"]:
        path, name = deployment["entrypoint"].split(":")
        assert (ROOT / path).is_file()
        module_spec = importlib.util.spec_from_file_location("deployed", ROOT / path)
        assert module_spec and module_spec.loader
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        flow = getattr(module, name)
        accepted = set(flow.parameters.properties)
        assert set(deployment["parameters"]) <= accepted
        assert (ROOT / deployment["parameters"]["config_path"]).is_file()
