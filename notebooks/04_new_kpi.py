# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 4. A new KPI from scratch, previewed before it goes into the nightly config
#
# The service manager asks: *"are we getting more critical and high-priority incidents, and
# in which team?"* The demo's KPIs count every incident. This notebook
#
# 1. defines a new KPI with a **filter** (`where:` priority 1 or 2), a **target** (the
#    suggested improvement) and a **routing** rule (who owns its entries);
# 2. checks it at config load, and looks at the series it produces;
# 3. **previews** it with a backtest compare against the nightly config: which entries the
#    new config would add, which it would drop, before anyone's inbox sees them
#    (ThirdEye calls this an alert preview). `radar backtest --config new.yaml --compare
#    examples/demo.yaml --from ... --to ...` prints the same thing.

# %%
import logging
import tempfile
import warnings
from datetime import date
from pathlib import Path

import great_expectations.data_context.types.base  # noqa: F401 - its logger is set at import
import matplotlib.pyplot as plt
import pandas as pd
import yaml

warnings.filterwarnings("ignore", message="IProgress not found")
logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)

from flows import pipeline
from flows.cli.backtest import render_comparison
from flows.config.model import ConfigError, load_config
from flows.workbench.compare import compare

ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "pyproject.toml").is_file())
NIGHTLY = ROOT / "examples" / "demo.yaml"
raw = yaml.safe_load(NIGHTLY.read_text(encoding="utf-8"))

# %% [markdown]
# ## 1. The KPI: a filter, a target, routing
#
# `where:` keeps the records whose mapped column holds one of the values, before anything
# is counted. `target_improvement: 0.3` makes each entry suggest a target 30 % better than
# its baseline median. The routing rule goes *first*: the first rule that matches wins.

# %%
NEW_KPI = {
    "name": "p1_p2_opened",
    "source": "uci_incidents",
    "measure": "count",
    "date": "opened_at",
    "where": {"priority": ["1 - Critical", "2 - High"]},
    "unit": "critical and high incidents/day",
    "better": "lower",
    "dimensions": ["assignment_group"],
    "min_slice_records": 30,
    "target_improvement": 0.3,
    "csf": "Stable services",
    "objective": "Fewer major incidents",
}
ROUTE = {"owner": "major-incident-manager", "kpi": "p1_p2_opened"}

new = dict(raw, kpis=[*raw["kpis"], NEW_KPI], routing=[ROUTE, *raw["routing"]])
for source in new["sources"]:  # the copy lives elsewhere: keep pointing at the same data
    source["path"] = str((NIGHTLY.parent / source["path"]).resolve())
new["labels"] = str((NIGHTLY.parent / raw["labels"]).resolve())
folder = Path(tempfile.mkdtemp(prefix="radar-new-kpi-"))
NEW_CONFIG = folder / "demo_with_p1_p2.yaml"
NEW_CONFIG.write_text(yaml.safe_dump(new, sort_keys=False), encoding="utf-8")
config = load_config(NEW_CONFIG)
print(f"{NEW_CONFIG.name}: {len(config.kpis)} KPIs, the new one keeps {config.kpis[-1].where}")

# %% [markdown]
# A filter on a column the source does not map is one clear error at load, naming the KPI
# and the column (here a typo, `priorty`):

# %%
typo = dict(new, kpis=[*raw["kpis"], dict(NEW_KPI, where={"priorty": ["1 - Critical"]})])
bad = folder / "typo.yaml"
bad.write_text(yaml.safe_dump(typo, sort_keys=False), encoding="utf-8")
try:
    load_config(bad)
except ConfigError as exc:
    print(exc)

# %% [markdown]
# ## 2. What the series looks like
#
# The filtered total against all incidents, and the teams with at least 30 critical or high
# incidents (`min_slice_records`), which get their own series.

# %%
frames = pipeline.load_sources(config)
kpis = pipeline.compute_kpi_series(frames, config, config.as_of)
new_series = kpis[kpis["kpi"] == "p1_p2_opened"]
total = kpis[(kpis["kpi"] == "incidents_opened") & (kpis["assignment_group"] == "*")
             & (kpis["category"] == "*") & (kpis["location"] == "*")]  # fmt: skip
teams = sorted(set(new_series["assignment_group"]) - {"*"})
print(f"tracked teams: {teams}")
fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 5.5), sharex=True)
top.plot(total["period"], total["value"], lw=1, color="gray", label="all incidents")
overall = new_series[new_series["assignment_group"] == "*"]
top.plot(overall["period"], overall["value"], lw=1.5, label="priority 1 or 2")
top.set_ylabel("incidents/day")
top.set_yscale("log")
top.legend(fontsize=8)
top.set_title("Incidents opened per day: all, and the filtered KPI (log scale)")
for team in teams:
    one = new_series[new_series["assignment_group"] == team]
    bottom.plot(one["period"], one["value"], lw=1, label=team)
bottom.set_title("p1_p2_opened per tracked team")
bottom.set_ylabel("incidents/day")
bottom.legend(fontsize=7, ncols=3)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 3. Preview: what would the new config file that the nightly one does not?
#
# Both configs replay the same nights from an empty register (three nights in May keep the
# notebook quick; the command line replays months the same way). Entries are matched by
# fingerprint (source, KPI, slice, kind), so *only A* is what the new KPI adds, and *only
# B* is what it pushes out: each night files at most `drilldown.max_findings` entries, so a
# new KPI can crowd out an old one.

# %%
START, END = date(2016, 5, 8), date(2016, 5, 10)
preview = compare(config, NIGHTLY, START, END)
print(render_comparison(preview.to_json()))

# %%
only_new, dropped, both = preview.split()
added = pd.DataFrame([e.to_json() for e in only_new],
                     columns=["first_night", "name", "title", "nights"])  # fmt: skip
added

# %% [markdown]
# ## Reading the preview
#
# The lines below are computed from the preview, not written in advance.

# %%
mine = [e for e in only_new if e.kpi == "p1_p2_opened"]
later = [(x, y) for x, y in both if x.first_night > y.first_night]
print(f"The new KPI adds {len(mine)} entries in {len(preview.a.nights)} nights, pushes out "
      f"{len(dropped)} of the nightly config's, and files {len(later)} of them later.")  # fmt: skip
for x, y in later:
    print(f"  {x.name}: first filed {x.first_night} instead of {y.first_night}")
if len(mine) > len(preview.a.nights):
    print("More than one new entry a night: raise min_slice_records or min_rel_change "
          "before it goes into the nightly config, or the inbox fills with small teams' noise.")
elif dropped or later:
    print(f"It competes for the {config.drilldown.max_findings} findings filed a night: raise "
          "drilldown.max_findings, or accept that existing entries wait a night.")
else:
    print("A handful of entries and nothing pushed out: ready for review as a config change.")
