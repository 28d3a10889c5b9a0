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
# # 3. Backtest: what would this configuration have filed, night by night?
#
# Before a configuration goes into the nightly run, replay it over past nights and look
# at what it would have done to the register: how many entries it would have **created**,
# how many existing ones it would have **updated** with new evidence, and how many
# detections the register's lifecycle and triage feedback would have **suppressed**.
#
# `flows.workbench.backtest.backtest` replays the whole pipeline (quality gate, KPIs,
# detection, candidates, filing) into a *throwaway* SQLite register that starts empty, so
# it shows what the configuration alone would file. `register_url=` (`--seed-from` on the
# command line) starts it as a read-only copy of a real register instead, so that past
# triage decisions (rejections, duplicates, noise mutes) count. The real register is never
# written. `radar backtest` is the same thing on the command line; notebook 4 compares two
# configurations.

# %%
import logging
import warnings
from datetime import date
from pathlib import Path

import great_expectations.data_context.types.base  # noqa: F401 - its logger is set at import
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

warnings.filterwarnings("ignore", message="IProgress not found")
logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)

from flows.workbench.backtest import backtest
from flows.config.model import load_config

ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "pyproject.toml").is_file())
CONFIG = ROOT / "examples" / "demo.yaml"

# The bundled demo is a frozen 2016 extract. Four nights keep this notebook quick;
# `radar backtest --from ... --to ...` replays months the same way.
START, END = date(2016, 5, 4), date(2016, 5, 7)
config = load_config(CONFIG)

# %% [markdown]
# ## Replay the nights
#
# Each night sees only the data known at its end, exactly as the nightly scan would have.

# %%
report = backtest(config, START, END)
print(f"{len(report.nights)} nights replayed, starting from an empty register")
nights = report.to_frame().set_index("night")
nights

# %% [markdown]
# ## What each night would have done to the register

# %%
colours = {"created": "tab:blue", "updated": "tab:orange", "suppressed": "tab:gray",
           "unchanged": "lightgray"}
fig, ax = plt.subplots(figsize=(10, 4))
bottom = pd.Series(0, index=nights.index)
for action, colour in colours.items():
    ax.bar(nights.index, nights[action], bottom=bottom, color=colour, label=action, width=0.8)
    bottom += nights[action]
ax.plot(nights.index, nights["findings"], "k.", label="findings kept by detection")
ax.set_title(f"Backtest of {CONFIG.name}: register decisions per night ({START} to {END})")
ax.set_xlabel("scan night")
ax.set_ylabel("detections")
ax.yaxis.set_major_locator(MaxNLocator(integer=True))
ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), title="decision")
fig.autofmt_xdate()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## The entries it would have created
#
# A good configuration creates few entries and then *updates* them while the event lasts;
# a noisy one creates a new entry most nights.

# %%
rows = [
    {"night": night.night, **decision.to_json()}
    for night in report.nights
    for decision in night.decisions
]
decisions = pd.DataFrame(rows, columns=["night", "action", "id", "title", "reason", "linked_to"])
decisions[decisions["action"] == "created"][["night", "id", "title"]]

# %%
totals = pd.Series(report.totals, name="total")
totals.to_frame()

# %% [markdown]
# ## Cumulative load on the triage team
#
# The distinct entries an owner would have had to look at, night after night.

# %%
created_ids = decisions[decisions["action"] == "created"].groupby("night")["id"].nunique()
cumulative = created_ids.reindex(nights.index.date, fill_value=0).cumsum()
fig, ax = plt.subplots(figsize=(10, 3))
ax.step(nights.index, cumulative.to_numpy(), where="post", color="tab:blue")
ax.set_title("Entries created so far (what triage would have received)")
ax.set_xlabel("scan night")
ax.set_ylabel("entries")
ax.set_ylim(bottom=0)
ax.yaxis.set_major_locator(MaxNLocator(integer=True))
fig.autofmt_xdate()
plt.show()
