"""Combine criterion outcomes into a per-study and a per-case decision (labeling.md order).

1. `incomplete` when a documentation item is missing;
2. `not_met` with the limitation ids when a limitation applies to a requested study;
3. `meets_criteria` with every met indication (and repeat) id when every study meets;
4. otherwise `not_met`. Nothing here ever denies: `not_met` routes to a clinician.

An approval must also survive deciding again on strong evidence only
(rules/strength.py); when it does not, the case is `not_met` and the reasons
name the evidence that fell short.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from priorauth.models import CriterionResult, Decision, StudyDecision
from priorauth.codes import code_table
from priorauth.rules.catalog import Lift, catalog
from priorauth.rules.criterion import Criterion, Outcome
from priorauth.rules.facts import Facts
from priorauth.guidelines import Study, studies_for
from priorauth.guidelines import get as get_guideline
from priorauth.rules.strength import split_strong

NO_STUDY = Study("", None, None)


@dataclass
class Decided:
    decision: Decision
    criteria: list[str]
    results: list[CriterionResult] = field(default_factory=list)
    studies: list[StudyDecision] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _result(c: Criterion, o: Outcome, facts: Facts, study: Study) -> CriterionResult:
    codes = [x for x in o.codes if x in facts.findings]
    spans = facts.spans(codes, exam_only=c.exam_evidence and o.met)
    seen = {(s.doc, s.start, s.end) for s in spans}
    for q in o.qualifiers:
        for s in q.evidence:
            if (s.doc, s.start, s.end) not in seen:
                seen.add((s.doc, s.start, s.end))
                spans.append(s)
    citations = list(c.citations)
    extra = c.subitems.get(o.subitem) if o.met else None
    if extra is not None and extra not in citations:
        citations.append(extra)
    return CriterionResult(
        id=c.id, title=c.title, kind=c.kind, status="met" if o.met else "not_met",
        study=study.cpt or None, citations=citations, evidence=spans,
        reason="" if o.met else o.reason, needed="" if o.met else c.needed,
        conflicts=sorted(set(o.codes) & facts.conflicts),
        subitem=(o.subitem or None) if o.met else None, subitem_text=o.subitem_text if o.met else "",
        qualifiers=list(o.qualifiers) if o.met else [],
    )


def _sorted(ids: set[str]) -> list[str]:
    order = catalog().order
    return sorted(ids, key=lambda i: order.get(i, 999))


def _lifting(met_ids: set[str], outcomes: dict, lift: Lift, facts: Facts) -> set[str]:
    """The met indications outside the limitation's scope: not one it names, nor one met on its own findings alone.

    A one-sided deficit (a root's foot drop, not the cord's ascending numbness) lies outside that scope."""
    pain = code_table().pain
    one_sided = {c for c in lift.own_findings for f in facts.findings.get(c, ()) for e in facts.events_of(f)
                 if e.counts and e.side in ("left", "right")}
    own = set(lift.own_findings) - one_sided
    return {i for i in met_ids - set(lift.except_)
            if not (own and set(outcomes[i][1].codes) - pain and set(outcomes[i][1].codes) - pain <= own)}


def _study(facts: Facts, study: Study, results: list[CriterionResult], reasons: list[str]) -> StudyDecision:
    label = f"{study.cpt} ({study.region or 'region unspecified'})"
    cat = catalog()
    outcomes = {c.id: (c, c.evaluate(facts, study)) for c in cat.indications if c.applies_to(study)}
    met_ids = {i for i, (_, o) in outcomes.items() if o.met}
    for i in list(met_ids):  # a specific indication displaces a generic one it supersedes (a tumour over J)
        met_ids -= outcomes[i][0].supersedes

    lims: set[str] = set()
    for c in cat.limitations:
        if not c.applies_to(study):
            continue
        o = c.evaluate(facts, study)
        lift = c.lift
        if lift is not None and o.met and _lifting(met_ids, outcomes, lift, facts) \
                and not (lift.unless_finding and facts.has(lift.unless_finding)):
            o = Outcome(False, o.codes, "the study is requested for another indication that is met")
        if o.met:
            lims.add(c.id)
            results.append(_result(c, o, facts, study))
            reasons.append(f"{label}: limitation {c.id} applies ({c.title}); would need {c.needed}.")

    for cid, (c, o) in outcomes.items():
        shown = o.met and cid in met_ids
        considered = bool(o.codes)  # a predicate names the codes it weighed (A's items name the pain they need)
        if shown or considered:
            results.append(_result(c, o if shown or not o.met else Outcome(False, o.codes, "superseded by a disease-specific indication"), facts, study))
        if not shown and considered and not met_ids:
            reasons.append(f"{label}: {cid} not met: {o.reason or 'superseded'}; would need {c.needed}.")

    repeat_ids: set[str] = set()
    if facts.prior_study(study):
        for c in cat.repeat:
            o = c.evaluate(facts, study)
            results.append(_result(c, o, facts, study))
            if o.met:
                repeat_ids.add(c.id)
        if not repeat_ids:
            reasons.append(f"{label}: {get_guideline().manifest.repeat_not_met}")

    def decided(decision: Decision, ids: set[str]) -> StudyDecision:
        return StudyDecision(cpt=study.cpt, region=study.region, contrast=study.contrast, low_field=study.low_field,
                             decision=decision, criteria=_sorted(ids))

    if lims:
        return decided("not_met", lims)
    if not met_ids:
        if not any(r.startswith(label) for r in reasons):
            reasons.append(f"{label}: no indication of coverage is documented.")
        return decided("not_met", set())
    if facts.prior_study(study) and not repeat_ids:
        return decided("not_met", set())
    return decided("meets_criteria", met_ids | repeat_ids)


def decide(facts: Facts) -> Decided:
    """Decide one packet; pure over its facts. An approval is re-decided on strong evidence only."""
    full = _decide(facts)
    if full.decision != "meets_criteria":
        return full
    strong, weak = split_strong(facts)
    if not weak:
        return full
    d = _decide(strong)
    was_met = {(r.id, r.study): r for r in full.results if r.status == "met"}
    for r in d.results:
        before = was_met.get((r.id, r.study))
        if r.status == "not_met" and before is not None:
            used = [why for why, spans in weak.values() if any((s.doc, s.start, s.end) in spans for s in before.evidence)]
            r.weak_evidence = used or [why for why, _ in weak.values()]
            r.reason = "met only on evidence too weak to approve on: " + "; ".join(r.weak_evidence)
    if d.decision == "meets_criteria":
        return d
    reasons = [f"not approved without a clinician: {why}." for why, _ in weak.values()] + d.reasons
    limitations = catalog().limitation_ids
    return Decided("not_met", d.criteria if any(i in limitations for i in d.criteria) else [],
                   d.results, d.studies, reasons, d.missing)


def _decide(facts: Facts) -> Decided:
    results: list[CriterionResult] = []
    reasons: list[str] = []
    missing: list[str] = []
    doc_missing: list[str] = []
    for c in catalog().documentation:
        o = c.evaluate(facts, NO_STUDY)
        if not o.met:
            doc_missing.append(c.id)
            missing.append(f"{c.id}: {c.needed} ({o.reason})")
            results.append(_result(c, o, facts, NO_STUDY))

    studies = [_study(facts, s, results, reasons) for s in studies_for(facts.request.cpt_codes)]

    if doc_missing:
        return Decided("incomplete", doc_missing, results, studies, reasons, missing)
    lims = {i for s in studies for i in s.criteria} & catalog().limitation_ids
    if lims:
        return Decided("not_met", _sorted(lims), results, studies, reasons, missing)
    if studies and all(s.decision == "meets_criteria" for s in studies):
        reasons = []
        return Decided("meets_criteria", _sorted({i for s in studies for i in s.criteria}), results, studies, reasons, missing)
    return Decided("not_met", [], results, studies, reasons, missing)
