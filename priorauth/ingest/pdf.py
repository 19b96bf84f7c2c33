"""PDF: the text layer via pypdf; only pages without a usable text layer are rendered (pypdfium2) and OCR'd."""

from __future__ import annotations

import io
import logging
import re

from priorauth.ingest.base import IngestError, Limits, Part, reflow
from priorauth.ingest.ocr import ocr_page

MIN_TEXT_CHARS = 20  # fewer letters/digits than this on a page means it is a scan (a fax header alone is not a text layer)
_ALNUM = re.compile(r"[A-Za-z0-9]")

logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns about harmless oddities on stderr


def usable(text: str) -> bool:
    return len(_ALNUM.findall(text)) >= MIN_TEXT_CHARS


def read_pdf(data: bytes, label: str, limits: Limits):
    """(part, ocr_pages, words_by_page) for a PDF, raising IngestError for encrypted, corrupt or empty files."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:  # owner-password-only PDFs open with the empty user password
                if not reader.decrypt(""):
                    raise IngestError(f"{label} is an encrypted PDF; send it without a password.")
            except (FileNotDecryptedError, NotImplementedError, DependencyError):
                raise IngestError(f"{label} is an encrypted PDF; send it without a password.") from None
        n = len(reader.pages)
    except IngestError:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise IngestError(f"{label} is a damaged PDF that cannot be opened ({type(exc).__name__}).") from None
    if n == 0:
        raise IngestError(f"{label} is a PDF with no pages.")
    if n > limits.max_pages:
        raise IngestError(f"{label} has {n} pages, more than the limit of {limits.max_pages} (PRIORAUTH_MAX_PAGES).")
    texts: list[str] = []
    for i in range(n):
        try:
            texts.append(reflow(_clean(reader.pages[i].extract_text() or "")))
        except (PdfReadError, Exception):  # a broken page's text layer is treated as absent; OCR may still read it
            texts.append("")
    to_ocr = [i for i, t in enumerate(texts) if not usable(t)]
    words_by_page: dict[int, list] = {}
    if to_ocr:
        for i, image in _render(data, to_ocr, label, limits):
            text, words = ocr_page(image, f"{label} page {i + 1}")
            text = reflow(text)
            if usable(text) or len(text.strip()) > len(texts[i].strip()):
                texts[i], words_by_page[i + 1] = text, words
    part = Part()
    starts = {}
    for i, t in enumerate(texts):
        starts[i + 1] = part.add_page(t, i + 1)
    if not part.text.strip():
        raise IngestError(f"{label} has no text layer and OCR found no text on its {n} page(s).")
    ocr_pages = sorted(words_by_page)
    return part, ocr_pages, {p: (starts[p], w) for p, w in words_by_page.items()}


def _render(data: bytes, indexes: list[int], label: str, limits: Limits):
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception as exc:
        raise IngestError(f"{label} has pages without text that could not be rendered for OCR ({type(exc).__name__}).") from None
    try:
        for i in indexes:
            page = pdf[i]
            try:
                image = page.render(scale=limits.ocr_dpi / 72, grayscale=True).to_pil()
            finally:
                page.close()
            yield i, image
    finally:
        pdf.close()


def _clean(text: str) -> str:
    """pypdf's text with trailing spaces trimmed per line and no stray carriage returns."""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip("\n")
