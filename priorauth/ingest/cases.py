"""Cases whose documents name a file (`path`, relative to the cases file) instead of carrying `text`.

This is the one place where paths are resolved, so batch review, evaluate and
anything else that reads cases agree on what a `path` means.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from priorauth.ingest import IngestError, Limits, read_path
from priorauth.jsonl import loads
from priorauth.models import Case, SourceFile


def load_documents(case: dict[str, Any], base_dir: Optional[Path], limits: Optional[Limits] = None) -> dict[str, Any]:
    """A copy of the raw case whose `path` documents are read into text, pages and source.

    A document that cannot be read is dropped from `documents` and listed in
    `unreadable` with the reason, so the rest of the packet is still reviewed.
    When every document was given by path and none could be read, IngestError.
    `base_dir=None` refuses paths altogether (for cases from untrusted callers).
    """
    docs = case.get("documents")
    if not isinstance(docs, list) or not any(isinstance(d, dict) and "path" in d for d in docs):
        return case
    out, unreadable = [], list(case.get("unreadable") or [])
    for n, d in enumerate(docs, 1):
        if not (isinstance(d, dict) and "path" in d):
            out.append(d)
            continue
        raw_path = d.get("path")
        doc_id = str(d.get("id") or (Path(raw_path).name if isinstance(raw_path, str) else f"document-{n}"))
        rest = {k: v for k, v in d.items() if k != "path"}
        try:
            if not isinstance(raw_path, str) or not raw_path:
                raise IngestError(f"document {doc_id} has a `path` that is not a file name.")
            if "text" in d:
                raise IngestError(f"document {doc_id} gives both `text` and `path`; give one.")
            if base_dir is None:
                raise IngestError(f"document {doc_id} names a file, which is not allowed here.")
            ing = read_path(Path(base_dir) / raw_path, limits=limits, isolate=True)
        except IngestError as exc:
            unreadable.append(SourceFile(doc=doc_id, name=raw_path if isinstance(raw_path, str) else None,
                                         error=str(exc), reference=getattr(exc, "reference", None)).model_dump())
            continue
        # the case's own type and date win; without them the file's header or metadata give them
        own_date = rest.get("date") is not None
        doc = ing.to_document(doc_id, type=rest.get("type"), date=None).model_dump(
            mode="json", exclude={"date"} if own_date else None)
        if own_date:
            doc["source"]["date_from"] = None
        doc["source"]["name"] = raw_path
        out.append({**rest, **doc, "id": doc_id})
    if not out and unreadable:
        raise IngestError(f"no document of case {case.get('id')} could be read: "
                          + "; ".join(u["error"].rstrip(".") for u in unreadable) + ".")
    return {**case, "documents": out, "unreadable": unreadable}



def load_case(raw: str, base_dir: Optional[Path], limits: Optional[Limits] = None) -> Case:
    """Parse one cases-JSONL line, reading any documents given by path (ValueError on a bad line)."""
    try:
        data = loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ValueError("a case must be a JSON object")
    return Case.model_validate(load_documents(data, base_dir, limits))
