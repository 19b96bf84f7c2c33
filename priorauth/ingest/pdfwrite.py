"""A minimal text-layer PDF writer (Courier, Letter pages), so the example packet and tests need no PDF library.

Only what a clinic's "print to PDF" of a plain note produces: wrapped lines of
Latin-1 text, N lines per page. Not used to read anything.
"""

from __future__ import annotations

import textwrap

WIDTH, HEIGHT, MARGIN, SIZE, LEADING = 612, 792, 54, 10, 13
COLUMNS = int((WIDTH - 2 * MARGIN) / (SIZE * 0.6))
LINES_PER_PAGE = int((HEIGHT - 2 * MARGIN) / LEADING)


def _escape(line: str) -> bytes:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("cp1252", errors="replace")


def paginate(text: str, lines_per_page: int = LINES_PER_PAGE) -> list[list[str]]:
    """Wrap to the page width; a form feed forces a new page."""
    pages = []
    for chunk in text.split("\f"):
        lines = [w for para in chunk.split("\n") for w in (textwrap.wrap(para, COLUMNS) or [""])]
        pages.extend(lines[i:i + lines_per_page] for i in range(0, max(len(lines), 1), lines_per_page))
    return pages


def text_pdf(text: str, lines_per_page: int = LINES_PER_PAGE) -> bytes:
    """A PDF whose pages carry `text` as real text (extractable, not an image)."""
    pages = paginate(text, lines_per_page)
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"",
                            b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>"]
    kids = []
    for lines in pages:
        body = b"BT /F1 %d Tf %d TL %d %d Td " % (SIZE, LEADING, MARGIN, HEIGHT - MARGIN)
        body += b" ".join(b"(" + _escape(line) + b") Tj T*" for line in lines) + b" ET"
        objects.append(b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> "
                       b"/Contents %d 0 R >>" % (WIDTH, HEIGHT, len(objects)))
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    return _assemble(objects)


def form_pdf(rows: list[list[str]], widths: list[int]) -> bytes:
    """A one-page form: each cell drawn on its own at its column's position, the cells of a row right to left.

    That is how many lab and EHR report generators draw a table; a reader that follows the content stream
    glues such a row backwards ('LABREFERENCE INTERVALUNITS...'), one that follows positions reads it in order.
    """
    ops = []
    y = HEIGHT - MARGIN
    for row in rows:
        xs = [MARGIN + sum(widths[:i]) for i in range(len(row))]
        for x, cell in sorted(zip(xs, row), reverse=True):
            ops.append(b"BT /F1 %d Tf %d %d Td (%s) Tj ET" % (SIZE, x, y, _escape(cell)))
        y -= LEADING
    body = b" ".join(ops)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
               b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
               % (WIDTH, HEIGHT)]
    return _assemble(objects)


def _assemble(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def main(argv: list[str] | None = None) -> None:
    """python -m priorauth.ingest.pdfwrite NOTE.txt OUT.pdf [LINES_PER_PAGE]"""
    import sys
    from pathlib import Path

    args = sys.argv[1:] if argv is None else argv
    src, dst = Path(args[0]), Path(args[1])
    per_page = int(args[2]) if len(args) > 2 else LINES_PER_PAGE
    dst.write_bytes(text_pdf(src.read_text(encoding="utf-8"), per_page))


if __name__ == "__main__":
    main()
