"""The extractor interface every extraction step implements."""

from __future__ import annotations

from typing import Optional, Protocol

from pydantic import BaseModel

from priorauth.models import Case, Conflict, ConservativeTherapy, Finding, LLMRun, UnverifiedClaim, Usage


class Extraction(BaseModel):
    """What an extractor found in a packet: present findings and ruled-out mentions alike."""

    findings: list[Finding]
    conservative_therapy: Optional[ConservativeTherapy] = None
    conflicts: list[Conflict] = []
    warnings: list[str] = []
    extractor: str = "rules"
    unverified: list[UnverifiedClaim] = []
    usage: Optional[Usage] = None
    llm: Optional[LLMRun] = None

    @property
    def present(self) -> list[Finding]:
        return [f for f in self.findings if f.present]

    @property
    def ruled_out(self) -> list[Finding]:
        return [f for f in self.findings if not f.present]


class Extractor(Protocol):
    """Reads a case's documents and returns findings whose spans our code computed."""

    name: str

    def extract(self, case: Case) -> Extraction: ...
