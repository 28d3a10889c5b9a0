"""Execute the analysts' notebooks (``make notebooks``).

Each jupytext percent file (``notebooks/*.py``) is converted in memory and executed by
nbclient in a fresh kernel, with the notebook's folder as working directory, as Jupyter
would. The first failing notebook stops the run with its name and the failing cell's
error; the exit status is non-zero.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NotebookFailed", "NotebookRun", "main", "notebook_paths", "run_notebook"]

log = logging.getLogger("radar.notebooks")


class NotebookFailed(RuntimeError):
    """A notebook raised while executing; the message names the notebook and the error."""


@dataclass(frozen=True)
class NotebookRun:
    """One executed notebook: its path, the time it took and the number of code cells run."""

    path: Path
    seconds: float
    cells: int


def notebook_paths(folder: Path) -> list[Path]:
    """Return the jupytext percent notebooks of ``folder`` (``*.py``), sorted by name."""
    paths = sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))
    if not paths:
        raise NotebookFailed(f"no notebooks (*.py) in {folder}")
    return paths


def run_notebook(path: Path, *, timeout: int = 300, output: Path | None = None) -> NotebookRun:
    """Execute one jupytext notebook from a clean kernel.

    Parameters
    ----------
    path : Path
        A jupytext percent ``.py`` file.
    timeout : int, default 300
        Seconds allowed per cell.
    output : Path, optional
        Save the executed notebook (``.ipynb``, with outputs) into this folder.

    Raises
    ------
    NotebookFailed
        Naming the notebook and the failing cell's error.
    """
    import jupytext  # type: ignore[import-untyped]
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    started = time.perf_counter()
    try:
        notebook = jupytext.read(path)
    except Exception as exc:
        raise NotebookFailed(f"{path.name}: cannot read as a jupytext notebook: {exc}") from exc
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        raise NotebookFailed(f"{path.name} failed: {_summary(exc)}") from exc
    finally:
        if output is not None:
            output.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, output / path.with_suffix(".ipynb").name)  # type: ignore[no-untyped-call]
    cells = sum(cell.cell_type == "code" for cell in notebook.cells)
    return NotebookRun(path=path, seconds=time.perf_counter() - started, cells=cells)


def _summary(exc: BaseException) -> str:
    """Return the error's last meaningful line (nbclient puts the traceback first)."""
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    """Run every notebook of a folder; return 0, or 1 naming the first that failed."""
    parser = argparse.ArgumentParser(
        prog="python -m flows.workbench.notebooks", description=__doc__
    )
    parser.add_argument("folder", type=Path, nargs="?", default=Path("notebooks"))
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")
    parser.add_argument("--output", type=Path, help="save executed .ipynb files here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        for path in notebook_paths(args.folder):
            log.info("running %s ...", path.name)
            run = run_notebook(path, timeout=args.timeout, output=args.output)
            log.info("ok  %s  %d cells  %.1f s", run.path.name, run.cells, run.seconds)
    except NotebookFailed as exc:
        log.error("error: %s", exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
