"""The analysts' workbench: backtests, exported tuning, and the notebook runner."""

from flows.workbench.backtest import BacktestError, BacktestReport, backtest
from flows.workbench.tuning import export_params

__all__ = ["BacktestError", "BacktestReport", "backtest", "export_params"]
