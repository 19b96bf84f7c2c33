"""Plain text in the encodings clinics actually send: UTF-8 (with or without BOM), UTF-16 with BOM, Windows-1252."""

from __future__ import annotations

import codecs

from priorauth.ingest.base import IngestError

# Control characters that never occur in a typed note (NUL, etc.); tab, newline, CR, form feed are fine.
_BINARY = {c for c in range(32) if c not in (9, 10, 12, 13)}


def decode(data: bytes, label: str) -> tuple[str, str]:
    """(text, encoding). Line endings become \\n, as Python's text mode would; the BOM is dropped."""
    if data.startswith(codecs.BOM_UTF8):
        text, enc = _strict(data[3:], "utf-8", label), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, enc = _strict(data, "utf-16", label), "utf-16"
    else:
        if b"\x00" in data:
            raise IngestError(f"{label} looks like a binary file in an unsupported format (or UTF-16 text without a byte-order mark).")
        try:
            text, enc = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, enc = _cp1252(data), "cp1252"
    if any(ord(ch) in _BINARY for ch in text[:65536]):
        raise IngestError(f"{label} contains control characters and looks like a binary file in an unsupported format.")
    return text.replace("\r\n", "\n").replace("\r", "\n"), enc


def _strict(data: bytes, encoding: str, label: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise IngestError(f"{label} declares {encoding} with a byte-order mark but is not valid {encoding}.") from None


def _latin1_fallback(exc: UnicodeDecodeError) -> tuple[str, int]:
    bad = exc.object[exc.start:exc.end]
    return bad.decode("latin-1"), exc.end


codecs.register_error("priorauth-latin1", _latin1_fallback)


def _cp1252(data: bytes) -> str:
    """Windows-1252 (what 'latin-1' text from Windows really is); its five undefined bytes fall back to Latin-1."""
    return data.decode("cp1252", errors="priorauth-latin1")
