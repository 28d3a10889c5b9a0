"""The ``radar`` command line, one module per command group, mounted lazily.

Only typer is imported up front: ``radar --help`` and the register commands never pay
for scikit-learn, Great Expectations or Prefect.
"""

from flows.cli.main import app

__all__ = ["app"]
