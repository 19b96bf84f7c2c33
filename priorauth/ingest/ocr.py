"""Tesseract OCR of one page image: the text in reading order plus every word's box and confidence.

The text is built here from Tesseract's word table (not its plain-text output),
so each word's character offsets in our text are known exactly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from PIL import Image

from priorauth.ingest.base import IngestError


# Tesseract's OpenMP threads fight each other (and other work) on small shared machines: one thread per
# page measured about 3x faster here (benchmarks/ingest.py). An explicit setting by the operator wins.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@dataclass
class Word:
    start: int
    end: int
    confidence: float
    box: tuple[int, int, int, int]


def ocr_page(image: Image.Image, label: str) -> tuple[str, list[Word]]:
    """(text, words) of one page; lines and paragraphs end with \\n, blocks are separated by a blank line."""
    import pytesseract

    if image.mode not in ("L", "RGB"):
        image = image.convert("L")
    try:
        data = pytesseract.image_to_data(image, lang="eng", config="--psm 3", output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractNotFoundError:
        raise IngestError(f"{label} needs OCR, but Tesseract is not installed (Debian package tesseract-ocr).") from None
    except (pytesseract.TesseractError, RuntimeError, OSError) as exc:
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
