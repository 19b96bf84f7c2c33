"""Validate a labeled set before trusting numbers computed on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional

from pydantic import ValidationError

from priorauth.codes import code_table
from priorauth.guidelines import route, using
from priorauth.ingest import IngestError
from priorauth.ingest.cases import load_documents
from priorauth.jsonl import loads, read_lines
from priorauth.models import Case
from priorauth.rules.catalog import catalog

REASONS = {"negated", "family", "historical", "hypothetical", "other_patient_context"}


def _criterion_known(cid: str) -> bool:
    """An id of the guideline's criteria (criteria.json)."""
    return cid in catalog().order


def _guideline_of(case: Case) -> Optional[str]:
    """The guideline a case is reviewed under: the one covering its first routed code (else the default)."""
    routes = route(case.request.cpt_codes, case.request.service_date or case.request.request_date)
    return routes[0].guideline.ref if routes else None


def check_file(path: Path) -> list[dict[str, Any]]:
    """Problems found, each with its line number; an empty list means the set is consistent."""
    problems: list[dict[str, Any]] = []
    seen: dict[str, int] = {}

    def add(line: int, case_id: Any, problem: str) -> None:
        problems.append({"line": line, "case_id": case_id, "problem": problem})

    for line in read_lines(path):
        n, raw = line.number, line.text
        if line.problem:
            add(n, None, line.problem)
            continue
        if not raw.strip():
            continue
        try:
            data = loads(raw)
        except ValueError as exc:
            add(n, None, f"not JSON: {getattr(exc, 'msg', str(exc))}")
            continue
        cid = data.get("id") if isinstance(data, dict) else None
        gold = data.get("gold") if isinstance(data, dict) else None
        if isinstance(gold, dict) and gold.get("decision") not in ("meets_criteria", "not_met", "incomplete"):
            add(n, cid, f"unknown decision {gold.get('decision')!r}")
            continue
        try:
            case = Case.model_validate(load_documents(data, path.parent) if isinstance(data, dict) else data)
        except ValidationError as exc:
            add(n, cid, "invalid case: " + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5]))
            continue
        except IngestError as exc:
            add(n, cid, str(exc))
            continue
        for u in case.unreadable:
            add(n, case.id, f"document {u.doc} could not be read: {u.error}")
        if case.id in seen:
            add(n, case.id, f"duplicate id (first on line {seen[case.id]})")
        seen.setdefault(case.id, n)
        if case.gold is None:
            continue
        with using(_guideline_of(case)):  # codes and criteria are those of the case's own guideline
            _check_gold(case, add, n)
    return problems


def _check_gold(case: Case, add: Callable[[int, Any, str], None], n: int) -> None:
    """Problems of one case's labels, against the codes and criteria of the guideline active here."""
    assert case.gold is not None
    docs = {d.id: d.text for d in case.documents}
    entries = [("finding", f.code, None, f.evidence) for f in case.gold.findings]
    entries += [("distractor", d.code, d.reason, d.evidence) for d in case.gold.distractors]
    for kind, code, reason, evidence in entries:
        if code not in code_table().contract:
            add(n, case.id, f"unknown {kind} code {code!r}")
        if reason is not None and reason not in REASONS:
            add(n, case.id, f"unknown distractor reason {reason!r} for {code}")
        if kind == "finding" and not evidence:
            add(n, case.id, f"finding {code} has no evidence")
        for e in evidence:
            if e.doc not in docs:
                add(n, case.id, f"{kind} {code}: span names unknown document {e.doc!r}")
            elif docs[e.doc][e.start:e.end] != e.text:
                add(n, case.id, f"{kind} {code}: text[{e.start}:{e.end}] is {docs[e.doc][e.start:e.end]!r}, not {e.text!r}")
    therapy = case.gold.conservative_therapy
    for comp in therapy.components if therapy else []:
        if code_table().therapy.get(comp.kind) != comp.category:
            add(n, case.id, f"conservative therapy component {comp.kind!r} ({comp.category}) is not a care code of the guideline")
    codes = [f.code for f in case.gold.findings]
    for dup in sorted({c for c in codes if codes.count(c) > 1}):
        add(n, case.id, f"finding code {dup} listed more than once")
    for cid2 in case.gold.criteria:
        if not _criterion_known(cid2):
            add(n, case.id, f"unknown criterion id {cid2!r}")
