"""C-CDA: each section's title as a header line, then its narrative block as text (defusedxml, no entities)."""

from __future__ import annotations

import re

from priorauth.ingest.base import IngestError

NS = "{urn:hl7-org:v3}"
BLOCK = {"paragraph", "list", "item", "table", "tr", "thead", "tbody", "caption", "br"}
CELL = {"td", "th"}


def read_ccda(data: bytes, label: str) -> str:
    import defusedxml.ElementTree as ET
    from defusedxml import DefusedXmlException

    try:
        root = ET.fromstring(data)
    except DefusedXmlException:
        raise IngestError(f"{label} is an XML file with entity or DTD declarations, which are refused for safety.") from None
    except ET.ParseError:
        raise IngestError(f"{label} is damaged XML that cannot be parsed.") from None
    if root.tag != f"{NS}ClinicalDocument":
        raise IngestError(f"{label} is an XML file that is not an HL7 C-CDA ClinicalDocument.")
    sections = list(root.iter(f"{NS}section"))
    if not sections:
        raise IngestError(f"{label} is a C-CDA document without narrative sections (an unstructured body is not supported).")
    blocks: list[str] = []
    title = root.find(f"{NS}title")
    if title is not None and (title.text or "").strip():
        blocks.append(" ".join(title.text.split()))
    for section in sections:
        head = section.find(f"{NS}title")
        narrative = section.find(f"{NS}text")
        body = _narrative(narrative) if narrative is not None else ""
        name = " ".join("".join(head.itertext()).split()) if head is not None else ""
        if name or body:
            blocks.append("\n".join(x for x in (f"{name}:" if name else "", body) if x))
    return "\n\n".join(blocks)


def _narrative(element) -> str:
    out: list[str] = []

    def walk(node, in_row: list[bool]):
        tag = node.tag.replace(NS, "") if isinstance(node.tag, str) else ""
        if tag in BLOCK:
            out.append("\n")
        if tag in CELL:
            if in_row[0]:
                out.append(" | ")
            in_row[0] = True
        if tag == "tr":
            in_row = [False]
        if node.text and tag not in ("br",):
            out.append(node.text)
        for child in node:
            walk(child, in_row)
            if child.tail:
                out.append(child.tail)
        if tag in BLOCK:
            out.append("\n")

    walk(element, [False])
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(out).split("\n")]
    return re.sub(r"\n{2,}", "\n", "\n".join(lines)).strip("\n")
