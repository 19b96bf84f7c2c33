"""Accuracy against labeled cases, exactly as `shared/spec/cases.md` section 3 defines it."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Optional

from priorauth.codes import code_table
from priorauth.guidelines import ref_of, using
from priorauth.models import Case, ConservativeTherapy, Review

DECISIONS = ("meets_criteria", "not_met", "incomplete")


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall, F1; 0.0 where a denominator is zero."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f}


def therapy_correct(gold: Optional[ConservativeTherapy], pred: Optional[ConservativeTherapy]) -> bool:
    """Weeks within 1 (null matches only null), active and inactive exact."""
    if gold is None or pred is None:
        return gold is None and pred is None
    if (gold.weeks is None) != (pred.weeks is None):
        return False
    weeks_ok = gold.weeks is None or abs(gold.weeks - (pred.weeks or 0)) <= 1
    return weeks_ok and gold.active == pred.active and gold.inactive == pred.inactive


@dataclass
class CaseScore:
    """Per-case comparison, kept for error analysis."""

    case_id: str
    tp: set[str]
    fp: set[str]
    fn: set[str]
    grounded_tp: set[str]
    assertion_errors: dict[str, str]
    therapy_ok: bool
    gold_decision: str
    decision: str
    gold_criteria: list[str]
    criteria: list[str]
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # For an approval: each met criterion with the note evidence it rests on (to explain a false approval).
    approval_basis: list[dict[str, Any]] = field(default_factory=list)

    @property
    def decision_ok(self) -> bool:
        return self.decision == self.gold_decision

    @property
    def criteria_ok(self) -> bool:
        return self.gold_decision != "meets_criteria" or (self.decision_ok and self.criteria == self.gold_criteria)

    @property
    def approved(self) -> bool:
        return self.decision == "meets_criteria"

    @property
    def false_approval(self) -> bool:
        return self.approved and self.gold_decision != "meets_criteria"

    @property
    def badness(self) -> int:
        """How wrong a case is, for ranking the worst cases first."""
        return 3 * (not self.decision_ok) + len(self.fp) + len(self.fn) + (not self.therapy_ok) + (not self.criteria_ok)

    def as_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "decision": self.decision, "gold_decision": self.gold_decision,
                "criteria": self.criteria, "gold_criteria": self.gold_criteria, "tp": sorted(self.tp),
                "fp": sorted(self.fp), "fn": sorted(self.fn), "grounded_tp": sorted(self.grounded_tp),
                "assertion_errors": self.assertion_errors, "therapy_ok": self.therapy_ok}


def score_case(case: Case, review: Review) -> CaseScore:
    gold = case.gold
    assert gold is not None
    contract: set[str] = set()
    for part in review.parts or [review]:  # the contract codes of the guideline(s) the case was reviewed under
        with using(ref_of(part.policy)):
            contract |= code_table().contract
    g_codes = {f.code for f in gold.findings if f.code in contract}
    p_findings = {f.code: f for f in review.findings if f.code in contract}
    p_codes = set(p_findings)
    g_spans = {f.code: f.evidence for f in gold.findings}
    grounded = {c for c in g_codes & p_codes
                if any(ps.overlaps(gs) for ps in p_findings[c].evidence for gs in g_spans.get(c, []))}
    errors: dict[str, str] = {}
    for code in p_codes - g_codes:
        distractors = [d for d in gold.distractors if d.code == code]
        spans = p_findings[code].evidence
        hits = [d for d in distractors if any(s.overlaps(e) for s in spans for e in d.evidence)]
        only_distractor = bool(spans) and all(any(s.overlaps(e) for d in distractors for e in d.evidence) for s in spans)
        if hits and only_distractor:
            errors[code] = hits[0].reason
    usage = review.usage
    return CaseScore(case.id, g_codes & p_codes, p_codes - g_codes, g_codes - p_codes, grounded, errors,
                     therapy_correct(gold.conservative_therapy, review.conservative_therapy), gold.decision,
                     review.decision, sorted(gold.criteria), sorted(review.criteria),
                     usage.prompt_tokens if usage else 0, usage.completion_tokens if usage else 0,
                     approval_basis(review) if review.decision == "meets_criteria" else [])


def approval_basis(review: Review) -> list[dict[str, Any]]:
    """The met indications (and repeat items) of an approval with the evidence each rests on."""
    out = []
    for r in review.criteria_results:
        if r.status != "met" or r.kind not in ("indication", "repeat"):
            continue
        out.append({"criterion": r.id, "study": r.study,
                    "evidence": [{"doc": e.doc, "start": e.start, "end": e.end, "text": e.text} for e in r.evidence]})
    if not out:  # a review without per-criterion results: name the criteria at least
        out = [{"criterion": c, "study": None, "evidence": []} for c in review.criteria]
    return out


def approval_stats(scores: list[CaseScore]) -> dict[str, Optional[float] | int]:
    """Approval precision/recall and false approvals as cases.md section 3 defines them.

    A ratio whose denominator is empty is None (JSON null), not 0: a run that
    approved nothing has no approval precision, and a set with no non-approvable
    label has no false-approval rate.
    """
    approved = [x for x in scores if x.approved]
    labeled = [x for x in scores if x.gold_decision == "meets_criteria"]
    others = [x for x in scores if x.gold_decision != "meets_criteria"]
    false = sum(x.false_approval for x in scores)
    return {
        "precision": sum(x.gold_decision == "meets_criteria" for x in approved) / len(approved) if approved else None,
        "recall": sum(x.approved for x in labeled) / len(labeled) if labeled else None,
        "false_approvals": false,
        "false_approval_rate": false / len(others) if others else None,
        "approved": len(approved),
        "labeled_meets_criteria": len(labeled),
        "share_meets_criteria": len(labeled) / len(scores) if scores else None,
    }


def _f1(scores: list[CaseScore]) -> float:
    return prf(sum(len(x.tp) for x in scores), sum(len(x.fp) for x in scores), sum(len(x.fn) for x in scores))["f1"]


def _accuracy(scores: list[CaseScore]) -> float:
    return sum(x.decision_ok for x in scores) / len(scores) if scores else 0.0


def _resamples(scores: list[CaseScore], n: int, seed: int) -> Iterator[list[CaseScore]]:
    """`n` resamples of the cases with replacement (seeded, so runs compare and every statistic sees the same ones)."""
    rng = random.Random(seed)
    return ([scores[rng.randrange(len(scores))] for _ in scores] for _ in range(n))


def _interval(drawn: Iterable[Optional[float]]) -> Optional[list[float]]:
    """The 95% percentile interval of the values that are defined; None when none is."""
    values = sorted(v for v in drawn if v is not None)
    if not values:
        return None
    k = len(values)
    return [values[int(0.025 * (k - 1))], values[int(0.975 * (k - 1))]]


def bootstrap_ci(scores: list[CaseScore], stat, n: int = 1000, seed: int = 0) -> Optional[list[float]]:
    """95% percentile interval from resampling cases with replacement (seeded, so runs compare).

    A statistic may be undefined (None) on a resample (an approval precision
    when the resample holds no approval); the interval is taken over the
    resamples where it is defined, and is None when it never is.
    """
    if not scores:
        return [0.0, 0.0]
    return _interval(stat(r) for r in _resamples(scores, n, seed))


APPROVAL_RATIOS = ("precision", "recall", "false_approval_rate")


def approval_ci(scores: list[CaseScore], n: int = 1000, seed: int = 0) -> dict[str, Optional[list[float]]]:
    """bootstrap_ci of each approval ratio, with approval_stats computed once per resample rather than once per ratio."""
    if not scores:
        return {k: [0.0, 0.0] for k in APPROVAL_RATIOS}
    drawn = [approval_stats(r) for r in _resamples(scores, n, seed)]
    return {k: _interval(d[k] for d in drawn) for k in APPROVAL_RATIOS}


@dataclass
class Report:
    scores: list[CaseScore] = field(default_factory=list)
    errors: int = 0

    def summary(self) -> dict[str, Any]:
        s = self.scores
        tp = sum(len(x.tp) for x in s)
        fp = sum(len(x.fp) for x in s)
        fn = sum(len(x.fn) for x in s)
        gtp = sum(len(x.grounded_tp) for x in s)
        per_code: dict[str, dict[str, float]] = {}
        for code in sorted({c for x in s for c in x.tp | x.fp | x.fn}):  # each case scored on its guideline's codes
            ctp = sum(code in x.tp for x in s)
            cfp = sum(code in x.fp for x in s)
            cfn = sum(code in x.fn for x in s)
            if ctp + cfp + cfn:
                per_code[code] = {"support": ctp + cfn, **prf(ctp, cfp, cfn)}
        supported = [v for v in per_code.values() if v["support"]]
        macro = {k: (sum(v[k] for v in supported) / len(supported) if supported else 0.0) for k in ("precision", "recall", "f1")}
        confusion = {g: {p: sum(x.gold_decision == g and x.decision == p for x in s) for p in DECISIONS} for g in DECISIONS}
        meets = [x for x in s if x.gold_decision == "meets_criteria"]
        n = len(s)
        tokens = {"prompt": sum(x.prompt_tokens for x in s), "completion": sum(x.completion_tokens for x in s)}
        return {
            "cases": n,
            "errors": self.errors,
            "findings": prf(tp, fp, fn),
            "findings_macro": macro,
            # A predicted code that does not overlap gold evidence is a grounded false positive.
            "grounded_findings": prf(gtp, fp + (tp - gtp), fn + (tp - gtp)),
            "per_code": per_code,
            "assertion_errors": dict(Counter(r for x in s for r in x.assertion_errors.values())),
            "conservative_therapy_accuracy": sum(x.therapy_ok for x in s) / n if n else 0.0,
            "decision_accuracy": sum(x.decision == x.gold_decision for x in s) / n if n else 0.0,
            "confusion": confusion,
            "criteria_exact": (sum(x.decision == "meets_criteria" and x.criteria == x.gold_criteria for x in meets) / len(meets)
                               if meets else 0.0),
            "approval": {**approval_stats(s),
                         "ci95": approval_ci(s),
                         "false_approval_cases": [{"case_id": x.case_id, "gold_decision": x.gold_decision,
                                                   "gold_criteria": x.gold_criteria, "criteria": x.criteria,
                                                   "basis": x.approval_basis} for x in s if x.false_approval]},
            "ci95": {"findings_f1": bootstrap_ci(s, _f1), "decision_accuracy": bootstrap_ci(s, _accuracy)},
            "tokens": tokens if tokens["prompt"] or tokens["completion"] else None,
            "case_results": [x.as_dict() for x in s],
        }


def evaluate(pairs: Iterable[tuple[Case, Review]], errors: int = 0) -> Report:
    return Report([score_case(c, r) for c, r in pairs], errors)
