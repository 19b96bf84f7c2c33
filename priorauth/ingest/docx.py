"""Word (DOCX): paragraphs and tables in document order, after checking the ZIP is not a bomb."""

from __future__ import annotations

import io
import zipfile

from priorauth.ingest.base import IngestError, Limits
from priorauth.models import PageSpan


def check_zip(data: bytes, label: str, limits: Limits) -> None:
    """Refuse before inflating anything: declared sizes and per-member ratios bound what reading would cost."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise IngestError(f"{label} is a damaged DOCX (not a readable ZIP archive).") from None
    total = sum(i.file_size for i in infos)
    worst = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
    xml = sum(i.file_size for i in infos if i.filename.lower().endswith((".xml", ".rels")))
    if xml > limits.max_docx_xml_bytes and total <= limits.max_unzipped_bytes and worst <= limits.max_zip_ratio:
        raise IngestError(f"{label} is a DOCX whose text parts inflate to {xml / 1048576:.0f} MB, more than the limit of "
                          f"{limits.max_docx_xml_bytes // 1048576} MB; split it into smaller documents.")
    if total > limits.max_unzipped_bytes or worst > limits.max_zip_ratio or len(infos) > 10000:
        raise IngestError(f"{label} is a DOCX that would inflate to {total // (1024 * 1024)} MB "
                          f"(compression ratio up to {worst:.0f}:1); it looks like a zip bomb and was not opened.")


BREAKS = './/w:br[@w:type="page"] | .//w:lastRenderedPageBreak'


def read_docx(data: bytes, label: str, limits: Limits) -> tuple[str, list[PageSpan]]:
    """(text, pages): one line per paragraph or table row; a page starts at each paragraph holding a page break.

    Page breaks are Word's own (hard breaks and the breaks Word recorded when it
    last laid the document out), so page numbers match what the sender saw, to
    the paragraph.
    """
    import docx
    from docx.table import Table

    check_zip(data, label, limits)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors... for damaged parts
        raise IngestError(f"{label} is a damaged DOCX ({type(exc).__name__}).") from None
    blocks: list[str] = []
    starts = [0]
    offset = 0
    for item in document.iter_inner_content():
        lines = _table(item) if isinstance(item, Table) else [item.text]
        if not isinstance(item, Table) and offset > starts[-1] and item._p.xpath(BREAKS):
            starts.append(offset)
        for line in lines:
            blocks.append(line)
            offset += len(line) + 1
    text = "\n".join(blocks)
    stripped = text.rstrip("\n")
    starts = [s for s in starts if s < len(stripped)] or [0]
    ends = starts[1:] + [len(stripped)]
    return stripped, [PageSpan(page=i, start=a, end=b) for i, (a, b) in enumerate(zip(starts, ends), 1)]


def _table(table) -> list[str]:
    """One line per row, cells joined by ' | '; a merged cell repeats in python-docx, so repeats are dropped."""
    rows = []
    for row in table.rows:
        cells: list[str] = []
        seen = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(p.text for p in cell.paragraphs).strip())
        rows.append(" | ".join(cells))
    return rows
