"""A read-only view of a packet's counted facts that criterion predicates query, read from its clinical events.

A finding is a fact here only through an event (`extract/events.py`) that `counts`; the strength check reads the
same events' attributes. Predicates keep querying by code and qualifier; the events are what they stand on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Optional, Sequence

from priorauth.models import ClinicalEvent, ConservativeTherapy, Document, EvidenceSpan, Finding, Qualifier, Request
from priorauth.guidelines import Study
from priorauth.guidelines import get as get_guideline

PEDIATRIC_AGE = 18


@dataclass
class Facts:
    """Counted findings by code (each with an event that counts), their events, the therapy summary and the request."""

    findings: dict[str, list[Finding]]
    therapy: Optional[ConservativeTherapy]
    request: Request
    conflicts: set[str] = field(default_factory=set)
    has_records: bool = True
    told: dict[int, list[ClinicalEvent]] = field(default_factory=dict)
    """id of each counted finding (held in `findings`, so the id stays its own) -> the events that tell it."""

    @classmethod
    def build(cls, findings: Iterable[Finding], therapy: Optional[ConservativeTherapy], request: Request,
              conflicts: Iterable[str] = (), has_records: bool = True,
              documents: Sequence[Document] = ()) -> "Facts":
        """Facts of these findings read through their events (built here from the packet's `documents`)."""
        from priorauth.extract.events import build_events

        events, _ = build_events(list(documents), [f for f in findings if f.present], [])
        return cls.from_events(events, findings, therapy, request, conflicts, has_records)

    @classmethod
    def from_events(cls, events: list[ClinicalEvent], findings: Iterable[Finding],
                    therapy: Optional[ConservativeTherapy], request: Request, conflicts: Iterable[str] = (),
                    has_records: bool = True) -> "Facts":
        """A finding is counted when one of its events counts: a negated, ruled-out or not-counting one never is."""
        from priorauth.extract.events import events_of

        by_event_code: dict[str, list[ClinicalEvent]] = {}
        for e in events:
            by_event_code.setdefault(e.code, []).append(e)
        by_code: dict[str, list[Finding]] = {}
        told: dict[int, list[ClinicalEvent]] = {}
        for f in findings:
            mine = events_of(f, by_event_code.get(f.code, []))
            if any(e.counts for e in mine):
                by_code.setdefault(f.code, []).append(f)
                told[id(f)] = mine
        return cls(by_code, therapy, request, set(conflicts), has_records, told)

    @property
    def events(self) -> list[ClinicalEvent]:
        """The events of the counted findings, each once."""
        return list({id(e): e for es in self.told.values() for e in es}.values())

    def events_of(self, f: Finding) -> list[ClinicalEvent]:
        """The events that tell the counted finding `f`."""
        return self.told.get(id(f), [])

    @property
    def age(self) -> Optional[int]:
        return self.request.patient_age

    @property
    def pediatric(self) -> bool:
        return self.age is not None and self.age < PEDIATRIC_AGE

    @property
    def request_date(self) -> Optional[date]:
        return self.request.request_date

    def has(self, code: str) -> bool:
        """Present and not resting only on a finding whose extractors disagree."""
        return code in self.findings and code not in self.conflicts

    def any(self, *codes: str) -> tuple[str, ...]:
        return tuple(c for c in codes if self.has(c))

    def quals(self, code: str, name: str, value: bool | str = True) -> list[Qualifier]:
        """Qualifiers `name`=`value` of the present findings of `code`."""
        if not self.has(code):
            return []
        return [q for f in self.findings[code] for q in f.qualified(name, value)]

    def values(self, code: str, name: str) -> set:
        """Every value a qualifier takes on the present findings of `code`."""
        if not self.has(code):
            return set()
        return {q.value for f in self.findings[code] for q in f.qualifiers if q.name == name}

    def event_values(self, code: str, name: str) -> set:
        """Every value the events of the counted findings of `code` give qualifier `name` (their `values`)."""
        if not self.has(code):
            return set()
        return {v for f in self.findings[code] for e in self.events_of(f) for v in e.values.get(name, ())}

    def value_of(self, f: Finding, name: str) -> Optional[str]:
        """The first value the events of the counted finding `f` give qualifier `name`, as text (None: none)."""
        return next((str(e.values[name][0]) for e in self.events_of(f) if e.values.get(name)), None)

    def on_exam(self, code: str) -> bool:
        """Found on examination: one of its counted events has source `exam`."""
        return self.has(code) and any(self.found_on_exam(f) for f in self.findings[code])

    def found_on_exam(self, f: Finding) -> bool:
        return any(e.source == "exam" for e in self.events_of(f))

    def spans(self, codes: Iterable[str], exam_only: bool = False) -> list[EvidenceSpan]:
        out: list[EvidenceSpan] = []
        for c in codes:
            for f in self.findings.get(c, []):
                if exam_only and not self.found_on_exam(f):
                    continue
                out.extend(f.evidence)
        return out

    def prior_study(self, study: Study) -> bool:
        """A recent study of this study's region (region unknown counts as same): the repeat criteria apply.

        Which finding records it is the guideline's `prior_study_code` (MRI-spine: an MRI of the same
        region within 6 months); a guideline without one has no repeat criteria.
        """
        code = get_guideline().manifest.prior_study_code
        if code is None or not self.has(code):
            return False
        return any(e.region in (None, study.region) for f in self.findings[code] for e in self.events_of(f))
