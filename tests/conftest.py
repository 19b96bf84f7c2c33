"""Shared fixtures: labeled data beside the checkout, the built pipeline, and small builders."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from priorauth.models import Case, ConservativeTherapy, Document, EvidenceSpan, Finding, Request

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEV = SHARED / "data" / "cases" / "dev.jsonl"


@pytest.fixture(scope="session")
def dev_cases() -> list[Case]:
    assert DEV.exists(), f"labeled dev set expected at {DEV}"
    return [Case.model_validate_json(line) for line in DEV.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def extractor():
    from priorauth.extract.rules_extractor import RulesExtractor

    return RulesExtractor()


def finding(code: str, exam: bool = False, **kw) -> Finding:
    return Finding(code=code, evidence=[EvidenceSpan(doc="n", start=0, end=1, text="x")], exam=exam, **kw)


def therapy(weeks: int | None, active: bool = True, inactive: bool = True, within: bool | None = True) -> ConservativeTherapy:
    return ConservativeTherapy(weeks=weeks, active=active, inactive=inactive, within_6_months=within)


def packet_case(*docs: Document, cpt: str = "72148", age: int = 45, when: str = "2026-03-02", swo: bool = True) -> Case:
    """A request for `cpt` with these documents (e.g. files read by priorauth.ingest)."""
    d = date.fromisoformat(when)
    return Case(id="t", request=Request(cpt_codes=[cpt], patient_age=age, request_date=d, has_standard_written_order=swo),
                documents=list(docs))


def note_case(text: str, cpt: str = "72148", age: int = 45, when: str = "2026-03-02", swo: bool = True) -> Case:
    doc = Document(id="n", type="progress_note", date=date.fromisoformat(when), text=text)
    return packet_case(doc, cpt=cpt, age=age, when=when, swo=swo)


def present(review, code: str) -> list[Finding]:
    """The review's present findings of `code`."""
    return [f for f in review.findings if f.code == code]


def ruled(review, code: str) -> list[Finding]:
    """The review's ruled-out findings of `code`."""
    return [f for f in review.ruled_out if f.code == code]


def dated_doc(i: str, text: str, day: str = "2026-03-02", kind: str = "progress_note") -> Document:
    """A document of `kind` dated `day`, for packets built from several notes."""
    return Document(id=i, type=kind, date=date.fromisoformat(day), text=text)
