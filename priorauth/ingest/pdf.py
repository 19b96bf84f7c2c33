"""PDF: the text layer via pypdf or PDFium, page by page; only pages without a usable text layer are rendered (pypdfium2) and OCR'd."""

from __future__ import annotations

import io
import logging
import re
import threading

from priorauth.ingest.base import IngestError, Limits, Part, check_page_count, reflow, tidy_lines
from priorauth.ingest.hyphen import dehyphenate
from priorauth.ingest.pdftext import choose, pdfium_texts
from priorauth.ingest.scanpage import PageLog, ocr_scan

MIN_TEXT_CHARS = 20  # fewer letters/digits than this on a page means it is a scan (a fax header alone is not a text layer)
_ALNUM = re.compile(r"[A-Za-z0-9]")

logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns about harmless oddities on stderr


PDFIUM = threading.Lock()
"""PDFium allows one call at a time in a process, even on different documents (pypdfium2's docs): the service's
worker threads and its $submit route render under this lock; OCR, the slow part, runs outside it."""
MAX_RENDER_PIXELS = 40_000_000  # a Letter page at 300 dpi is 8.4 million
THIN_TEXT_CHARS = 200  # a page with a scanned image and less text than this is OCR'd too (fax stamps, headers)


def usable(text: str) -> bool:
    return len(_ALNUM.findall(text)) >= MIN_TEXT_CHARS


def garbled(text: str) -> bool:
    """A text layer from fonts without a Unicode map: replacement, private-use or control characters."""
    bad = sum(1 for ch in text if ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff" or (ord(ch) < 32 and ch not in "\n\t\f"))
    return bad > 0.1 * max(len(text), 1)


def _has_image(page) -> bool:
    try:
        xobjects = page["/Resources"].get_object().get("/XObject")
        return bool(xobjects) and any(x.get_object().get("/Subtype") == "/Image" for x in xobjects.get_object().values())
    except (KeyError, AttributeError, TypeError, ValueError):
        return False


def needs_ocr(page, text: str) -> bool:
    """No usable text layer: none, too little, garbled, or a thin layer over a scanned image."""
    if not usable(text) or garbled(text):
        return True
    return len(_ALNUM.findall(text)) < THIN_TEXT_CHARS and _has_image(page)


def better(ocr: str, layer: str) -> bool:
    """Keep the OCR text when the text layer was unusable or OCR found clearly more."""
    if not usable(layer) or garbled(layer):
        return usable(ocr) or len(ocr.strip()) > len(layer.strip())
    return len(_ALNUM.findall(ocr)) > len(_ALNUM.findall(layer)) + 10


def read_pdf(data: bytes, label: str, limits: Limits):
    """(part, ocr_pages, words_by_page, log) for a PDF, raising IngestError for encrypted, corrupt or empty files.

    A page with a text layer is read by pypdf or PDFium, whichever reads it better (priorauth.ingest.pdftext);
    a page without one is OCR'd unless blank (priorauth.ingest.scanpage); `log` says which engine read each page,
    how long OCR took on each page and which blank pages were skipped. Words hyphenated at a line end are
    rejoined (priorauth.ingest.hyphen).
    """
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError

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
    except LimitReachedError:
        raise IngestError(_bomb(label)) from None
    except Exception as exc:  # pypdf raises many types for damaged files
        raise IngestError(f"{label} is a damaged PDF that cannot be opened ({type(exc).__name__}).") from None
    if n == 0:
        raise IngestError(f"{label} is a PDF with no pages.")
    check_page_count(label, n, limits)
    texts: list[str] = []
    to_ocr: list[int] = []
    for i in range(n):
        try:
            page = reader.pages[i]
            texts.append(tidy_lines(page.extract_text() or ""))
            if needs_ocr(page, texts[-1]):
                check_render_cost(page, label, i + 1, limits)
                to_ocr.append(i)
        except IngestError:
            raise
        except LimitReachedError:
            raise IngestError(_bomb(label, i + 1)) from None
        except Exception:  # a broken page's text layer is treated as absent; OCR may still read it
            texts[i:] = [""]
            to_ocr.append(i)
    log = PageLog(engines=["pypdf"] * n)
    layered = [i for i in range(n) if i not in set(to_ocr)]  # PDFium reads only content pypdf decoded within its limit
    for i, text in pdfium_texts(data, layered, PDFIUM).items():
        log.engines[i], texts[i] = choose(texts[i], tidy_lines(text))
    texts = [reflow(dehyphenate(t)[0]) for t in texts]
    words_by_page: dict[int, list] = {}
    if len(to_ocr) > limits.max_ocr_pages:
        raise IngestError(f"{label} has {len(to_ocr)} pages without a text layer, more than the OCR limit of "
                          f"{limits.max_ocr_pages} (PRIORAUTH_MAX_OCR_PAGES).")
    if to_ocr:
        for i, image in _render(data, to_ocr, label, limits):
            text, words = ocr_scan(image, f"{label} page {i + 1}", i + 1, log)
            if better(text, texts[i]):
                texts[i], words_by_page[i + 1], log.engines[i] = text, words, "ocr"
            elif i + 1 in log.blank_pages and not usable(texts[i]):
                log.engines[i] = "blank"
    part = Part()
    starts = {}
    for i, t in enumerate(texts):
        starts[i + 1] = part.add_page(t, i + 1)
    if not part.text.strip():
        raise IngestError(f"{label} has no text layer and OCR found no text on its {n} page(s).")
    ocr_pages = sorted(words_by_page)
    return part, ocr_pages, {p: (starts[p], w) for p, w in words_by_page.items()}, log


def check_render_cost(page, label: str, number: int, limits: Limits) -> None:
    """Before PDFium renders a page for OCR: its content must inflate within pypdf's limit, its images within the pixel limit.

    Text extraction skips a content stream it cannot decode, so a page whose stream inflates to gigabytes looks
    like a scan; PDFium has no such limit and would inflate all of it.
    """
    from pypdf.errors import LimitReachedError

    try:
        contents = page.get_contents()
        if contents is not None:
            contents.get_data()
    except LimitReachedError:
        raise IngestError(_bomb(label, number)) from None
    except Exception:  # noqa: BLE001 - a damaged stream is PDFium's to render or refuse
        pass
    pixels = 0
    try:
        xobjects = page["/Resources"].get_object().get("/XObject") or {}
        for x in xobjects.get_object().values():
            x = x.get_object()
            if x.get("/Subtype") == "/Image":
                pixels += int(x.get("/Width", 0)) * int(x.get("/Height", 0))
    except (KeyError, AttributeError, TypeError, ValueError):
        pass
    if pixels > limits.max_image_pixels:
        raise IngestError(f"{label} page {number} holds images of {pixels / 1e6:.0f} megapixels, more than the limit of "
                          f"{limits.max_image_pixels / 1e6:.0f} megapixels; it looks like a decompression bomb and was not read.")


def _bomb(label: str, page: int = 0) -> str:
    where = f" on page {page}" if page else ""
    return (f"{label} has compressed content{where} that inflates past the reading limit; it looks like a "
            f"decompression bomb and was not read.")


def _render(data: bytes, indexes: list[int], label: str, limits: Limits):
    import pypdfium2 as pdfium

    try:
        with PDFIUM:
            pdf = pdfium.PdfDocument(data)
    except Exception as exc:
        raise IngestError(f"{label} has pages without text that could not be rendered for OCR ({type(exc).__name__}).") from None
    try:
        for i in indexes:
            with PDFIUM:
                page = pdf[i]
                try:
                    w, h = page.get_size()
                    # a page of a few inches renders at ocr_dpi; a huge MediaBox is scaled down, not rendered to gigapixels
                    scale = min(limits.ocr_dpi / 72, (MAX_RENDER_PIXELS / max(w * h, 1.0)) ** 0.5)
                    bitmap = page.render(scale=scale, grayscale=True)
                    try:
                        image = bitmap.to_pil().copy()  # our own pixels, so the bitmap is freed here, under the lock
                    finally:
                        bitmap.close()
                finally:
                    page.close()
            yield i, image
    finally:
        with PDFIUM:
            pdf.close()
