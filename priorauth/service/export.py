"""Reviewers' corrections and decisions as labeled cases in the `cases.md` format, for `priorauth evaluate`.

Gold findings are the system's present findings, minus those a reviewer marked
wrong, plus those a reviewer added (each with the span they selected); a wrong
finding marked negated/family/historical/hypothetical/other-patient becomes a
distractor. The gold decision is the reviewers' final one (approved:
meets_criteria, information requested: incomplete, a physician's adverse
determination: not_met); requests without a final decision are not exported.
Conservative therapy is the system's, since reviewers do not correct it here.
"""

from __future__ import annotations

import json
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from priorauth.models import Distractor, EvidenceSpan, Gold, GoldFinding
from priorauth.service.db import PARequest
from priorauth.service.logic import audit_trail, stored_review

GOLD_DECISION = {"approved": "meets_criteria", "physician_approved": "meets_criteria",
                 "information_requested": "incomplete", "physician_not_approved": "not_met"}
DISTRACTOR_REASONS = {"negated", "family", "historical", "hypothetical", "other_patient_context"}


def labeled_cases(db: Session) -> Iterator[str]:
    """One JSON line per request with a reviewer's final decision."""
    rows = db.scalars(select(PARequest).where(PARequest.status == "ready", PARequest.disposition.in_(GOLD_DECISION))
                      .order_by(PARequest.submitted_at, PARequest.id))
    for r in rows:
        case, rev = stored_review(db, r.id)
        trail = audit_trail(db, r.id)
        wrong = {(e.detail["code"], e.detail["doc"], e.detail["start"], e.detail["end"]): e.detail["reason"]
                 for e in trail if e.action == "mark_finding_wrong"}
        spans: dict[str, list[EvidenceSpan]] = {}
        distractors: list[Distractor] = []
        for f in rev.findings:
            for s in f.evidence:
                reason = wrong.get((f.code, s.doc, s.start, s.end))
                if reason is None:
                    spans.setdefault(f.code, []).append(EvidenceSpan(doc=s.doc, start=s.start, end=s.end, text=s.text))
                elif reason in DISTRACTOR_REASONS:
                    distractors.append(Distractor(code=f.code, reason=reason,
                                                  evidence=[EvidenceSpan(doc=s.doc, start=s.start, end=s.end, text=s.text)]))
        for e in trail:
            if e.action == "add_finding":
                d = e.detail
                spans.setdefault(d["code"], []).append(EvidenceSpan(doc=d["doc"], start=d["start"], end=d["end"], text=d["text"]))
        decision = GOLD_DECISION[r.disposition]
        ct = rev.conservative_therapy
        gold = Gold(findings=[GoldFinding(code=c, evidence=ev) for c, ev in spans.items()], distractors=distractors,
                    conservative_therapy=ct.model_copy(update={"components": []}) if ct else None, decision=decision,
                    criteria=rev.criteria if decision == rev.decision else [])
        out = case.model_copy(update={"gold": gold}).model_dump(mode="json", exclude_none=True)
        out["labeled_by"] = sorted({e.username for e in trail if e.role in ("nurse", "physician")})
        yield json.dumps(out, ensure_ascii=False) + "\n"
