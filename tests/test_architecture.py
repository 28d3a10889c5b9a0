"""The shape of the house: data flows one way, and each heavy library stays in its room.

Every import is read from the source (module-level and lazy ones alike), so a shortcut taken
inside a function counts as much as one at the top of a file.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("flows", "detectors", "register_client")

#: The pipeline's stages in data-flow order; a module may import only from its own stage or
#: an earlier one. The faces (CLI, orchestration, workbench) come after the core.
STAGE_ORDER = (
    "errors",
    "config",
    "load",
    "gate",
    "kpis",
    "select",
    "candidates",
    "followup",
    "pipeline",
    "observe",
    "sync",
    "runs",
    "web",
    "orchestrate",
    "workbench",
    "cli",
)

#: Where each heavy or face library may be imported.
ALLOWED_HOMES = {
    "prefect": ("flows/orchestrate/",),
    "great_expectations": ("flows/gate/",),
    "typer": ("flows/cli/",),
}


def _modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def _stage(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "flows" or len(parts) < 2:
        return None
    name = parts[1]
    return STAGE_ORDER.index(name) if name in STAGE_ORDER else None


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", _modules(), ids=_rel)
def test_no_module_is_over_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 400, f"{_rel(path)} has {lines} lines; split it by idea"


@pytest.mark.parametrize("path", _modules(), ids=_rel)
def test_heavy_libraries_stay_in_their_rooms(path: Path) -> None:
    where = _rel(path)
    for name in _imports(path):
        library = name.split(".")[0]
        homes = ALLOWED_HOMES.get(library)
        if homes is not None:
            assert where.startswith(homes), f"{where} imports {library}; only {homes} may"


@pytest.mark.parametrize("path", [p for p in _modules() if _rel(p).startswith("flows/")], ids=_rel)
def test_no_stage_imports_a_later_stage(path: Path) -> None:
    module = _rel(path).removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    own = _stage(module)
    if own is None:
        return
    for name in _imports(path):
        other = _stage(name)
        if other is not None:
            assert other <= own, f"{module} (stage {STAGE_ORDER[own]}) imports {name}"


@pytest.mark.parametrize("package", ["detectors", "register_client"])
def test_inner_packages_import_no_pipeline_and_no_orchestration(package: str) -> None:
    banned = {"flows", "prefect", "great_expectations", "typer"}
    if package == "register_client":
        banned |= {"detectors", "sklearn"}
    for path in (ROOT / package).rglob("*.py"):
        used = {name.split(".")[0] for name in _imports(path)} & banned
        assert not used, f"{_rel(path)} imports {sorted(used)}"


def test_every_flows_folder_is_a_stage_or_a_face() -> None:
    folders = {p.name for p in (ROOT / "flows").iterdir() if (p / "__init__.py").is_file()}
    assert folders <= set(STAGE_ORDER), f"unordered packages: {folders - set(STAGE_ORDER)}"


@pytest.mark.parametrize(
    "package", ["flows." + s for s in STAGE_ORDER if (ROOT / "flows" / s).is_dir()]
)
def test_each_stage_package_declares_an_honest_all(package: str) -> None:
    module = importlib.import_module(package)
    exported = getattr(module, "__all__", None)
    assert exported, f"{package} has no __all__"
    missing = [name for name in exported if not hasattr(module, name)]
    assert not missing, f"{package}.__all__ names what it lacks: {missing}"


def test_help_and_reading_entries_load_no_heavy_library(tmp_path: Path) -> None:
    """``radar --help`` and ``radar entries list`` stay quick: no sklearn, GX or Prefect."""
    import subprocess
    import sys

    register = f"sqlite:///{tmp_path / 'register.db'}"
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from register_client import connect\n"
        "from flows.cli import app\n"
        f"connect({register!r}).dispose()\n"
        "for args in (['--help'], ['entries', 'list', '--register', "
        f"{register!r}]):\n"
        "    assert CliRunner().invoke(app, args).exit_code == 0, args\n"
        "heavy = ('sklearn', 'great_expectations', 'prefect', 'matplotlib')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
