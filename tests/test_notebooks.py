"""The analysts' notebooks execute from a clean kernel, and the runner names a failing one."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.workbench.notebooks import NotebookFailed, main, notebook_paths, run_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = notebook_paths(ROOT / "notebooks")


@pytest.fixture
def hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Kernels inherit this environment: no real register, no shared Prefect or radar home."""
    monkeypatch.setenv("RADAR_REGISTER_URL", f"sqlite:///{tmp_path / 'absent' / 'register.db'}")
    monkeypatch.setenv("RADAR_HOME", str(tmp_path / ".radar"))
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    # The suite's Agg backend would keep figures out of the saved copies; Jupyter's is inline.
    monkeypatch.delenv("MPLBACKEND", raising=False)
    return tmp_path


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path: Path, hermetic: Path) -> None:
    import nbformat

    run = run_notebook(path, output=hermetic / "executed")
    assert run.cells > 0
    executed = nbformat.read(hermetic / "executed" / f"{path.stem}.ipynb", as_version=4)
    # The saved copy keeps what the cells showed: text and figures.
    outputs = [o for cell in executed.cells if cell.cell_type == "code" for o in cell.outputs]
    assert outputs and any("image/png" in o.get("data", {}) for o in outputs)
    # Executing a notebook never creates the real register.
    assert not (hermetic / "absent").exists()


def test_a_failing_notebook_is_named(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "01_fine.py").write_text("# %%\nx = 1\n")
    (folder / "02_broken.py").write_text("# %%\nraise RuntimeError('boom')\n")
    with pytest.raises(NotebookFailed, match=r"02_broken\.py failed: RuntimeError: boom"):
        run_notebook(folder / "02_broken.py")
    assert main([str(folder)]) == 1
    assert "02_broken.py failed" in caplog.text


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NotebookFailed, match="no notebooks"):
        notebook_paths(tmp_path)
