"""Guideline readers: extra findings a guideline reads itself, registered by guideline id.

A guideline whose policy needs structure the shared lexicon pass does not give
(an injection plan's levels and dose, dated earlier sessions with their relief)
registers a reader from a module in its own folder (`guideline.json` `modules`).
The rules extractor adds the reader's findings to its own; the reader computes
every span from the document text, like any extractor.
"""

from __future__ import annotations

from typing import Callable

from priorauth.models import Case, Document, Finding

Reader = Callable[[Case, dict[str, Document]], list[Finding]]
READERS: dict[str, list[Reader]] = {}


def reader(guideline_id: str) -> Callable[[Reader], Reader]:
    """Register `fn(case, documents by id) -> findings` for every version of the guideline `guideline_id`."""

    def add(fn: Reader) -> Reader:
        fns = READERS.setdefault(guideline_id, [])
        if all(f.__qualname__ != fn.__qualname__ for f in fns):  # a module imported again (another version) replaces nothing
            fns.append(fn)
        return fn

    return add


def read(guideline_id: str, case: Case, docs: dict[str, Document]) -> list[Finding]:
    return [f for fn in READERS.get(guideline_id, []) for f in fn(case, docs)]
