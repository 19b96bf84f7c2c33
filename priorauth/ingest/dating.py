"""A document's own date when the case gives none: the note's header, else the file's metadata.

The header is the date the note states it was written or the visit took
place ('Date of Service: 03/12/2013', 'DOS', a dated first line), read by the
extractor's own date_of_service so a file and a pasted note agree, else a
report's labelled date near its top ('Date of Discharge', 'Report Date',
'Date of Procedure'). The
metadata is the PDF's /CreationDate or the DOCX core property `created`: when
the file was made, which for a scan or an export can be later than the visit,
never earlier, so it is used only without a header date, and a metadata date
in the future is ignored. A C-CDA's header (effectiveTime) is read by
priorauth.ingest.ccda.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Optional

METADATA_DATE = "the file's metadata (created)"
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})(\d{2})")
_W3C_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def own_date(text: str, kind: str, data: bytes) -> tuple[Optional[dt.date], Optional[str]]:
    """(date, where it came from) for a PDF, DOCX, RTF, HTML or text file; (None, None) when nothing says."""
    from priorauth.extract.dates import date_of_service

    stated = date_of_service(text) or _report_date(text)
    if stated is not None:
        return stated, "the note's header"
    meta = pdf_created(data) if kind == "pdf" else docx_created(data) if kind == "docx" else None
    if meta is not None and meta <= dt.date.today():
        return meta, METADATA_DATE
    return None, None


def _report_date(text: str) -> Optional[dt.date]:
    """A report's own labelled date in its header ('Date of Discharge: 03/26/2009', 'Report Date', 'Date of Procedure')."""
    from priorauth.extract.dates import _FULL_DATE, parse_date

    m = re.search(rf"\b(?:date of (?:discharge|admission|report|study|procedure|surgery|operation|dictation)|"
                  rf"(?:discharge|admission|report|study|procedure|surgery|dictation|reported|dictated) date|"
                  rf"date reported|date dictated)\b\s*[:#-]?\s*(?P<d>{_FULL_DATE})", text[:1500], re.I)
    if m is None:
        return None
    iso = _W3C_DATE.match(m["d"])
    return _date(iso) if iso else parse_date(m["d"], None)


def pdf_created(data: bytes) -> Optional[dt.date]:
    """The PDF's /CreationDate (D:YYYYMMDD...), else None."""
    from pypdf import PdfReader

    try:
        info = PdfReader(io.BytesIO(data)).metadata
        raw = str(info.get("/CreationDate") or "") if info else ""
    except Exception:  # damaged or encrypted metadata: no date, the text was already read
        return None
    return _date(_PDF_DATE.match(raw.strip()))


def docx_created(data: bytes) -> Optional[dt.date]:
    """docProps/core.xml's dcterms:created, else None (the archive was already checked against zip bombs)."""
    import defusedxml.ElementTree as ET

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            core = z.read("docProps/core.xml") if "docProps/core.xml" in z.namelist() else None
        if core is None or len(core) > 1_000_000:
            return None
        root = ET.fromstring(core)
    except Exception:
        return None
    for el in root:
        if el.tag.endswith("}created") and el.text:
            return _date(_W3C_DATE.match(el.text.strip()))
    return None


def _date(m) -> Optional[dt.date]:
    if m is None:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
