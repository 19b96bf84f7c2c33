"""Attachment bytes -> Document. The one place that knows how attachments are read: base64 here,
formats in the ingestion layer (`priorauth.ingest.read_bytes`), which also keeps the page map."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Optional

from priorauth.fhir.errors import FhirError
from priorauth.ingest import IngestError, read_bytes
from priorauth.models import Document


def decode_base64(data: object, element: str) -> bytes:
    """Strict base64 (RFC 4648 alphabet, padding required); whitespace is ignored as FHIR allows."""
    if not isinstance(data, str):
        raise FhirError(element, "attachment data must be a base64 string")
    try:
        return base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        raise FhirError(element, "attachment data is not valid base64") from None


def attachment_document(data: bytes, content_type: Optional[str], doc_id: str, element: str, *,
                        type: Optional[str] = None, date: Optional[dt.date] = None) -> Document:
    """The Document of one attachment, read by the ingestion layer (text, PDF, images by OCR, DOCX, RTF, HTML, C-CDA)."""
    media = (content_type or "").split(";")[0].strip().lower() or None
    try:
        return read_bytes(data, name=doc_id, content_type=media, isolate=True).to_document(doc_id, type=type, date=date)
    except IngestError as exc:
        raise FhirError(element, f"the attachment cannot be read: {str(exc).rstrip('.')}", "not-supported") from None
    except Exception as exc:  # a reader library failing on odd bytes is still this attachment's problem
        raise FhirError(element, f"the attachment cannot be read ({type(exc).__name__})", "not-supported") from None
