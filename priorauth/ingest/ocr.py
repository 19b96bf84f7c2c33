"""Tesseract OCR of one page image: the text in reading order plus every word's box and confidence.

The text is built here from Tesseract's word table (not its plain-text output),
so each word's character offsets in our text are known exactly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from PIL import Image

from priorauth.ingest.base import IngestError
from priorauth.ingest.privatetmp import ensure_private_tmp

# Tesseract's OpenMP threads fight each other (and other work) on small shared machines: one thread per
# page measured about 3x faster here (benchmarks/ingest.py). An explicit setting by the operator wins.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
PAGE_TIMEOUT_S = 180  # one page; a dense Letter page takes 3-12 s


@dataclass
class Word:
    start: int
    end: int
    confidence: float
    box: tuple[int, int, int, int]


def ocr_page(image: Image.Image, label: str) -> tuple[str, list[Word]]:
    """(text, words) of one page; lines and paragraphs end with \\n, blocks are separated by a blank line.

    Faxed and scanned pages arrive sideways or upside down: when a first pass
    reads little or with low confidence, Tesseract's orientation detection
    decides whether to turn the page (180 degrees when it cannot tell) and read
    it again; the better reading wins.
    """
    ensure_private_tmp()  # pytesseract writes the page image and Tesseract's output to tempfile's directory
    if image.mode not in ("L", "RGB"):
        image = image.convert("L")
    text, words = _read(image, label)
    if len(words) < 8 or sum(w.confidence for w in words) / max(len(words), 1) < 50:
        angle = _orientation(image) or 180  # too little text for orientation detection: upside down is the usual fax mistake
        if angle:
            turned = _read(image.rotate(-angle, expand=True, fillcolor=255 if image.mode == "L" else (255, 255, 255)), label)
            if _score(turned[1]) > _score(words):
                return turned
    return text, words


def _score(words: list[Word]) -> float:
    return sum(max(w.confidence, 0.0) * (w.end - w.start) for w in words)


def _orientation(image: Image.Image) -> int:
    """Degrees (0, 90, 180, 270) to turn the page counterclockwise-back to upright; 0 when unsure or unavailable."""
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(image, output_type=pytesseract.Output.DICT, timeout=PAGE_TIMEOUT_S)
    except (pytesseract.TesseractError, RuntimeError, OSError):  # too little text to tell, or no osd data
        return 0
    return int(osd.get("rotate", 0)) if float(osd.get("orientation_conf", 0)) >= 2 else 0


def _read(image: Image.Image, label: str) -> tuple[str, list[Word]]:
    import pytesseract

    try:
        data = pytesseract.image_to_data(image, lang="eng", config="--psm 3", output_type=pytesseract.Output.DICT,
                                         timeout=PAGE_TIMEOUT_S)
    except pytesseract.TesseractNotFoundError:
        raise IngestError(f"{label} needs OCR, but Tesseract is not installed (Debian package tesseract-ocr).") from None
    except RuntimeError as exc:
        if "timeout" in str(exc).lower():
            raise IngestError(f"{label} took longer than {PAGE_TIMEOUT_S} s to OCR and was not read.") from None
        raise IngestError(f"{label} could not be OCR'd ({type(exc).__name__}).") from None
    except (pytesseract.TesseractError, OSError) as exc:
        raise IngestError(f"{label} could not be OCR'd ({type(exc).__name__}).") from None
    out: list[str] = []
    words: list[Word] = []
    length = 0
    last_par = last_line = None
    for i, token in enumerate(data["text"]):
        token = (token or "").strip()
        if data["level"][i] != 5 or not token:
            continue
        par = (data["page_num"][i], data["block_num"][i], data["par_num"][i])
        line = par + (data["line_num"][i],)
        sep = "" if last_line is None else ("\n\n" if par[:2] != last_par[:2] else "\n" if line != last_line else " ")
        out.append(sep)
        length += len(sep)
        words.append(Word(length, length + len(token), float(data["conf"][i]),
                          (int(data["left"][i]), int(data["top"][i]), int(data["width"][i]), int(data["height"][i]))))
        out.append(token)
        length += len(token)
        last_par, last_line = par, line
    return "".join(out), words
