"""What every reader returns (Ingested), the one error they raise (IngestError) and the limits they obey."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
import datetime as dt
from typing import Optional

from pydantic import BaseModel

from priorauth.models import DocSection, Document, OcrWord, PageSpan, SourceFile, page_at


class IngestError(ValueError):
    """A file that cannot be read; the message is one sentence naming the file and the problem, never its text."""


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise IngestError(f"{name} must be a number, not {raw[:20]!r}.") from None
    if value <= 0:
        raise IngestError(f"{name} must be positive.")
    return value


@dataclass(frozen=True)
class Limits:
    """Bounds on what one file may cost us; defaults come from the environment.

    PRIORAUTH_MAX_UPLOAD_MB (default 50) bounds the file size, PRIORAUTH_MAX_PAGES
    (default 500) the page count, PRIORAUTH_MAX_OCR_PAGES (default 100) the pages
    OCR'd in one file (seconds each); a DOCX may not inflate past `max_unzipped_bytes`,
    nor its XML past `max_docx_xml_bytes`, nor any member past `max_zip_ratio` times its compressed size (zip bombs).
    """

    max_bytes: int = field(default_factory=lambda: int(_env_number("PRIORAUTH_MAX_UPLOAD_MB", 50) * 1024 * 1024))
    max_pages: int = field(default_factory=lambda: int(_env_number("PRIORAUTH_MAX_PAGES", 500)))
    max_ocr_pages: int = field(default_factory=lambda: int(_env_number("PRIORAUTH_MAX_OCR_PAGES", 100)))
    max_unzipped_bytes: int = 100 * 1024 * 1024
    max_docx_xml_bytes: int = 10 * 1024 * 1024  # the XML parts parse at about 1 MB a second and 10x their size in memory
    max_zip_ratio: float = 200.0
    ocr_dpi: int = 300
    max_image_pixels: int = 89_478_485  # Pillow's decompression-bomb threshold, applied to every page and after resampling
    low_confidence: float = 60.0  # Tesseract word confidence (0-100) below which a word is flagged


def check_page_count(label: str, n: int, limits: Limits) -> None:
    """Every reader refuses a file with more pages than PRIORAUTH_MAX_PAGES, with the same sentence."""
    if n > limits.max_pages:
        raise IngestError(f"{label} has {n} pages, more than the limit of {limits.max_pages} (PRIORAUTH_MAX_PAGES).")


class Ingested(BaseModel):
    """A file turned into the text the extractor sees, with its page map and, for OCR, word confidences."""

    text: str
    format: str  # text, pdf, pdf-ocr, image-ocr, docx, rtf, html, ccda
    sha256: str
    page_count: int
    pages: list[PageSpan]
    low_confidence: list[OcrWord] = []
    words: list[OcrWord] = []  # every OCR'd word with its box (empty for text formats)
    ocr_pages: list[int] = []  # pages read by OCR (a text-layer PDF has none)
    ocr_seconds: list[float] = []  # how long OCR took on each of `ocr_pages`
    blank_pages: list[int] = []  # pages without a text layer that were blank, so not OCR'd
    engines: list[str] = []  # PDF: the text engine each page was read with (pypdf, pdfium, ocr)
    encoding: Optional[str] = None  # for text-like formats: the encoding the bytes were decoded with
    source_name: Optional[str] = None
    # what the file says about itself: its date (and where that came from), type and author; C-CDA coded sections
    date: Optional[dt.date] = None
    date_from: Optional[str] = None
    doc_type: Optional[str] = None
    author: Optional[str] = None
    sections: list[DocSection] = []

    def page_of(self, offset: int) -> Optional[int]:
        """The 1-based page holding this character offset (None when out of range)."""
        return page_at(self.pages, len(self.text), offset)

    def source(self, doc_id: str) -> SourceFile:
        return SourceFile(doc=doc_id, name=self.source_name, sha256=self.sha256, format=self.format,
                          page_count=self.page_count, ocr_pages=self.ocr_pages, ocr_seconds=self.ocr_seconds,
                          blank_pages=self.blank_pages, engines=self.engines, date_from=self.date_from)

    def to_document(self, id: str, *, type: Optional[str] = None, date=None) -> Document:
        """A packet document whose text is exactly ours, carrying the page map and source identity.

        The case's own `type` and `date` win; without them the file's (its C-CDA header, the note's
        header, its metadata) are used, and the source records where the date came from.
        """
        source = self.source(id)
        if date is not None and date != self.date:
            source.date_from = None
        return Document(id=id, type=type or self.doc_type, date=date or self.date, text=self.text, pages=self.pages,
                        low_confidence=self.low_confidence, source=source, sections=self.sections, author=self.author)


class Part:
    """Builds text page by page, recording each page's character range."""

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.pages: list[PageSpan] = []
        self.length = 0

    def add_page(self, text: str, page: int) -> int:
        """Append a page (separated from the previous one by a blank line); returns its start offset."""
        if self.chunks:
            self.chunks.append("\n\n")
            self.length += 2
        start = self.length
        self.chunks.append(text)
        self.length += len(text)
        self.pages.append(PageSpan(page=page, start=start, end=self.length))
        return start

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def tidy_lines(text: str) -> str:
    """A library's extracted text with \\n line ends, no trailing spaces per line, no leading or trailing blank lines."""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip("\n")


def single_page(text: str) -> list[PageSpan]:
    """Formats without pages (RTF, HTML, C-CDA) are one page; DOCX and plain text have their own page breaks."""
    return [PageSpan(page=1, start=0, end=len(text))]


_STOP = (".", ":", ";", "!", "?")


def reflow(text: str) -> str:
    """Join hard-wrapped lines of a page (PDF layout, OCR), replacing that newline by a space.

    The extractor starts a sentence at every line break, so 'No\\nhistory of
    cancer' would lose its negation. A line is a wrapped one when it is long
    (at least 70% of the page's longest line), does not end a statement, and the
    next line continues in lower case or with a digit. One character for one
    character: offsets (and OCR word positions) are unchanged.
    """
    lines = text.split("\n")
    width = max((len(x.rstrip()) for x in lines), default=0)
    if width < 40:
        return text
    out = []
    for line, nxt in zip(lines, lines[1:]):
        stripped, first = line.rstrip(), nxt.lstrip()[:1]
        wrapped = len(stripped) >= 0.7 * width and (first.islower() and not stripped.endswith(_STOP)
                                                     or first.isdigit() and stripped[-1:].isalpha())
        out += (line, " " if wrapped else "\n")
    out.append(lines[-1])
    return "".join(out)
