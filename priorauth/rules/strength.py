"""The approval threshold: `meets_criteria` acts without a clinician, so it needs strong evidence.

A finding is strong evidence when it is affirmed (not an uncertain mention),
current (not documented only before a spine surgery that has since been
done), grounded (its spans match the note exactly or after case/space
folding), not contradicted by a later document (a deficit on one exam and
"strength 5/5 throughout" at a later one), and not found only in a templated
review of systems. `weakness` is that threshold, read from the finding's clinical events (`extract/events.py`):
their uncertainty, spans, `contradicted_by`, `history_of` and the qualifiers they carry (`attributes`), so the events
a review shows are what decided it; the decision step removes
weak findings and decides again before it approves, and says which evidence
fell short when the approval does not survive.
"""

from __future__ import annotations

import re
from typing import Optional

from priorauth.codes import code_table
from priorauth.extract.attribution import config as attribution_config
from priorauth.extract.qualifiers import EXAMINED_FUNCTION
from priorauth.models import ClinicalEvent, Finding
from priorauth.rules.facts import Facts

STRONG_ALIGNMENTS = ("exact", "normalized")
"""Span alignments that count as grounded for an approval."""

WEAK_QUALIFIERS = ("contradicted", "templated_ros", "before_surgery", "procedure_indication", "records_review", "long_ago")
"""Qualifiers (computed in priorauth/extract/qualifiers.py) that make a finding too weak to approve on."""


def _label(code: str) -> str:
    return code_table().label(code)


def _times(events: list[ClinicalEvent]) -> str:
    n = len({e.doc for e in events})
    return "once" if n == 1 else f"in {n} documents"


def weakness(f: Finding, events: Optional[list[ClinicalEvent]] = None) -> Optional[str]:
    """Why a present finding cannot carry an approval, or None when it is strong evidence.

    Decided on the events that tell `f` (built from `f` alone when not given), the wording too: a contradiction's
    date is the events' `values`.
    """
    if f.code in code_table().therapy:  # care is judged by its own summary (weeks, components, response)
        return None
    if events is None:
        from priorauth.extract.events import build_events

        events = build_events([], [f], [])[0]
    label = _label(f.code)
    if events and all(e.uncertainty for e in events):
        return f"{label} is documented only as uncertain"
    if not any(s.alignment in STRONG_ALIGNMENTS for e in events for s in e.evidence):
        return f"{label} rests only on approximate quotes"
    told = dict.fromkeys(a for e in events for a in e.attributes)
    for name in told:
        if name == "contradicted":
            by = next((s for e in events for s in e.contradicted_by), None)
            said = f"'{by.text}'" if by else "it as normal"
            when = next(str(e.values["contradicted"][0]) for e in events if e.values.get("contradicted"))
            earlier = any(e.source == "exam" and (e.date is None or e.date.isoformat() < when) for e in events)
            who = "found on an earlier exam" if earlier else \
                ("reported by the patient or the history" if f.code in EXAMINED_FUNCTION else "documented earlier")
            if when == "same_sentence":
                return f"{label} documented {_times(events)}, contradicted in the same exam ({said})"
            if when == "same_note" and f.code not in EXAMINED_FUNCTION:
                return f"{label} raised as a question and answered in the same note ({said})"
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", when):
                return f"{label} {who}; the same note's exam documents {said}"
            y, m, d = when.split("-")
            what = "exam" if f.code in EXAMINED_FUNCTION else "note"
            return f"{label} {who}; the {m}/{d}/{y} {what} documents {said}"
        if name == "templated_ros":
            return f"{label} appears only in a templated review of systems"
        if name == "before_surgery" and all(e.history_of for e in events):
            return f"{label} is documented only before the spine surgery (pre-operative indications, not current)"
        if name == "procedure_indication":
            return f"{label} is documented only in an operative or procedure report (the state before that procedure)"
        if name == "records_review":
            return f"{label} is documented only in a records review, which narrates the past"
        if name == "long_ago":
            return f"{label} is documented only with dates more than a year before its note (an earlier episode)"
    return None


Span = tuple[str, int, int]


def explained(facts: Facts) -> dict[str, str]:
    """Finding code -> the diagnosis that explains it in this packet (attribution.json `explained_by_diagnosis`).

    MRI-spine: Guillain-Barre, when it is the packet's only demyelinating disease, is a polyneuropathy that
    explains weakness, sensory loss and reflex change: they are not unexplained deficits to approve on.
    """
    out: dict[str, str] = {}
    for e in attribution_config().data.explained_by_diagnosis:
        if facts.values(e.finding, e.qualifier) == set(e.only):
            for code in e.codes:
                out.setdefault(code, e.says)
    return out


def split_strong(facts: Facts) -> tuple[Facts, dict[str, tuple[str, set[Span]]]]:
    """Facts without weak findings, and per code left without strong support: the reason and its spans."""
    kept: dict[str, list[Finding]] = {}
    weak: dict[str, tuple[str, set[Span]]] = {}
    weak_spans: set[tuple[str, int]] = set()
    explains = explained(facts)
    for code, fs in facts.findings.items():
        for f in fs:
            why = weakness(f, facts.events_of(f))
            if why is None and code in explains:
                why = f"{_label(code)} in a patient with {explains[code]}"
            if why is None:
                kept.setdefault(code, []).append(f)
            else:
                reason, spans = weak.setdefault(code, (why, set()))
                spans |= {(s.doc, s.start, s.end) for s in f.evidence}
                weak_spans |= {(s.doc, s.start) for s in f.evidence}
    weak = {c: w for c, w in weak.items() if c not in kept}
    events = {}
    for code, fs in kept.items():
        kept[code] = [_without_weak_qualifiers(f, weak_spans) for f in fs]
        events.update({id(g): facts.events_of(f) for f, g in zip(fs, kept[code])})
    strong = Facts(kept, facts.therapy, facts.request, set(facts.conflicts), facts.has_records, events)
    return strong, weak


def _without_weak_qualifiers(f: Finding, weak_spans: set[tuple[str, int]]) -> Finding:
    """A qualifier resting only on the words of a weak finding is weak too: a surgery's 'new symptom' that is the
    foot drop the latest exam finds recovered does not make the surgery's I hold."""
    own = {(s.doc, s.start) for s in f.evidence}
    keep = [q for q in f.qualifiers
            if not q.evidence or not all((s.doc, s.start) in weak_spans and (s.doc, s.start) not in own for s in q.evidence)]
    return f if len(keep) == len(f.qualifiers) else f.model_copy(update={"qualifiers": keep})
