"""Which reader a file needs, decided from its first bytes; the name and content type only break ties."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Optional

from priorauth.ingest.base import IngestError

_HTML = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|p|div|table|h[1-6])[\s>/]", re.I | re.S)
_XML = re.compile(rb"^\s*<\?xml", re.I)
_CCDA_ROOT = re.compile(rb"<(\w+:)?ClinicalDocument[\s>]")
# The first element after any declaration, processing instructions and comments: a C-CDA fragment starts with one of these
_FIRST_ELEMENT = re.compile(rb"^\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*)*<(?:\w+:)?(section|component|structuredBody|nonXMLBody)[\s>/]", re.S)
_CDA_MARK = re.compile(rb"urn:hl7-org:v3|<(?:\w+:)?(?:templateId|text|structuredBody|nonXMLBody)[\s>/]")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _strip_bom(head: bytes) -> bytes:
    for bom in _BOMS:
        if head.startswith(bom):
            return head[len(bom):]
    return head


def detect(data: bytes, label: str, name: Optional[str] = None, content_type: Optional[str] = None) -> str:
    """One of pdf, image, docx, rtf, ccda, html, text; raises IngestError for what we cannot read."""
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")):
        return "image"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if _is_docx(data) else _fail(label, "is a ZIP archive that is not a Word (DOCX) document")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        _fail(label, "is a legacy (.doc) or password-protected Microsoft Office file; save it as DOCX or PDF without a password")
    if head.startswith((b"GIF8", b"BM", b"%!PS", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")):
        _fail(label, "is in an unsupported format; send PDF, TIFF, PNG, JPEG, DOCX, RTF, HTML, C-CDA or text")
    text_head = _strip_bom(head)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: look at it as ASCII to sniff the markup
        text_head = text_head.replace(b"\x00", b"")
    if text_head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    if _CCDA_ROOT.search(text_head) or (_XML.match(text_head) and _CCDA_ROOT.search(data[:65536].replace(b"\x00", b""))):
        return "ccda"
    if _FIRST_ELEMENT.match(text_head) and _CDA_MARK.search(data[:65536]):
        return "ccda"  # a C-CDA section or body without its ClinicalDocument, declared or not (not an HTML <section>)
    if _XML.match(text_head) and not re.search(rb"<html", text_head, re.I):
        _fail(label, "is an XML file that is not a C-CDA ClinicalDocument")
    if _HTML.match(text_head):
        return "html"
    hint = (content_type or "").lower() + " " + (name or "").lower()
    if ("html" in hint or hint.rstrip().endswith(".htm")) and re.search(rb"<[a-z]+[\s>]", text_head, re.I):
        return "html"
    return "text"


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def _fail(label: str, problem: str):
    raise IngestError(f"{label} {problem}.")
