"""Escaped, highlighted note text for the HTML pages; overlapping spans are allowed."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    css: str
    title: str
    ident: str = ""


def highlight(text: str, marks: list[Mark]) -> str:
    """`text` HTML-escaped, each segment covered by marks wrapped in one <mark>.

    Segments are cut at every mark boundary, so overlapping marks never produce
    crossed tags; the first segment of a mark carries its id as an anchor.
    """
    cuts = sorted({0, len(text)} | {m.start for m in marks} | {m.end for m in marks})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        if a >= b:
            continue
        piece = escape(text[a:b])
        active = [m for m in marks if m.start <= a and b <= m.end]
        if not active:
            out.append(piece)
            continue
        css = " ".join(sorted({m.css for m in active}))
        title = "; ".join(dict.fromkeys(m.title for m in active))
        anchors = "".join(f'<a id="{escape(m.ident)}"></a>' for m in active if m.ident and m.start == a)
        data = escape(" ".join(m.ident for m in active if m.ident))
        out.append(f'{anchors}<mark class="{escape(css)}" title="{escape(title)}" data-marks="{data}" tabindex="0">{piece}</mark>')
    return "".join(out)
