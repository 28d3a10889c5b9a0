"""The analysts' workbench: backtests and comparisons, labels, exported tuning, notebooks."""

from flows.workbench.backtest import BacktestError, BacktestReport, backtest
from flows.workbench.compare import Comparison, compare
from flows.workbench.labels import config_labels, read_labels
from flows.workbench.tuning import export_params

__all__ = [
    "BacktestError",
    "BacktestReport",
    "Comparison",
    "backtest",
    "compare",
    "config_labels",
    "export_params",
    "read_labels",
]
