"""Pydantic models for the case, review and error formats of `shared/spec/cases.md`.

Field names follow the contract exactly; everything beyond the contract is
additive so that a review always serialises to at least the contract fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

Decision = Literal["meets_criteria", "not_met", "incomplete"]
Action = Literal["approve", "route_to_clinician", "request_information"]
Assertion = Literal["negated", "family", "historical", "hypothetical", "other_patient_context", "uncertain", "attributed_to_neuropathy", "attributed_to_other_cause", "outside_window"]
Alignment = Literal["exact", "normalized", "fuzzy"]

ACTION_FOR: dict[str, Action] = {
    "meets_criteria": "approve",
    "not_met": "route_to_clinician",
    "incomplete": "request_information",
}


def age_on(birth: dt.date, on: dt.date) -> int:
    """Whole years of age on a date (the birthday itself counts)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


class Request(BaseModel):
    """The prior-authorization request as submitted; every field may be absent."""

    model_config = ConfigDict(extra="allow")

    cpt_codes: Optional[list[str]] = None
    icd10_codes: Optional[list[str]] = None
    patient_age: Optional[int] = Field(default=None, ge=0, le=130)
    request_date: Optional[dt.date] = None
    service_date: Optional[dt.date] = Field(default=None, description="The planned date of service; picks the guideline version in effect (else the request date).")
    has_standard_written_order: Optional[bool] = None


class PageSpan(BaseModel):
    """Characters [start, end) of a document's text came from this 1-based page of its source file."""

    page: int = Field(ge=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class OcrWord(BaseModel):
    """A word Tesseract read: where it is in the text, on which page, its box on the page image and its confidence."""

    page: int = Field(ge=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    confidence: float
    box: tuple[int, int, int, int]  # left, top, width, height in pixels of the page image as read (after any turn upright)


class SourceFile(BaseModel):
    """A file of the packet as received: its hash, format and page count, or why it could not be read."""

    doc: str
    name: Optional[str] = None
    sha256: Optional[str] = None
    format: Optional[str] = None
    page_count: Optional[int] = None
    ocr_pages: list[int] = []
    ocr_seconds: list[float] = Field(default=[], description="Seconds Tesseract took on each page of `ocr_pages`, in the same order.")
    blank_pages: list[int] = Field(default=[], description="Pages without a text layer that were blank, so not OCR'd.")
    engines: list[str] = Field(default=[], description="For a PDF: the text engine each page was read with (pypdf, pdfium or ocr).")
    date_from: Optional[str] = Field(default=None, description="Where the document's date came from when the case gave none "
                                                                "(the C-CDA header, the note's own header, the file's metadata).")
    reference: Optional[str] = Field(default=None, description="A C-CDA body only referenced by URL: the reference, never fetched.")
    error: Optional[str] = None


def page_at(pages: list[PageSpan], text_length: int, offset: int) -> Optional[int]:
    """The 1-based page whose span holds `offset` (the text's end belongs to the last page), else None."""
    for p in pages:
        if p.start <= offset < p.end or (offset == p.end == text_length):
            return p.page
    return None


class DocSection(BaseModel):
    """A coded section of a structured document (C-CDA): characters [start, end) of the text, its LOINC code and role.

    `role` is what the section is for (allergies, medications, problems, plan,
    results, procedures, ...; priorauth/ingest/ccda_sections.json), so that the
    extractor reads an allergy list as allergies whatever its title says.
    """

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    code: Optional[str] = None
    title: Optional[str] = None
    role: Optional[str] = None


def section_role(sections: list[DocSection], offset: int) -> Optional[str]:
    """The role of the innermost coded section holding `offset`, or None."""
    found = None
    for s in sections:
        if s.start <= offset < s.end and s.role and (found is None or s.start >= found.start):
            found = s
    return found.role if found else None


class Document(BaseModel):
    """One document of the packet; `text` is kept byte-for-byte, offsets index into it.

    `pages`, `low_confidence` and `source` are filled when the document was read
    from a file (priorauth.ingest); a document given as text has none of them.
    `sections` are a structured document's coded sections (C-CDA), `author` its
    header's author.
    """

    model_config = ConfigDict(extra="allow")

    id: str
    type: Optional[str] = None
    date: Optional[dt.date] = None
    text: str
    pages: Optional[list[PageSpan]] = None
    low_confidence: list[OcrWord] = []
    source: Optional[SourceFile] = None
    sections: list[DocSection] = []
    author: Optional[str] = None

    def page_of(self, offset: int) -> Optional[int]:
        """The 1-based page holding this character offset, or None without a page map."""
        return page_at(self.pages or [], len(self.text), offset)


class EvidenceSpan(BaseModel):
    """A character span of one document: `documents[doc].text[start:end] == text`."""

    doc: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    section: Optional[str] = None
    alignment: Alignment = "exact"
    page: Optional[int] = None  # 1-based page of the source file, when the document came from a paginated file

    @model_validator(mode="after")
    def _ordered(self) -> "EvidenceSpan":
        if self.end < self.start:
            raise ValueError(f"span end {self.end} precedes start {self.start}")
        return self

    def overlaps(self, other: "EvidenceSpan") -> bool:
        """Same document and intersecting character ranges."""
        return self.doc == other.doc and self.start < other.end and other.start < self.end

    def grounded_in(self, docs: dict[str, str]) -> bool:
        """True when the span's text is exactly the document slice it names."""
        text = docs.get(self.doc)
        return text is not None and text[self.start:self.end] == self.text


class Qualifier(BaseModel):
    """One structured attribute of a finding (a fracture's kind, a cancer's progression), with its own evidence.

    Names and values come from the closed vocabulary in
    `priorauth/guidelines/wps_mri_spine/qualifiers.json`; a finding refuses any other.
    """

    name: str = Field(description="Qualifier name, e.g. 'pathologic', 'new', 'status', 'contradicted'.")
    value: Union[bool, str] = Field(description="true for a boolean qualifier; otherwise one of the qualifier's values ('increasing_pain', 'confirmed') or an ISO date.")
    evidence: list[EvidenceSpan] = []


LEGACY_FLAGS = ("negated", "family", "historical", "hypothetical", "uncertain", "other_patient_context")


class Finding(BaseModel):
    """A finding code with its evidence and its one assertion.

    `reason` is the assertion: None means affirmed, and the finding is
    *present* and can count toward a decision; any reason makes it a ruled-out
    mention, kept for reviewers only. The six booleans of earlier reviews are
    derived from it (still written to JSON, and accepted on input).
    """

    code: str
    evidence: list[EvidenceSpan]
    evidence_total: Optional[int] = Field(default=None, description="How many spans were found when more than the review keeps (the first ones are kept); null when all are kept.")
    exam: bool = False
    reason: Optional[Assertion] = Field(default=None, description="The assertion: null when affirmed, else why the mention does not count.")
    # For a deficit ruled out as explained by a cause outside the spine: that cause, as the note names it.
    attributed_to: Optional[str] = None
    region: Optional[str] = None
    mention_date: Optional[dt.date] = None
    refusal: Optional[Literal["declined", "contraindicated"]] = Field(default=None, description="A negated mention's ConText trigger says the patient declined it or it is contraindicated (allergy, intolerance), not only that it was not done.")
    source: str = "rules"
    qualifiers: list[Qualifier] = Field(default=[], description="Structured qualifiers from the closed vocabulary priorauth/guidelines/wps_mri_spine/qualifiers.json, each with its own evidence spans.")

    @model_validator(mode="before")
    @classmethod
    def _legacy_flags(cls, data: Any) -> Any:
        """Reviews written before the single assertion field carry booleans; the first set one is the reason."""
        if isinstance(data, dict) and any(k in data for k in LEGACY_FLAGS):
            data = dict(data)
            flags = [k for k in LEGACY_FLAGS if data.pop(k, False)]
            if data.get("reason") is None and flags:
                data["reason"] = flags[0]
        return data

    @computed_field
    def negated(self) -> bool:
        return self.reason == "negated"

    @computed_field
    def family(self) -> bool:
        return self.reason == "family"

    @computed_field
    def historical(self) -> bool:
        return self.reason == "historical"

    @computed_field
    def hypothetical(self) -> bool:
        return self.reason == "hypothetical"

    @computed_field
    def uncertain(self) -> bool:
        return self.reason == "uncertain"

    @computed_field
    def other_patient_context(self) -> bool:
        return self.reason == "other_patient_context"

    @model_validator(mode="after")
    def _known_qualifiers(self) -> "Finding":
        if self.qualifiers:
            from priorauth.extract.qualifiers import check_qualifier

            for q in self.qualifiers:
                check_qualifier(self.code, q.name, q.value)
        return self

    @property
    def present(self) -> bool:
        return self.reason is None

    def qualified(self, name: str, value: Union[bool, str] = True) -> list[Qualifier]:
        """This finding's qualifiers of one name and value."""
        return [q for q in self.qualifiers if q.name == name and q.value == value]


class GoldFinding(BaseModel):
    code: str
    evidence: list[EvidenceSpan] = []


class Distractor(BaseModel):
    code: str
    reason: str
    evidence: list[EvidenceSpan] = []


class TherapyComponent(BaseModel):
    """One documented component of conservative care, as written in the notes."""

    kind: str = Field(description="A conservative-care finding code of the guideline (its codes.json names them and "
                                  "whether each is an active or inactive component).")
    category: Literal["active", "inactive"]
    weeks: Optional[float] = None
    start: Optional[dt.date] = None
    end: Optional[dt.date] = None
    within_6_months: Optional[bool] = None
    evidence: list[EvidenceSpan] = []
    duration_evidence: list[EvidenceSpan] = []
    named_only: bool = Field(default=False, description=(
        "Only named: no length, date, dose, frequency, visits, received verb or response beside any of its mentions, "
        "outside a medication list and a note of its own kind. Too little to approve a trial on."))


class ConservativeTherapy(BaseModel):
    """Contract summary (`weeks`, `active`, `inactive`) plus the components behind it."""

    weeks: Optional[int] = None
    active: bool = False
    inactive: bool = False
    within_6_months: Optional[bool] = None
    response: Optional[Literal["no_response", "improved", "worsening"]] = None
    components: list[TherapyComponent] = []
    # care named without its kind ("treated conservatively over several months"): counts for `weeks` only
    general_evidence: list[EvidenceSpan] = []


class Gold(BaseModel):
    findings: list[GoldFinding] = []
    distractors: list[Distractor] = []
    conservative_therapy: Optional[ConservativeTherapy] = None
    decision: Decision
    criteria: list[str] = []


class Case(BaseModel):
    """One labeled or unlabeled packet (one line of a cases JSONL file)."""

    model_config = ConfigDict(extra="allow")

    id: str
    request: Request = Request()
    documents: list[Document] = []
    gold: Optional[Gold] = None
    unreadable: list[SourceFile] = []  # documents given by `path` that could not be read (priorauth.ingest.cases)

    @model_validator(mode="after")
    def _unique_doc_ids(self) -> "Case":
        ids = [d.id for d in self.documents]
        if len(ids) != len(set(ids)):
            raise ValueError("document ids must be unique within a case")
        return self


class Citation(BaseModel):
    """A verbatim sentence of the vendored policy with its character offsets."""

    text: str
    start: int
    end: int


class CriterionResult(BaseModel):
    """How one criterion fared for one requested study, with policy words and note evidence."""

    id: str
    title: str
    kind: Literal["indication", "limitation", "repeat", "documentation"]
    status: Literal["met", "not_met"]
    study: Optional[str] = None
    citations: list[Citation] = []
    evidence: list[EvidenceSpan] = []
    evidence_total: Optional[int] = Field(default=None, description="How many spans were found when more than the review keeps (the first ones and every qualifier's are kept); null when all are kept.")
    reason: str = ""
    needed: str = ""
    conflicts: list[str] = []
    subitem: Optional[str] = Field(default=None, description="The policy sub-item that was met, e.g. 'H.metastatic.ii', 'D.iii', 'REPEAT.b'.")
    subitem_text: str = Field(default="", description="The met sub-item in words, e.g. 'lab or imaging findings of progression'.")
    qualifiers: list[Qualifier] = Field(default=[], description="The finding qualifiers the met sub-item rests on; their spans are also in `evidence`.")
    weak_evidence: list[str] = Field(default=[], description="Why evidence that met this criterion was too weak to approve on (contradicted, templated review of systems, pre-operative only, uncertain).")


class StudyDecision(BaseModel):
    """The decision for one requested CPT code."""

    cpt: str
    region: Optional[str]
    contrast: Optional[str]
    low_field: bool = False
    decision: Decision
    criteria: list[str]
    guideline: Optional[str] = Field(default=None, description="The guideline id@version this item was reviewed under (set when a request spans guidelines).")


class PolicyIdentity(BaseModel):
    id: Optional[str] = Field(default=None, description="The guideline's id (`--guideline`); absent in reviews stored before it was recorded.")
    title: str
    number: str
    effective: str
    sha256: str
    version: Optional[str] = Field(default=None, description="The guideline version applied (guideline.json's version); absent in reviews stored before versions.")
    effective_until: Optional[str] = Field(default=None, description="The day the next installed version takes effect, if one is installed.")
    version_note: str = Field(default="", description="Why this version applied when it was not simply the one in effect on the date of service.")


class Conflict(BaseModel):
    """The LLM and the project's ConText disagree on whether a finding is present at this span."""

    code: str
    evidence: EvidenceSpan
    llm: str
    context: str


class UnverifiedClaim(BaseModel):
    """A model claim whose quote could not be found in the note; never counted."""

    code: str
    quote: str
    doc: str


class LLMRun(BaseModel):
    """What the LLM step did for a case, for the record of how the review was made."""

    model: str
    prompt_version: str
    prompt_sha256: str
    schema_sha256: str
    status: Literal["ok", "fallback"]
    reason: Optional[str] = None
    chunks: int = 0
    cached_chunks: int = 0
    reasks: int = 0


class Usage(BaseModel):
    """Tokens spent by the LLM step on one case (zero when it answered from the cache)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0
    cached: int = 0


DocumentRole = Literal["clinic_note", "operative_report", "procedure_report", "imaging_report", "ed_note",
                       "discharge_summary", "records_review", "therapy_note", "letter", "phone_note"]
EventKind = Literal["symptom", "sign", "care", "procedure", "imaging", "diagnosis", "other"]
DocTimeRel = Literal["BEFORE", "OVERLAP", "BEFORE_OVERLAP", "AFTER"]
Modality = Literal["ACTUAL", "HYPOTHETICAL", "HEDGED", "GENERIC"]
Subject = Literal["patient", "family_member", "other"]
EventStatus = Literal["performed", "planned", "ordered", "received", "declined", "contraindicated", "reported", "found"]
"""What happened to an event, read with its polarity (a negated `performed` surgery is one not done):

- a procedure or study is `performed`, or `planned` (a surgery) / `ordered` (a study: ordered, requested,
  recommended) when the note writes it as future or conditional;
- care is `received`, `planned` (recommended, referred, "will start"), or `declined` / `contraindicated`
  (ConText negation by refusal, allergy or intolerance: not simply "no PT");
- a symptom, sign or diagnosis is `found` on examination or `reported` (by the patient or the history).

Seven of THYME's and cTAKES' distinctions already live in the other fields; this one is the reviewer's question
"did it happen, and who says so", which the criteria ask of care (received), surgery (performed) and deficits
(found on exam).
"""
ImagingResult = Literal["normal", "finding", "indeterminate", "non_diagnostic"]


class ClinicalEvent(BaseModel):
    """One clinical event as one document tells it, with its exact evidence."""

    code: str = Field(description="The finding code the event instantiates.")
    kind: EventKind
    doc: str = Field(description="The document that tells it.")
    role: DocumentRole = Field(description="That document's role (clinic note, operative report, imaging report ...).")
    date: Optional[dt.date] = Field(default=None, description="The document's date: the note's own clock.")
    polarity: Literal[1, -1] = Field(description="cTAKES polarity: -1 when negated.")
    uncertainty: bool = Field(description="cTAKES uncertainty: hedged or possible.")
    subject: Subject = Field(description="cTAKES subject: whose event it is.")
    history_of: bool = Field(description="cTAKES historyOf: a past episode, resolved, or before a surgery since done.")
    conditional: bool = Field(description="cTAKES conditional: planned, referred, return precautions, rule-out.")
    doc_time_rel: DocTimeRel = Field(description="THYME DocTimeRel against the document's time.")
    modality: Modality = Field(description="THYME contextual modality.")
    source: Literal["exam", "reported"] = Field(description="Found on examination, or reported by the patient/history.")
    counts: bool = Field(description="Whether the rule layer may count it (present, grounded, not only weak).")
    cause: Optional[str] = Field(default=None, description="The non-spinal cause the author names for it.")
    region: Optional[str] = Field(default=None, description="The spinal region it concerns, when known.")
    side: Optional[Literal["left", "right", "bilateral"]] = Field(default=None, description="The side its words name.")
    contradicted_by: list[EvidenceSpan] = Field(default=[], description="The exam or note that contradicts it, if any.")
    attributes: list[str] = Field(default=[], description="Its qualifiers (contradicted, before_surgery, assessed ...).")
    values: dict[str, list[Union[bool, str]]] = Field(default={}, description="Each qualifier's value(s) by name, in reading order (a surgery's date and region, a contradiction's date, a disease's kind).")
    status: Optional[EventStatus] = Field(default=None, description="What happened: performed, planned, ordered, received, declined, contraindicated, reported or found (read with `polarity`).")
    when: Optional[dt.date] = Field(default=None, description="The event's own date when its document gives one (a surgery's or a study's date), distinct from `date`, the document's.")
    levels: list[str] = Field(default=[], description="The spinal levels it names ('L4-5'), when a levels qualifier holds them.")
    result: Optional[ImagingResult] = Field(default=None, description="An imaging study's or EMG's result when the reading knows it: normal, finding, indeterminate, non_diagnostic.")
    began: Optional[dt.date] = Field(default=None, description="When it began, as its document states or counts back from its own date: care's start, a symptom's onset ('for 3 months', 'since March').")
    ended: Optional[dt.date] = Field(default=None, description="When care ended or was last told of as ongoing, when its document says.")
    weeks: Optional[float] = Field(default=None, description="How long it lasted so far: care's length, a symptom's duration, in weeks.")
    response: Optional[Literal["no_response", "improved", "worsening"]] = Field(default=None, description="For care received: how the symptoms responded, as the packet's latest word on it says (worsening wins).")
    timing: list[EvidenceSpan] = Field(default=[], description="The words its dates and length were read from ('for 3 months', '20 August to 30 October').")
    evidence: list[EvidenceSpan] = Field(min_length=1)


class TimelineEntry(BaseModel):
    """One document on the packet's timeline with the events it tells, in order."""

    doc: str
    role: DocumentRole
    date: Optional[dt.date] = None
    events: list[int] = Field(description="Indexes into Review.events.")



class Review(BaseModel):
    """System output for one case; the first six fields are the contract."""

    case_id: Optional[str] = None
    decision: Decision
    criteria: list[str]
    findings: list[Finding]
    conservative_therapy: Optional[ConservativeTherapy]
    action: Action
    reasons: list[str] = []
    missing: list[str] = []
    criteria_results: list[CriterionResult] = []
    studies: list[StudyDecision] = []
    ruled_out: list[Finding] = []
    warnings: list[str] = []
    extractor: str = "rules"
    policy: Optional[PolicyIdentity] = None
    usage: Optional[Usage] = None
    llm: Optional[LLMRun] = None
    conflicts: list[Conflict] = []
    needs_checking: list[Finding] = []
    unverified: list[UnverifiedClaim] = []
    sources: list[SourceFile] = []  # the packet's files (hash, format, pages) and any that could not be read
    parts: list["Review"] = Field(default=[], description="When the requested codes span guidelines: one review per guideline, each of its own codes; the top level combines them.")
    events: list[ClinicalEvent] = Field(default=[], description="Clinical events per document with cTAKES/THYME attributes.")
    timeline: list[TimelineEntry] = Field(default=[], description="The packet's documents by date, with their events.")

    @model_validator(mode="wrap")
    @classmethod
    def _under_its_guideline(cls, data: Any, handler: Any) -> "Review":
        """A stored review is read under the guideline version it was made under, whose codes its qualifiers name."""
        from priorauth.extract.qualifiers import also_qualifying
        from priorauth.guidelines import installed, ref_of, using

        def ref(policy: Any) -> Optional[str]:
            """The installed guideline version a stored policy names (None: not installed here, read as it is)."""
            if not isinstance(policy, dict) or policy.get("id") not in installed():
                return None
            try:
                return ref_of(PolicyIdentity.model_validate(policy))
            except ValueError:
                return None

        if not isinstance(data, dict):
            return handler(data)
        parts = [r for p in data.get("parts") or [] if isinstance(p, dict) and (r := ref(p.get("policy")))]
        with using(ref(data.get("policy"))), also_qualifying(parts):
            return handler(data)


class ErrorRecord(BaseModel):
    """Written in place of a review when a case cannot be read or processed."""

    case_id: Optional[str]
    error: str
    line: Optional[int] = None


if __name__ == "__main__":  # python -m priorauth.models > docs/review.schema.json
    import json

    print(json.dumps(Review.model_json_schema(), indent=1, ensure_ascii=False))
