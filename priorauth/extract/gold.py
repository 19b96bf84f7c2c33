"""Feed a labeled case's gold findings to the rule layer, to measure rules apart from extraction."""

from __future__ import annotations

from priorauth.extract.base import Extraction
from priorauth.extract.nlp import build_nlp, section_at
from priorauth.extract.resources import section_config
from priorauth.models import Case, Finding


class GoldExtractor:
    """Gold findings and conservative therapy as labeled; exam status from our section detection.

    The labels do not say whether a finding was documented on exam, which A.ii
    needs, so each gold span is located in our sectionizer's output.
    """

    name = "gold"

    def __init__(self) -> None:
        self.nlp = build_nlp()

    def extract(self, case: Case) -> Extraction:
        if case.gold is None:
            raise ValueError(f"case {case.id} has no gold labels")
        exam_sections = {k for k, v in section_config()["effects"].items() if v.get("exam")}
        parsed = {d.id: self.nlp(d.text) for d in case.documents}
        findings = []
        for g in case.gold.findings:
            exam = False
            for e in g.evidence:
                doc = parsed.get(e.doc)
                span = doc.char_span(e.start, e.end, alignment_mode="expand") if doc is not None else None
                if span is not None and section_at(doc, span.start) in exam_sections:
                    exam = True
            findings.append(Finding(code=g.code, evidence=g.evidence, exam=exam, source=self.name))
        return Extraction(findings=findings, conservative_therapy=case.gold.conservative_therapy, extractor=self.name)
