"""Plot backtests: entries per night for each configuration, saved as a PNG."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display, no GUI backend in a CLI run

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

__all__ = ["plot_entries_per_night"]


def plot_entries_per_night(per_night: pd.DataFrame, names: dict[str, str], out: Path) -> Path:
    """Save a plot of entries created per night and distinct entries so far, per config.

    Parameters
    ----------
    per_night : DataFrame
        Indexed by night, with ``created_<side>`` and ``entries_<side>`` columns per side
        (see :meth:`flows.workbench.compare.Comparison.per_night`).
    names : dict
        Side (``"a"``, ``"b"``) -> the label to show, e.g. the config's file name.
    out : Path
        The PNG to write; its folder is created.
    """
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 6), sharex=True)
    width = pd.Timedelta(hours=20) / max(len(names), 1)
    for i, (side, name) in enumerate(names.items()):
        shift = width * (i - (len(names) - 1) / 2)
        top.bar(
            pd.DatetimeIndex(per_night.index) + shift,
            per_night[f"created_{side}"],
            width=width,
            label=name,
        )
        bottom.step(per_night.index, per_night[f"entries_{side}"], where="post", label=name,
                    ls=("-", "--", ":")[i % 3], lw=2)  # fmt: skip
    top.set_title("Entries created per night")
    top.set_ylabel("entries created")
    bottom.set_title("Distinct entries filed so far (what triage would have received)")
    bottom.set_ylabel("entries")
    bottom.set_xlabel("scan night")
    bottom.set_ylim(bottom=0)
    for ax in (top, bottom):
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="upper left", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out
