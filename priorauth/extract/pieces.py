"""Long notes in pieces: spaCy refuses texts over `nlp.max_length` (1,000,000 characters).

A packet pasted from an EHR can exceed that. Such a note (and only such a note:
shorter ones are read whole, as before) is read in pieces of about 50,000
characters cut at a blank line (else a line break, a sentence end, a space),
each parsed on its own, and every offset shifted back into the whole note, so
evidence still satisfies `text[start:end] == span`. Small pieces keep the cost
linear (target matching and sectioning grow faster than the text). A piece
starts with no section header of its own, so a section cut in two loses its
header after the cut: cutting at blank lines, where sections usually end,
keeps that rare.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Optional

from priorauth.models import Document

SPLIT_OVER = 1_000_000  # spaCy's default nlp.max_length
PIECE_CHARS = 50_000


def pieces(text: str, limit: Optional[int] = None) -> list[tuple[int, int]]:
    """(start, end) pieces covering `text` in order, each at most `limit` characters, cut at the best boundary."""
    limit = limit or PIECE_CHARS
    out, start = [], 0
    while len(text) - start > limit:
        lo, hi = start + limit // 2, start + limit
        cut = text.rfind("\n\n", lo, hi - 1) + 2
        if cut <= 1:
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
    """(document, piece as a document, offset of the piece) for each piece; a note within spaCy's limit is one piece."""
    out = []
    for d in documents:
        if len(d.text) <= SPLIT_OVER:
            out.append((d, d, 0))
            continue
        for s, e in pieces(d.text, limit):
            sections = [x.model_copy(update={"start": max(x.start - s, 0), "end": x.end - s})
                        for x in d.sections if x.end > s and x.start < e]  # C-CDA section roles, in piece offsets
            out.append((d, d.model_copy(update={"text": d.text[s:e], "sections": sections}), s))
    return out


def shift(mentions: list, offset: int) -> list:
    """Mentions found in a piece, with offsets into the whole note."""
    if not offset:
        return mentions
    return [replace(m, start=m.start + offset, end=m.end + offset, sent_start=m.sent_start + offset,
                    sent_end=m.sent_end + offset) for m in mentions]
