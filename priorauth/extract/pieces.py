"""Long notes in pieces: spaCy refuses texts over `nlp.max_length` (1,000,000 characters).

A packet pasted from an EHR can exceed that. It is read in pieces cut at line
breaks (else at a sentence end, else at a space), each parsed on its own, and
every offset shifted back into the whole note, so evidence still satisfies
`text[start:end] == span`. A piece starts with no section header of its own, so
sections are read per piece; pieces are large, so that rarely matters.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Optional

from priorauth.models import Document

PIECE_CHARS = 200_000


def pieces(text: str, limit: Optional[int] = None) -> list[tuple[int, int]]:
    """(start, end) pieces covering `text` in order, each at most `limit` characters, cut at the best boundary."""
    limit = limit or PIECE_CHARS
    out, start = [], 0
    while len(text) - start > limit:
        lo, hi = start + limit // 2, start + limit
        cut = text.rfind("\n", lo, hi) + 1
        if cut <= 0:
            cut = text.rfind(". ", lo, hi - 1) + 2
        if cut <= 1:
            cut = text.rfind(" ", lo, hi) + 1
        if cut <= 0:
            cut = hi
        out.append((start, cut))
        start = cut
    out.append((start, len(text)))
    return out


def split_documents(documents: Iterable[Document], limit: Optional[int] = None) -> list[tuple[Document, Document, int]]:
    """(document, piece as a document, offset of the piece) for each piece; a short document is its own single piece."""
    limit = limit or PIECE_CHARS
    out = []
    for d in documents:
        if len(d.text) <= limit:
            out.append((d, d, 0))
            continue
        for s, e in pieces(d.text, limit):
            out.append((d, d.model_copy(update={"text": d.text[s:e]}), s))
    return out


def shift(mentions: list, offset: int) -> list:
    """Mentions found in a piece, with offsets into the whole note."""
    if not offset:
        return mentions
    return [replace(m, start=m.start + offset, end=m.end + offset, sent_start=m.sent_start + offset,
                    sent_end=m.sent_end + offset) for m in mentions]
