"""review(case) -> Review: find the guideline of each requested code, extract findings, then decide."""

from __future__ import annotations

from typing import Iterable, Optional

from priorauth.extract.base import Extraction, Extractor
from priorauth.extract.contrast import contrast_warnings
from priorauth.extract.events import build_events, mark_weak
from priorauth.extract.qualifiers import qualify, spec_for
from priorauth.ingest.locate import locate
from priorauth.codes import code_table
from priorauth.guidelines import DEFAULT, Guideline, Route, get, in_effect, per_guideline, ref_of, route, using
from priorauth.models import ACTION_FOR, Alignment, Case, Decision, Finding, Review
from priorauth.rules.decide import decide
from priorauth.rules.facts import Facts
from priorauth.rules.policy import policy_identity
from priorauth.rules.reasons import explain


@per_guideline
def default_extractor(g: Guideline) -> Extractor:
    """The offline medspaCy extractor for a guideline (default: the active one), built once per process."""
    from priorauth.extract.rules_extractor import RulesExtractor

    return RulesExtractor(g.ref)


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
    # the rules read the events: a finding counts through an event that counts, the strength check reads their attributes
    events, timeline = build_events(case.documents, present, ruled_out, therapy=extraction.conservative_therapy)
    facts = Facts.from_events(events, present, extraction.conservative_therapy, case.request, disputed,
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
    mark_weak(events, _weak_codes(facts))
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
    """Review one packet: under `guideline` when given, else each requested code under the guideline covering it.

    The version applied is the one in effect on the date of service (else the request date). Codes no
    installed guideline covers leave the request to the extractor's guideline (default wps-mri-spine),
    which asks for correct coding (`DOC.coding`). Codes of two guidelines are reviewed per guideline and
    combined (`Review.parts`). TextTooLong (a ValueError) for a packet over PRIORAUTH_MAX_TEXT_CHARS.
    """
    check_text_size(case)
    day = case.request.service_date or case.request.request_date
    if guideline:
        target = (get(guideline), "") if "@" in guideline else in_effect(get(guideline).id, day)
        return _review_one(case, extractor, Route(target[0], (), target[1]))
    routes = route(case.request.cpt_codes, day)
    if not routes:
        bound = getattr(extractor, "guideline", None)
        g, note = in_effect(get(bound).id if bound else DEFAULT, day)
        return _review_one(case, extractor, Route(g, (), note))
    if len(routes) == 1:
        return _review_one(case, extractor, routes[0])
    return combine([_review_one(_with_codes(case, r.codes), extractor, r) for r in routes])


def _with_codes(case: Case, codes: Iterable[str]) -> Case:
    """The same packet requesting only these codes (one guideline's part of a request)."""
    return case.model_copy(update={"request": case.request.model_copy(update={"cpt_codes": list(codes)})})


def _extractor_for(extractor: Optional[Extractor], g: Guideline) -> Extractor:
    """The given extractor when it reads for `g` (or for any guideline), else its kind rebuilt for `g`."""
    if extractor is None:
        return default_extractor(g.ref)
    bound = getattr(extractor, "guideline", None)
    if bound is None or get(bound).ref == g.ref:
        return extractor
    rebuild = getattr(extractor, "for_guideline", None)
    return rebuild(g.ref) if rebuild else default_extractor(g.ref)


def _review_one(case: Case, extractor: Optional[Extractor], r: Route) -> Review:
    with using(r.guideline.ref) as g:
        out = locate(case, bound_evidence(decide_extraction(case, _extractor_for(extractor, g).extract(case))))
    return _stamped(out, g, r.note)


def _stamped(out: Review, g: Guideline, note: str) -> Review:
    """The guideline version on each requested code, and why that version when it was not simply the one in effect."""
    for s in out.studies:
        s.guideline = g.ref
    if out.policy is not None and note:
        out.policy = out.policy.model_copy(update={"version_note": note})
    return out


def decide_again(case: Case, review: Review, findings: list[Finding]) -> Review:
    """The rule layer again on (corrected) findings, under each guideline version the review was made under."""
    if review.parts:
        return combine([decide_again(_with_codes(case, [s.cpt for s in p.studies]), p,
                                     [f for f in findings if f.code in code_table(ref_of(p.policy)).by_code])
                        for p in review.parts])
    with using(ref_of(review.policy)) as g:  # the findings' qualifiers are this guideline's
        findings = [_own_qualifiers(f) for f in findings]
        extraction = Extraction(findings=findings, conservative_therapy=review.conservative_therapy, extractor=review.extractor)
        out = locate(case, decide_extraction(case, extraction))
    return _stamped(out, g, review.policy.version_note if review.policy else "")


def _own_qualifiers(f: Finding) -> Finding:
    """A finding with only the qualifiers the active guideline declares for its code.

    A review spanning two guidelines lists each finding once, qualified under the guideline that read it first
    (MRI-spine's computed `assessed`, say); re-deciding another part reads it under that part's vocabulary."""
    keep = [q for q in f.qualifiers if spec_for(f.code, q.name)]
    return f if len(keep) == len(f.qualifiers) else f.model_copy(update={"qualifiers": keep})


RANK: dict[Decision, int] = {"incomplete": 0, "not_met": 1, "meets_criteria": 2}


def combine(parts: list[Review]) -> Review:
    """One review of a request whose codes span guidelines: approved only when every part is.

    The combined decision is the least favourable part's (incomplete, then not_met); its criteria
    are those of the parts that decided it. Each part stays whole in `parts` for the page and letters.
    """
    decision = min((p.decision for p in parts), key=RANK.__getitem__)
    deciding = [p for p in parts if p.decision == decision]
    criteria = list(dict.fromkeys(c for p in deciding for c in p.criteria))
    seen: set = set()
    findings = []
    for p in parts:
        for f in p.findings:
            key = (f.code, tuple((e.doc, e.start, e.end) for e in f.evidence))
            if key not in seen:
                seen.add(key)
                findings.append(f)
    first = parts[0]

    def each(attr: str) -> list:
        return [x for p in parts for x in getattr(p, attr)]

    return first.model_copy(update={
        "decision": decision, "criteria": criteria, "action": ACTION_FOR[decision], "findings": findings,
        "reasons": each("reasons"),  # each names its requested code first, which the studies tie to a guideline
        "missing": each("missing"), "criteria_results": each("criteria_results"), "studies": each("studies"),
        "warnings": list(dict.fromkeys(each("warnings"))), "ruled_out": each("ruled_out"),
        "needs_checking": each("needs_checking"), "conflicts": each("conflicts"), "unverified": each("unverified"),
        "parts": parts})
