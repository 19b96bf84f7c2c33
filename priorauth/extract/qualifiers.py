"""Structured qualifiers of findings: what a code alone cannot say about a policy sub-item.

A fracture is pathologic or osteoporotic, a cancer has new pain or rising
markers, an MS patient is stable or relapsing, symptoms come before or after a
surgery, a deficit found once is contradicted by a later normal exam. Each
qualifier is looked up in a closed vocabulary (`data/qualifiers.json`) and
carries its own exact evidence span. The cues are found in the finding's
sentence and its neighbourhood, and a cue inside a negation trigger's scope
(context_rules.json, as ConText reads it) does not count. Works on any
extractor's findings (rules, LLM, gold) because it needs only spans and text.
"""

from __future__ import annotations

import bisect
import functools
import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable, Iterable, Iterator, Literal, Optional, Union

from pydantic import Field

from priorauth.extract import resources
from priorauth.extract.anchors import may_match
from priorauth.extract.attribution import FORM_ANSWER
from priorauth.extract.dates import AGO_UNITS, AGO_WORDS, DATE_RX, SIX_MONTHS, note_clock, parse_date
from priorauth.extract.roles import document_role
from priorauth.extract.starts import HeadIndex
from priorauth.guidelines import Guideline, per_guideline
from priorauth.guidelines import get as get_guideline
from priorauth.validate import load_model
from priorauth.models import Document, EvidenceSpan, Finding, Qualifier, Request

DEFICIT_CODES = ("motor_weakness", "sensory_deficit", "upper_motor_neuron_signs", "abnormal_reflexes",
                 "bowel_bladder_dysfunction")
SYMPTOM_CODES = ("back_pain", "neck_pain", "radicular_pain", "myelopathy_suspected", "saddle_anesthesia",
                 "cauda_equina_suspected", "symptoms_worsening", "no_response_to_treatment", "infection_suspected",
                 "csf_leak_suspected", "spasticity", "ed_visit_radicular_pain") + DEFICIT_CODES
MAX_SPANS = 3
CONTRADICTABLE = DEFICIT_CODES + ("infection_suspected", "myelopathy_suspected", "cauda_equina_suspected")
"""Findings a later note can undo: a deficit by a normal exam, a suspected infection by 'no concern for infection';
a suspicion also by the same note's answer to it."""
AGE_RX = re.compile(r"\b(\d{1,2})[- ](day|week|wk|month|mo)s?[- ]old\b", re.I)
TREATMENT_RX = re.compile(r"\b(?:resect\w*|excis\w*|radiation|radiotherapy|SBRT|(?-i:RT|XRT)|irradiat\w*|radiated|proton|\d+ Gy|"
                          r"chemotherapy|surgery|treated|debulk\w*|laminectomy)\b", re.I)


class QualifierSpec(resources.Strict):
    """One qualifier of the vocabulary."""

    description: str
    policy: str
    scope: Literal["sentence", "near", "document", "packet"] = "near"
    string: bool = False
    computed: bool = False
    skip_operative: bool = False
    stale_after_days: Optional[int] = Field(default=None, ge=1, description=(
        "A cue whose sentence dates it (a date or a year) more than this many days before its note, or calls it "
        "resolved, is history: a relapse years old is not a new symptom."))
    cues: dict[str, list[str]] = {}


class Vocabulary(resources.Strict):
    """The whole data file; unknown keys are an error so typos fail at load time."""

    doc: str = Field(alias="_doc")
    skip_sections: list[str]
    negation_window: int = Field(ge=1, le=20)
    hypothetical_cues: list[str] = Field(min_length=1)
    any_code: dict[str, QualifierSpec]
    normal_exam: dict[str, list[str]]
    operative_report: str
    inpatient_stay: str
    operation_header: str
    earlier_surgery_cues: str
    preop_cues: str
    postop_cues: str
    past_surgery_cues: str
    new_or_worse_cue: str
    ongoing_cue: str
    chronic_deficit_cue: Optional[str] = None
    time_anaphor: Optional[str] = Field(default=None, description=(
        "Words opening a sentence that date it by the sentence before ('At that time, he had had a deterioration')."))
    codes: dict[str, dict[str, QualifierSpec]]


@dataclass(frozen=True)
class Compiled:
    vocab: Vocabulary
    cues: dict[tuple[str, str], list[tuple[str, re.Pattern]]]
    normal_exam: dict[str, list[re.Pattern]]
    operative: re.Pattern
    stay: re.Pattern
    operation_header: re.Pattern
    earlier_surgery: re.Pattern
    preop: re.Pattern
    postop: re.Pattern
    past_surgery: re.Pattern
    new_or_worse: re.Pattern
    ongoing: re.Pattern
    chronic_deficit: Optional[re.Pattern]
    forward: re.Pattern
    backward: re.Pattern
    hypothetical: re.Pattern
    clause_stop: re.Pattern  # where a cue's clause ends: ';', ':', a period before a capital, or a ConText terminate trigger
    header_names: list[str]
    header_at_colon: re.Pattern
    header_at_line: re.Pattern
    time_anaphor: Optional[re.Pattern] = None


def _alts(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@per_guideline
def vocabulary(g: Guideline) -> Compiled:
    """Load and compile the vocabulary, the negation triggers and the section headers once."""
    vocab = load_model(Vocabulary, g.path("qualifiers.json"))
    from priorauth.codes import code_table

    unknown = set(vocab.codes) - set(code_table(g.id).by_code)
    if unknown:
        raise ValueError(f"qualifiers.json names unknown codes: {sorted(unknown)}")
    cues = {}
    for code, specs in vocab.codes.items():
        for name, spec in specs.items():
            if spec.computed == bool(spec.cues):
                raise ValueError(f"qualifier {code}.{name}: a qualifier has cues or is computed, not both")
            if not spec.string and spec.cues and set(spec.cues) != {"true"}:
                raise ValueError(f"qualifier {code}.{name}: a boolean qualifier's cues are listed under 'true'")
            cues[(code, name)] = [(v, re.compile(p, re.I)) for v, ps in spec.cues.items() for p in ps]
    rules = resources.context_file(g.id).context_rules

    def lits(cat: str, direction: str) -> list[str]:
        return [r.literal for r in rules if r.category == cat and r.direction in (direction, "BIDIRECTIONAL") and not r.pattern]

    def rx(words: list[str]) -> re.Pattern:  # a word trigger stands alone; '? no' (a form's answer) follows a word
        lead = [w for w in words if w[:1].isalnum()]
        punct = [w for w in words if w and not w[:1].isalnum()]
        alts = "|".join(([rf"(?<![\w-])(?:{_alts(lead)})"] if lead else []) + ([rf"(?:{_alts(punct)})"] if punct else [])) or "(?!x)x"
        return re.compile(rf"(?:{alts})(?![\w-])", re.I)

    sections = resources.section_config(g.id)["categories"]
    names, at_colon, at_line = [], [], []
    for i, (cat, spec) in enumerate(sections.items()):
        names.append(cat)
        long_alts, short_alts = resources.header_alternatives(spec)
        line = []
        if long_alts:
            at_colon.append(rf"(?P<h{i}>\b(?:{long_alts})\s*)$")
            line.append(rf"[ \t]*(?:{long_alts})[ \t]*(?::|(?=\n)|\Z)")
        if short_alts:
            line.append(rf"[ \t]*(?:{short_alts})[ \t]*:")
        at_line.append(rf"(?P<l{i}>{'|'.join(line)})")
    return Compiled(
        vocab, cues, {k: [re.compile(p, re.I) for p in v] for k, v in vocab.normal_exam.items()},
        re.compile(vocab.operative_report, re.I | re.M), re.compile(vocab.inpatient_stay),
        re.compile(vocab.operation_header), re.compile(vocab.earlier_surgery_cues, re.I),
        re.compile(vocab.preop_cues, re.I),
        re.compile(vocab.postop_cues, re.I), re.compile(vocab.past_surgery_cues, re.I),
        re.compile(vocab.new_or_worse_cue, re.I), re.compile(vocab.ongoing_cue, re.I),
        re.compile(vocab.chronic_deficit_cue, re.I) if vocab.chronic_deficit_cue else None,
        rx(lits("NEGATED_EXISTENCE", "FORWARD")),
        rx([w.rstrip(",;:.- ") for w in lits("NEGATED_EXISTENCE", "BACKWARD")]),  # 'unlikely:' is cut at its colon
        rx(vocab.hypothetical_cues),
        re.compile(r"[;:]|(?-i:\.\s+(?=[A-Z]))|" + rx(lits("TERMINATE", "TERMINATE")).pattern, re.I),
        names, re.compile("|".join(at_colon), re.I), re.compile("|".join(at_line), re.I),
        re.compile(vocab.time_anaphor, re.I) if vocab.time_anaphor else None)


def spec_for(code: str, name: str) -> Optional[QualifierSpec]:
    vocab = vocabulary().vocab
    return vocab.codes.get(code, {}).get(name) or vocab.any_code.get(name)


ALSO: ContextVar[tuple[str, ...]] = ContextVar("priorauth_also_qualifying", default=())


@contextmanager
def also_qualifying(refs: Iterable[str]) -> Iterator[None]:
    """Inside the block, findings may also carry the qualifiers of these guidelines (a review spanning them)."""
    token = ALSO.set(tuple(refs))
    try:
        yield
    finally:
        ALSO.reset(token)


def check_qualifier(code: str, name: str, value: Union[bool, str]) -> None:
    """Raise ValueError unless `name` is a qualifier of `code` and `value` one of its values.

    The active guideline's vocabulary decides; a code it does not qualify may carry the qualifiers of the
    guidelines `also_qualifying` names (a review spanning two guidelines lists the findings of both).
    """
    spec = spec_for(code, name)
    if spec is None and code not in vocabulary().vocab.codes:
        spec = next((x for g in ALSO.get() if (x := vocabulary(g).vocab.codes.get(code, {}).get(name))), None)
    if spec is None:
        raise ValueError(f"{name!r} is not a qualifier of {code!r} (see the guideline's qualifiers.json)")
    if spec.string:
        if not isinstance(value, str) or (spec.cues and value not in spec.cues):
            raise ValueError(f"qualifier {code}.{name} takes one of {sorted(spec.cues) or 'a string'}, not {value!r}")
    elif not isinstance(value, bool):
        raise ValueError(f"qualifier {code}.{name} is true or false, not {value!r}")


@functools.lru_cache(maxsize=None)
def cue_heads(guideline: str) -> HeadIndex:
    """The whole-text cues (qualifier cues, normal-exam phrases) of a guideline (the active one) by their openings."""
    c = vocabulary()
    return HeadIndex([rx for lst in c.cues.values() for _, rx in lst] + [rx for lst in c.normal_exam.values() for rx in lst])


# --- text structure -----------------------------------------------------------------------------

SENT_RX = re.compile(r"[^\n]+")
SENT_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(])")


@dataclass
class DocText:
    """A document's sentences, sections and cue matches, computed once per qualify() call."""

    doc: Document
    sents: list[tuple[int, int]]
    sections: list[tuple[int, str]]
    operative: bool
    stay: bool
    _starts: list[int] = field(default_factory=list)
    _sec_starts: list[int] = field(default_factory=list)
    _matches: dict = field(default_factory=dict)
    lower: str = ""
    sent_sections: list[Optional[str]] = field(default_factory=list)  # the section of each sentence (by its start)
    _heads_at: Optional[tuple] = None  # (where the cues may start,), once read

    def __post_init__(self) -> None:
        self._starts = [s for s, _ in self.sents]
        self._sec_starts = [s for s, _ in self.sections]
        self.lower = self.doc.text.lower()
        self.sent_sections = [self.section(s) for s, _ in self.sents]

    def may_match(self, rx: re.Pattern) -> bool:
        """False when the text lacks every literal a match of the cue needs (anchors.py): no scan needed."""
        return may_match(rx, self.lower)

    def matches(self, rx: re.Pattern) -> list[re.Match]:
        """Every match of a cue in the whole text, found once."""
        if rx not in self._matches:
            self._matches[rx] = [m for m in self._finditer(rx) if m.end() > m.start()] if self.may_match(rx) else []
        return self._matches[rx]

    def _finditer(self, rx: re.Pattern) -> Iterable[re.Match]:
        """A cue tried only where the words its matches open with stand (starts.py), all read in one pass when first
        asked; a cue whose openings cannot be read is scanned."""
        index = cue_heads(get_guideline().id)
        if self._heads_at is None:
            self._heads_at = (index.read(self.doc.text, self.lower),)
        return index.finditer(rx, self.doc.text, self._heads_at[0])

    @classmethod
    def build(cls, doc: Document) -> "DocText":
        c = vocabulary()
        sents = []
        for line in SENT_RX.finditer(doc.text):
            start = line.start()
            for b in SENT_END.finditer(line.group(0)):
                sents.append((start, line.start() + b.start()))
                start = line.start() + b.end()
            sents.append((start, line.end()))
        sections = _sections(doc.text)
        operative = bool(c.operative.search(doc.text[:300])) or "operative" in (doc.type or "").lower()
        stay = bool(c.stay.search(doc.text)) or "discharge" in (doc.type or "").lower()
        return cls(doc, [s for s in sents if doc.text[s[0]:s[1]].strip()], sections, operative, stay)

    def section(self, pos: int) -> Optional[str]:
        i = bisect.bisect_right(self._sec_starts, pos) - 1
        return resources.line_section(self.doc.text, pos, self.sections[i][1] if i >= 0 else None)

    def sent_index(self, pos: int) -> int:
        """The sentence holding `pos`, or the next one when `pos` falls between sentences."""
        i = bisect.bisect_right(self._starts, pos) - 1
        if i < 0:
            return 0
        return i if pos < self.sents[i][1] or i == len(self.sents) - 1 else i + 1

    def sentence(self, pos: int) -> tuple[int, int]:
        return self.sents[self.sent_index(pos)] if self.sents else (0, len(self.doc.text))


def _sections(text: str) -> list[tuple[int, str]]:
    """Section headers as the extractor's Sectionizer reads them (sections.json), found by looking back from
    each colon and at each line start rather than scanning every character; before a colon, tried only where a
    header's words stand."""
    c = vocabulary()
    found = {}
    index = _header_heads(c.header_at_colon)
    at = index.read(text, text.lower())
    starts = None if index.matches(c.header_at_colon, text, at) is None else sorted(at.get(c.header_at_colon, ()))
    for colon in re.finditer(":", text):
        lo = max(0, colon.start() - 45)
        m = c.header_at_colon.search(text, lo, colon.start()) if starts is None else \
            _first_match(c.header_at_colon, text, starts[bisect.bisect_left(starts, lo):bisect.bisect_left(starts, colon.start())], colon.start())
        if m:
            found[m.start()] = c.header_names[int(m.lastgroup[1:])]
    for line in re.finditer(r"(?m)^", text):
        m = c.header_at_line.match(text, line.start())
        if m:
            found.setdefault(m.start(), c.header_names[int(m.lastgroup[1:])])
    return sorted(found.items())


@functools.lru_cache(maxsize=None)
def _header_heads(rx: re.Pattern) -> HeadIndex:
    """The words a header before a colon opens with (starts.py), read once per note."""
    return HeadIndex([rx])


def _first_match(rx: re.Pattern, text: str, candidates: list[int], end: int) -> Optional[re.Match]:
    """`rx.search(text, lo, end)` when `candidates` (ascending) are every place in [lo, end) a match may start:
    search tries each place in turn and keeps the first that matches."""
    for k in candidates:
        m = rx.match(text, k, end)
        if m:
            return m
    return None


def negated(text: str, sent: tuple[int, int], start: int, end: int, backward: bool = True) -> bool:
    """ConText-style: a negation (or 'if ...') trigger in the cue's clause, within a few words, rules the cue out.

    A long cue ("brain MRI ... lesions") is also ruled out by a negation inside it ("showed no lesions").
    `backward=False` for a normal-exam phrase: a trigger after it ("5/5 bilaterally, heel/toe walk normal") is more
    of the normal exam, not its negation, and one before its clause's comma negates something else.
    """
    c = vocabulary()
    inner = text[start:end]
    first = re.match(r"\S+\s*", inner)
    if c.forward.search(inner, first.end() if first else 0):
        return True
    before = text[sent[0]:start]
    cut = max((m.end() for m in c.clause_stop.finditer(before)), default=0)
    before = before[cut:]
    if not backward:  # a normal exam's own clause: 'non-dermatomal, pinprick intact', 'no clonus, sensation intact'
        before = before[before.rfind(",") + 1:]
    words = re.findall(r"\S+", before)[-c.vocab.negation_window:]
    window = " ".join(words)
    if c.forward.search(window) or c.hypothetical.search(window):
        return True
    if backward and _negated_list(before, c.forward):
        return True
    if not backward:
        return False
    close = sent[1]
    if text[start:close].rstrip().endswith("?") and FORM_ANSWER.match(text, close):  # 'Any new symptoms? No'
        line_end = text.find("\n", close)
        close = len(text) if line_end == -1 else line_end
    after = text[end:close]
    stop = c.clause_stop.search(after)
    after = after[:stop.start()] if stop else after
    return bool(c.backward.search(" ".join(re.findall(r"\S+", after)[:5])))


LIST_TAIL = re.compile(r"[\w\s/,()-]*", re.I)
NOT_A_LIST = re.compile(r"\b(?:is|are|was|were|has|have|had|shows?|showed|reveals?|revealed|demonstrat\w*|she|he|they|there|but|"
                        r"which|that|except|although|though|now|new)\b", re.I)
LIST_WORDS = 14


def _negated_list(before: str, forward: re.Pattern[str]) -> bool:
    """A cue that is an item of a negated list: 'without posterior element involvement, retropulsion, soft-tissue mass or
    lytic/sclerotic lesion' negates the lesion too, though the negation stands more words back than its usual reach."""
    hits = list(forward.finditer(before))
    if not hits:
        return False
    tail = before[hits[-1].end():]
    return LIST_TAIL.fullmatch(tail) is not None and ("," in tail or " or " in tail) and \
        not NOT_A_LIST.search(tail) and len(tail.split()) <= LIST_WORDS


def _evidence_sentences(f: Finding, docs: dict[str, DocText]) -> Iterator[tuple[EvidenceSpan, DocText, tuple[int, int]]]:
    """Each evidence span of a finding whose document is in the packet, with that document and the span's sentence."""
    for s in f.evidence:
        dt = docs.get(s.doc)
        if dt is not None:
            yield s, dt, dt.sentence(s.start)


def _span(dt: DocText, start: int, end: int) -> EvidenceSpan:
    return EvidenceSpan(doc=dt.doc.id, start=start, end=end, text=dt.doc.text[start:end], section=dt.section(start))


# --- qualifier finding --------------------------------------------------------------------------

ASSESSMENT = ("assessment", "assessment_plan")


def _scope(spec: QualifierSpec, f: Finding, docs: dict[str, DocText]) -> list[tuple[DocText, set[int]]]:
    """The documents a qualifier's cues are looked for in, with the indices of their sentences, by its scope."""
    skip = set(vocabulary().vocab.skip_sections)
    holders = [docs[d] for d in dict.fromkeys(s.doc for s in f.evidence) if d in docs]
    if spec.scope == "packet":
        holders = list(docs.values())
    out: list[tuple[DocText, set[int]]] = []
    for dt in holders:
        if spec.skip_operative and dt.operative:
            continue
        if spec.scope in ("document", "packet"):
            chosen = set(range(len(dt.sents)))
        else:
            chosen = set()
            for s in f.evidence:
                if s.doc == dt.doc.id:
                    i = dt.sent_index(s.start)
                    chosen |= {i, i + 1}
            if spec.scope == "near":
                chosen.add(0)  # a report's title line names its modality
                chosen |= {i for i, sec in enumerate(dt.sent_sections) if sec in ASSESSMENT}
        chosen = {i for i in chosen if i < len(dt.sents) and dt.sent_sections[i] not in skip}
        if chosen:
            out.append((dt, chosen))
    return out


def _cue_qualifiers(code: str, f: Finding, docs: dict[str, DocText]) -> list[Qualifier]:
    c = vocabulary()
    out = []
    for name, spec in c.vocab.codes.get(code, {}).items():
        if spec.computed:
            continue
        found: dict[str, list[EvidenceSpan]] = {}
        for dt, chosen in _scope(spec, f, docs):
            text = dt.doc.text
            whole = spec.scope in ("document", "packet")
            for value, rx in c.cues[(code, name)]:
                if not dt.may_match(rx):
                    continue
                hits = dt.matches(rx) if whole else [m for i in sorted(chosen) for m in rx.finditer(text, *dt.sents[i])]
                for m in hits:
                    i = dt.sent_index(m.start())
                    if i not in chosen or m.end() > dt.sents[i][1]:
                        continue
                    if negated(text, dt.sents[i], m.start(), m.end()):
                        continue
                    if spec.stale_after_days and _stale(dt, dt.sents[i], spec.stale_after_days, (m.start(), m.end())):
                        continue
                    spans = found.setdefault(value, [])
                    if len(spans) < MAX_SPANS and all((x.doc, x.start) != (dt.doc.id, m.start()) for x in spans):
                        spans.append(_span(dt, m.start(), m.end()))
        for value, spans in found.items():
            out.append(Qualifier(name=name, value=True if value == "true" else value, evidence=spans))
    return out


RESOLVED_RX = re.compile(r"\b(?:resolved|recovered|remitted|in remission)\b", re.I)
YEAR_IN_RX = re.compile(r"\b(?:in|of|by|until|through|during|from)\s+(?:(?:his|her|their|the|a|an)\s+)?(?:(?:early|mid|late)[- ]?)?((?:19|20)\d{2})\b(?![/-]\d)"
                        r"|(?:^|[:;]\s*|\n\s*)((?:19|20)\d{2})\b(?![/-]\d)"  # dictations write 'IN 2019'
                        r"|\b(?:EMG|NCS|NCV|EMG/NCS|NCS/EMG|MRI|CT|x-?rays?)\s+((?:19|20)\d{2})\b(?![/-]\d)", re.I)  # 'EMG/NCS 2019 ...'
"""A year that dates a sentence's event: 'in 2019', 'by early 2023', or leading its line or clause ('Hx: 2022 L foot
drop ...')."""


CLAUSE_EDGE = re.compile(r"[,;]")


def _stale(dt: DocText, sent: tuple[int, int], days: int, cue: Optional[tuple[int, int]] = None) -> bool:
    """The sentence places its event long before the note (a date or 'in 2015'), or calls it resolved. The cue's own
    clause, when it states a date, dates it ('Started ocrelizumab 01/2022, last infusion 12/2025')."""
    text = dt.doc.text[sent[0]:sent[1]]
    if RESOLVED_RX.search(text):
        return True
    ref = dt.doc.date
    if ref is None:
        return False
    if cue is not None:
        lo = max((x.end() for x in CLAUSE_EDGE.finditer(dt.doc.text, sent[0], cue[0])), default=sent[0])
        nxt = CLAUSE_EDGE.search(dt.doc.text, cue[1], sent[1])
        own = [d for d, _ in _dates_in(dt, (lo, nxt.start() if nxt else sent[1]))] or _host_dates(dt, sent, cue)
        if own:
            return (ref - max(own)).days > days
    # 'since 2019' dates the disease, not the event the cue names
    stated = [d for d, sp in _dates_in(dt, sent) if not re.search(r"\bsince\s*$", dt.doc.text[max(0, sp.start - 8):sp.start])]
    stated += [date(int(next(g for g in y if g)), 12, 31) for y in YEAR_IN_RX.findall(text)]
    return bool(stated) and (ref - max(stated)).days > days


def _host_dates(dt: DocText, sent: tuple[int, int], cue: tuple[int, int]) -> list[date]:
    """A cue in brackets is an aside on the words before them, whose date, 'since' included, is its own:
    'Ocrelizumab since 2020 (switched from dimethyl fumarate for breakthrough)' switched in 2020."""
    text = dt.doc.text
    opened = text.rfind("(", sent[0], cue[0])
    if opened == -1 or text.find(")", opened, cue[0]) != -1:
        return []
    lo = max((x.end() for x in CLAUSE_EDGE.finditer(text, sent[0], opened)), default=sent[0])
    return [d for d, _ in _dates_in(dt, (lo, opened))] + \
        [date(int(y), 12, 31) for y in re.findall(r"\b(?:since|in|from)\s+((?:19|20)\d{2})\b", text[lo:opened])]


def _dates_in(dt: DocText, sent: tuple[int, int]) -> list[tuple[date, EvidenceSpan]]:
    out = []
    for m in DATE_RX.finditer(dt.doc.text, sent[0], sent[1]):
        d = parse_date(m.group(0), dt.doc.date)
        if d and re.search(r"\d", m.group(0)):
            if re.search(r"/\d{2}$", m.group(0)) and dt.doc.date and d > dt.doc.date:
                d = d.replace(year=d.year - 100)  # '10/27/92' in a note written after it
            out.append((d, _span(dt, m.start(), m.end())))
    return out


def _nearest(dated: list[tuple[date, EvidenceSpan]], s: EvidenceSpan) -> list[tuple[date, EvidenceSpan]]:
    """Dates ordered by distance from a span (a date inside it first, then one just after it)."""
    def gap(x: tuple[date, EvidenceSpan]) -> int:
        e = x[1]
        if s.start <= e.start < s.end:
            return -1
        return e.start - s.end if e.start >= s.end else 2 * (s.start - e.end)
    return sorted(dated, key=gap)


YEAR_RX = re.compile(r"\b(?:in|since) ((?:19|20)\d{2})\b")
AGO_RX = re.compile(r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|several|many) years? ago\b", re.I)
PERIOPERATIVE = timedelta(days=14)
POD_RX = re.compile(r"\b(?:post-?op(?:erative)?|POD)\s*(?:day\s*)?#?\s*(\d{1,3})\b", re.I)


@dataclass
class Surgery:
    """One mention of a prior spine surgery: when it was done, and whether this document is its own stay."""

    when: Optional[date]
    doc: str
    here: bool
    span: EvidenceSpan


def _surgeries(f: Finding, docs: dict[str, DocText]) -> list[Surgery]:
    """When each mentioned surgery was done: a date by the mention, 'in 1998', 'N years ago', or its report's date."""
    c = vocabulary()
    out = []
    for s, dt, sent in _evidence_sentences(f, docs):
        ref = dt.doc.date
        dated = [x for x in _dates_in(dt, sent) if not ref or x[0] <= ref]
        when, span = (dated and _nearest(dated, s)[0]) or (None, s)
        text = dt.doc.text[sent[0]:sent[1]]
        if when is None and (y := YEAR_RX.search(text)):
            when = date(int(y.group(1)), 7, 1)
        if when is None and ref and (a := AGO_RX.search(text)):
            n = int(a.group(1)) if a.group(1).isdigit() else 3
            when = ref - timedelta(days=365 * n)
        if when is None and ref and (p := POD_RX.search(text)):
            when = ref - timedelta(days=int(p.group(1)))
        lead = dt.doc.text[max(sent[0], s.start - 80):s.end]
        past = bool(c.past_surgery.search(lead)) or (when is not None and ref is not None and ref - when > PERIOPERATIVE)
        here = (dt.operative and not past) or (not past and (dt.stay or when is not None)) or _own_surgery(dt, s)
        if when is None and here:
            when = ref
        out.append(Surgery(when, s.doc, here, span))
    return out


VISIT_SECTIONS = ("chief_complaint", "hpi", "exam")


def _own_surgery(dt: DocText, s: EvidenceSpan) -> bool:
    """The document tells this surgery as its own, whatever the dates say: a report or discharge summary names it
    under its operation header ("OPERATION: ..."), or a note narrates it in its course after the visit it records
    (a case history's "COURSE: ... he underwent L3-4 laminectomy"). Its complaints and exam are then the state
    before the surgery (labeling.md LIM.H)."""
    if (dt.operative or dt.stay) and vocabulary().operation_header.search(dt.doc.text, max(0, s.start - 80), s.start):
        return True
    sent = dt.sentence(s.start)
    if vocabulary().earlier_surgery.search(dt.doc.text, max(sent[0], s.start - 80), s.end):
        return False  # "evidence of prior laminectomy": the course names an earlier surgery, not one that followed
    return _in_course(dt, s)


def _in_course(dt: DocText, s: EvidenceSpan) -> bool:
    """The span stands in a course section that follows the visit's own complaint, history or exam."""
    if not resources.section_config()["effects"].get(dt.section(s.start) or "", {}).get("course"):
        return False  # sections.json: a course narrates what followed the visit
    return any(name in VISIT_SECTIONS for start, name in dt.sections if start < s.start)


def _doc_date(docs: dict[str, DocText], doc_id: str) -> Optional[date]:
    dt = docs.get(doc_id)
    return dt.doc.date if dt else None


def _told_dates(dt: DocText, sent: tuple[int, int], anaphor: Optional[re.Pattern]) -> list[date]:
    """The dates a sentence tells: its own, or, when it opens by pointing back in time ('At that time, ...'), those of
    the sentence before it (a narrative container)."""
    own = [x for x, _ in _dates_in(dt, sent)]
    if own or anaphor is None or not anaphor.match(dt.doc.text, sent[0], sent[1]) or sent[0] < 2:
        return own
    back = len(dt.doc.text[:sent[0]].rstrip()) - 2  # inside the sentence before, past the space and its full stop
    return [x for x, _ in _dates_in(dt, dt.sentence(back))] if back > 0 else []


INDICATION_FOR = re.compile(r"\b(?:surgery|fusion|(?:hemi)?laminectomy|(?:hemi)?laminotomy|(?:micro-?)?dis[ck]ectomy|decompression|"
                            r"arthrodesis|TLIF|PLIF|ALIF|ACDF|foraminotomy|operation)\b[^.;,\n]{0,60}\bfor\s+"
                            r"(?:(?!(?:now|new|since|after|but|then|today|currently)\b)[\w/-]+\s+){0,6}$", re.I)
"""A symptom named as the object of an operation's 'for' is its indication, the state before it."""


def _timing(f: Finding, surgeries: list[Surgery], docs: dict[str, DocText]) -> tuple[list[EvidenceSpan], list[EvidenceSpan]]:
    """Split a finding's spans into those before the (latest) surgery and those after it."""
    c = vocabulary()
    when = max((x.when for x in surgeries if x.when), default=None)
    stays = {x.doc for x in surgeries if x.here}
    # a surgery a note narrates in its course: what the course tells after it, in the order told, followed it
    narrated = {}
    for x in surgeries:
        if x.here and x.doc in docs and _in_course(docs[x.doc], x.span):
            narrated[x.doc] = min(narrated.get(x.doc, x.span.start), x.span.start)
    pre, post = [], []
    for s, dt, sent in _evidence_sentences(f, docs):
        text = dt.doc.text[sent[0]:sent[1]]
        lead = dt.doc.text[max(sent[0], s.start - 120):s.start]
        d = dt.doc.date
        if INDICATION_FOR.search(lead):
            pre.append(s)  # the operation's own indication, told with it: 'ACDF performed 03/2025 for right C6 radiculopathy'
        elif c.postop.search(text) or (s.doc in narrated and sent[0] > narrated[s.doc]):
            post.append(s)
        elif c.preop.search(lead) or s.doc in stays:
            pre.append(s)
        elif when and (told := _told_dates(dt, sent, c.time_anaphor)) and max(told) < when:
            pre.append(s)  # the sentence's own date precedes the surgery ('first presented in 09/2023 with ...')
        elif when and d:
            (post if d > when else pre).append(s)
        else:
            post.append(s)
    return pre, post


PARTIAL = re.compile(r"[^.;\n]{0,12}?\b(?:elsewhere|otherwise|except|apart from|other than|aside from)\b", re.I)


def _whole(text: str, m: re.Match[str]) -> bool:
    """A normal finding that is not limited by the words right after it: 'light touch intact elsewhere' leaves the
    deficit before it standing."""
    return PARTIAL.match(text, m.end()) is None


def _contradiction(f: Finding, ruled_out: list[Finding], docs: dict[str, DocText]) -> Optional[Qualifier]:
    """A later document that records the function as normal or the deficit as absent,
    or a finding whose every sentence itself reads as normal ("Babinski, toes are downgoing")."""
    c = vocabulary()
    rxs = c.normal_exam.get(f.code, [])
    own = []
    for s in f.evidence:
        dt = docs.get(s.doc)
        sent = dt.sentence(s.start) if dt else None
        hit = next((m for rx in rxs for m in rx.finditer(dt.doc.text, *sent)
                    if m.end() >= s.start and m.start() <= s.end + 30 and _whole(dt.doc.text, m)), None) if dt else None
        if hit is None:
            own = []
            break
        own.append((dt, hit))
    if own:
        dt, hit = own[-1]
        return Qualifier(name="contradicted", value="same_sentence", evidence=[_span(dt, hit.start(), hit.end())])
    same = _latest_exam_normal(f, ruled_out, docs) or _suspicion_answered(f, ruled_out, docs)
    if same is not None:
        return same
    dates = [_doc_date(docs, s.doc) for s in f.evidence]
    if not dates or any(d is None for d in dates):
        return None
    last = max(dates)
    later: list[tuple[date, EvidenceSpan]] = []
    for r in ruled_out:
        if r.code == f.code and r.reason == "negated":
            later += [(d, s) for s in r.evidence if (d := _doc_date(docs, s.doc)) and d > last
                      and (s.section or docs[s.doc].section(s.start)) not in c.vocab.skip_sections]
    for dt in docs.values():
        if not dt.doc.date or dt.doc.date <= last:
            continue
        for rx in rxs:
            for m in dt.matches(rx):
                sent = dt.sentence(m.start())
                if dt.section(m.start()) not in c.vocab.skip_sections and _whole(dt.doc.text, m) and \
                        not negated(dt.doc.text, sent, m.start(), m.end(), backward=False):
                    later.append((dt.doc.date, _span(dt, m.start(), m.end())))
    if not later:
        return None
    newest = max(d for d, _ in later)
    spans = [s for d, s in later if d == newest][:MAX_SPANS]
    return Qualifier(name="contradicted", value=newest.isoformat(), evidence=spans)


SUSPICIONS = ("myelopathy_suspected", "cauda_equina_suspected", "infection_suspected")
"""Codes a referral's question ('r/o thoracic myelopathy') carries, which the author may answer later in the note."""


NAMED_ANSWER = {"infection_suspected": re.compile(r"infect|discitis|diskitis|osteomyelitis|abscess|septic", re.I)}
"""A suspicion answered only by naming it ('Discitis considered and excluded'): an absent fever does not answer the
question of an infection."""


def _suspicion_answered(f: Finding, ruled_out: list[Finding], docs: dict[str, DocText]) -> Optional[Qualifier]:
    """Every document that raises the suspicion answers it after raising it ('No myelopathic signs'): the question of
    the referral was asked and answered no."""
    if f.code not in SUSPICIONS:
        return None
    answers = [s for r in ruled_out if r.code == f.code and r.reason == "negated" for s in r.evidence
               if f.code not in NAMED_ANSWER or NAMED_ANSWER[f.code].search(s.text)]
    spans = []
    for doc_id in dict.fromkeys(s.doc for s in f.evidence):
        last = max(s.start for s in f.evidence if s.doc == doc_id)
        after = [s for s in answers if s.doc == doc_id and s.start > last]
        if not after or doc_id not in docs:
            return None
        spans.append(_with_negation(docs[doc_id], after[0]))
    return Qualifier(name="contradicted", value="same_note", evidence=spans[:MAX_SPANS]) if spans else None


EXAMINED_FUNCTION = ("motor_weakness", "sensory_deficit", "abnormal_reflexes", "upper_motor_neuron_signs")
"""Deficits whose function an exam tests; what the patient reports of them is weighed against the latest exam."""


def _exam_section(dt: "DocText", at: int) -> bool:
    return bool(resources.section_config()["effects"].get(dt.section(at) or "", {}).get("exam"))


CLAUSE_START = re.compile(r"[,;:(.\n]")


def _with_negation(dt: "DocText", s: EvidenceSpan) -> EvidenceSpan:
    """A negated mention quoted with the words that negate it ('no objective motor weakness', not 'weakness')."""
    lo = max(dt.sentence(s.start)[0], s.start - 40)
    cut = max((m.end() for m in CLAUSE_START.finditer(dt.doc.text, lo, s.start)), default=lo)
    start = cut + len(dt.doc.text[cut:s.start]) - len(dt.doc.text[cut:s.start].lstrip())
    return _span(dt, start, s.end)


CAUSE_REACH = 60  # characters after an explained grade where its explanation ('limited by groin pain') is read


def _with_cause(dt: "DocText", s: EvidenceSpan) -> EvidenceSpan:
    """An explained grade quoted with the words after it up to its sentence's next clause ('Right hip flexion 4/5,
    limited by groin pain with give-way'), so a reviewer sees why the exam does not count it."""
    end = min(dt.sentence(s.start)[1], s.end + CAUSE_REACH)
    stop = re.compile(r"[;.]|,(?=\s*(?:the |[A-Z]|\w+ \d/5))").search(dt.doc.text, s.end + 1, end)
    return _span(dt, s.start, stop.start() if stop else end)


SUBJECTIVE = re.compile(r"\b(?:subjective(?:ly)?|reports?|reported|complains? of|c/o|feels?|felt|says|said|states?|"
                        r"thinks?|thought|believes?|endorses?|endorsed|positive for|ROS)\b[^.;,]*$", re.I)
"""An exam line's 'subjective tingling R thumb' is what the patient tells, not what the exam finds."""
SUBJECTIVE_REACH = 40  # characters before a deficit's words where 'subjective lateral arm numbness' is read


def _quoted(text: str, at: int) -> bool:
    """The words stand inside quotation marks on their line: the patient's words, not the exam's ('pt surprised "I
    thought that side was weaker"')."""
    line = text[text.rfind("\n", 0, at) + 1:at]
    return line.count('"') % 2 == 1 or line.count("\u201c") > line.count("\u201d")


ITEM_DATE = re.compile(r"[ \t]*(?:[-*\u2022]\s*)?(?:(?:current )?exam(?:ination)?\s+|(?:[A-Z][\w&/.-]*\s+){1,3}(?:visit|note|exam|"
                       r"consult(?:ation)?|evaluation|f/u|follow-?up)\s+(?:on\s+|of\s+|dated\s+)?)?(\d{1,2}/\d{1,2}/\d{2,4})\b", re.I)


def _item_date(dt: DocText, at: int) -> Optional[date]:
    """The date leading the line of `at` ('- 09/10/2026 PCP: R EHL now 5/5', 'Current examination 10/29/2026: ...')."""
    line = dt.doc.text.rfind("\n", 0, at) + 1
    m = ITEM_DATE.match(dt.doc.text, line)
    return parse_date(m.group(1), dt.doc.date) if m and m.end() <= at else None


EXAM_LEAD = re.compile(r"\s*(?:O/E\b|today\s*,?\s*(?:\d{1,2}/\d{1,2}(?:/\d{2,4})?\s*)?:|today\s*,?\s+(?=[^.;\n]{0,40}\b[0-5][+-]?/5\b)|(?:physical |neuro(?:logic(?:al)?)? )?exam(?:ination)?\s*:|PE\s*:|(?:on|at) (?:my |our |today's |this )?(?:physical |neurologic(?:al)? )?exam(?:ination)?|(?:physical |neurologic(?:al)? )?"
                       r"exam(?:ination)? (?:today|in (?:that|this) (?:note|visit)|(?:shows|showed|reveals|revealed|finds|found)))(?:\b|(?<=:))",
                       re.I)
TODAY_LEAD = re.compile(r"\s*(?:today|on today's exam|this visit)\b", re.I)
TODAY_CLAUSE = re.compile(r"\b(?:today|this visit|on today's exam)\b", re.I)
HISTORY_AFTER = re.compile(r"\s*(?:x|for|since|times)\s*(?:\d|one|two|three|four|five|six|several|a few|the past|about)", re.I)
AGO_TOLD = re.compile(r"(?<!since )\b(\d+|one|two|three|four|five|six)\s+(day|week|month)s?\s+ago\b", re.I)


def _exam_lead(dt: DocText, at: int, today: bool = False) -> bool:
    """An exam told outside an exam section: its sentence opens with 'On examination' or 'Exam today', or (`today`,
    for a sign found absent) its clause says 'today' ('today Hoffmann's is negative bilaterally')."""
    s0, _ = dt.sentence(at)
    if EXAM_LEAD.match(dt.doc.text, s0):
        return True
    if not today:
        return False
    cuts = [s0 + m.end() for m in re.finditer(r"[;,]", dt.doc.text[s0:at])]  # the words' own clause, or the sentence's lead
    return bool(TODAY_CLAUSE.search(dt.doc.text, max(cuts) if cuts else s0, at)) or bool(TODAY_LEAD.match(dt.doc.text, s0))


def _told_earlier(dt: DocText, at: int) -> Optional[date]:
    """A finding its sentence tells from an earlier visit, before it: 'At the 07/01 urgent care visit a R Hoffmann's was
    called equivocal', 'Seen at urgent care 2 weeks ago ... documented L EHL 4/5' (not 'since 07/01')."""
    ref = dt.doc.date
    if ref is None:
        return None
    s0, _ = dt.sentence(at)
    dated = [d for d, sp in _dates_in(dt, (s0, at)) if d < ref and not re.search(r"\bsince\s*$", dt.doc.text[max(0, sp.start - 8):sp.start])]
    for m in AGO_TOLD.finditer(dt.doc.text, s0, at):
        n = int(m.group(1)) if m.group(1).isdigit() else AGO_WORDS[m.group(1).lower()]
        dated.append(ref - timedelta(days=n * AGO_UNITS[m.group(2).lower()]))
    dated += [d for y in YEAR_TOLD.finditer(dt.doc.text, s0, at) if (d := date(int(y.group(1)), 7, 1)) < ref.replace(month=1, day=1)]
    if not dated and TOLD_BY.search(dt.doc.text, s0, at):  # 'Dr. Lowe documented L ankle DF 4/5 in early May'
        e0 = dt.sentence(at)[1]
        dated = [d for d, sp in _dates_in(dt, (at, e0)) if d < ref - timedelta(days=7)]
    return max(dated) if dated else None


TOLD_BY = re.compile(r"\b(?:documented|recorded|noted|found|described|graded|records|documents|notes|describes)\s*$|\b(?:Dr\.?|PT|chiropractor|neurologist|"
                     r"surgeon)\b[^.;]{0,40}\b(?:documented|recorded|noted|found|described|graded)\b", re.I)
"""Another clinician's finding told with its day after it ('Dr. Lowe documented ... 4/5 in early May'): that day's."""


YEAR_TOLD = re.compile(r"\b((?:19|20)\d{2})(?:'s)?\s+(?:notes?|exams?|records?|visits?|charts?|evaluations?)\b", re.I)
"""A year's notes a grade is told from ('compare 2024 notes: DF 3/5 at worst'): an earlier visit's exam."""


def _latest_exam_normal(f: Finding, ruled_out: list[Finding], docs: dict[str, DocText]) -> Optional[Qualifier]:
    """The most recent exam of the function finds it normal, and no exam at that time or later finds the deficit.

    labeling.md: weakness the patient reports while the exam finds full strength is not motor weakness; numbness
    with intact sensation on exam is not a sensory deficit. A deficit counts only when the most recent exam of that
    function confirms it, or when no exam of it is documented. This reads the same note too ('feels weak' in the
    HPI, 'strength 5/5' in its exam), and a normal exam or an author's 'no objective weakness' at an assessment.
    """
    if f.code not in EXAMINED_FUNCTION:
        return None
    c = vocabulary()
    skip = set(c.vocab.skip_sections)

    def when(doc_id: str, at: Optional[int] = None) -> date:
        dt = docs.get(doc_id)
        if at is not None and dt is not None and document_role(dt.doc) == "records_review":
            told = _item_date(dt, at)  # a review's dated item tells that day's exam ('- 07/16/2026 urgent care: ...')
            if told is not None:
                return told
        if at is not None and dt is not None:
            earlier = _told_earlier(dt, at)  # 'urgent care 2 weeks ago ... documented L EHL 4/5': that day's exam
            if earlier is not None:
                return earlier
        return _doc_date(docs, doc_id) or date.min

    def examined(dt: DocText, at: int, today: bool = False) -> bool:  # a review's dated items narrate exams too
        return _exam_section(dt, at) or _exam_lead(dt, at, today) or \
            (document_role(dt.doc) == "records_review" and _item_date(dt, at) is not None)

    found = [when(s.doc, s.start) for s in f.evidence if s.doc in docs and examined(docs[s.doc], s.start)
             and not SUBJECTIVE.search(docs[s.doc].doc.text, max(docs[s.doc].sentence(s.start)[0], s.start - SUBJECTIVE_REACH),
                                       s.start) and not _quoted(docs[s.doc].doc.text, s.start)
             and not HISTORY_AFTER.match(docs[s.doc].doc.text, s.end)]
    normal: list[tuple[date, EvidenceSpan]] = []
    for r in ruled_out:
        # an exam that finds the function normal, or that finds the weakness and explains it (pain-limited give-way, a
        # hip): either way the latest exam finds no spinal deficit of that function
        explained = (r.reason or "").startswith("attributed_to")
        if r.code == f.code and (r.reason == "negated" or explained):
            for s in r.evidence:
                dt = docs.get(s.doc)
                sec = dt.section(s.start) if dt else None
                if dt and sec not in skip and (examined(dt, s.start, today=True) or
                                               (not explained and sec in ("assessment", "assessment_plan"))):
                    normal.append((when(s.doc, s.start), _with_cause(dt, s) if explained else _with_negation(dt, s)))
    for dt in docs.values():
        for rx in c.normal_exam.get(f.code, []):
            for m in dt.matches(rx):  # found once per document, shared with the later-document check
                if examined(dt, m.start()) and _whole(dt.doc.text, m) and \
                        not negated(dt.doc.text, dt.sentence(m.start()), m.start(), m.end(), backward=False):
                    normal.append((when(dt.doc.id, m.start()), _span(dt, m.start(), m.end())))
    if not normal:
        return None
    newest = max(d for d, _ in normal)
    if found and max(found) >= newest:
        return None  # an exam at that time or later finds the deficit; a later report of it is no exam
    spans = [s for d, s in normal if d == newest][:MAX_SPANS]
    return Qualifier(name="contradicted", value=newest.isoformat() if newest != date.min else "same_note", evidence=spans)


REGIONED = ("prior_spine_surgery", "emg_radiculopathy", "imaging_indeterminate", "symptoms_worsening",
            "no_response_to_treatment")
"""Facts whose region must match the requested study's for the criteria that use them (labeling.md I, A.iii, C)."""
REGION_LEAD = 40  # how far before a span its level may stand ('L4-5 hemilaminotomy and microdiscectomy')


def _around_spans(f: Finding, docs: dict[str, DocText], name: str,
                  read: Callable[[DocText, EvidenceSpan], Iterable[str]]) -> list[Qualifier]:
    """One `name` qualifier per value `read` finds around the finding's spans, with the spans that name it."""
    found: dict[str, list[EvidenceSpan]] = {}
    for s in f.evidence:
        dt = docs.get(s.doc)
        if dt is not None:
            for v in sorted(read(dt, s)):  # a set's order follows the hash seed: reviews must not
                found.setdefault(v, []).append(s)
    return [Qualifier(name=name, value=v, evidence=spans[:MAX_SPANS]) for v, spans in found.items()]


SAID_OF = ("symptoms_worsening", "no_response_to_treatment")
"""Statements about a symptom ('lumbar pain worse since the fall', '(1) LBP x 12 wks - PT, no better'): their region
is the one their own clause (a worsening) or item (a failed trial, back to a semicolon or colon) names, if only one."""
ITEM_LEAD = 160
SCORE_NAME = re.compile(r"\b(?:neck|back|low back|lumbar|cervical) (?:pain and )?(?:disability|pain|function(?:al)?) "
                        r"(?:index|questionnaire|scale|score)\b", re.I)
"""An outcome measure's name ('neck disability index') names no region of the symptom it scores."""


def _one_region(g: Guideline, text: str) -> Optional[str]:
    """The one region `text` names by region, body or limb words; None when it names none or several."""
    text = SCORE_NAME.sub(" ", text)
    named = {r for r, rx in g.region_words if rx.search(text)} | {r for r, rx in g.study_body_words if rx.search(text)} \
        | g.limbs_of(text)
    return named.pop() if len(named) == 1 else None


def _regions(f: Finding, docs: dict[str, DocText]) -> list[Qualifier]:
    """One `region` qualifier per spinal region the finding's spans name, by words or levels."""
    g = get_guideline()

    def region(dt: DocText, s: EvidenceSpan) -> list[str]:
        sent0 = dt.sentence(s.start)[0]
        lo = max(sent0, s.start - REGION_LEAD)
        lead = dt.doc.text[lo:s.start]
        if f.code != "imaging_indeterminate":  # a study's own region is named with it; another fact's is not
            wide = max(sent0, lo - 12)  # blanked whole, though the window cuts it ('...RI lumbar spine')
            lead = STUDY_NAMED.sub(lambda m: " " * len(m.group(0)), dt.doc.text[wide:s.start])[lo - wide:]
            lead = lead[lead.rfind(";") + 1:]  # an item of its own: 'acute lumbar strain; C7 radiculopathy by EMG'
        if f.code in SAID_OF:  # a symptom's region is named in its own clause or item, by body or limb words
            stops = ",;:" if f.code == "symptoms_worsening" else ";:"
            wide = dt.doc.text[max(sent0, s.start - ITEM_LEAD):s.start]
            said = wide[max(wide.rfind(c) for c in stops) + 1:] + s.text
            r = _one_region(g, said)
            return [r] if r else []
        r = g.region_of(s.text) or g.region_of(lead + s.text)
        if r is None and f.code == "imaging_indeterminate":  # 'an indeterminate T9 lesion': the level just after it
            tail = re.match(r"[^.;,\n]{0,20}", dt.doc.text[s.end:]).group(0)
            r = g.region_of(tail)
        return [r] if r else []
    return _around_spans(f, docs, "region", region)


EMG_WORDS = re.compile(r"\b(?:EMG|NCS|NCV|EMG/NCS|electrodiagnostic\w*|nerve conduction)\b", re.I)
EMG_TITLE = 150  # where an EMG report names itself


def _electrodiagnosed_regions(findings: list[Finding], docs: dict[str, DocText]) -> list[Qualifier]:
    """An EMG finding whose words name no region ('I have EMG-proven radiculopathy') is of the region the packet's
    other electrodiagnosed radiculopathy names ('Known lumbar radiculopathy (EMG proven)'), present or past: the
    EMG the patient means is that one."""
    told = [x for x in findings if x.code in ("emg_radiculopathy", "radicular_pain")]
    spans = [s for x in told for s in x.evidence  # said beside the study's name, or in the study's own report
             if s.doc in docs and (EMG_WORDS.search(docs[s.doc].doc.text, *docs[s.doc].sentence(s.start))
                                   or EMG_WORDS.search(docs[s.doc].doc.text, 0, EMG_TITLE))]
    if not spans:
        return []
    return _regions(Finding(code="emg_radiculopathy", evidence=spans), docs)


# a study named before a fact ('requesting MRI of the neck because "I have EMG-proven radiculopathy"') is the request's
# region, not the fact's
STUDY_NAMED = re.compile(r"\b(?:MRI|MR|CT|imaging|scan|x-?rays?|films?)\s+(?:of\s+(?:the\s+|his\s+|her\s+)?)?"
                         r"(?:neck|back|cervical|c-?spine|thoracic|t-?spine|lumbar|l-?spine|lumbosacral)(?:\s+spine)?\b|"
                         r"\b(?:neck|cervical|c-?spine|thoracic|t-?spine|lumbar|l-?spine)\s+(?:spine\s+)?(?:MRI|MR|CT|imaging)\b",
                         re.I)


LEVELED = ("prior_spine_surgery", "surgery_planned")
"""Procedures whose levels the events show ('L4-5 laminectomy'); read in the window the region is read in."""
LEVEL_TRAIL = 20  # how far after a span its level may stand ('laminectomy at L4-5')


def _levels(f: Finding, docs: dict[str, DocText]) -> list[Qualifier]:
    """One `level` qualifier per spinal level the finding's spans name just before or after them ('L4-5')."""
    g = get_guideline()

    def levels(dt: DocText, s: EvidenceSpan) -> list[str]:
        sent = dt.sentence(s.start)
        lo, hi = max(sent[0], s.start - REGION_LEAD), min(max(sent[1], s.end), s.end + LEVEL_TRAIL)
        return [re.sub(r"\s+", "", m.group(0)).upper() for _, rx in g.level_words for m in rx.finditer(dt.doc.text, lo, hi)]
    return _around_spans(f, docs, "level", levels)


TERRITORIAL = ("motor_weakness", "sensory_deficit", "abnormal_reflexes", "upper_motor_neuron_signs")
"""Deficits whose limb says which spinal region can explain them: an arm deficit does not serve a lumbar study."""
TERRITORY_LEAD, TERRITORY_TAIL = 40, 30  # 'left deltoid 4/5', 'weakness of the left arm'


def _territories(f: Finding, docs: dict[str, DocText]) -> list[Qualifier]:
    """One `territory` qualifier per spinal region whose limb (or level) the deficit's words name, in its sentence."""
    g = get_guideline()

    def territory(dt: DocText, s: EvidenceSpan) -> set[str]:
        lo, hi = dt.sentence(s.start)
        text = dt.doc.text
        start, end = max(lo, s.start - TERRITORY_LEAD), min(max(hi, s.end), s.end + TERRITORY_TAIL)
        # within the deficit's own clause: '...over the L dorsal foot; arms normal' names no arm deficit
        start = max([start] + [i + 1 for i in range(start, s.start) if text[i] == ";"])
        semi = text.find(";", s.end, end)
        window = text[start:semi if semi >= 0 else end]
        return g.limbs_of(window) | ({r} if (r := g.region_of(window)) else set())
    return _around_spans(f, docs, "territory", territory)


CHRONIC_LEAD, CHRONIC_TAIL = 40, 60  # 'L EHL 4+/5 and decreased LT L lateral calf (both chronic, unchanged since 2022)'


def _chronic(f: Finding, docs: dict[str, DocText]) -> list[Qualifier]:
    """`chronic` when every span of the deficit is called long-standing and unchanged beside its words."""
    rx = vocabulary().chronic_deficit
    if rx is None:
        return []
    hits = []
    for s in f.evidence:
        dt = docs.get(s.doc)
        if dt is None:
            return []
        lo, hi = dt.sentence(s.start)
        m = rx.search(dt.doc.text, max(lo, s.start - CHRONIC_LEAD), min(max(hi, s.end), s.end + CHRONIC_TAIL))
        if m is None:
            return []
        hits.append(_span(dt, m.start(), m.end()))
    return [Qualifier(name="chronic", value=True, evidence=hits[:MAX_SPANS])] if hits else []


ASSESSMENT_SECTIONS = ("assessment", "assessment_plan")


SPINAL_WORDS = re.compile(r"\b(?:back|neck|spine|spinal|lumbar|thoracic|cervical|lumbosacral|sacral|dis[ck]s?|vertebra\w*|"
                          r"spondyl\w*|radicul\w*|sciatica|HNP)\b", re.I)


def _assessed(f: Finding, docs: dict[str, DocText]) -> Optional[Qualifier]:
    """The author takes the pain up as a problem: the pain or a spinal diagnosis is named in an assessment, or the
    pain is written where no assessment is."""
    inside = [s for s in f.evidence if s.doc in docs and docs[s.doc].section(s.start) in ASSESSMENT_SECTIONS]
    if inside:
        return Qualifier(name="assessed", value=True, evidence=inside[:MAX_SPANS])
    spans = []
    for doc_id in dict.fromkeys(s.doc for s in f.evidence if s.doc in docs):
        dt = docs[doc_id]
        bounds = [x for x, _ in dt.sections] + [len(dt.doc.text)]
        parts = [(bounds[i], bounds[i + 1]) for i, (_, name) in enumerate(dt.sections) if name in ASSESSMENT_SECTIONS]
        if not parts:
            spans += [s for s in f.evidence if s.doc == doc_id]
        for lo, hi in parts:
            spans += [_span(dt, m.start(), m.end()) for m in SPINAL_WORDS.finditer(dt.doc.text, lo, hi)][:1]
    return Qualifier(name="assessed", value=True, evidence=spans[:MAX_SPANS]) if spans else None


def _age_months(f: Finding, docs: dict[str, DocText]) -> Optional[Qualifier]:
    per = {"day": 1 / 30, "week": 7 / 30, "wk": 7 / 30, "month": 1, "mo": 1}
    for dt in dict.fromkeys(docs[s.doc] for s in f.evidence if s.doc in docs):
        m = AGE_RX.search(dt.doc.text)
        if m:
            months = int(m.group(1)) * per[m.group(2).lower()]
            return Qualifier(name="age_months", value=f"{months:.1f}", evidence=[_span(dt, m.start(), m.end())])
    return None


def qualify(documents: list[Document], findings: list[Finding], request: Request) -> list[Finding]:
    """The same findings with qualifiers attached to the present ones (already qualified ones are kept)."""
    docs = {d.id: DocText.build(d) for d in documents if d.text.strip()}
    present = [f for f in findings if f.present]
    ruled_out = [f for f in findings if not f.present]
    skip = set(vocabulary().vocab.skip_sections)
    roles = {i: document_role(dt.doc) for i, dt in docs.items()}
    surgeries_of = {id(f): _surgeries(f, docs) for f in present if f.code == "prior_spine_surgery"}
    surgeries = [x for xs in surgeries_of.values() for x in xs]
    # a procedure report that narrates an earlier spine surgery treats its complication: its indications are
    # post-operative findings of that surgery, still current (an evacuated hematoma, a revised fusion)
    injections = {s.doc for f in present if f.code == "injection" for s in f.evidence if s.start < TITLE_SPAN}
    reoperations = {x.doc for x in surgeries if not x.here and roles.get(x.doc) in PROCEDURE_ROLES} - injections
    out: list[Finding] = []
    for f in findings:
        if not f.present or f.qualifiers:
            out.append(f)
            continue
        qs = _cue_qualifiers(f.code, f, docs)
        if f.code == "demyelinating_disease":
            qs = [q for q in qs if q.name != "new_symptoms" or not _explained_elsewhere(q, ruled_out, docs)]
        sections = [s.section or (docs[s.doc].section(s.start) if s.doc in docs else None) for s in f.evidence]
        if sections and all(x in skip for x in sections):
            qs.append(Qualifier(name="templated_ros", value=True, evidence=f.evidence[:MAX_SPANS]))
        if f.code in CURRENT_EPISODE:
            qs += _told_only_by(f, docs, roles, reoperations)
        elif f.code == "emg_radiculopathy" and not any(_line_dated_recent(docs[s.doc], s) for s in f.evidence if s.doc in docs):
            # a study a review retells from before six months is the past's (A.iii); one its line dates recently is not
            qs += [q for q in _told_only_by(f, docs, roles) if q.name == "records_review"]
        if f.code in CURRENT_EPISODE + ("emg_radiculopathy",) and spec_for(f.code, "long_ago"):
            qs += _long_ago(f, docs)
        if f.code == "demyelinating_disease" and spec_for(f.code, "remote_episode"):  # a bout years back, not a suspicion
            qs += [q.model_copy(update={"name": "remote_episode"}) for q in _long_ago(f, docs, every=False)]
        if f.code in CONTRADICTABLE:
            q = _contradiction(f, ruled_out, docs)
            if q:
                qs.append(q)
        if f.code in SYMPTOM_CODES and surgeries:
            pre, post = _timing(f, surgeries, docs)
            if pre and not post:
                qs.append(Qualifier(name="before_surgery", value=True, evidence=pre[:MAX_SPANS]))
            if post:
                qs.append(Qualifier(name="after_surgery", value=True, evidence=post[:MAX_SPANS]))
        if f.code in ("back_pain", "neck_pain") and spec_for(f.code, "assessed"):  # a guideline that asks for it
            q = _assessed(f, docs)
            if q:
                qs.append(q)
        if f.code in REGIONED and spec_for(f.code, "region"):
            regions = _regions(f, docs)
            if not regions and f.code == "emg_radiculopathy":
                regions = _electrodiagnosed_regions(findings, docs)
            qs += regions
        if f.code in TERRITORIAL and spec_for(f.code, "territory"):
            qs += _territories(f, docs)
        if f.code in TERRITORIAL and spec_for(f.code, "chronic"):
            qs += _chronic(f, docs)
        if f.code in LEVELED and spec_for(f.code, "level"):
            qs += _levels(f, docs)
        if f.code == "prior_mri_same_region" and f.region:
            qs.append(Qualifier(name="region", value=f.region, evidence=f.evidence[:1]))
        if f.code in ("prior_spine_surgery", "prior_mri_same_region"):
            dated = [(x.when, x.span) for x in surgeries_of[id(f)] if x.when] if f.code == "prior_spine_surgery" else \
                [(f.mention_date, f.evidence[0])] if f.mention_date else \
                [x for s, dt, sent in _evidence_sentences(f, docs) for x in _nearest(_dates_in(dt, sent), s)[:1]]
            if dated:
                d, span = max(dated, key=lambda x: x[0])
                qs.append(Qualifier(name="date", value=d.isoformat(), evidence=[span]))
        if f.code == "anorectal_malformation":
            q = _age_months(f, docs)
            if q:
                qs.append(q)
        if f.code == "malignancy" and request.request_date:
            qs += _treated_within_year(f, docs, request.request_date)
        for q in qs:  # model_copy does not validate: hold computed names to the vocabulary too
            check_qualifier(f.code, q.name, q.value)
        out.append(f.model_copy(update={"qualifiers": qs}))
    return _packet_qualifiers(out, docs, request.request_date, {x.doc for x in surgeries if x.here})


def _explained_elsewhere(q: Qualifier, ruled_out: list[Finding], docs: dict[str, DocText]) -> bool:
    """Every sentence that tells the new symptom also holds a finding the author puts down to a cause outside the
    spine ('new complaint: numbness of the R thumb and index finger', then 'R hand numbness = carpal tunnel'): a
    symptom explained by another cause is no relapse of the disease."""
    explained = [(s.doc, s.start) for x in ruled_out if x.reason == "attributed_to_other_cause" for s in x.evidence]
    for s in q.evidence:
        if s.doc not in docs:
            return False
        lo, hi = docs[s.doc].sentence(s.start)
        if not any(doc == s.doc and lo <= at < hi for doc, at in explained):
            return False
    return bool(q.evidence)


CURRENT_EPISODE = tuple(c for c in SYMPTOM_CODES if c not in ("back_pain", "neck_pain", "radicular_pain"))
"""What makes an episode current (a deficit, a new or worse symptom, failed care): it must come from a document that
tells the present, not only from one that narrates the state before its own procedure or the past."""
PROCEDURE_ROLES = ("operative_report", "procedure_report")
TITLE_SPAN = 600  # where a procedure report's title and procedure line stand


def _told_only_by(f: Finding, docs: dict[str, DocText], roles: dict[str, str],
                  reoperations: frozenset[str] | set[str] = frozenset()) -> list[Qualifier]:
    """`procedure_indication` / `records_review` when every span lies in documents of that role (labeling.md LIM.H:
    an operative report's indications are the state before it; a records review narrates the past).

    A report of a re-operation (`reoperations`: it narrates an earlier spine surgery and its title names no injection)
    is exempt: the complication it treats is a post-operative finding of that earlier surgery. A report of an
    injection after a fusion is no re-operation.
    """
    held = [s for s in f.evidence if s.doc in docs]
    if not held:
        return []
    if all(roles[s.doc] in PROCEDURE_ROLES and s.doc not in reoperations for s in held):
        return [Qualifier(name="procedure_indication", value=True, evidence=held[:MAX_SPANS])]
    if all(roles[s.doc] == "records_review" for s in held) and not any(_dated_recent(docs[s.doc], s) for s in held):
        return [Qualifier(name="records_review", value=True, evidence=held[:MAX_SPANS])]
    return []


RECENT_NARRATIVE = 183  # days: what a review's sentence dates within this of the review is the current episode


def _line_dated_recent(dt: DocText, s: EvidenceSpan) -> bool:
    """The last date written before the span on its own line (a review's item: '5. EMG/NCS 11/09/2026 (Dr. Feld): ...
    Impression: acute left L5 radiculopathy') lies within six months of the review."""
    line = dt.doc.text.rfind("\n", 0, s.start) + 1
    dated = _dates_in(dt, (line, s.start))
    return bool(dated) and dt.doc.date is not None and (dt.doc.date - dated[-1][0]).days <= RECENT_NARRATIVE


def _dated_recent(dt: DocText, s: EvidenceSpan) -> bool:
    """A records review's sentence that dates what it tells within six months of the review ('PT 04/20-06/12, pain 7/10
    at discharge') narrates the current episode, not the past."""
    ref = note_clock(dt.doc.text, dt.doc.date) if dt.doc.date else None
    ref = ref or dt.doc.date
    if ref is None:
        return False
    return any(timedelta(0) <= ref - d <= timedelta(days=RECENT_NARRATIVE) for d, _sp in _dates_in(dt, dt.sentence(s.start)))


LONG_AGO = 365  # days: an event dated more than a year before its note belongs to an earlier episode
SINCE_BEFORE = re.compile(r"\bsince\s+(?:(?:the|early|mid|late|spring|summer|fall|autumn|winter|[A-Z][a-z]+)[\s-]+){0,3}$", re.I)
"""A year that says when something began and still holds ('no leg symptoms since the spring of 2025') dates no event."""


def _long_ago(f: Finding, docs: dict[str, DocText], every: bool = True) -> list[Qualifier]:
    """`long_ago` when every span's sentence is dated more than a year before its note's own time (issue: a records
    review or a letter retelling a 2024 episode). The note's own time is its latest stated date when it was written
    on an older clock than its document date (a transcription filed years later)."""
    held = []
    for s in f.evidence:
        dt = docs.get(s.doc)
        if dt is None or dt.doc.date is None:
            return []
        review = document_role(dt.doc) == "records_review"  # written now about the past: its own date is its clock
        ref = dt.doc.date if review else note_clock(dt.doc.text, dt.doc.date) or dt.doc.date
        sent = dt.sentence(s.start)
        stated = [d for d, sp in _dates_in(dt, sent) if not re.search(r"\bsince\s*$", dt.doc.text[max(0, sp.start - 8):sp.start])]
        told = dt.doc.text[sent[0]:sent[1]]
        stated += [date(int(next(g for g in y.groups() if g)), 12, 31) for y in YEAR_IN_RX.finditer(told)
                   if not SINCE_BEFORE.search(told, max(0, y.start() - 30), y.start())]
        if not stated and review:  # a review's dated item dates what it tells
            stated = [d for d in (_item_date(dt, s.start),) if d is not None]
        if not stated and f.code in ONE_STUDY and document_role(dt.doc) not in ("procedure_report", "imaging_report"):
            continue  # 'given his prior EMG-confirmed radiculopathy': the study the packet dates elsewhere
        if not stated or (ref - max(stated)).days <= LONG_AGO:
            if every:
                return []
            continue
        held.append(s)
    return [Qualifier(name="long_ago", value=True, evidence=held[:MAX_SPANS])] if held else []


ONE_STUDY = ("emg_radiculopathy",)
"""A study told once and retold: a note's undated mention of it ('his prior EMG-confirmed radiculopathy') is the
study another document dates, so only the dated mentions date it (a report's own undated impression still counts as
of the report's day)."""


def _treated_within_year(f: Finding, docs: dict[str, DocText], when: date) -> list[Qualifier]:
    spans = []
    for _, dt, sent in _evidence_sentences(f, docs):
        if TREATMENT_RX.search(dt.doc.text, sent[0], sent[1]):
            spans += [sp for d, sp in _dates_in(dt, sent) if timedelta(0) <= when - d <= timedelta(days=366)]
    return [Qualifier(name="treated_within_year", value=True, evidence=spans[:MAX_SPANS])] if spans else []


def _packet_qualifiers(findings: list[Finding], docs: dict[str, DocText], request_date: Optional[date],
                       stays: frozenset[str] | set[str] = frozenset()) -> list[Finding]:
    """Qualifiers that relate two findings: post-operative symptoms, findings since a prior MRI.

    In the document of the surgery's own stay (`stays`), a symptom after it counts only when called new or worse:
    the arm pain a patient still has the day after her discectomy is the state the surgery left, not a new one.
    """
    c = vocabulary()
    present = [f for f in findings if f.present]
    post_spans = []
    for f in present:
        if not f.qualified("after_surgery"):
            continue
        for s in f.qualified("after_surgery")[0].evidence:
            dt = docs[s.doc]
            if dt.operative:
                continue  # an operative or procedure report narrates the state its own procedure treats
            sent = dt.doc.text[slice(*dt.sentence(s.start))]
            since = bool(c.postop.search(sent)) and s.doc not in stays  # "numbness since the surgery": it arose after it
            # labeling.md I: new or worse must be documented as such after the surgery; a remote surgery alone
            # does not make today's (ongoing) pain new
            if f.code in ("infection_suspected", "csf_leak_suspected", "symptoms_worsening") or c.new_or_worse.search(sent) \
                    or (since and not c.ongoing.search(sent)):
                post_spans.append(s)
    out = []
    for f in findings:
        if not f.present:
            out.append(f)
            continue
        extra = []
        if f.code == "prior_spine_surgery" and post_spans and not f.qualified("new_symptoms"):
            extra.append(Qualifier(name="new_symptoms", value=True, evidence=post_spans[:MAX_SPANS]))
        if f.code == "prior_mri_same_region":
            mri = next((q.value for q in f.qualifiers if q.name == "date"), None)
            since, worse = [], []
            first = {}
            for e in f.evidence:
                first[e.doc] = min(first.get(e.doc, e.start), e.start)
            for g in present if mri else []:
                for e in g.evidence:
                    d = _doc_date(docs, e.doc)
                    if e.doc not in docs or not d or d.isoformat() <= mri:
                        continue
                    dt = docs[e.doc]
                    sent = dt.sentence(e.start)
                    after = e.start > first.get(e.doc, -1) and not any(x.isoformat() < mri for x, _ in _dates_in(dt, sent))
                    if g.code in DEFICIT_CODES and g.exam and after and c.new_or_worse.search(dt.doc.text, *sent):
                        since.append(e)
                    if g.code == "symptoms_worsening" and after:
                        worse.append(e)
            if worse:
                extra.append(Qualifier(name="worsening_since", value=True, evidence=worse[:MAX_SPANS]))
            if since:
                extra.append(Qualifier(name="new_findings_since", value=True, evidence=since[:MAX_SPANS]))
            # an MRI of unknown date is within 6 months by definition: a surgery in that window may follow it
            window = (request_date - SIX_MONTHS).isoformat() if request_date else None
            after = [q for g in present if g.code == "prior_spine_surgery" for q in g.qualifiers
                     if q.name == "date" and ((mri and q.value > mri) or (not mri and window and q.value >= window))]
            if after:
                extra.append(Qualifier(name="interval_surgery", value=True, evidence=after[0].evidence))
        out.append(f.model_copy(update={"qualifiers": f.qualifiers + extra}) if extra else f)
    return out
