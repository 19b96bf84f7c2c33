"""Turn a clinical document file into the text the extractor sees, with a page map.

    from priorauth.ingest import read_path, read_bytes, Ingested, IngestError, Limits

The format is detected from the file's content (magic bytes), the name and
content type only break ties. Every reader returns exactly the text stored on
the Document, so evidence spans stay `text[start:end]`; `pages` maps character
ranges to 1-based pages; OCR'd words keep their boxes and Tesseract confidence.
Every problem is an IngestError whose message names the file, never its text.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Optional, Union

from priorauth.ingest.base import Ingested, IngestError, Limits, check_page_count, single_page
from priorauth.models import OcrWord, PageSpan

# What an upload form or a FHIR attachment may declare; the content decides, these only document what is read.
CONTENT_TYPES = ("text/plain", "application/pdf", "image/tiff", "image/png", "image/jpeg",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/rtf", "text/rtf",
                 "text/html", "application/xml", "text/xml", "application/hl7-cda+xml")
FORMATS = ("text", "pdf", "pdf-ocr", "image-ocr", "docx", "rtf", "html", "ccda", "ccda-text", "ccda-pdf", "ccda-pdf-ocr",
           "ccda-image-ocr", "ccda-html", "ccda-rtf")

# A C-CDA larger than this is parsed in the limited child too (its XML tree takes about 10x its size in memory);
# the HL7 example documents are 5-250 KB. An embedded PDF or image is read in the child whatever the size.
CCDA_INLINE_BYTES = 2 * 1024 * 1024

__all__ = ["CONTENT_TYPES", "FORMATS", "read_path", "read_bytes", "Ingested", "IngestError", "Limits", "PageSpan", "OcrWord"]


def read_path(path: Union[Path, str], *, limits: Optional[Limits] = None, isolate: bool = False) -> Ingested:
    """Read a file from disk; its size is checked before it is read. `isolate`: see read_bytes."""
    limits = limits or Limits()
    path = Path(path)
    label = path.name or str(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise IngestError(f"{label} is not a regular file.")
        if size > limits.max_bytes:
            raise IngestError(_too_big(label, size, limits))
        data = path.read_bytes()
    except IngestError:
        raise
    except FileNotFoundError:
        raise IngestError(f"{label} does not exist.") from None
    except PermissionError:
        raise IngestError(f"{label} cannot be read (permission denied).") from None
    except OSError as exc:
        raise IngestError(f"{label} cannot be read ({exc.strerror or type(exc).__name__}).") from None
    return read_bytes(data, name=path.name, limits=limits, isolate=isolate)


def read_bytes(data: bytes, *, name: Optional[str] = None, content_type: Optional[str] = None,
               limits: Optional[Limits] = None, isolate: bool = False) -> Ingested:
    """Read a file's bytes (an upload, a FHIR attachment): detect the format, extract text and pages.

    With `isolate`, PDFs and images (which render and OCR in native code), and C-CDA files over
    CCDA_INLINE_BYTES, are read in a child process with a memory cap and a time limit
    (priorauth.ingest.isolated): the service and the CLI do this.
    """
    from priorauth.ingest.detect import detect

    limits = limits or Limits()
    label = name or "the document"
    if len(data) > limits.max_bytes:
        raise IngestError(_too_big(label, len(data), limits))
    if not data.strip():
        raise IngestError(f"{label} is empty.")
    kind = detect(data, label, name, content_type)
    if isolate and (kind in ("pdf", "image") or kind == "ccda" and len(data) > CCDA_INLINE_BYTES):
        from priorauth.ingest.isolated import read_isolated

        return read_isolated(data, name, content_type, limits)
    try:
        return _read(data, kind, label, name, limits, isolate)
    except IngestError:
        raise
    except (MemoryError, RecursionError, ValueError, TypeError, KeyError, IndexError, AttributeError, OSError,
            AssertionError, UnicodeError, NotImplementedError) as exc:  # a reader's library tripped on a malformed file
        raise IngestError(f"{label} could not be read as {kind.upper()} ({type(exc).__name__}).") from None


def _read(data: bytes, kind: str, label: str, name: Optional[str], limits: Limits, isolate: bool = False) -> Ingested:
    ingested = _read_kind(data, kind, label, name, limits, isolate)
    if ingested.date is None:
        from priorauth.ingest.dating import own_date

        when, where = own_date(ingested.text, kind, data)
        if when is not None:
            ingested = ingested.model_copy(update={"date": when, "date_from": where})
    return ingested


def _read_kind(data: bytes, kind: str, label: str, name: Optional[str], limits: Limits, isolate: bool) -> Ingested:
    sha = hashlib.sha256(data).hexdigest()
    common = {"sha256": sha, "source_name": name}
    if kind in ("pdf", "image"):
        if kind == "pdf":
            from priorauth.ingest.pdf import read_pdf

            part, ocr_pages, words_by_page, log = read_pdf(data, label, limits)
            fmt = "pdf-ocr" if ocr_pages else "pdf"
        else:
            from priorauth.ingest.image import read_image

            part, ocr_pages, words_by_page, log = read_image(data, label, limits)
            fmt = "image-ocr"
        words = [OcrWord(page=p, start=start + w.start, end=start + w.end, confidence=w.confidence, box=w.box)
                 for p, (start, ws) in sorted(words_by_page.items()) for w in ws]
        return Ingested(text=part.text, format=fmt, page_count=len(part.pages), pages=part.pages, words=words,
                        low_confidence=[w for w in words if 0 <= w.confidence < limits.low_confidence],
                        ocr_pages=ocr_pages, **log.report(ocr_pages), **common)
    encoding, pages = None, None
    if kind == "docx":
        from priorauth.ingest.docx import read_docx

        text, pages = read_docx(data, label, limits)
    elif kind == "rtf":
        from priorauth.ingest.rtf import read_rtf

        text = read_rtf(data, label)
    elif kind == "ccda":
        return _read_ccda(data, label, name, limits, common, isolate)
    else:
        from priorauth.ingest.text import decode

        text, encoding = decode(data, label)
        if kind == "html":
            from priorauth.ingest.html import html_to_text

            text = html_to_text(text)
    if not text.strip():
        raise IngestError(f"{label} contains no text.")
    pages = pages or (_form_feed_pages(text) if kind == "text" else single_page(text))
    check_page_count(label, len(pages), limits)
    return Ingested(text=text, format=kind, page_count=len(pages), pages=pages, encoding=encoding, **common)


def _read_ccda(data: bytes, label: str, name: Optional[str], limits: Limits, common: dict, isolate: bool) -> Ingested:
    """A C-CDA: its structured narrative with coded sections, or its unstructured body read by that body's reader.

    An embedded PDF or image is read like one sent on its own: in the limited child process when `isolate`.
    """
    from priorauth.ingest.ccda import Structured, read_ccda

    header, body = read_ccda(data, label, limits.max_bytes)
    own = {"date": header.date, "date_from": header.date_from, "doc_type": header.type, "author": header.author}
    if isinstance(body, Structured):
        if not body.text.strip():
            raise IngestError(f"{label} contains no text.")
        pages = single_page(body.text)
        return Ingested(text=body.text, format="ccda", page_count=1, pages=pages, sections=body.sections, **own, **common)
    if isolate and body.kind in ("pdf", "image"):
        from priorauth.ingest.isolated import read_isolated

        inner = read_isolated(body.data, name, None, limits)
    else:
        inner = _read(body.data, body.kind, label, name, limits)
    fmt = "ccda-" + ("image-ocr" if body.kind == "image" else inner.format)
    if header.date is None:  # the embedded file's own header or metadata, when the C-CDA header has no date
        own.update(date=inner.date, date_from=inner.date_from)
    own = {k: v for k, v in own.items() if v is not None}
    return inner.model_copy(update={**own, "format": fmt, **common})


def _form_feed_pages(text: str) -> list[PageSpan]:
    """Plain-text exports mark page breaks with a form feed; the text itself is left untouched."""
    pages, start = [], 0
    for n, chunk in enumerate(text.split("\f"), 1):
        pages.append(PageSpan(page=n, start=start, end=start + len(chunk)))
        start += len(chunk) + 1
    return pages


def _too_big(label: str, size: int, limits: Limits) -> str:
    return (f"{label} is {size / 1048576:.1f} MB, more than the limit of {limits.max_bytes / 1048576:.0f} MB "
            f"(PRIORAUTH_MAX_UPLOAD_MB).")
