"""Run the register's docstring examples: ``make test`` collects ``tests/`` only."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import register_client

MODULES = sorted(
    name
    for info in pkgutil.walk_packages(register_client.__path__, "register_client.")
    if "migrations" not in (name := info.name)
)


@pytest.mark.parametrize("name", ["register_client", *MODULES])
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
