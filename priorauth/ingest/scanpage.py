"""One scanned page: skip it when blank, else OCR it, timed, with hyphenated line ends rejoined; and the log of a file's pages.

A blank page (a fax cover's back, a separator sheet) holds nothing to read,
but Tesseract still spends seconds on it: a page is blank when, at half
resolution (averaging 2x2 pixels turns an isolated speck of scanner noise
light grey, while a pen or print stroke stays dark), fewer than BLANK_INK of
its pixels are dark. A single printed
line ('Page 2 of 3', a fax header) is more ink than that, so such pages are
still read. Each OCR'd page's seconds are kept for the file's report.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from PIL import Image

from priorauth.ingest.base import reflow
from priorauth.ingest.hyphen import dehyphenate, moved
from priorauth.ingest.ocr import Word, ocr_page

BLANK_INK = 0.0002  # share of dark pixels below which a page is blank (a 12-character line at 300 dpi is about 0.05%)


@dataclass
class PageLog:
    """What reading a file's pages did: the engine of each page, OCR seconds per page, blank pages skipped."""

    engines: list[str] = field(default_factory=list)
    ocr_seconds: dict[int, float] = field(default_factory=dict)
    blank_pages: list[int] = field(default_factory=list)

    def report(self, ocr_pages: list[int]) -> dict:
        """The Ingested fields: seconds aligned with `ocr_pages`."""
        return {"engines": self.engines, "blank_pages": sorted(self.blank_pages),
                "ocr_seconds": [round(self.ocr_seconds.get(p, 0.0), 3) for p in ocr_pages]}


def blank(image: Image.Image) -> bool:
    """No ink worth reading on the page (see the module docstring)."""
    gray = image.convert("L")
    small = gray.reduce(2) if min(gray.size) >= 200 else gray  # a lone black speck becomes light grey, a stroke stays dark
    dark = sum(small.histogram()[:128])
    return dark < BLANK_INK * small.width * small.height


def ocr_scan(image: Image.Image, label: str, page: int, log: PageLog) -> tuple[str, list[Word]]:
    """(text, words) of a page that needs OCR; ("", []) for a blank page, which is logged and not OCR'd."""
    if blank(image):
        log.blank_pages.append(page)
        return "", []
    t0 = time.perf_counter()
    text, words = ocr_page(image, label)
    log.ocr_seconds[page] = time.perf_counter() - t0
    text, removed = dehyphenate(text)
    if removed:
        words = [Word(moved(w.start, removed), moved(w.end, removed), w.confidence, w.box) for w in words]
    return reflow(text), words
