"""A CDA narrative block (section/text) as text laid out the way its author structured it.

The CDA R2 narrative block is markup, not preformatted text: the whitespace
of the XML (indentation, line wraps of a pretty-printer) means nothing, so
every run of it is one space. Lines come from the structure instead: each
`paragraph`, list `item`, `caption` and table row (`tr`) is a line, `br` is a
line break, and a row's cells (`td`, `th`) are separated by " | ". Inside a
cell the structure cannot end the row's line, so a paragraph, item or break
there becomes "; ". `content`, `linkHtml`, `sub`, `sup` and footnotes are
inline; content marked `revised="delete"` is deleted text and is dropped;
`renderMultiMedia` (a picture) shows only its caption. A pretty-printed
document and the same document with its whitespace collapsed read the same.
"""

from __future__ import annotations

import re

BLOCKS = {"paragraph", "list", "item", "table", "caption", "thead", "tbody", "tfoot", "tr", "text"}
CELLS = {"td", "th"}
SKIP = {"col", "colgroup"}
_SPACE = re.compile(r"\s+")


def local(tag) -> str:
    """An element's name without its namespace ('{urn:hl7-org:v3}td' -> 'td'); comments and PIs give ''."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def narrative_text(element) -> str:
    """The narrative block's text: one line per paragraph, item, caption or row, whitespace collapsed."""
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        line = _SPACE.sub(" ", "".join(buf)).strip()
        buf.clear()
        if line:
            lines.append(line)

    def walk(node) -> None:
        tag = local(node.tag)
        if tag in SKIP or node.get("revised") == "delete" or not tag:
            return
        if tag == "br":
            flush()
            return
        if tag == "tr":
            flush()
            lines.append(_row(node))
            return
        if tag == "renderMultiMedia":
            caption = next((c for c in node if local(c.tag) == "caption"), None)
            if caption is not None:
                buf.append(" " + _inline(caption) + " ")
            return
        block = tag in BLOCKS
        if block:
            flush()
        buf.append(node.text or "")
        for child in node:
            walk(child)
            buf.append(child.tail or "")
        if block:
            flush()

    walk(element)
    flush()
    return "\n".join(lines)


def _row(tr) -> str:
    """A row's cells joined by ' | '; empty cells keep their place, except at the row's end."""
    cells = [_inline(cell) for cell in tr if local(cell.tag) in CELLS]
    while cells and not cells[-1]:
        cells.pop()
    return " | ".join(cells)


def _inline(node) -> str:
    """An element's text on one line: breaks, paragraphs, items and nested rows inside it become '; '."""
    parts: list[str] = []

    def walk(n) -> None:
        tag = local(n.tag)
        if tag in SKIP or n.get("revised") == "delete" or not tag:
            return
        if tag == "br" or tag in BLOCKS:
            parts.append("\x00")
        if tag != "br":
            parts.append(n.text or "")
            for child in n:
                walk(child)
                parts.append(child.tail or "")
                if local(child.tag) in CELLS:
                    parts.append(" | ")
        if tag in BLOCKS:
            parts.append("\x00")

    walk(node)
    text = _SPACE.sub(" ", "".join(parts).replace(" | \x00", "\x00"))
    pieces = [p.strip(" |").strip() for p in text.split("\x00")]
    return "; ".join(p for p in pieces if p)
