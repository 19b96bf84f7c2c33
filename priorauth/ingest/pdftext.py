"""Which text engine reads a PDF page: pypdf or PDFium (pypdfium2), chosen page by page by a stated score.

pypdf writes a page's text in the order of its content stream and glues
pieces drawn separately on one line; a form or lab report drawn right to left,
column by column, comes out as 'LABREFERENCE INTERVALUNITSFLAGRESULTTESTS'.
PDFium orders and spaces characters by their position on the page, and
gives that row as 'TESTS RESULT FLAG UNITS REFERENCE INTERVAL LAB'.

The score of a page's text is the share of its letters that stand in
dictionary words (priorauth.ingest.words): tokens of two or more letters,
each weighted by its length, so a glued or scrambled run of words, which is no
word, counts against its engine in proportion to its size. PDFium's text is
used when its score beats pypdf's by more than MARGIN; otherwise pypdf's
(the engine every page was read with before, so ordinary pages read as they
always did). Pages on which both engines give the same words in the same
order are not scored at all.
"""

from __future__ import annotations

import re

MARGIN = 0.02
_TOKEN = re.compile(r"[A-Za-z]{2,}")


def score(text: str) -> float:
    """Letters in dictionary words / letters in tokens of two or more letters (0 for a page without any)."""
    from priorauth.ingest.words import english

    words = english()
    total = good = 0
    for token in _TOKEN.findall(text):
        total += len(token)
        if token.lower() in words:
            good += len(token)
    return good / total if total else 0.0


def choose(pypdf_text: str, pdfium_text: str) -> tuple[str, str]:
    """(engine, text) for one page: PDFium's text when it scores clearly better, else pypdf's.

    When both engines give the same words in the same order (most narrative pages) nothing is scored.
    """
    if pdfium_text.split() == pypdf_text.split():
        return "pypdf", pypdf_text
    if pdfium_text.strip() and score(pdfium_text) > score(pypdf_text) + MARGIN:
        return "pdfium", pdfium_text
    return "pypdf", pypdf_text


def pdfium_texts(data: bytes, indexes: list[int], lock) -> dict[int, str]:
    """PDFium's text of these pages ({} when PDFium cannot open the file); every call holds `lock` (one call at a time)."""
    import pypdfium2 as pdfium

    out: dict[int, str] = {}
    if not indexes:
        return out
    try:
        with lock:
            pdf = pdfium.PdfDocument(data)
    except Exception:  # pypdf opened it; PDFium failing is no reason to lose the page
        return out
    try:
        for i in indexes:
            with lock:
                try:
                    page = pdf[i]
                    try:
                        textpage = page.get_textpage()
                        try:
                            out[i] = _clean(textpage.get_text_range())
                        finally:
                            textpage.close()
                    finally:
                        page.close()
                except Exception:
                    continue
    finally:
        with lock:
            pdf.close()
    return out


def _clean(text: str) -> str:
    """PDFium marks a hyphen it saw at a line end with U+0002 and ends lines with CRLF."""
    return text.replace("\x02", "-").replace("\ufffe", "-")
