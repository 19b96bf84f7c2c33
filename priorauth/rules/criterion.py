"""The criterion object: an id, the policy words it implements, and a pure predicate (built by rules/catalog.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Mapping, Optional

from priorauth.models import Citation, Qualifier
from priorauth.rules.facts import Facts
from priorauth.guidelines import Study

Kind = Literal["indication", "limitation", "repeat", "documentation"]


@dataclass(frozen=True)
class Outcome:
    """A predicate's answer: whether it holds, on which finding codes, and why not.

    `subitem` names the policy sub-item that was met (``"H.metastatic.ii"``),
    `subitem_text` says it in words, and `qualifiers` are the finding
    qualifiers it rests on (their spans join the criterion's evidence).
    """

    met: bool
    codes: tuple[str, ...] = ()
    reason: str = ""
    subitem: str = ""
    subitem_text: str = ""
    qualifiers: tuple[Qualifier, ...] = ()


def met(*codes: str, sub: str = "", text: str = "", quals=()) -> Outcome:
    return Outcome(True, tuple(codes), "", sub, text, tuple(quals))


def unmet(reason: str, *codes: str) -> Outcome:
    return Outcome(False, tuple(codes), reason)


Predicate = Callable[[Facts, Study], Outcome]


@dataclass(frozen=True)
class Criterion:
    """One policy item. `quotes` are verbatim sentences of the vendored guideline."""

    id: str
    title: str
    kind: Kind
    quotes: tuple[str, ...]
    test: Predicate
    needed: str
    regions: Optional[frozenset[str]] = None  # body regions of the guideline's studies (guideline.json)
    exam_evidence: bool = False
    group: Optional[str] = None  # the policy list the item belongs to ("A" for A.i-v), shown to readers of the data
    supersedes: frozenset[str] = frozenset()  # indications this one displaces when both are met (a specific one over J)
    lift: Any = None  # catalog.Lift: when a limitation gives way to another met indication
    citations: tuple[Citation, ...] = field(default=(), compare=False)
    # sub-item a predicate may name as met ("H.metastatic.ii") -> the policy's own words for it
    subitems: Mapping[str, Citation] = field(default_factory=dict, compare=False)

    def applies_to(self, study: Study) -> bool:
        return self.regions is None or study.region is None or study.region in self.regions

    def evaluate(self, facts: Facts, study: Study) -> Outcome:
        if not self.applies_to(study):
            return unmet(f"applies only to {', '.join(sorted(self.regions or ()))} studies")
        return self.test(facts, study)
