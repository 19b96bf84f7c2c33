"""Attachment bytes -> note text. The one place that knows how documents are read.

Plain text is decoded here; every other format goes to the ingestion layer
(`priorauth.ingest.read_bytes`) when it is installed.
"""

from __future__ import annotations

import base64
import binascii
from typing import Optional

from priorauth.fhir.errors import FhirError


def decode_base64(data: object, element: str) -> bytes:
    """Strict base64 (RFC 4648 alphabet, padding required); whitespace is ignored as FHIR allows."""
    if not isinstance(data, str):
        raise FhirError(element, "attachment data must be a base64 string")
    try:
        return base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        raise FhirError(element, "attachment data is not valid base64") from None


def _media_type(content_type: Optional[str]) -> tuple[str, str]:
    """('text/plain', 'utf-8') from 'text/plain; charset=UTF-8'."""
    if not content_type:
        return "", "utf-8"
    parts = [p.strip() for p in content_type.split(";")]
    charset = next((p.split("=", 1)[1].strip('"') for p in parts[1:] if p.lower().startswith("charset=")), "utf-8")
    return parts[0].lower(), charset


def attachment_text(data: bytes, content_type: Optional[str], name: str, element: str) -> str:
    """The text of one attachment; FhirError naming `element` when it cannot be read."""
    media, charset = _media_type(content_type)
    if media in ("", "text/plain"):
        try:
            return data.decode(charset)
        except (UnicodeDecodeError, LookupError):
            raise FhirError(element, f"text attachment is not valid {charset}") from None
    try:
        from priorauth.ingest import IngestError, read_bytes
    except ImportError:
        raise FhirError(element, f"attachments of type {media} cannot be read by this installation (text/plain only)",
                        "not-supported") from None
    try:
        return read_bytes(data, name=name, content_type=media).text
    except IngestError as exc:
        raise FhirError(element, f"the {media} attachment could not be read ({exc})", "not-supported") from None
