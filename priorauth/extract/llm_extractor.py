"""The optional LLM extractor (`llm`) and its combination with the rules extractor (`hybrid`).

Safety comes from three checks made in our code: every quote is aligned to
offsets in the note (grounding.py), every grounded span is read again by the
project's ConText (context_check.py), and any failure of the endpoint falls back
to the deterministic findings. Disagreements are recorded as conflicts and can
only withhold a finding from the rules, never add one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from priorauth.codes import code_table
from priorauth.extract import resources
from priorauth.guidelines import get as get_guideline
from priorauth.extract.base import Extraction
from priorauth.extract.context_check import context_assertions
from priorauth.extract.dates import SIX_MONTHS, find_durations, parse_date
from priorauth.extract.grounding import Aligner
from priorauth.extract.llm_client import LLMClient, LLMConfig, LLMStop
from priorauth.extract.llm_schema import LLMExtraction
from priorauth.extract.nlp import build_nlp
from priorauth.extract.pieces import pieces
from priorauth.extract.therapy import summary
from priorauth.models import (Case, Conflict, ConservativeTherapy, Document, EvidenceSpan, Finding, LLMRun, TherapyComponent,
                              UnverifiedClaim, Usage)
from priorauth.prompts import load as load_prompts



@dataclass(frozen=True)
class Chunk:
    doc: Document
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.doc.text[self.start:self.end]


def chunks(document: Document, budget_tokens: int) -> list[Chunk]:
    """Split at sentence boundaries so each chunk stays under ~budget tokens (4 characters a token)."""
    limit = max(200, budget_tokens * 4)
    text = document.text
    if len(text) <= limit:
        return [Chunk(document, 0, len(text))]
    nlp = build_nlp()
    bounds = []
    for p_start, p_end in pieces(text):  # spaCy refuses texts over its length limit
        doc = nlp.make_doc(text[p_start:p_end])
        nlp.get_pipe("priorauth_sentences")(doc)
        bounds += [p_start + s.start_char for s in doc.sents]
    bounds.append(len(text))
    out, start = [], 0
    for b in bounds[1:]:
        if b - start > limit and b != bounds[1]:
            prev = max(x for x in bounds if x < b)
            if prev > start:
                out.append(Chunk(document, start, prev))
                start = prev
        while b - start > limit:  # one sentence longer than the budget: cut it
            out.append(Chunk(document, start, start + limit))
            start += limit
    if start < len(text):
        out.append(Chunk(document, start, len(text)))
    return out


@dataclass
class Claim:
    """One quote of one model finding, after grounding (span None when it could not be found)."""

    code: str
    span: Optional[EvidenceSpan]
    quote: str
    assertion: Optional[str]  # None = present
    exam: bool
    doc_id: str
    context: Optional[str] = None  # what our ConText says of the same span (None = present)


class LLMExtractor:
    """`mode='llm'`: the model's findings, cross-checked; `mode='hybrid'`: merged with the rules extractor."""

    def __init__(self, config: LLMConfig, mode: str = "llm", rules=None, guideline: Optional[str] = None):
        if mode not in ("llm", "hybrid"):
            raise ValueError(f"unknown mode {mode!r}")
        from priorauth.extract.rules_extractor import RulesExtractor

        self.name = mode
        self.mode = mode
        self.config = config
        self.guideline = get_guideline(guideline).ref
        self.prompts = load_prompts(self.guideline)
        self.client = LLMClient(config, self.prompts, self.guideline)
        self.rules = rules or RulesExtractor(self.guideline)
        self._others: dict[str, LLMExtractor] = {}  # the same model for the other guidelines requests route to

    def for_guideline(self, ref: str) -> "LLMExtractor":
        """The same model and mode for another guideline, for a request routed there by its codes (built once)."""
        from priorauth.pipeline import default_extractor

        if ref not in self._others:
            self._others[ref] = LLMExtractor(self.config, mode=self.mode, rules=default_extractor(ref), guideline=ref)
        return self._others[ref]

    def _run_info(self, status: str, reason: Optional[str], n_chunks: int = 0, cached: int = 0, reasks: int = 0) -> LLMRun:
        return LLMRun(model=self.config.model, prompt_version=self.prompts.version, prompt_sha256=self.prompts.sha256,
                      schema_sha256=self.client.schema_hash, status=status, reason=reason, chunks=n_chunks,
                      cached_chunks=cached, reasks=reasks)  # type: ignore[arg-type]

    def extract(self, case: Case) -> Extraction:
        usage = Usage()
        claims: list[Claim] = []
        therapy: list[tuple[Document, Aligner, int, object]] = []
        n_chunks = cached = reasks = 0
        try:
            for document in (d for d in case.documents if d.text.strip()):
                parts = chunks(document, self.config.chunk_tokens)
                for i, chunk in enumerate(parts, 1):
                    n_chunks += 1
                    user = self.prompts.user(chunk.text, document.type or "clinical note",
                                             document.date.isoformat() if document.date else "unknown", i, len(parts))
                    result = self.client.extract(user, lambda out, c=chunk: _unaligned(out, c.text))
                    usage.prompt_tokens += result.prompt_tokens
                    usage.completion_tokens += result.completion_tokens
                    usage.requests += result.requests
                    cached += result.cached
                    usage.cached += result.cached
                    reasks += result.reasks
                    aligner = Aligner(chunk.text)
                    claims.extend(_ground(result.output, chunk, aligner))
                    therapy.extend((document, aligner, chunk.start, t) for t in result.output.conservative_therapy)
        except LLMStop as stop:
            if stop.spent is not None:  # a case that falls back still cost what it cost
                usage.prompt_tokens += stop.spent.prompt_tokens
                usage.completion_tokens += stop.spent.completion_tokens
                usage.requests += stop.spent.requests
                reasks += stop.spent.reasks
            fallback = self.rules.extract(case)
            fallback.extractor = f"{self.mode}->rules"
            fallback.usage = usage
            fallback.llm = self._run_info("fallback", stop.reason, n_chunks, cached, reasks)
            fallback.warnings.append(f"LLM step unavailable ({stop.reason}); the review uses the deterministic findings only")
            return fallback
        return self._assemble(case, claims, therapy, usage, self._run_info("ok", None, n_chunks, cached, reasks))

    def _assemble(self, case: Case, claims: list[Claim], therapy, usage: Usage, run: LLMRun) -> Extraction:
        docs = {d.id: d for d in case.documents}
        unverified = [UnverifiedClaim(code=c.code, quote=c.quote, doc=c.doc_id) for c in claims if c.span is None]
        grounded = [c for c in claims if c.span is not None]
        checks: dict[str, list[tuple[Optional[str], bool]]] = {}
        for doc_id in {c.span.doc for c in grounded}:  # type: ignore[union-attr]
            mine = [c for c in grounded if c.span.doc == doc_id]  # type: ignore[union-attr]
            checks[doc_id] = context_assertions(docs[doc_id], [(c.span.start, c.span.end, c.code) for c in mine])  # type: ignore[union-attr]
            for c, (ctx_reason, ctx_exam) in zip(mine, checks[doc_id]):
                c.exam = c.exam or ctx_exam
                c.context = ctx_reason

        base = self.rules.extract(case) if self.mode == "hybrid" else None
        conflicts: list[Conflict] = []
        present: dict[str, list[EvidenceSpan]] = {}
        exam: dict[str, bool] = {}
        ruled: dict[tuple[str, str], list[EvidenceSpan]] = {}
        for c in grounded:
            ctx = c.context
            if c.assertion is None and ctx is not None and c.span.alignment != "fuzzy":  # type: ignore[union-attr]
                conflicts.append(Conflict(code=c.code, evidence=c.span, llm="present", context=ctx))  # type: ignore[arg-type]
                continue
            if c.assertion is None:
                present.setdefault(c.code, []).append(c.span)  # type: ignore[arg-type]
                exam[c.code] = exam.get(c.code, False) or c.exam
            else:
                ruled.setdefault((c.code, c.assertion), []).append(c.span)  # type: ignore[arg-type]
        findings: list[Finding] = []
        if base is not None:
            for f in base.findings:
                if not f.present:
                    findings.append(f)
                    continue
                llm_against = [c for c in grounded if c.code == f.code and c.assertion is not None
                               and any(c.span.overlaps(s) for s in f.evidence)]  # type: ignore[arg-type]
                for c in llm_against:
                    conflicts.append(Conflict(code=c.code, evidence=c.span, llm=c.assertion, context="present"))  # type: ignore[arg-type]
                extra = [s for s in present.pop(f.code, []) if not any(s.overlaps(x) for x in f.evidence)]
                findings.append(f.model_copy(update={"evidence": f.evidence + extra, "exam": f.exam or exam.get(f.code, False),
                                                     "source": "rules+llm" if extra else "rules"}))
        for code, spans in present.items():
            findings.append(Finding(code=code, evidence=_dedup(spans), exam=exam.get(code, False), source="llm"))
        for (code, reason), spans in ruled.items():
            findings.append(Finding(code=code, evidence=_dedup(spans), reason=reason, source="llm"))  # type: ignore[arg-type]

        llm_therapy = _therapy(therapy, case.request.request_date)
        ct = base.conservative_therapy if base is not None and base.conservative_therapy is not None else llm_therapy
        if base is not None and base.conservative_therapy is not None and llm_therapy is not None:
            ct = _combine(base.conservative_therapy, llm_therapy)
        return Extraction(findings=findings, conservative_therapy=ct, conflicts=conflicts, unverified=unverified,
                          warnings=(base.warnings if base else []), extractor=self.mode, usage=usage, llm=run)


def _dedup(spans: list[EvidenceSpan]) -> list[EvidenceSpan]:
    seen, out = set(), []
    for s in sorted(spans, key=lambda s: (s.doc, s.start)):
        if (s.doc, s.start, s.end) not in seen:
            seen.add((s.doc, s.start, s.end))
            out.append(s)
    return out


def _unaligned(out: LLMExtraction, text: str) -> list[str]:
    """Quotes we cannot find in the excerpt even approximately: the re-ask feedback."""
    aligner = Aligner(text)
    bad = [q for f in out.findings for q in f.quotes if aligner.align(q) is None]
    bad += [t.quote for t in out.conservative_therapy if aligner.align(t.quote) is None]
    return [f"this quote is not in the excerpt: {q[:80]!r}" for q in bad]


def _ground(out: LLMExtraction, chunk: Chunk, aligner: Aligner) -> list[Claim]:
    lex = resources.lexicons()
    claims = []
    for f in out.findings:
        assertion: Optional[str] = None if f.assertion == "present" else f.assertion
        if assertion == "historical" and lex[f.code].history_supports:
            assertion = None
        for q in f.quotes:
            a = aligner.align(q)
            span = None
            if a is not None:
                s, e = chunk.start + a.start, chunk.start + a.end
                span = EvidenceSpan(doc=chunk.doc.id, start=s, end=e, text=chunk.doc.text[s:e], alignment=a.status)  # type: ignore[arg-type]
            claims.append(Claim(f.code, span, q, assertion, f.exam, chunk.doc.id))
    return claims


def _therapy(items, request_date: Optional[date]) -> Optional[ConservativeTherapy]:
    """Components whose quote grounds exactly; durations re-read from their quote by our parser."""
    comps: dict[str, TherapyComponent] = {}
    response = None
    care = code_table().therapy
    for document, aligner, base, t in items:
        a = aligner.align(t.quote)
        if a is None or a.status == "fuzzy" or t.kind not in care:  # a guideline without care codes takes no care
            continue
        span = EvidenceSpan(doc=document.id, start=base + a.start, end=base + a.end,
                            text=document.text[base + a.start:base + a.end], alignment=a.status)
        wk, dur_spans = None, []
        if t.duration_quote:
            d = aligner.align(t.duration_quote)
            if d is not None and d.status != "fuzzy":
                dur_text = document.text[base + d.start:base + d.end]
                dur_spans.append(EvidenceSpan(doc=document.id, start=base + d.start, end=base + d.end, text=dur_text, alignment=d.status))
                parsed = find_durations(dur_text, 0, document.date)
                if parsed and max(x.days for x in parsed) > 0:
                    wk = max(x.days for x in parsed) / 7
                elif t.duration_weeks is not None and str(int(t.duration_weeks)) in dur_text:
                    wk = float(t.duration_weeks)
        end = parse_date(t.end_date, document.date) if t.end_date else document.date
        start = parse_date(t.start_date, document.date) if t.start_date else None
        if wk is None and start and end and end >= start:
            wk = (end - start).days / 7
        within = None if end is None or request_date is None else end >= request_date - SIX_MONTHS
        prev = comps.get(t.kind)
        if prev is None or (wk or 0) > (prev.weeks or 0):
            comps[t.kind] = TherapyComponent(kind=t.kind, category=care[t.kind], weeks=round(wk, 1) if wk else None,
                                             start=start, end=end, within_6_months=within,
                                             evidence=[span] + (prev.evidence if prev else []), duration_evidence=dur_spans)
        else:
            prev.evidence.append(span)
        if t.response == "worsening":
            response = "worsening"
        elif t.response == "no_relief" and response is None:
            response = "no_response"
        elif t.response in ("improved", "resolved") and response is None:
            response = "improved"
    if not comps:
        return None
    return summary(list(comps.values()), response)


def _combine(rules: ConservativeTherapy, llm: ConservativeTherapy) -> ConservativeTherapy:
    """The rules' components, plus components only the model found (grounded); the rules' care named without its
    kind (its weeks and evidence) is kept."""
    kinds = {c.kind for c in rules.components}
    extra = [c for c in llm.components if c.kind not in kinds]
    if not extra:
        return rules
    return summary(rules.components + extra, rules.response or llm.response,
                   other_weeks=[rules.weeks] if rules.weeks is not None else [], general_evidence=rules.general_evidence)


def llm_extractor_from_env(mode: str, guideline: Optional[str] = None, **overrides) -> LLMExtractor:
    """Build from OPENAI_API_KEY, OPENAI_BASE_URL, PRIORAUTH_LLM_MODEL (and CLI overrides)."""
    return LLMExtractor(LLMConfig.from_env(**overrides), mode=mode, guideline=guideline)
