"""C-CDA (HL7 CDA R2): header, coded sections and either body, parsed with defusedxml (no entities, no DTDs).

A structured body becomes the document title, then per section its title as a
header line and its narrative block (priorauth.ingest.narrative), with the
section's character range, LOINC code and role kept (`sections`), so an
allergy list is read as allergies whatever its title. The header gives the
document's date (effectiveTime, else the service event's or encounter's),
type (its LOINC document code, ccda_codes.json) and author.

An unstructured body (`nonXMLBody`) is decoded (base64, then deflate, gzip or
zlib as `compression` says, bounded by the upload size limit) and read by the
reader of what it holds (a PDF, text, HTML, RTF, an image). A body that is only
a `reference` to a URL or file is never fetched: the document is reported
missing (CcdaReference) with the reference, and the rest of the packet is
reviewed.

An XML fragment (a `section`, `component`, `structuredBody` or `nonXMLBody`
element, with or without a declaration or the HL7 namespace) is read the same
way, without a header.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Optional

from priorauth.ingest.base import IngestError
from priorauth.ingest.narrative import local, narrative_text
from priorauth.models import DocSection

FRAGMENT_ROOTS = ("section", "component", "structuredBody", "nonXMLBody")
ROOTS = ("ClinicalDocument",) + FRAGMENT_ROOTS
MEDIA_KINDS = {"application/pdf": "pdf", "text/plain": "text", "text/html": "html", "text/rtf": "rtf", "application/rtf": "rtf",
               "image/tiff": "image", "image/png": "image", "image/jpeg": "image"}


class CcdaReference(IngestError):
    """A C-CDA whose body is only referenced (a URL or file name), which is never fetched."""

    def __init__(self, message: str, reference: str) -> None:
        super().__init__(message)
        self.reference = reference


@dataclass(frozen=True)
class Codes:
    roles: frozenset[str]
    sections: dict[str, str]
    documents: dict[str, str]


@lru_cache(maxsize=1)
def codes() -> Codes:
    """ccda_codes.json, validated: every section maps to a known role, every document code to a type name."""
    raw = json.loads(resources.files("priorauth.ingest").joinpath("ccda_codes.json").read_text(encoding="utf-8"))
    roles = frozenset(raw["roles"])
    bad = {c: r for c, r in raw["sections"].items() if r not in roles}
    if bad:
        raise ValueError(f"ccda_codes.json: sections with roles outside `roles`: {bad}")
    if not all(isinstance(t, str) and t.isidentifier() for t in raw["documents"].values()):
        raise ValueError("ccda_codes.json: document types must be identifiers")
    return Codes(roles, dict(raw["sections"]), dict(raw["documents"]))


@dataclass
class Header:
    date: Optional[dt.date] = None
    date_from: Optional[str] = None
    type: Optional[str] = None
    code: Optional[str] = None
    author: Optional[str] = None


@dataclass
class Structured:
    """What a structured body gives: its text and coded sections."""

    text: str
    sections: list[DocSection] = field(default_factory=list)


@dataclass
class Unstructured:
    """A nonXMLBody: the embedded file's bytes and the reader it needs."""

    data: bytes
    kind: str


def parse(data: bytes, label: str):
    """The XML tree of a C-CDA document or fragment (IngestError for entities, damage or another XML)."""
    import defusedxml.ElementTree as ET
    from defusedxml import DefusedXmlException

    try:
        try:
            root = ET.fromstring(data)
        except ET.ParseError as exc:
            if "unbound prefix" not in str(exc):
                raise
            root = _wrapped(ET.fromstring(_WRAP % re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data)))
    except DefusedXmlException:
        raise IngestError(f"{label} is an XML file with entity or DTD declarations, which are refused for safety.") from None
    except ET.ParseError:
        raise IngestError(f"{label} is damaged XML that cannot be parsed.") from None
    if local(root.tag) not in ROOTS:
        raise IngestError(f"{label} is an XML file that is not an HL7 C-CDA ClinicalDocument.")
    return root


# A fragment cut from a document uses the document's prefixes (xsi:type, sdtc:) without declaring them
_WRAP = (b'<fragment xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:sdtc="urn:hl7-org:sdtc" '
         b'xmlns:cda="urn:hl7-org:v3">%s</fragment>')


def _wrapped(wrapper):
    elements = [c for c in wrapper if isinstance(c.tag, str)]
    return elements[0] if len(elements) == 1 else wrapper


def read_ccda(data: bytes, label: str, max_bytes: int) -> tuple[Header, "Structured | Unstructured"]:
    """The header and the body of a C-CDA document or fragment."""
    root = parse(data, label)
    header = read_header(root) if local(root.tag) == "ClinicalDocument" else Header()
    body = _child(root, "nonXMLBody") if local(root.tag) != "nonXMLBody" else root
    if body is None:
        component = _child(root, "component")
        body = _child(component, "nonXMLBody") if component is not None else None
    if body is not None:
        return header, _unstructured(body, label, max_bytes)
    sections = [s for s in root.iter() if local(s.tag) == "section"]
    if not sections:
        raise IngestError(f"{label} is a C-CDA document with neither narrative sections nor an unstructured body.")
    return header, _structured(root, sections)


def read_header(root) -> Header:
    """Date, type and author from the ClinicalDocument header."""
    h = Header()
    code = _child(root, "code")
    if code is not None and code.get("code"):
        h.code = code.get("code")
        h.type = codes().documents.get(h.code)
    for where, path in (("C-CDA header effectiveTime", ("effectiveTime",)),
                        ("C-CDA service event", ("documentationOf", "serviceEvent", "effectiveTime")),
                        ("C-CDA encounter", ("componentOf", "encompassingEncounter", "effectiveTime"))):
        h.date = _ts_date(_path(root, path))
        if h.date:
            h.date_from = where
            break
    author = _path(root, ("author", "assignedAuthor"))
    if author is not None:
        person = _path(author, ("assignedPerson", "name"))
        org = _path(author, ("representedOrganization", "name"))
        name = person if person is not None else org
        if name is not None:
            h.author = " ".join(" ".join(name.itertext()).split()) or None
    return h


def _structured(root, sections) -> Structured:
    table = codes().sections
    chunks: list[str] = []
    out: list[DocSection] = []
    length = 0

    def add(text: str) -> int:
        nonlocal length
        if chunks:
            chunks.append("\n\n")
            length += 2
        start = length
        chunks.append(text)
        length += len(text)
        return start

    title = _child(root, "title")
    if title is not None and "".join(title.itertext()).strip():
        add(" ".join("".join(title.itertext()).split()))
    parents = {c: p for p in root.iter() for c in p}
    roles: dict[object, Optional[str]] = {}
    for section in sections:
        code_el = _child(section, "code")
        code = code_el.get("code") if code_el is not None else None
        role = table.get(code or "") or _parent_role(section, parents, roles)
        roles[section] = role
        head = _child(section, "title")
        narrative = _child(section, "text")
        body = narrative_text(narrative) if narrative is not None else ""
        name = " ".join("".join(head.itertext()).split()) if head is not None else ""
        if not (name or body):
            continue
        text = "\n".join(x for x in (f"{name}:" if name else "", body) if x)
        start = add(text)
        out.append(DocSection(start=start, end=start + len(text), code=code, title=name or None, role=role))
    return Structured("".join(chunks), out)


def _parent_role(section, parents, roles) -> Optional[str]:
    node = parents.get(section)
    while node is not None:
        if node in roles:
            return roles[node]
        node = parents.get(node)
    return None


def _unstructured(body, label: str, max_bytes: int) -> Unstructured:
    text = _child(body, "text")
    if text is None:
        raise IngestError(f"{label} is a C-CDA document whose unstructured body is empty.")
    ref = _child(text, "reference")
    raw = "".join(t for t in (text.text, *(c.tail for c in text)) if t).strip()
    if ref is not None and not raw:
        target = (ref.get("value") or "").strip()
        raise CcdaReference(f"{label} is a C-CDA document whose body is only referenced ({target[:200] or 'no address'}), "
                            f"not included; it was not fetched and is missing from the packet.", target)
    media = (text.get("mediaType") or "text/plain").split(";")[0].strip().lower()
    kind = MEDIA_KINDS.get(media)
    if kind is None:
        raise IngestError(f"{label} is a C-CDA document whose unstructured body is {media}, which is not supported.")
    if (text.get("representation") or "TXT").upper() == "B64":
        try:
            data = base64.b64decode("".join(raw.split()), validate=True)
        except (binascii.Error, ValueError):
            raise IngestError(f"{label} is a C-CDA document whose base64 body is damaged.") from None
    else:
        data = raw.encode("utf-8")
    compression = (text.get("compression") or "").upper()
    if compression:
        data = _inflate(data, compression, label, max_bytes)
    if not data.strip():
        raise IngestError(f"{label} is a C-CDA document whose unstructured body is empty.")
    return Unstructured(data, kind)


WBITS = {"DF": -15, "ZL": 15, "GZ": 31}


def _inflate(data: bytes, compression: str, label: str, max_bytes: int) -> bytes:
    """Decompress, refusing past `max_bytes` (a small body may inflate to gigabytes)."""
    wbits = WBITS.get(compression)
    if wbits is None:
        raise IngestError(f"{label} is a C-CDA document compressed with {compression[:10]}, which is not supported.")
    d = zlib.decompressobj(wbits)
    try:
        out = d.decompress(data, max_bytes + 1)
    except zlib.error:
        raise IngestError(f"{label} is a C-CDA document whose compressed body is damaged.") from None
    if len(out) > max_bytes or d.unconsumed_tail:
        raise IngestError(f"{label} is a C-CDA document whose body inflates past the upload limit "
                          f"({max_bytes // 1048576} MB, PRIORAUTH_MAX_UPLOAD_MB); it was not read.")
    return out


def _ts_date(el) -> Optional[dt.date]:
    """The date of an HL7 TS (YYYYMMDD[HHMM[SS]][+-ZZZZ]); an interval's low, else its high."""
    if el is None:
        return None
    value = el.get("value")
    if not value:
        for part in ("low", "high"):
            sub = _child(el, part)
            if sub is not None and sub.get("value"):
                value = sub.get("value")
                break
    if not value or len(value) < 8 or not value[:8].isdigit():
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None


def _child(el, name: str):
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def _path(el, names: tuple[str, ...]):
    for n in names:
        if el is None:
            return None
        el = _child(el, n)
    return el
