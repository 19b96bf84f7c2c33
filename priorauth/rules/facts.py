"""A read-only view of a packet's present findings that criterion predicates query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Optional

from priorauth.models import ConservativeTherapy, EvidenceSpan, Finding, Qualifier, Request
from priorauth.guidelines import Study
from priorauth.guidelines import get as get_guideline

PEDIATRIC_AGE = 18


@dataclass
class Facts:
    """Present findings by code, the conservative-therapy summary and the request."""

    findings: dict[str, list[Finding]]
    therapy: Optional[ConservativeTherapy]
    request: Request
    conflicts: set[str] = field(default_factory=set)
    has_records: bool = True

    @classmethod
    def build(cls, findings: Iterable[Finding], therapy: Optional[ConservativeTherapy], request: Request,
              conflicts: Iterable[str] = (), has_records: bool = True) -> "Facts":
        by_code: dict[str, list[Finding]] = {}
        for f in findings:
            if f.present:
                by_code.setdefault(f.code, []).append(f)
        return cls(by_code, therapy, request, set(conflicts), has_records)

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

    def on_exam(self, code: str) -> bool:
        return self.has(code) and any(f.exam for f in self.findings[code])

    def spans(self, codes: Iterable[str], exam_only: bool = False) -> list[EvidenceSpan]:
        out: list[EvidenceSpan] = []
        for c in codes:
            for f in self.findings.get(c, []):
                if exam_only and not f.exam:
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
        return any(f.region in (None, study.region) for f in self.findings[code])
