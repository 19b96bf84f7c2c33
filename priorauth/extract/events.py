"""Clinical events on the packet's timeline: what a reviewer reads a finding as, with the attributes that decide it.

A finding code says *what*; an event says *what happened, to whom, when, found by whom, and why*. The attribute
names are borrowed rather than invented, so a reader who knows them knows these:

- cTAKES: `polarity` (-1 negated), `uncertainty`, `subject` (patient, family member, other), `history_of`,
  `conditional` (hypothetical);
- THYME / Clinical TempEval: `doc_time_rel` (BEFORE, OVERLAP, BEFORE_OVERLAP, AFTER the note's time) and contextual
  `modality` (ACTUAL, HYPOTHETICAL, HEDGED, GENERIC);
- medspaCy ConText stays the source of the assertions these are derived from (`Finding.reason`).

Events are built once per review from the qualified findings (rules, LLM or gold extractor alike) and the documents'
roles (`roles.py`); each keeps its exact evidence spans. The rule layer still reads `Facts`; other guidelines (and
the review page) read events.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Optional

from priorauth.codes import code_table
from priorauth.extract.resources import section_config
from priorauth.extract.roles import document_role
from priorauth.models import (ClinicalEvent, DocTimeRel, Document, EventKind, EvidenceSpan, Finding, Modality, Subject,
                              TimelineEntry)

__all__ = ["ClinicalEvent", "DocTimeRel", "EventKind", "Modality", "Subject", "TimelineEntry", "build_events"]

KIND_BY_CODE: dict[str, EventKind] = {
    "prior_spine_surgery": "procedure", "surgery_planned": "procedure", "spinal_cord_stimulator": "procedure",
    "prior_mri_same_region": "imaging", "imaging_indeterminate": "imaging", "followup_imaging_recommended": "imaging",
    "emg_radiculopathy": "imaging", "low_field_mri": "imaging",
}
"""Codes whose event kind their group does not say (a procedure, a study)."""
KIND_BY_GROUP: dict[str, EventKind] = {"complaint": "symptom", "red_flag": "sign", "conservative": "care",
                                       "supporting": "diagnosis", "other": "diagnosis"}


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
    return dict(polarity=-1 if reason == "negated" else 1, uncertainty=uncertain, subject=subject, history_of=history,
                conditional=conditional, doc_time_rel=rel, modality=modality, attributes=sorted(names))


SIDE_RX = re.compile(r"(?i:\b(?P<bi>bilateral(?:ly)?|both|BLE|BUE)\b|\b(?P<l>left|lt)\b|\b(?P<r>right|rt)\b)|\b(?P<L>L)\b|\b(?P<R>R)\b")
SIDE_LEAD = 30  # how far before its words a side may stand ('left EHL 4/5', 'L foot drop')


def _side(text: str, spans: list[EvidenceSpan]) -> Optional[str]:
    """The side the event's words name ('left', 'right', 'bilateral'), when they name one side only."""
    sides = set()
    for s in spans:
        lo = max(0, s.start - SIDE_LEAD)
        for m in SIDE_RX.finditer(text, text.rfind("\n", lo, s.start) + 1 or lo, s.end):
            sides.add("bilateral" if m["bi"] else "left" if (m["l"] or m["L"]) else "right")
    return sides.pop() if len(sides) == 1 else ("bilateral" if {"left", "right"} <= sides else None)


def build_events(documents: list[Document], present: list[Finding], ruled_out: list[Finding],
                 weak: frozenset[str] = frozenset()) -> tuple[list[ClinicalEvent], list[TimelineEntry]]:
    """Events per (finding, document), and the timeline of documents by date (undated last, in packet order)."""
    docs = {d.id: d for d in documents}
    roles = {d.id: document_role(d) for d in documents}
    effects = section_config()["effects"]
    events: list[ClinicalEvent] = []
    for f, counted in [(f, f.code not in weak) for f in present] + [(f, False) for f in ruled_out]:
        by_doc: dict[str, list[EvidenceSpan]] = {}
        for s in f.evidence:
            if s.doc in docs:
                by_doc.setdefault(s.doc, []).append(s)
        for doc_id, spans in by_doc.items():
            exam = any(effects.get(s.section or "", {}).get("exam") for s in spans)
            events.append(ClinicalEvent(
                code=f.code, kind=_kind(f.code), doc=doc_id, role=roles[doc_id], date=docs[doc_id].date,
                source="exam" if exam else "reported", counts=counted and f.present, cause=f.attributed_to,
                region=f.region or next((str(q.value) for q in f.qualifiers if q.name == "region"), None),
                side=_side(docs[doc_id].text, spans),
                contradicted_by=[e for q in f.qualifiers if q.name == "contradicted" for e in q.evidence],
                evidence=spans, **_attributes(f, f.reason)))
    order = {d.id: i for i, d in enumerate(documents)}
    events.sort(key=lambda e: (order.get(e.doc, 0), e.evidence[0].start))
    timeline = []
    for d in sorted(documents, key=lambda d: (d.date is None, d.date or dt.date.min, order[d.id])):
        idx = [i for i, e in enumerate(events) if e.doc == d.id]
        timeline.append(TimelineEntry(doc=d.id, role=roles[d.id], date=d.date, events=idx))
    return events, timeline
