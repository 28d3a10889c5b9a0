# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2. Triage review: what is in the register, how old is it, what does the evidence say?
#
# A weekly look at the Continual Improvement Register (CIR): the entries by status, how long
# they have been waiting, and, for the most urgent ones, the *baseline snapshot* frozen at
# detection time ("where are we now?") next to the evidence of each later detection.
#
# The register is the one named by `RADAR_REGISTER_URL` (default `.radar/register.db`).
# When there is none yet, a demo register is built in a temporary folder by replaying the
# bundled demo (`flows.workbench.backtest`: one night in April, three in May), and two entries
# are triaged there, so that the notebook shows every part. The real register is only
# read here.

# %%
import logging
import os
import tempfile
import warnings
from datetime import date
from pathlib import Path

import great_expectations.data_context.types.base  # noqa: F401 - its logger is set at import
import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.dates import ConciseDateFormatter
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from sqlalchemy.engine import make_url

from register_client import STATUSES, connect

warnings.filterwarnings("ignore", message="IProgress not found")
logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)

ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "pyproject.toml").is_file())
URL = os.environ.get("RADAR_REGISTER_URL", f"sqlite:///{ROOT / '.radar' / 'register.db'}")


def register_exists(url: str) -> bool:
    """A SQLite register exists when its file does; a server register is assumed to."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return True
    return bool(parsed.database) and Path(parsed.database).is_file()


if register_exists(URL):
    register = connect(URL)
    print(f"reading the register at {register.url}")
else:
    from flows.workbench.backtest import backtest

    demo_dir = Path(tempfile.mkdtemp(prefix="radar-triage-demo-"))
    demo = demo_dir / "register.db"
    # One scan in late April, then three nightly scans in May: entries of different ages.
    backtest(ROOT / "examples" / "demo.yaml", date(2016, 4, 25), date(2016, 4, 25),
             keep_register=demo_dir / "april.db")  # fmt: skip
    backtest(ROOT / "examples" / "demo.yaml", date(2016, 5, 5), date(2016, 5, 7),
             register_url=f"sqlite:///{demo_dir / 'april.db'}", keep_register=demo)  # fmt: skip
    register = connect(f"sqlite:///{demo}")
    demo_entries = register.list()
    if demo_entries:
        register.accept(demo_entries[0].id, owner="service-desk-lead", by="notebook")
    if len(demo_entries) > 1:
        register.reject(demo_entries[-1].id, reason="known release-week peak", by="notebook")
    print(f"no register at {URL}: built a demo register at {demo}")

entries = register.list()
print(f"{len(entries)} entries")

# %% [markdown]
# ## The entries
#
# Age is counted in data time: from an entry's first detection to the latest scan that
# the register has seen (for a replayed historical extract, the wall clock would mislead).

# %%
table = pd.DataFrame(
    [
        {
            "id": e.id,
            "status": e.status,
            "priority": e.priority,
            "owner": e.owner or "(unassigned)",
            "kpi": e.kpi.name,
            "slice": ", ".join(f"{k}={v}" for k, v in e.dimensions.items()) or "all",
            "kind": e.kind,
            "first_seen": pd.Timestamp(e.first_seen).tz_convert(None),
            "last_seen": pd.Timestamp(e.last_seen).tz_convert(None),
            "occurrences": e.occurrences,
            "baseline median": e.baseline.get("median"),
            "current": e.current.get("value"),
            "title": e.title,
        }
        for e in entries
    ]
)
latest_scan = table["last_seen"].max() if len(table) else pd.Timestamp.now()
table["age_days"] = (latest_scan - table["first_seen"]).dt.days
table["quiet_days"] = (latest_scan - table["last_seen"]).dt.days
table.sort_values(["priority", "first_seen"])

# %% [markdown]
# ## Counts by status, and how long entries have waited

# %%
counts = table["status"].value_counts().reindex(list(STATUSES), fill_value=0)
palette = dict(zip(STATUSES, plt.get_cmap("tab10").colors, strict=False))
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4), width_ratios=[1, 1.4])
left.bar(counts.index, counts.to_numpy(), color=[palette[s] for s in counts.index])
left.set_title("Entries by status")
left.set_xlabel("status")
left.set_ylabel("entries")
left.tick_params(axis="x", labelrotation=30)
left.yaxis.set_major_locator(MaxNLocator(integer=True))

ordered = table.sort_values("first_seen").reset_index(drop=True)
for y, row in ordered.iterrows():
    colour = palette[row["status"]]
    right.plot([row["first_seen"], row["last_seen"]], [y, y], lw=6, color=colour,
               solid_capstyle="butt")  # fmt: skip
    right.plot(row["first_seen"], y, "o", color=colour)
    right.annotate(f"{row['age_days']} d", (row["last_seen"], y), xytext=(6, 0),
                   textcoords="offset points", va="center", fontsize=8)  # fmt: skip
right.set_yticks(range(len(ordered)), ordered["id"])
right.invert_yaxis()
right.legend(handles=[Patch(color=palette[s], label=s) for s in ordered["status"].unique()],
             title="status", loc="upper left", bbox_to_anchor=(1.01, 1))  # fmt: skip
right.xaxis.set_major_formatter(ConciseDateFormatter(right.xaxis.get_major_locator()))
right.set_title(f"First to last detection; label: age at the latest scan ({latest_scan:%Y-%m-%d})")
right.set_xlabel("scan date")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Baseline snapshots and evidence of the most urgent entries
#
# Each panel shows the baseline frozen at detection (its p10-p90 band and median, over the
# baseline window), the detected window, the value seen at each detection since, and the
# target. Where the scan saved an evidence plot (`entry.evidence_plot`, the KPI series
# itself around the event), it is shown after the panels.


# %%
def baseline_panel(ax: plt.Axes, entry) -> None:
    """Draw one entry's baseline snapshot, detection window, evidence values and target."""
    base = entry.baseline
    if base.get("start") is not None:  # an entry without a clean baseline has none to draw
        start, end = pd.Timestamp(base["start"]), pd.Timestamp(base["end"])
        ax.fill_between([start, end], base["p10"], base["p90"], color="tab:blue", alpha=0.15,
                        label="baseline p10-p90")  # fmt: skip
        ax.hlines(base.get("level", base["median"]), start,
                  pd.Timestamp(entry.last_seen).tz_localize(None), colors="tab:blue",
                  linestyles=":", label="baseline level")  # fmt: skip
    ax.axvspan(pd.Timestamp(entry.window.start), pd.Timestamp(entry.window.end)
               + pd.Timedelta(hours=12), color="tab:orange", alpha=0.2,
               label="detected window")  # fmt: skip
    seen = [(pd.Timestamp(ev.at).tz_localize(None), ev.value) for ev in entry.evidence
            if ev.value is not None]  # fmt: skip
    if seen:
        ax.scatter(*zip(*seen, strict=True), color="tab:red", zorder=3, label="value at detection")
    if entry.target is not None and entry.target.value is not None:
        ax.axhline(entry.target.value, color="tab:green", ls="--", label="target")
    ax.set_title(f"{entry.id} ({entry.status}, P{entry.priority}): {entry.title}", fontsize=9)
    ax.set_ylabel(entry.kpi.unit)
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    ax.legend(fontsize=7, loc="upper left")


urgent = sorted(entries, key=lambda e: (e.priority, e.first_seen))[:4]
if urgent:
    fig, axes = plt.subplots(len(urgent), 1, figsize=(10, 3.2 * len(urgent)), squeeze=False)
    for ax, entry in zip(axes[:, 0], urgent, strict=True):
        baseline_panel(ax, entry)
    fig.tight_layout()
    plt.show()
else:
    print("no entries to review")

# %%
for entry in urgent:
    plot = Path(entry.evidence_plot) if entry.evidence_plot else None
    if plot is not None and not plot.is_absolute():
        plot = ROOT / plot
    if plot is None or not plot.is_file():
        print(f"{entry.id}: no saved evidence plot")
        continue
    fig, ax = plt.subplots(figsize=(9, 3.6))
    ax.imshow(mpimg.imread(plot))
    ax.set_axis_off()
    ax.set_title(f"{entry.id}: evidence plot saved by the scan", fontsize=9)
    plt.show()

# %% [markdown]
# ## Baseline snapshot fields
#
# The numbers behind the panels, as stored in each entry.

# %%
pd.DataFrame(
    [{"id": e.id, **{k: e.baseline.get(k) for k in ("start", "end", "n", "median", "mean",
                                                    "p10", "p90")}} for e in entries]
)  # fmt: skip
