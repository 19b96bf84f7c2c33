"""RTF via striprtf; the bytes are ASCII with escapes, decoded as the Windows code page RTF defaults to."""

from __future__ import annotations

from priorauth.ingest.base import IngestError, tidy_lines


def read_rtf(data: bytes, label: str) -> str:
    from striprtf.striprtf import rtf_to_text

    raw = data.decode("cp1252", errors="replace")
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    try:
        text = rtf_to_text(raw, encoding="cp1252", errors="replace")
    except Exception as exc:
        raise IngestError(f"{label} is a damaged RTF document ({type(exc).__name__}).") from None
    return tidy_lines(text)
