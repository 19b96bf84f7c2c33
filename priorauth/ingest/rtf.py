"""RTF via striprtf; the bytes are ASCII with escapes, decoded as the Windows code page RTF defaults to."""

from __future__ import annotations

import codecs

from priorauth.ingest.base import IngestError, tidy_lines


def _decode(data: bytes) -> str:
    """A byte-order mark says how the file was saved (UTF-16 by some editors); without one, cp1252 as RTF says."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    return data.decode("cp1252", errors="replace")


def read_rtf(data: bytes, label: str) -> str:
    from striprtf.striprtf import rtf_to_text

    raw = _decode(data)
    try:
        text = rtf_to_text(raw, encoding="cp1252", errors="replace")
    except Exception as exc:
        raise IngestError(f"{label} is a damaged RTF document ({type(exc).__name__}).") from None
    return tidy_lines(text)
