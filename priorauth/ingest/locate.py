"""After a review: give every evidence span its page and list the packet's source files.

Runs on the finished Review so extractors and rules stay unaware of pages;
a span's page is the page of its first character in its document's page map.
"""

from __future__ import annotations

from pydantic import BaseModel

from priorauth.ingest.dating import METADATA_DATE
from priorauth.models import Case, Document, EvidenceSpan, Review


def _spans(obj):
    """Every EvidenceSpan reachable from a model (findings, criteria, therapy components, conflicts...)."""
    if isinstance(obj, EvidenceSpan):
        yield obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _spans(getattr(obj, name))
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from _spans(item)


def locate(case: Case, review: Review) -> Review:
    """Fill `page` on the review's spans, `sources`, and a warning per unreadable document (in place)."""
    docs: dict[str, Document] = {d.id: d for d in case.documents if d.pages}
    if docs:
        for span in _spans(review):
            doc = docs.get(span.doc)
            if doc is not None:
                span.page = doc.page_of(span.start)
    review.sources = [d.source for d in case.documents if d.source is not None] + list(case.unreadable)
    review.warnings.extend(_uncertain_ocr(case, review))
    for d in case.documents:  # a file's creation date can be later than the visit: say the date is a stand-in
        if d.source is not None and d.source.date_from == METADATA_DATE:
            review.warnings.append(f"document {d.id} states no date; it is dated {d.date} by its file's metadata (when the "
                                   f"file was made), which may be later than the visit")
    for u in case.unreadable:
        review.warnings.append(f"document {u.doc} could not be read and was not reviewed: {u.error}")
        if u.reference is not None:  # a C-CDA whose body is only a link: the document itself is missing from the packet
            review.missing.append(f"document {u.doc}: its body is only referenced ({u.reference[:200]}), never fetched; "
                                  f"send the document itself")
    return review


def _uncertain_ocr(case: Case, review: Review) -> list[str]:
    """A counted finding whose evidence touches a word OCR read with low confidence deserves a look at the page image."""
    low = {d.id: d.low_confidence for d in case.documents if d.low_confidence}
    out: list[str] = []
    for f in review.findings:
        for s in f.evidence:
            words = [w for w in low.get(s.doc, []) if w.start < s.end and s.start < w.end]
            if words:
                out.append(f"evidence for {f.code} ({s.doc}, page {s.page}, characters {s.start}-{s.end}) includes "
                           f"{len(words)} word(s) OCR read with low confidence; check it against the page image")
    return list(dict.fromkeys(out))
