"""review(case) -> Review: extract findings from every document, then decide."""

from __future__ import annotations

from typing import Optional

from priorauth.extract.base import Extraction, Extractor
from priorauth.extract.contrast import contrast_warnings
from priorauth.extract.events import build_events
from priorauth.extract.qualifiers import qualify
from priorauth.guidelines import Guideline, per_guideline, using
from priorauth.models import ACTION_FOR, Alignment, Case, Review
from priorauth.rules.decide import decide
from priorauth.rules.facts import Facts
from priorauth.rules.policy import policy_identity
from priorauth.rules.reasons import explain


@per_guideline
def default_extractor(g: Guideline) -> Extractor:
    """The offline medspaCy extractor for a guideline (default: the active one), built once per process."""
    from priorauth.extract.rules_extractor import RulesExtractor

    return RulesExtractor(g.id)


COUNTED: tuple[Alignment, ...] = ("exact", "normalized")


def decide_extraction(case: Case, extraction: Extraction) -> Review:
    """Apply the rule layer to an extraction; pure given the extraction.

    Only spans that match the note exactly (or after case/whitespace folding)
    count; fuzzy ones go to `needs_checking`. A code whose every counted span
    is disputed between the LLM and ConText is withheld from the rules.
    """
    docs = {d.id: d.text for d in case.documents}
    warnings = list(extraction.warnings)
    present, ruled_out, needs_checking = [], [], []
    for f in qualify(case.documents, extraction.findings, case.request):
        spans = [s for s in f.evidence if s.grounded_in(docs)]
        if len(spans) < len(f.evidence):
            warnings.append(f"{len(f.evidence) - len(spans)} evidence span(s) of {f.code} do not match the note text and were dropped")
        if not spans:
            continue
        if not f.present:
            ruled_out.append(f.model_copy(update={"evidence": spans}))
            continue
        counted = [s for s in spans if s.alignment in COUNTED]
        if counted:
            present.append(f.model_copy(update={"evidence": counted}))
        if len(counted) < len(spans):
            needs_checking.append(f.model_copy(update={"evidence": [s for s in spans if s.alignment not in COUNTED]}))
    disputed = set()
    for code in {c.code for c in extraction.conflicts}:
        contested = [c.evidence for c in extraction.conflicts if c.code == code]
        support = [s for f in present if f.code == code for s in f.evidence]
        if not any(not any(s.overlaps(x) for x in contested) for s in support):
            disputed.add(code)
    facts = Facts.build(present, extraction.conservative_therapy, case.request, disputed,
                        has_records=any(d.text.strip() for d in case.documents))
    decided = decide(facts)
    reasons = explain(decided.decision, decided.results, list(decided.reasons), facts)  # main reason first, adult-only lists
    if decided.decision != "meets_criteria":
        for c in extraction.conflicts:
            reasons.append(f"conflict on {c.code}: the LLM reads '{c.evidence.text}' ({c.evidence.doc}[{c.evidence.start}:"
                           f"{c.evidence.end}]) as {c.llm}, ConText as {c.context}; a clinician should check it.")
    warnings.extend(contrast_warnings(case))
    if case.request.has_standard_written_order is None:
        warnings.append("the request does not say whether a standard written order accompanies it")
    events, timeline = build_events(case.documents, present, ruled_out, _weak_codes(facts))
    return Review(
        case_id=case.id, decision=decided.decision, criteria=decided.criteria, findings=present,
        conservative_therapy=extraction.conservative_therapy, action=ACTION_FOR[decided.decision],
        reasons=reasons, missing=decided.missing, criteria_results=decided.results, studies=decided.studies,
        ruled_out=ruled_out, warnings=warnings, extractor=extraction.extractor, policy=policy_identity(),
        usage=extraction.usage, llm=extraction.llm, conflicts=extraction.conflicts, needs_checking=needs_checking,
        unverified=extraction.unverified, events=events, timeline=timeline,
    )


def _weak_codes(facts: Facts) -> frozenset[str]:
    """Codes left without strong evidence (rules/strength.py): their events do not count toward an approval."""
    from priorauth.rules.strength import split_strong

    return frozenset(split_strong(facts)[1])


class TextTooLong(ValueError):
    """A packet with more note text than PRIORAUTH_MAX_TEXT_CHARS; the message is one sentence without note text."""


MAX_EVIDENCE = 25  # spans kept per finding in a review; `evidence_total` keeps the count when more were found


def max_text_chars() -> int:
    from priorauth.ingest.base import _env_number

    return int(_env_number("PRIORAUTH_MAX_TEXT_CHARS", 2_000_000))


def check_text_size(case: Case) -> None:
    """Refuse a packet whose note text is longer than the review is known to handle in bounded time and memory."""
    total, limit = sum(len(d.text) for d in case.documents), max_text_chars()
    if total > limit:
        raise TextTooLong(f"the packet's documents hold {total:,} characters of text, more than the limit of {limit:,} "
                          f"(PRIORAUTH_MAX_TEXT_CHARS); send the notes that bear on this request, or split it.")


def bound_evidence(r: Review, keep: int = MAX_EVIDENCE) -> Review:
    """Keep the first `keep` spans (in document order) of each finding, and how many there were: a note that repeats
    a finding thousands of times would otherwise make a review of tens of megabytes. Decided on all of them."""
    for f in (*r.findings, *r.ruled_out):
        if len(f.evidence) > keep:
            f.evidence_total = len(f.evidence)
            f.evidence = f.evidence[:keep]
    for c in r.criteria_results:  # a criterion's evidence is its findings' spans: bounded too, its qualifiers' kept
        if len(c.evidence) > keep:
            quals = {(s.doc, s.start, s.end) for q in c.qualifiers for s in q.evidence}
            c.evidence_total = len(c.evidence)
            c.evidence = [s for i, s in enumerate(c.evidence) if i < keep or (s.doc, s.start, s.end) in quals]
    for e in r.events:  # an event quotes its document's spans of the finding: bounded the same way
        e.evidence = e.evidence[:keep]
    return r


def review(case: Case, extractor: Optional[Extractor] = None, guideline: Optional[str] = None) -> Review:
    """Review one packet under a guideline (default: the extractor's, else wps-mri-spine) with the given extractor.

    TextTooLong (a ValueError) for a packet over PRIORAUTH_MAX_TEXT_CHARS."""
    from priorauth.ingest.locate import locate

    check_text_size(case)
    gid = guideline or getattr(extractor, "guideline", None)
    with using(gid) as g:
        extractor = extractor or default_extractor(g.id)
        return locate(case, bound_evidence(decide_extraction(case, extractor.extract(case))))
