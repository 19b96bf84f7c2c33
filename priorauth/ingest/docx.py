"""Word (DOCX): paragraphs and tables in document order, after checking the ZIP is not a bomb."""

from __future__ import annotations

import io
import zipfile

from priorauth.ingest.base import IngestError, Limits


def check_zip(data: bytes, label: str, limits: Limits) -> None:
    """Refuse before inflating anything: declared sizes and per-member ratios bound what reading would cost."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise IngestError(f"{label} is a damaged DOCX (not a readable ZIP archive).") from None
    total = sum(i.file_size for i in infos)
    worst = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
    if total > limits.max_unzipped_bytes or worst > limits.max_zip_ratio or len(infos) > 10000:
        raise IngestError(f"{label} is a DOCX that would inflate to {total // (1024 * 1024)} MB "
                          f"(compression ratio up to {worst:.0f}:1); it looks like a zip bomb and was not opened.")


def read_docx(data: bytes, label: str, limits: Limits) -> str:
    import docx
    from docx.table import Table

    check_zip(data, label, limits)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors... for damaged parts
        raise IngestError(f"{label} is a damaged DOCX ({type(exc).__name__}).") from None
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            blocks.extend(_table(item))
        else:
            blocks.append(item.text)
    return "\n".join(blocks).strip("\n")


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
