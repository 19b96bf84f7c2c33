"""How the reasons of a review read to a reviewer: the main reason first, and no pediatric items for an adult.

Kept apart from the criteria themselves: the predicates say what is met, this
module only orders and trims what is said about it, and it runs at one place
(`pipeline.decide_extraction`, right after `decide`).
"""

from __future__ import annotations

import re

from priorauth.models import CriterionResult, Decision
from priorauth.rules.facts import Facts

# One item of a comma-separated list that only a child can have ("age 5 or younger", "pediatric limp").
PEDIATRIC_ITEM = re.compile(r",\s*(?:or\s+)?[^,.;]{0,40}?\b(?:pediatric|child(?:ren)?|infants?|age \d+ or younger)\b[^,.;]{0,40}?"
                            r"(?=[,.;]|$)", re.I)


def for_adult(text: str) -> str:
    """`text` without the list items that apply only to children."""
    return PEDIATRIC_ITEM.sub("", text)


def _parts(r: CriterionResult) -> list[str]:
    """The separate things a criterion lacks ('2 weeks, fewer than 6; no active component' is two)."""
    return [p.strip() for p in r.reason.split(";") if p.strip()] or [r.reason]


def _nothing_toward(r: CriterionResult) -> bool:
    """True when every lack is an absence ('no red flag is documented'), none a shortfall ('2 weeks, fewer than 6')."""
    return all(p.startswith("no ") or p.endswith("not documented") for p in _parts(r))


def main_reason(results: list[CriterionResult]) -> str | None:
    """The indication closest to being met and what it lacks.

    Closest: it has note evidence, something toward it is documented (a shortfall,
    not only absences), and it lacks the fewest things; ties go to policy order.
    """
    covered = {r.study for r in results if r.kind == "indication" and r.status == "met"}  # those lack something else
    unmet = [r for r in results if r.kind == "indication" and r.status == "not_met" and r.reason
             and not r.reason.startswith("superseded") and r.study not in covered]
    if not unmet:
        return None
    best = min(unmet, key=lambda r: (not r.evidence, _nothing_toward(r), len(_parts(r)), -len(r.evidence)))
    study = f" for {best.study}" if best.study else ""
    return f"Main reason{study}: the closest indication is {best.id} ({best.title}), which lacks: {best.reason}; " \
           f"it would need {best.needed}."


def explain(decision: Decision, results: list[CriterionResult], reasons: list[str], facts: Facts) -> list[str]:
    """The reasons as shown: trimmed for an adult, and for a routed case with no limitation, the main reason first.

    Trims the `needed` of each result in place too, so the checklist and the reasons say the same.
    """
    if facts.age is not None and not facts.pediatric:  # an adult: one threshold, Facts.pediatric's
        for r in results:
            r.needed = for_adult(r.needed)
        reasons = [for_adult(x) for x in reasons]
    if decision == "not_met" and not any(r.kind == "limitation" and r.status == "met" for r in results):
        lead = main_reason(results)
        if lead:
            reasons = [lead] + reasons
    return reasons
