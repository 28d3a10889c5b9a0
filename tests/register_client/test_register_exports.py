"""Keep the public face honest: all of ``__all__`` exists, and nothing else is public."""

from __future__ import annotations

import subprocess
import sys
from typing import Literal, get_origin

import register_client


def test_all_names_exist_and_belong_to_the_package() -> None:
    for name in register_client.__all__:
        member = getattr(register_client, name)
        if get_origin(member) is Literal:  # a type alias (Kind) has no module of its own
            continue
        module = getattr(member, "__module__", "register_client")
        assert module.startswith("register_client"), name


def test_every_public_attribute_is_exported() -> None:
    public = {
        name
        for name in dir(register_client)
        if not name.startswith("_") and not isinstance(getattr(register_client, name), type(sys))
    }
    assert public - {"annotations"} == set(register_client.__all__)


def test_all_is_sorted_and_unique() -> None:
    names = list(register_client.__all__)
    assert len(names) == len(set(names))
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))


def test_imports_no_pipeline_libraries() -> None:
    code = (
        "import sys, register_client; "
        "bad = [m for m in ('prefect', 'great_expectations', 'sklearn', 'pandas') "
        "if m in sys.modules]; print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
