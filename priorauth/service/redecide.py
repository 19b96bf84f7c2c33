"""Corrections decide again: the rule layer re-run on the findings as reviewers corrected them.

The tool's review (of the latest review round) is kept as it was (reviews.review_json); the corrected review
goes beside it (reviews.corrected_json) and the request's corrected_decision
column, and the audit entry of the correction says what changed: the decision,
criteria gained and lost, and which met criterion no longer stands.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from priorauth.models import Case, EvidenceSpan, Finding, Review
from priorauth.service.db import AuditEntry, PARequest, StoredReview, User, utcnow


def corrected_findings(rev: Review, trail: list[AuditEntry]) -> list[Finding]:
    """The tool's present findings minus every span marked wrong, plus every finding a reviewer added."""
    wrong = {(e.detail["code"], e.detail["doc"], e.detail["start"], e.detail["end"]) for e in trail if e.action == "mark_finding_wrong"}
    out = []
    for f in rev.findings:
        kept = [s for s in f.evidence if (f.code, s.doc, s.start, s.end) not in wrong]
        if kept:
            out.append(f.model_copy(update={"evidence": kept}))
    for e in trail:
        if e.action == "add_finding":
            d = e.detail
            out.append(Finding(code=d["code"], source="reviewer",
                               evidence=[EvidenceSpan(doc=d["doc"], start=d["start"], end=d["end"], text=d["text"])]))
    return out


def decide_corrected(case: Case, rev: Review, findings: list[Finding]) -> Review:
    """The rule layer on the corrected findings, under the review's own guideline version (each, for a review
    whose codes span guidelines: pipeline.decide_again)."""
    from priorauth.pipeline import decide_again
    from priorauth.service.jobs import _review_lock

    with _review_lock:  # the shared pipeline runs one review at a time
        return decide_again(case, rev, findings)


def changes(before: Review, after: Review) -> dict[str, Any]:
    """What a correction changed, in the words the page and the audit log show."""
    met_before = {c.id for c in before.criteria_results if c.status == "met"}
    met_after = {c.id for c in after.criteria_results if c.status == "met"}
    return {"decision_before": before.decision, "decision_after": after.decision,
            "criteria_lost": sorted(set(before.criteria) - set(after.criteria)),
            "criteria_gained": sorted(set(after.criteria) - set(before.criteria)),
            "no_longer_met": sorted(met_before - met_after), "newly_met": sorted(met_after - met_before),
            "approval_withdrawn": before.decision == "meets_criteria" and after.decision != "meets_criteria"}


def redecide(db: Session, r: PARequest, case: Case, rev: Review, user: User) -> dict[str, Any]:
    """Re-run the rules on the corrected findings; store the result and audit what changed against the tool's review."""
    from priorauth.service.logic import audit_trail

    current = corrected_review(db, r.id) or rev
    after = decide_corrected(case, rev, corrected_findings(rev, audit_trail(db, r.id)))
    stored = latest(db, r.id)
    stored.corrected_json = after.model_dump_json()
    r.corrected_decision = after.decision
    detail = {"against_tool": changes(rev, after), "against_previous": changes(current, after)}
    db.add(AuditEntry(request_id=r.id, user_id=user.id, username=user.username, role=user.role, action="redecided",
                      detail=detail, at=utcnow()))
    return detail


def latest(db: Session, request_id: str, round_: int | None = None) -> StoredReview | None:
    """The review of the request's latest round, or of round `round_` (earlier rounds are kept as they were)."""
    q = select(StoredReview).where(StoredReview.request_id == request_id)
    if round_ is not None:
        q = q.where(StoredReview.review_round == round_)
    return db.scalar(q.order_by(StoredReview.review_round.desc()).limit(1))


def corrected_review(db: Session, request_id: str) -> Review | None:
    s = latest(db, request_id)
    return Review.model_validate_json(s.corrected_json) if s and s.corrected_json else None
