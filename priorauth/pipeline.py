"""review(case) -> Review: extract findings from every document, then decide."""

from __future__ import annotations

from typing import Optional

from priorauth.extract.base import Extraction, Extractor
from priorauth.models import ACTION_FOR, Case, Review
from priorauth.rules.decide import decide
from priorauth.rules.facts import Facts
from priorauth.rules.policy import policy_identity

_DEFAULT: Optional[Extractor] = None


def default_extractor() -> Extractor:
    """The offline medspaCy extractor, built once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        from priorauth.extract.rules_extractor import RulesExtractor

        _DEFAULT = RulesExtractor()
    return _DEFAULT


def decide_extraction(case: Case, extraction: Extraction) -> Review:
    """Apply the rule layer to an extraction; pure given the extraction."""
    docs = {d.id: d.text for d in case.documents}
    warnings = list(extraction.warnings)
    grounded = []
    for f in extraction.findings:
        spans = [s for s in f.evidence if s.grounded_in(docs)]
        if len(spans) < len(f.evidence):
            warnings.append(f"{len(f.evidence) - len(spans)} evidence span(s) of {f.code} do not match the note text and were dropped")
        if spans:
            grounded.append(f.model_copy(update={"evidence": spans}))
    present = [f for f in grounded if f.present]
    facts = Facts.build(present, extraction.conservative_therapy, case.request, extraction.conflicts,
                        has_records=any(d.text.strip() for d in case.documents))
    decided = decide(facts)
    if case.request.has_standard_written_order is None:
        warnings.append("the request does not say whether a standard written order accompanies it")
    return Review(
        case_id=case.id, decision=decided.decision, criteria=decided.criteria, findings=present,
        conservative_therapy=extraction.conservative_therapy, action=ACTION_FOR[decided.decision],
        reasons=decided.reasons, missing=decided.missing, criteria_results=decided.results, studies=decided.studies,
        ruled_out=[f for f in grounded if not f.present], warnings=warnings, extractor=extraction.extractor,
        policy=policy_identity(),
    )


def review(case: Case, extractor: Optional[Extractor] = None) -> Review:
    """Review one packet with the given extractor (default: the offline rules extractor)."""
    extractor = extractor or default_extractor()
    return decide_extraction(case, extractor.extract(case))
