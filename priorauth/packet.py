"""Building a packet's documents: one code path for the CLI (`priorauth review`) and the review service.

A document is dated by the date the user gave for the notes, else the file's own date (a C-CDA header, the
note's header such as "DOS 03/10/2026", the file's metadata: priorauth.ingest), else the request date, and typed
by what the file says it is, else as a clinical note; so the same files get the same dates, and the same review,
wherever they enter.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Optional, Union

from priorauth.ingest.base import Ingested
from priorauth.models import Document


def note_document(doc_id: str, source: Union[Ingested, str], request_date: Optional[dt.date],
                  note_date: Optional[dt.date] = None) -> Document:
    """A Document from a read file (Ingested) or from plain text (the CLI's standard input), dated as the module says."""
    if isinstance(source, Ingested):
        return source.to_document(doc_id, type=source.doc_type or "clinical_note", date=note_date or source.date or request_date)
    from priorauth.extract.dates import date_of_service

    return Document(id=doc_id, type="clinical_note", date=note_date or date_of_service(source) or request_date, text=source)


def document_ids(names: Iterable[str]) -> list[str]:
    """Each file's name as its document id; a repeated name gets ' (2)', ' (3)' ..."""
    used: set[str] = set()
    out = []
    for name in names:
        doc_id, k = name, 2
        while doc_id in used:
            doc_id, k = f"{name} ({k})", k + 1
        used.add(doc_id)
        out.append(doc_id)
    return out
