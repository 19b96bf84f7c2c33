"""Document roles: what kind of document tells an event, which decides how it is read.

Precedence: the case's document `type` (a C-CDA header's document code arrives there too, set by the reader),
then the document's opening lines, else a clinic note. Roles and their words are data (`roles.json`), validated
when loaded. An operative report's indications are the state before its surgery; a records review narrates the
past; a discharge summary's return precautions are hypothetical (the extractor's passes apply those readings).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from priorauth.models import Document, DocumentRole
from priorauth.validate import load_model
HEAD = 400  # where a document's title and first headers stand


class RolesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    doc: str = Field(default="", alias="_doc")
    types: list[tuple[DocumentRole, str]]
    headers: list[tuple[DocumentRole, str]]


@functools.lru_cache(maxsize=1)
def _rules() -> tuple[tuple[tuple[DocumentRole, re.Pattern[str]], ...], tuple[tuple[DocumentRole, re.Pattern[str]], ...]]:
    data = load_model(RolesFile, Path(__file__).with_name("roles.json"))
    return (tuple((r, re.compile(p, re.I)) for r, p in data.types),
            tuple((r, re.compile(p, re.M)) for r, p in data.headers))


def document_role(document: Document) -> DocumentRole:
    """The role of one document: its type first, then its opening lines, else a clinic note."""
    return _role((document.type or "").strip().lower(), document.text[:HEAD])


@functools.lru_cache(maxsize=256)
def _role(kind: str, head: str) -> DocumentRole:
    """Read once per type and opening: qualifiers, events and the care passes each ask for every document's role."""
    types, headers = _rules()
    if kind:
        for role, rx in types:
            if rx.search(kind):
                return role
    for role, rx in headers:
        if rx.search(head):
            return role
    return "clinic_note"
