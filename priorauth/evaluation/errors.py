"""Per-case error analysis: what was missed or added, where, and how the decision differs."""

from __future__ import annotations

import re
from typing import Any

from priorauth.evaluation.metrics import CaseScore
from priorauth.models import Case, EvidenceSpan, Review

BOUNDARY = re.compile(r"[\n.;!?]")


def sentence_of(text: str, start: int, end: int) -> str:
    """The sentence or line around a span, for a reader who has not opened the note."""
    left = max((m.end() for m in BOUNDARY.finditer(text, 0, start)), default=0)
    right = BOUNDARY.search(text, end)
    return text[left:right.end() if right else len(text)].strip()


def _span(s: EvidenceSpan, docs: dict[str, str]) -> dict[str, Any]:
    text = docs.get(s.doc, "")
    return {"doc": s.doc, "start": s.start, "end": s.end, "text": s.text, "sentence": sentence_of(text, s.start, s.end)}


def case_errors(case: Case, review: Review, score: CaseScore) -> dict[str, Any]:
    """The error record of one case (empty lists when it was right)."""
    docs = {d.id: d.text for d in case.documents}
    gold = case.gold
    assert gold is not None
    pred = {f.code: f for f in review.findings}
    missed = [{"code": g.code, "evidence": [_span(e, docs) for e in g.evidence]} for g in gold.findings if g.code in score.fn]
    extra = [{"code": c, "assertion_error": score.assertion_errors.get(c),
              "evidence": [_span(e, docs) for e in pred[c].evidence]} for c in sorted(score.fp)]
    out: dict[str, Any] = {"case_id": case.id, "missed": missed, "extra": extra, "badness": score.badness}
    if not score.decision_ok:
        out["decision"] = {"predicted": score.decision, "gold": score.gold_decision}
    if not score.criteria_ok or score.criteria != score.gold_criteria:
        out["criteria"] = {"missing": sorted(set(score.gold_criteria) - set(score.criteria)),
                           "extra": sorted(set(score.criteria) - set(score.gold_criteria))}
    if not score.therapy_ok:
        out["conservative_therapy"] = {
            "predicted": review.conservative_therapy.model_dump(include={"weeks", "active", "inactive"}) if review.conservative_therapy else None,
            "gold": gold.conservative_therapy.model_dump(include={"weeks", "active", "inactive"}) if gold.conservative_therapy else None}
    return out


def is_error(record: dict[str, Any]) -> bool:
    return bool(record["missed"] or record["extra"] or "decision" in record or "criteria" in record
                or "conservative_therapy" in record)
