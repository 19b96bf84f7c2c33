"""Clinical events on the packet's timeline: what a reviewer reads a finding as, with the attributes that decide it.

A finding code says *what*; an event says *what happened, to whom, when, found by whom, and why*. The attribute
names are borrowed rather than invented, so a reader who knows them knows these:

- cTAKES: `polarity` (-1 negated), `uncertainty`, `subject` (patient, family member, other), `history_of`,
  `conditional` (hypothetical);
- THYME / Clinical TempEval: `doc_time_rel` (BEFORE, OVERLAP, BEFORE_OVERLAP, AFTER the note's time) and contextual
  `modality` (ACTUAL, HYPOTHETICAL, HEDGED, GENERIC);
- medspaCy ConText stays the source of the assertions these are derived from (`Finding.reason`).

Events are built once per review from the qualified findings (rules, LLM or gold extractor alike) and the documents'
roles (`roles.py`); each keeps its exact evidence spans. They are built before the decision: `Facts` counts a finding
only through an event that `counts`, and the strength check (`rules/strength.py`) decides on the events' attributes,
so the events a review carries are what the rules read.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Optional

from priorauth.codes import code_table
from priorauth.extract.attribution import LETTER_NOT_REGION
from priorauth.extract.dates import find_durations
from priorauth.extract.resources import section_config
from priorauth.extract.roles import document_role
from priorauth.models import (ClinicalEvent, ConservativeTherapy, DocTimeRel, Document, EventKind, EventStatus,
                              EvidenceSpan, Finding, ImagingResult, Modality, Subject, TherapyComponent, TimelineEntry)

__all__ = ["ClinicalEvent", "DocTimeRel", "EventKind", "Modality", "Subject", "TimelineEntry", "build_events"]

KIND_BY_CODE: dict[str, EventKind] = {
    "prior_spine_surgery": "procedure", "surgery_planned": "procedure", "spinal_cord_stimulator": "procedure",
    "prior_mri_same_region": "imaging", "imaging_indeterminate": "imaging", "followup_imaging_recommended": "imaging",
    "emg_radiculopathy": "imaging", "low_field_mri": "imaging",
}
"""Codes whose event kind their group does not say (a procedure, a study)."""
KIND_BY_GROUP: dict[str, EventKind] = {"complaint": "symptom", "red_flag": "sign", "conservative": "care",
                                       "supporting": "diagnosis", "other": "diagnosis"}
PLANNED_CODES = ("surgery_planned", "spinal_cord_stimulator")
"""Procedure codes that are a plan by definition (preoperative planning, a planned stimulator)."""
ORDERED_CODES = ("low_field_mri", "followup_imaging_recommended")
"""Imaging codes that are the study requested or recommended, not one done."""
RESULT_BY_CODE: dict[str, ImagingResult] = {"imaging_indeterminate": "indeterminate", "emg_radiculopathy": "finding"}
RESULT_BY_QUALIFIER: dict[str, ImagingResult] = {"inconclusive": "indeterminate"}
"""A study's result from its code or a qualifier already computed; otherwise the reading does not know it."""


def _kind(code: str) -> EventKind:
    if code in KIND_BY_CODE:
        return KIND_BY_CODE[code]
    table = code_table()
    c = table.by_code.get(code)
    return KIND_BY_GROUP.get(c.group, "other") if c is not None else "other"


def _attributes(f: Finding, reason: Optional[str]) -> dict:
    subject: Subject = "family_member" if reason == "family" else ("other" if reason == "other_patient_context" else "patient")
    names = {q.name for q in f.qualifiers}
    history = reason == "historical" or "before_surgery" in names
    conditional = reason == "hypothetical"
    uncertain = reason == "uncertain"
    if conditional:
        modality, rel = "HYPOTHETICAL", "AFTER"
    elif uncertain:
        modality, rel = "HEDGED", "OVERLAP"
    elif subject != "patient":
        modality, rel = "GENERIC", "BEFORE_OVERLAP"
    else:
        modality, rel = "ACTUAL", "BEFORE" if history else "OVERLAP"
    values: dict[str, list] = {}
    for q in f.qualifiers:
        if q.value not in values.setdefault(q.name, []):
            values[q.name].append(q.value)
    return dict(polarity=-1 if reason == "negated" else 1, uncertainty=uncertain, subject=subject, history_of=history,
                conditional=conditional, doc_time_rel=rel, modality=modality,
                attributes=list(values), values=values,  # in reading order: the first weak one is said
                levels=[str(v) for v in values.get("level", [])])


def _result(f: Finding, kind: EventKind) -> Optional[ImagingResult]:
    """A study's result, from its code or a qualifier already computed; None when the reading does not know it."""
    if kind != "imaging":
        return None
    return next((RESULT_BY_QUALIFIER[q.name] for q in f.qualifiers if q.name in RESULT_BY_QUALIFIER),
                RESULT_BY_CODE.get(f.code))


def _status(f: Finding, kind: EventKind, exam: bool) -> EventStatus:
    """What happened, from the code, the ConText reason and trigger, and where it was found (see `EventStatus`)."""
    future = f.reason == "hypothetical"
    if f.code in code_table().therapy:
        return f.refusal or ("planned" if future else "received")
    if kind == "procedure":
        return "planned" if future or f.code in PLANNED_CODES else "performed"
    if kind == "imaging":
        return "ordered" if future or f.code in ORDERED_CODES else "performed"
    return "found" if exam else "reported"


def _when(f: Finding, doc_id: str) -> Optional[dt.date]:
    """The event's own date: a `date` qualifier (a surgery's, a prior study's) whose evidence lies in this document."""
    dates = [q.value for q in f.qualifiers if q.name == "date" and isinstance(q.value, str)
             and any(s.doc == doc_id for s in q.evidence)]
    for v in sorted(dates, reverse=True):
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            continue
    return None


SIDE_RX = re.compile(r"(?i:\b(?P<bi>bilateral(?:ly)?|both|BLE|BUE)\b|\b(?P<l>left|lt)\b|\b(?P<r>right|rt)\b)"
                     rf"|\b(?P<L>L)\b{LETTER_NOT_REGION}|\b(?P<R>R)\b")  # the L of 'L-spine' is no side
SIDE_LEAD = 30  # how far before its words a side may stand ('left EHL 4/5', 'L foot drop')


def _side(text: str, spans: list[EvidenceSpan]) -> Optional[str]:
    """The side the event's words name ('left', 'right', 'bilateral'), when they name one side only."""
    sides = set()
    for s in spans:
        lo = max(0, s.start - SIDE_LEAD)
        for m in SIDE_RX.finditer(text, text.rfind("\n", lo, s.start) + 1 or lo, s.end):
            sides.add("bilateral" if m["bi"] else "left" if (m["l"] or m["L"]) else "right")
    return sides.pop() if len(sides) == 1 else ("bilateral" if {"left", "right"} <= sides else None)


SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")
CLAUSE_BREAK = re.compile(r";|,\s|\bbut\b", re.I)
"""A symptom's duration is read in its own clause: 'back pain for 3 months; PT for 6 weeks' gives the pain 3 months."""


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around text[start:end], within its sentence."""
    lo = max((m.end() for m in SENTENCE_END.finditer(text, max(0, start - 200), start)), default=max(0, start - 200))
    hi_m = SENTENCE_END.search(text, end, end + 200)
    hi = hi_m.start() if hi_m else min(len(text), end + 200)
    lo = max((m.end() for m in CLAUSE_BREAK.finditer(text, lo, start)), default=lo)
    nxt = CLAUSE_BREAK.search(text, end, hi)
    return lo, nxt.start() if nxt else hi


def _onset(d: Optional[Document], spans: list[EvidenceSpan]) -> Optional[dict]:
    """A symptom's onset and duration, from a length or start date written in its own clause ('low back pain for
    3 months', 'leg pain since 9/1/2026', 'began 6 weeks ago'): counted back from the document's date."""
    if d is None:
        return None
    for s in spans:
        lo, hi = _clause(d.text, s.start, s.end)
        found = [x for x in find_durations(d.text[lo:hi], lo, d.date) if x.days > 0 and not x.episode]
        if not found:
            continue
        x = min(found, key=lambda x: min(abs(x.start - s.end), abs(s.start - x.end)))
        began = x.began or (d.date - dt.timedelta(days=x.days) if d.date else None)
        return dict(began=began, weeks=round(x.days / 7, 1),
                    timing=[EvidenceSpan(doc=d.id, start=x.start, end=x.end, text=d.text[x.start:x.end])])
    return None


def _care_timing(component: Optional[TherapyComponent], doc_id: str, response: Optional[str]) -> dict:
    """Care received takes its component's reading: start, end, length (the longest documented), the words they
    were read from (this document's first), and the packet's response to care."""
    if component is None:
        return dict(response=response)
    words = sorted(component.duration_evidence, key=lambda e: e.doc != doc_id)
    return dict(began=component.start, ended=component.end, weeks=component.weeks, response=response, timing=words)


def build_events(documents: list[Document], present: list[Finding], ruled_out: list[Finding],
                 weak: frozenset[str] = frozenset(), therapy: Optional[ConservativeTherapy] = None,
                 ) -> tuple[list[ClinicalEvent], list[TimelineEntry]]:
    """Events per (finding, document), and the timeline of documents by date (undated last, in packet order).

    Care received carries its dates, length and response from `therapy` (the extraction's care reading); a present
    symptom carries its onset and duration from its own clause.

    A span whose document is not in `documents` (a finding read without its packet, as in a unit test) still makes
    an event: of a clinic note (the role a document gets when nothing says otherwise), undated, sideless.
    """
    docs = {d.id: d for d in documents}
    roles = {d.id: document_role(d) for d in documents}
    effects = section_config()["effects"]
    components = {c.kind: c for c in (therapy.components if therapy else [])}
    events: list[ClinicalEvent] = []
    for f, counted in [(f, f.code not in weak) for f in present] + [(f, False) for f in ruled_out]:
        by_doc: dict[str, list[EvidenceSpan]] = {}
        for s in f.evidence:
            by_doc.setdefault(s.doc, []).append(s)
        placed = {d for d, spans in by_doc.items() if any(effects.get(s.section or "", {}).get("exam") for s in spans)}
        for doc_id, spans in by_doc.items():
            # found on examination: its words stand in an exam section, or the extractor read the finding as an exam
            # finding (a strength grade '4/5' wherever it stands) and no section places it
            exam = doc_id in placed or (f.exam and not placed)
            d = docs.get(doc_id)
            kind = _kind(f.code)
            status = _status(f, kind, exam)
            timing: dict = {}
            if kind == "care" and status == "received" and f.present and therapy is not None:
                timing = _care_timing(components.get(f.code), doc_id, therapy.response)
            elif kind in ("symptom", "sign") and f.present and f.reason is None:
                timing = _onset(d, spans) or {}
            events.append(ClinicalEvent(
                code=f.code, kind=kind, doc=doc_id, role=roles.get(doc_id, "clinic_note"),
                date=d.date if d else None,
                source="exam" if exam else "reported", counts=counted and f.present, cause=f.attributed_to,
                region=f.region or next((str(q.value) for q in f.qualifiers if q.name == "region"), None),
                side=_side(d.text, spans) if d else None,
                contradicted_by=[e for q in f.qualifiers if q.name == "contradicted" for e in q.evidence],
                status=status, when=_when(f, doc_id), result=_result(f, kind),
                evidence=spans, **timing, **_attributes(f, f.reason)))
    order = {d.id: i for i, d in enumerate(documents)}
    events.sort(key=lambda e: (order.get(e.doc, len(order)), e.evidence[0].start))
    timeline = []
    for d in sorted(documents, key=lambda d: (d.date is None, d.date or dt.date.min, order[d.id])):
        idx = [i for i, e in enumerate(events) if e.doc == d.id]
        timeline.append(TimelineEntry(doc=d.id, role=roles[d.id], date=d.date, events=idx))
    return events, timeline


def events_of(f: Finding, events: list[ClinicalEvent]) -> list[ClinicalEvent]:
    """The events that tell finding `f`: its code, and spans all among its own."""
    keys = {(s.doc, s.start, s.end) for s in f.evidence}
    return [e for e in events if e.code == f.code and all((s.doc, s.start, s.end) in keys for s in e.evidence)]


def mark_weak(events: list[ClinicalEvent], weak: frozenset[str] | set[str]) -> None:
    """Events of codes left without strong evidence no longer count (after the decision's strength check)."""
    for e in events:
        if e.code in weak:
            e.counts = False
