"""The guideline as a DTR-style Questionnaire, and the review as the QuestionnaireResponse answering it.

Each criterion is a group: its policy sentences (display), a met / not-met
question, the note evidence and, when not met, why and what would satisfy it.
For a limitation "met" means the limitation's condition holds (as in
CriterionResult). A criterion that does not arise for this request (a repeat
criterion without a prior MRI) is left unanswered.
"""

from __future__ import annotations

import copy
from typing import Optional

from priorauth.fhir import systems
from priorauth.fhir.outbound import MAX_EVIDENCE, now_utc
from priorauth.guidelines import Guideline, get, per_guideline, ref_of, using
from priorauth.models import Case, Review
from priorauth.rules.catalog import catalog
from priorauth.rules.policy import policy_identity

QUESTION = {"documentation": "Provided with the request?", "indication": "Documented in the notes?",
            "repeat": "Documented in the notes (repeat MRI within 6 months)?",
            "limitation": "Does this limitation apply (met = it applies)?"}
ANSWERS = {"met": "Met", "not-met": "Not met"}


def _criteria():
    return catalog().all


def questionnaire(guideline: Optional[str] = None) -> dict:
    """The Questionnaire generated from a guideline's vendored policy and criteria (default: the active guideline)."""
    return copy.deepcopy(_questionnaire(guideline))


def questionnaire_url(guideline: Optional[str] = None) -> str:
    """The canonical url of a guideline's Questionnaire (default: the active guideline's)."""
    g = get(guideline)
    return f"{systems.PRIORAUTH}:questionnaire:{g.manifest.short_name or g.id}"


@per_guideline
def _questionnaire(g: Guideline) -> dict:
    p = policy_identity()
    items = []
    for c in _criteria():
        items.append({
            "linkId": c.id, "prefix": c.id, "text": c.title, "type": "group",
            "item": [
                {"linkId": f"{c.id}.policy", "type": "display", "text": " ".join(q.text for q in c.citations)},
                {"linkId": f"{c.id}.status", "type": "choice", "text": QUESTION[c.kind],
                 "answerOption": [{"valueCoding": {"system": systems.ANSWER_SYSTEM, "code": k, "display": v}} for k, v in ANSWERS.items()]},
                {"linkId": f"{c.id}.evidence", "type": "text", "text": "Evidence in the notes", "readOnly": True},
                {"linkId": f"{c.id}.reason", "type": "text", "text": "Why not met, and what would satisfy it", "readOnly": True},
            ],
        })
    return {"resourceType": "Questionnaire", "id": f"{g.manifest.short_name or g.id}-{p.number}".replace(" ", "-"),
            "url": questionnaire_url(g.ref), "version": p.sha256[:16],
            "title": f"{p.title} ({p.number}): guideline criteria", "status": "active", "subjectType": ["Patient"],
            "item": items}


def _answer(kind: str, results: list) -> Optional[tuple[str, str, str]]:
    """(status, evidence, reason) for one criterion from its results; None when it does not arise."""
    met = [r for r in results if r.status == "met"]
    if met:
        ev = [f"{r.study or 'request'}: {e.doc}[{e.start}:{e.end}] \u201c{e.text}\u201d" for r in met for e in r.evidence[:MAX_EVIDENCE]]
        return "met", "\n".join(ev), ""
    if results:
        why = "; ".join(dict.fromkeys(f"{r.reason}; would need {r.needed}" if r.needed else r.reason for r in results))
        return "not-met", "", why
    if kind == "documentation":
        return "met", "", ""
    if kind == "indication":
        return "not-met", "", "not documented in the notes"
    if kind == "limitation":
        return "not-met", "", ""
    return None


def questionnaire_response(case: Case, review: Review, subject: Optional[dict] = None, authored: Optional[str] = None) -> dict:
    """The QuestionnaireResponse answering the Questionnaire of the guideline version the review applied."""
    with using(ref_of(review.policy)):
        return _questionnaire_response(case, review, subject, authored)


def _questionnaire_response(case: Case, review: Review, subject: Optional[dict], authored: Optional[str]) -> dict:
    q = _questionnaire()  # read only: the canonical url and version, no copy needed
    items = []
    for c in _criteria():
        got = _answer(c.kind, [r for r in review.criteria_results if r.id == c.id])
        if got is None:
            continue
        status, evidence, reason = got
        sub = [{"linkId": f"{c.id}.status", "text": QUESTION[c.kind],
                "answer": [{"valueCoding": {"system": systems.ANSWER_SYSTEM, "code": status, "display": ANSWERS[status]}}]}]
        if evidence:
            sub.append({"linkId": f"{c.id}.evidence", "answer": [{"valueString": evidence}]})
        if reason:
            sub.append({"linkId": f"{c.id}.reason", "answer": [{"valueString": reason}]})
        items.append({"linkId": c.id, "text": c.title, "item": sub})
    qr = {"resourceType": "QuestionnaireResponse", "questionnaire": f"{q['url']}|{q['version']}", "status": "completed",
          "authored": authored or now_utc(), "item": items}
    if subject:
        qr["subject"] = subject
    return qr


def self_contained(qr: dict) -> dict:
    """The QuestionnaireResponse carrying the Questionnaire it answers (contained, referenced as `#id`), for a file on its own."""
    q = questionnaire()
    return {**qr, "contained": [q], "questionnaire": f"#{q['id']}"}
