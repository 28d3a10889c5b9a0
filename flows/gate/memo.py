"""Spare GX work it repeats while the gate validates and renders Data Docs.

- GX 1.24 rebuilds an expectation's whole configuration (a pydantic ``dict()``, a deep
  copy and a new ``ExpectationConfiguration``) every time one of its kwargs is read:
  about 170 times per expectation per validation, a third of the gate's time in a replay.
  Nothing changes an expectation while it is validated, so within the block the first
  configuration built serves the rest.
- Each Data Docs view makes a new Jinja environment and so compiles its templates again,
  every night: 40 % of the time a replay spends on Data Docs. Within the block the views
  share a bytecode cache; Jinja checks each template's source against it.

Both patches are undone when the block ends, so nothing outside the gate sees them; the
results and pages are the same with and without (tested).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

__all__ = ["gx_memos"]


@contextmanager
def gx_memos() -> Iterator[None]:
    """Within the block, GX builds configurations and compiles templates once (imports GX).

    Not reentrant across threads: the caller holds the gate's lock.
    """
    from great_expectations.expectations.expectation import Expectation
    from great_expectations.render.view.view import DefaultJinjaView

    configuration: property = Expectation.__dict__["configuration"]
    view_init = DefaultJinjaView.__dict__["__init__"]
    Expectation.configuration = property(_built_once(configuration))  # type: ignore[method-assign,assignment]
    DefaultJinjaView.__init__ = _sharing(view_init, _TemplateCache())  # type: ignore[method-assign]
    try:
        yield
    finally:
        Expectation.configuration = configuration  # type: ignore[method-assign,assignment]
        DefaultJinjaView.__init__ = view_init  # type: ignore[method-assign]


def _built_once(configuration: property) -> Any:
    build = configuration.fget
    assert build is not None
    # Keyed by id(); the value keeps the expectation alive, so an id is never reused.
    built: dict[int, tuple[Any, Any]] = {}

    def once(expectation: Any) -> Any:
        hit = built.get(id(expectation))
        if hit is None:
            hit = built[id(expectation)] = (expectation, build(expectation))
        return hit[1]

    return once


def _sharing(view_init: Any, cache: Any) -> Any:
    def init(view: Any, *args: Any, **kwargs: Any) -> None:
        view_init(view, *args, **kwargs)
        view.env.bytecode_cache = cache

    return init


class _TemplateCache(BytecodeCache):
    """Compiled templates in memory, keyed as Jinja keys them (name and source)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()
