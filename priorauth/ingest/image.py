"""Scanned pages and faxes: PNG, JPEG and (multi-page) TIFF, OCR'd page by page with Tesseract."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from priorauth.ingest.base import IngestError, Limits, Part, check_page_count
from priorauth.ingest.scanpage import PageLog, ocr_scan


def read_image(data: bytes, label: str, limits: Limits):
    """(part, ocr_pages, words_by_page, log) like read_pdf; every page is OCR'd unless blank."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            img.load()
            n = getattr(img, "n_frames", 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise IngestError(f"{label} is an image too large to process safely.") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise IngestError(f"{label} is a damaged or unsupported image ({type(exc).__name__}).") from None
    check_page_count(label, n, limits)
    if n > limits.max_ocr_pages:
        raise IngestError(f"{label} has {n} image pages, more than the OCR limit of {limits.max_ocr_pages} "
                          f"(PRIORAUTH_MAX_OCR_PAGES).")
    part, words_by_page, log = Part(), {}, PageLog()
    try:
        for i, frame in enumerate(ImageSequence.Iterator(img), 1):
            _check_pixels(label, i, frame.size, limits)  # a later frame's size is known before its pixels are decoded
            text, words = ocr_scan(_square_pixels(frame, label, i, limits), f"{label} page {i}", i, log)
            start = part.add_page(text, i)
            if i not in log.blank_pages:
                words_by_page[i] = (start, words)
            log.engines.append("blank" if i in log.blank_pages else "ocr")
    except OSError as exc:
        raise IngestError(f"{label} has a damaged page ({type(exc).__name__}).") from None
    if not part.text.strip():
        raise IngestError(f"{label} is an image in which OCR found no text.")
    return part, sorted(words_by_page), words_by_page, log


def _check_pixels(label: str, page: int, size: tuple[int, int], limits: Limits, after: str = "") -> None:
    """Every page, and every page after resampling, stays within the pixel limit (memory is about 10 bytes a pixel in OCR)."""
    pixels = size[0] * size[1]
    if pixels > limits.max_image_pixels:
        raise IngestError(f"{label} page {page} is {size[0]}x{size[1]} pixels{after}, more than the limit of "
                          f"{limits.max_image_pixels / 1e6:.0f} megapixels; it was not read.")


def _square_pixels(frame: Image.Image, label: str, page: int, limits: Limits) -> Image.Image:
    """Standard-resolution faxes are 204x98 dpi; stretch them to square pixels or Tesseract reads squashed letters."""
    dpi = frame.info.get("dpi")
    frame = ImageOps.exif_transpose(frame).convert("L")  # phone photos of a page carry their rotation in EXIF
    try:
        x, y = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError, IndexError):
        return frame
    if x > 0 and y > 0 and abs(x - y) / max(x, y) > 0.1:
        scale = max(x, y)
        size = (round(frame.width * scale / x), round(frame.height * scale / y))
        _check_pixels(label, page, size, limits, f" once its {x:g}x{y:g} dpi resolution is made square")
        frame = frame.resize((round(frame.width * scale / x), round(frame.height * scale / y)), Image.LANCZOS)
    return frame
