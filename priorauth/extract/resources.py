"""Load the extractor's data files: lexicons, ConText rules, section headers, attribution cues.

Everything clinical lives in JSON beside this module so reviewers of the rules
can read and change them without touching code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from priorauth.codes import code_table
from priorauth.extract.anchors import required_literals
from priorauth.guidelines import Guideline, per_guideline
from priorauth.validate import DataFileError, load_model

if TYPE_CHECKING:  # medspaCy is imported where its rule objects are built, so the data loaders stay light
    from medspacy.context import ConTextRule
    from medspacy.section_detection import SectionRule
    from medspacy.target_matcher import TargetRule


class Strict(BaseModel):
    """A data file's model: an unknown key is an error (a misspelt key fails at load); `_doc` may be given by alias."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _compiles(v: str) -> str:
    re.compile(v)
    return v


Regex = Annotated[str, AfterValidator(_compiles)]  # a pattern in a data file, checked to compile when loaded


class LexiconRuleSpec(Strict):
    """One pattern of a lexicon file: a regex, or a literal matched at word boundaries."""

    pattern: Optional[str] = None
    literal: Optional[str] = None
    exam: bool = False
    kind: Optional[str] = None
    doc_kind: bool = False
    imaging_header: bool = False
    procedure: bool = False
    emg_doc: bool = False
    operative_doc: bool = False
    course_only: bool = False
    done_only: bool = Field(default=False, description=(
        "A study named by its region in any order of words: it is a prior study only where its sentence says it was "
        "done (a date before its note, a result, a verb of having had it) and not that it is being ordered; "
        "elsewhere it is no mention at all."))

    score_rise: bool = Field(default=False, description=(
        "A score change ('3 -> 8/10') with groups `a` and `b`: a mention only when it rose by at least care.json's "
        "`score_rise` points."))

    @model_validator(mode="after")
    def _one_form(self) -> "LexiconRuleSpec":
        if (self.pattern is None) == (self.literal is None):
            raise ValueError("a rule has exactly one of 'pattern' or 'literal'")
        return self


class LexiconFile(Strict):
    """A lexicon file: the code, its patterns and its flags (`history_supports` has its one source here)."""

    doc: str = Field(default="", alias="_doc")
    code: str
    shadows: list[str] = []  # codes this one overrides on the same words (saddle numbness is not dermatomal numbness)
    rules: list[LexiconRuleSpec]
    suspicion: bool = False
    history_supports: bool = False
    keep: list[str] = []
    not_if_near: Optional[str] = None
    near_scope: Literal["clause", "sentence"] = "clause"
    not_in_sentence: Optional[Regex] = Field(default=None, description=(
        "Words anywhere in the mention's sentence that make it another concept ('a new relapse with a C-spine lesion': "
        "a demyelinating plaque, not a tumor), beside the clause-scoped `not_if_near`."))
    near_after: int = Field(default=40, ge=0, le=200, description=(
        "How many characters after a mention a clause-scoped `not_if_near` reads ('graded 4/5 by the patient on our "
        "five-point provocation scale' needs more than the default)."))
    needs_new: Optional[str] = None
    anaphor: Optional[Regex] = Field(default=None, description=(
        "Words just before a mention that make it point back at a finding described elsewhere ('to address the "
        "indeterminate CT finding'): such a mention counts only beside a mention of the code that describes it."))
    anaphor_unless: Optional[Regex] = Field(default=None, description=(
        "Words just after an anaphoric mention that describe the finding after all ('the indeterminate L3 lesion')."))


class ContextRuleSpec(Strict):
    literal: str
    category: str
    direction: Literal["FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO"]
    pattern: Optional[Any] = None
    max_scope: Optional[int] = None
    max_targets: Optional[int] = None
    allowed_types: Optional[list[str]] = None
    excluded_types: Optional[list[str]] = None
    terminated_by: Optional[list[str]] = None
    refusal: Optional[Literal["declined", "contraindicated"]] = None
    """A negation that says why: the patient declined the care, or it is contraindicated (events' `status`)."""


class ContextFile(Strict):
    context_rules: list[ContextRuleSpec]


class SectionHeaders(Strict):
    long: list[str] = []
    short: list[str] = []


class SectionEffect(Strict):
    exam: bool = False
    family: bool = False
    historical: bool = False
    hypothetical: bool = False
    course: bool = Field(default=False, description=(
        "The section narrates what followed the visit (a course, a hospital course): a study or surgery told there "
        "came after the visit's complaints and exam."))


class SectionsFile(Strict):
    doc: str = Field(default="", alias="_doc")
    categories: dict[str, SectionHeaders]
    effects: dict[str, SectionEffect] = {}
    line_reads_as: dict[str, Regex] = Field(default={}, description=(
        "Section -> a pattern for a line that belongs to it whatever header it stands under: 'Neurological: "
        "Positive for weakness' is a review-of-systems line even where 'Neurological:' heads an exam."))
    one_line_when_inline: list[str] = Field(default=[], description=(
        "Sections whose header, written with its content on the same line ('PMH: HTN, DM.'), holds that line only: "
        "the next line, when it starts a new sentence and is no list item, is the visit's own narrative again."))


@per_guideline
def line_overrides(g: Guideline) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The compiled `line_reads_as` patterns of the guideline's sections file."""
    data = load_model(SectionsFile, g.path("sections.json"))
    unknown = (set(data.line_reads_as) | set(data.one_line_when_inline)) - set(data.categories)
    if unknown:
        raise ValueError(f"sections.json line_reads_as or one_line_when_inline names unknown sections {sorted(unknown)}")
    return tuple((k, re.compile(v, re.I)) for k, v in data.line_reads_as.items())


@per_guideline
def inline_headers(g: Guideline) -> dict[str, re.Pattern[str]]:
    """Per `one_line_when_inline` section: a header of it followed on its line by content."""
    data = load_model(SectionsFile, g.path("sections.json"))
    out = {}
    for name in data.one_line_when_inline:
        h = data.categories[name]
        words = "|".join(re.escape(w) for w in sorted(h.long + h.short, key=len, reverse=True))
        out[name] = re.compile(rf"[ \t]*(?:{words})[ \t]*:[ \t]*\S", re.I)
    return out


NEW_SENTENCE_LINE = re.compile(r"[ \t]*[A-Z][A-Za-z]")  # not a bullet, number, or a wrapped lower-case continuation


def _after_inline_header(text: str, line_start: int, section: Optional[str]) -> bool:
    """The line follows, directly, a one-line section's inline header line, and starts a new sentence."""
    rx = inline_headers().get(section or "")
    if rx is None or line_start == 0 or not NEW_SENTENCE_LINE.match(text, line_start):
        return False
    prev = text.rfind("\n", 0, line_start - 1) + 1
    return bool(rx.match(text, prev)) and line_start - prev <= LINE_LOOKBACK


LINE_LOOKBACK = 300  # characters: a line longer than this before the position is read by its header


def line_section(text: str, at: int, section: Optional[str]) -> Optional[str]:
    """The section a position's line reads as (`line_reads_as`), else the header's section."""
    rules = line_overrides()
    if not rules and not inline_headers():
        return section
    # a line read as another section is a short one; look back a bounded way (transcriptions without line breaks
    # would otherwise make every lookup scan the note back to its start)
    lo = max(0, at - LINE_LOOKBACK)
    start = text.rfind("\n", lo, at) + 1
    if start == 0 and lo > 0:
        return section
    for name, rx in rules:
        if rx.match(text, start):
            return name
    if _after_inline_header(text, start, section):
        return None
    return section


@dataclass(frozen=True)
class LexiconRule:
    code: str
    pattern: str
    exam: bool = False
    kind: str | None = None
    doc_kind: bool = False
    imaging_header: bool = False
    procedure: bool = False
    emg_doc: bool = False  # counts only in an EMG/nerve-conduction report
    operative_doc: bool = False  # counts only in an operative report
    course_only: bool = False  # counts only in a section that narrates what followed the visit (effect 'course')
    done_only: bool = False  # a study named anyhow: kept only where its sentence says it was done (rules_extractor)
    score_rise: bool = False  # a score change: kept only when it rose (rules_extractor)


@dataclass(frozen=True)
class Lexicon:
    code: str
    rules: tuple[LexiconRule, ...]
    suspicion: bool = False
    history_supports: bool = False
    keep: tuple[str, ...] = ()
    not_if_near: re.Pattern[str] | None = None  # a mention with this within its clause is not the code (a benign tumour)
    near_scope: str = "clause"  # or "sentence": how far `not_if_near` reaches
    near_after: int = 40  # characters after the mention a clause-scoped `not_if_near` reads
    not_in_sentence: re.Pattern[str] | None = None  # words anywhere in the sentence that make it another concept
    needs_new: re.Pattern[str] | None = None  # the code means a new condition: words that say a mention is new
    shadows: tuple[str, ...] = ()
    anaphor: re.Pattern[str] | None = None  # a mention after these words points back at a finding named elsewhere
    anaphor_unless: re.Pattern[str] | None = None  # unless these words after it describe the finding itself


@per_guideline
def lexicons(g: Guideline) -> dict[str, Lexicon]:
    """Every code's lexicon in the guideline, keyed by code (one JSON file per code)."""
    out: dict[str, Lexicon] = {}
    for entry in sorted(g.path("lexicon").iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".json"):
            continue
        data = load_model(LexiconFile, entry)
        code = data.code
        rules = tuple(
            LexiconRule(code=code, pattern=r.pattern or r"\b" + re.escape(r.literal or "") + r"\b",
                        exam=r.exam, kind=r.kind, doc_kind=r.doc_kind, imaging_header=r.imaging_header,
                        procedure=r.procedure, emg_doc=r.emg_doc, operative_doc=r.operative_doc,
                        course_only=r.course_only, done_only=r.done_only,
                        score_rise=r.score_rise)
            for r in data.rules)
        out[code] = Lexicon(code, rules, data.suspicion, data.history_supports, tuple(data.keep),
                            re.compile(data.not_if_near, re.I) if data.not_if_near else None,
                            data.near_scope, data.near_after,
                            re.compile(data.not_in_sentence, re.I) if data.not_in_sentence else None,
                            re.compile(data.needs_new, re.I) if data.needs_new else None, tuple(data.shadows),
                            re.compile(data.anaphor, re.I) if data.anaphor else None,
                            re.compile(data.anaphor_unless, re.I) if data.anaphor_unless else None)
    unnamed = sorted(set(out) - set(code_table(g.id).by_code))
    if unnamed:
        raise DataFileError(f"{g.path('lexicon')}: lexicons for codes not in codes.json {unnamed}")
    for lex in out.values():
        unknown = set(lex.shadows) - set(out)
        if unknown:
            raise DataFileError(f"{g.path('lexicon', lex.code + '.json')}: shadows unknown codes {sorted(unknown)}")
    return out


def target_rules(guideline: str | None = None) -> list[TargetRule]:
    """TargetRules for medspaCy's TargetMatcher; regexes are case-insensitive unless scoped."""
    from medspacy.target_matcher import TargetRule

    rules = []
    for lex in lexicons(guideline).values():
        for i, r in enumerate(lex.rules):
            rules.append(TargetRule(literal=f"{lex.code}#{i}", category=lex.code.upper(), pattern="(?i)" + r.pattern,
                                    metadata={"rule": i, "anchors": required_literals("(?i)" + r.pattern)}))
    return rules


def context_rules(guideline: str | None = None) -> list[ConTextRule]:
    """ConText rules from JSON, including `terminated_by`, which medspaCy's own loader drops."""
    from medspacy.context import ConTextRule

    out = []
    for spec in context_file(guideline).context_rules:
        r = spec.model_dump()
        kw = {k: r[k] for k in ("pattern", "max_scope", "max_targets") if r.get(k) is not None}
        for key in ("allowed_types", "excluded_types", "terminated_by"):
            if r.get(key):
                kw[key] = set(r[key])
        if r.get("refusal"):
            kw["metadata"] = {"refusal": r["refusal"]}
        out.append(ConTextRule(literal=r["literal"], category=r["category"], direction=r["direction"], **kw))
    return out


@per_guideline
def context_file(g: Guideline) -> ContextFile:
    return load_model(ContextFile, g.path("context_rules.json"))


@per_guideline
def section_config(g: Guideline) -> dict[str, Any]:
    """The validated section file as plain data (categories with their headers, effects)."""
    return load_model(SectionsFile, g.path("sections.json")).model_dump(exclude={"doc"})


def header_alternatives(spec: dict[str, list[str]]) -> tuple[str, str]:
    """A section's long names (a space matches any whitespace) and abbreviations as regex alternations, longest first."""
    long_alts = "|".join(re.escape(h).replace(r"\ ", r"\s+") for h in sorted(spec["long"], key=len, reverse=True))
    short_alts = "|".join(re.escape(h) for h in sorted(spec["short"], key=len, reverse=True))
    return long_alts, short_alts


def section_rules(guideline: str | None = None) -> list[SectionRule]:
    """Header regexes: abbreviations must open a line and take a colon; long names may stand alone."""
    from medspacy.section_detection import SectionRule

    rules = []
    for category, spec in section_config(guideline)["categories"].items():
        long_alts, short_alts = header_alternatives(spec)
        forms = []
        if long_alts:
            forms.append(rf"(?im:^[ \t]*(?:{long_alts})[ \t]*(?::|$))")
            forms.append(rf"(?i:\b(?:{long_alts})\s*:)")
        if short_alts:
            forms.append(rf"(?m:^[ \t]*(?:{short_alts})[ \t]*:)")
        rules.append(SectionRule(literal=category, category=category, pattern="|".join(forms)))
    rules.append(SectionRule(literal="exam:lead", category="exam", pattern=r"(?i)\bon (?:my )?exam(?:ination)?\b"))
    return rules
