"""Turn one parsed document into mentions: a code, an exact span, its context and its assertion."""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Optional

from spacy.tokens import Doc, Span

from priorauth.extract import resources
from priorauth.extract.attribution import attribute
from priorauth.extract.care import is_operative_report, mark_planned_care
from priorauth.extract.nlp import SPAN_GROUP, modifier_categories, refusal_of, section_at
from priorauth.extract.starts import search_at_heads
from priorauth.models import Document, section_role

if TYPE_CHECKING:
    from priorauth.extract.dates import Duration


# The Mention fields the passes after matching may write (rules_extractor.PASSES declares which pass writes which;
# tests/test_passes.py checks each pass against its declaration).
PASS_FIELDS = ("reason", "prior_region", "prior_date", "durations", "planned", "cause")

ED_DOC = re.compile(r"\b(?:emergency department|ED provider note|ED note|emergency room)\b", re.I)
SEVERE_BEFORE = re.compile(r"\b(?:severe|intractable|excruciating|unbearable|uncontrolled)\s+(?:[\w-]+\s+){0,2}$", re.I)
SEVERE_AFTER = re.compile(r"^[^.;\n]{0,60}?(?<![\d/])(?:10|9|8)/10\b")  # 'down the back of the left leg to the heel, 10/10'
PAST_PROCEDURE = re.compile(r"(?:s/p|status post|post|after|prior|previous|history of|h/o|hx of|underwent|had|out from|following|"
                            r"procedures?:|operations? performed:?|(?:treated|managed) (?:[\w-]+ ){0,6}with)"
                            r"\s+(?:an?\s+|the\s+|his\s+|her\s+)?(?:[\w,/-]+\s+){0,8}$|\bpost-$"  # 'post-ACDF MRI'
                            # a study that looks at the operation done: 'MRI C-spine to look at the fusion/graft'
                            r"|\b(?:look(?:ing)? at|evaluat\w+|assess\w*|check\w*|visuali[sz]\w*|examin\w+|image)\s+"
                            r"(?:the|her|his|their)\s+(?:[\w/-]+\s+){0,2}$", re.I)
PLANNED_PROCEDURE = re.compile(r"(?:scheduled|planned|plan(?:ning)? (?:for|to)|will (?:undergo|proceed|have)|proceeds? (?:with|to)|"
                               r"candidate for|consider(?:ing|ed)?|discuss(?:ed|ing)?|recommend(?:ed|s)?|refer(?:ral|red)? (?:for|to)|"
                               r"prior to|before|awaiting|booked for|options? (?:include|of))\b[^.;\n]{0,60}$", re.I)
HEALING_AFTER = re.compile(r"\s*(?:is |was |has |appears |looks )?(?:healing|healed|well[- ]healed|solidly fused|fused|"
                           r"solid|stable|intact|done|performed|completed|without complication)\b", re.I)
"""Words right after an operation that tell how it is doing ('Lumbar fusion healing well'): it was done."""
DESCRIBED = re.compile(r"\b(?:the|her|his|their|that) $", re.I), \
    re.compile(r"\s+(?:is|was|lies|sits) (?:in|at|of|above|below|from|unrelated|separate|not)\b", re.I)
"""An operation already known, described where it lies ('I explained the fusion is in the low back'): done, not planned."""
PAST_SECTIONS = {"past_surgical_history", "past_medical_history", "procedures"}  # procedures: a C-CDA procedures section
# A code's mention is ruled out by these ConText categories, in this order of precedence.
PRECEDENCE = (("OTHER_PERSON", "other_patient_context"), ("FAMILY", "family"), ("NEGATED_EXISTENCE", "negated"),
              ("HYPOTHETICAL", "hypothetical"), ("RULE_OUT", "hypothetical"), ("POSSIBLE_EXISTENCE", "uncertain"),
              ("HISTORICAL", "historical"))


@dataclass
class Mention:
    code: str
    doc_id: str
    start: int
    end: int
    text: str
    sent_start: int
    sent_end: int
    section: Optional[str]
    exam: bool
    categories: set[str]
    rule: resources.LexiconRule
    reason: Optional[str] = None
    # written by the passes after matching, each by the one pass that declares it
    prior_region: Optional[str] = None  # prior_mri: the spinal region a prior MRI was of
    prior_date: Optional[date] = None  # prior_mri: when that MRI was done
    durations: list[Duration] = field(default_factory=list)  # durations: how long a therapy lasted, as stated
    planned: Optional[str] = None  # care: the cue that says the care is planned, not received
    cause: Optional[str] = None  # attribution: the non-spinal cause the note names for a deficit
    refusal: Optional[str] = None  # negated by a refusal or contraindication ('declined', 'contraindicated')
    not_had: bool = False  # care: its sentence says it never began ('PT referred - never went', '0 visits')


def resolve_reason(code: str, categories: set[str]) -> Optional[str]:
    """The assertion that rules a mention out, or None when it stands as a finding."""
    lex = resources.lexicons()[code]
    for cat, reason in PRECEDENCE:
        if cat not in categories:
            continue
        if reason in lex.keep:
            continue
        if cat in ("RULE_OUT", "POSSIBLE_EXISTENCE") and lex.suspicion:
            continue
        if cat == "HISTORICAL" and lex.history_supports:
            continue
        return reason
    return None


def _doc_kind(document: Document, text: str) -> Optional[str]:
    """Which active therapy a whole document records (a PT or chiropractic note)."""
    kind = (document.type or "").lower()
    head = text[:300].lower()
    if "chiropract" in kind or "chiropractic" in head:
        return "chiropractic"
    if "physical_therapy" in kind or "physical therapy" in head or kind.startswith("pt"):
        return "physical_therapy"
    return None


_INACTIVE_PROBLEM = re.compile(r"\b(?:resolved|inactive|historical)\b", re.I)


def _line(text: str, at: int) -> str:
    return text[text.rfind("\n", 0, at) + 1:(text.find("\n", at) + 1 or len(text) + 1) - 1]


def span_context(span: Span, coded: Optional[str] = None, text: Optional[str] = None) -> tuple[Optional[str], set[str], bool]:
    """A target's section, its ConText categories plus what its section implies, and whether it is in an exam.

    `coded` is the role of the structured document's section holding the target (a C-CDA section's LOINC code,
    Document.sections): it wins over the section the sectionizer reads from the header line; in a problem list,
    an entry whose line gives its status as resolved or inactive is history. `text` is the parsed text (spaCy
    rebuilds `Doc.text` on every access, which per target would make a long note quadratic).
    """
    effects = resources.section_config()["effects"]
    text = span.doc.text if text is None else text
    section = coded or resources.line_section(text, span.start_char, section_at(span.doc, span.start))
    eff = effects.get(section or "", {})
    cats = modifier_categories(span)
    if coded == "problems" and _INACTIVE_PROBLEM.search(_line(text, span.start_char)):
        cats.add("HISTORICAL")  # a problem-list entry whose status is resolved ("Pneumonia : Status - Resolved")
    if "CURRENT" in cats:  # 'long hx of on/off low back pain (worse past 2 months)': the history goes on now
        cats.discard("HISTORICAL")
    for key, cat in (("family", "FAMILY"), ("historical", "HISTORICAL"), ("hypothetical", "HYPOTHETICAL")):
        # a history section does not make history of what its own sentence calls current ("currently takes")
        if eff.get(key) and not (cat == "HISTORICAL" and "CURRENT" in cats):
            cats.add(cat)
    return section, cats, bool(eff.get("exam"))


def document_mentions(document: Document, doc: Doc) -> list[Mention]:
    """All mentions in one parsed document, with section effects and ConText applied."""
    doc_kind = _doc_kind(document, document.text)
    operative = is_operative_report(document)
    emg_from = _emg_results_start(document)
    out: list[Mention] = []
    for span in doc.spans[SPAN_GROUP]:
        code = span.label_.lower()
        rule = _rule(span)
        if rule.doc_kind:
            if doc_kind is None:
                continue
            code = doc_kind
        if rule.imaging_header and span.start_char > 200:
            rule = _plain_rule(code, document.text, span)  # a line that opens with the study, not a report's title
            if rule is None:
                continue
        if (rule.emg_doc and (emg_from is None or span.start_char < emg_from or _question_line(document.text, span.start_char))
                and not _emg_item(document.text, span.start_char)) or (rule.operative_doc and not operative):
            continue
        section, cats, exam_section = span_context(span, section_role(document.sections, span.start_char), document.text)
        if rule.course_only and not resources.section_config()["effects"].get(section or "", {}).get("course"):
            continue
        sent = span.sent
        m = Mention(code=code, doc_id=document.id, start=span.start_char, end=span.end_char, text=span.text,
                    sent_start=sent.start_char, sent_end=sent.end_char, section=section,
                    exam=exam_section or rule.exam, categories=cats, rule=rule)
        if rule.procedure:
            m.code = _procedure_code(document.text, m, operative)
            if m.code is None:
                continue
        m.reason = resolve_reason(m.code, cats)
        if m.reason == "negated" and (_subject_of_its_own_clause(document.text, m) or _asserted_after_dash(document.text, m)):
            m.reason = None  # 'Two weeks ago, without new injury, LBP returned', 'no other source - suspected discitis'
        if m.reason is None and _listed_absent(document.text, m.start):
            m.reason = "negated"  # 'Items the reviewer looked for and did not find: ... follow-up recommended; ...'
        if m.reason == "negated":
            m.refusal = refusal_of(span)
        if _excluded_nearby(document.text, m):
            continue
        out.append(m)
    out.extend(_ed_visits(document, out))
    attribute(document.text, out)
    mark_planned_care(document.text, out)
    _chronic_not_new(document.text, out)
    return _drop_shadowed(out)


NEGATION_CUE = re.compile(r"\b(?:without|no|not|denies|denied|negative for|free of|nor)\b", re.I)
ONSET_AFTER = re.compile(r"\s+(?:has |have |had )?(?:returned|recurred|came back|come back|began|begun|started|developed|"
                         r"resumed|flared|reappeared|set in)\b", re.I)


def _subject_of_its_own_clause(text: str, m: Mention) -> bool:
    """A symptom that opens its own clause as the subject of an onset verb, after a comma that closes a negated
    phrase ('without new injury, LBP returned'), is not in that negation's scope."""
    if not ONSET_AFTER.match(text, m.end):
        return False
    lead = text[m.sent_start:m.start]
    cues = list(NEGATION_CUE.finditer(lead))
    return bool(cues) and "," in lead[cues[-1].end():] and lead[lead.rfind(",") + 1:].strip() == ""


ASSERTED_AFTER_DASH = re.compile(r"\s[-\u2013\u2014]+\s*(?:(?:most\s+)?(?:likely|probable|probably|suspected|suspect|"
                                 r"concern(?:ing)? for|worrisome for|suspicious for|presumed|c/w|consistent with)\b)[^-\u2013\u2014;]*$", re.I)


def _asserted_after_dash(text: str, m: Mention) -> bool:
    """A dash after a negated phrase that opens an assertion ('no other source - suspected vertebral osteomyelitis')
    ends the negation: the mention after it is what the author suspects."""
    lead = text[m.sent_start:m.start]
    cues = list(NEGATION_CUE.finditer(lead))
    return bool(cues) and ASSERTED_AFTER_DASH.search(lead, cues[-1].end()) is not None


def _chronic_not_new(text: str, mentions: list[Mention]) -> None:
    """A code that means a new condition, which the note also records as history, is that old condition
    wherever no word says it is new ('history of urinary incontinence' ... 'Incontinence of the bladder')."""
    lex = resources.lexicons()
    for code in {m.code for m in mentions if lex[m.code].needs_new is not None}:
        ms = [m for m in mentions if m.code == code]
        if not any(m.reason == "historical" for m in ms):
            continue
        rx = lex[code].needs_new
        for m in ms:
            if m.reason is None and not rx.search(text, m.sent_start, m.sent_end):
                m.reason = "historical"


EMG_DOC = re.compile(r"\b(?:EMG|electromyogra\w+|nerve conduction(?: stud(?:y|ies))?|NCS|NCV|electrodiagnostic)\b", re.I)


EMG_RESULTS = re.compile(r"(?:^|[,\n])[ \t]*(?:needle |the )?(?:EMG|NCS|NCV|electromyography|nerve conduction stud(?:y|ies)|electrodiagnostic "
                         r"(?:study|studies|testing))(?: (?:study|studies|findings|results|examination|summary))?[ \t]*:"
                         r"|\b(?:EMG|NCS|nerve conduction stud(?:y|ies))(?: study)? (?:shows?|showed|revealed?|demonstrated?|findings)\b", re.I)


def _emg_results_start(document: Document) -> Optional[int]:
    """Where the electrodiagnostic results begin: 0 for an EMG report (type or title line), else the first results header.

    An impression naming a radiculopathy by level counts only there; a clinic note's
    "Assessment: L5 radiculopathy" with an EMG merely ordered does not.
    """
    kind = (document.type or "").lower()
    title = document.text.lstrip().split("\n", 1)[0]
    if any(k in kind for k in ("emg", "ncs", "electro", "nerve_conduction")) or \
            (len(title) <= 100 and "." not in title.rstrip(".") and EMG_DOC.search(title)):
        return 0
    m = search_at_heads(EMG_RESULTS, document.text)
    return m.start() if m else None


QUESTION_LABEL = re.compile(r"(?:indications?|reasons?(?: for (?:the )?(?:study|referral|test(?:ing)?|exam\w*|consult\w*))?|"
                            r"referral (?:reason|question)|clinical (?:history|question|indication)|history|hx|question|"
                            r"referring diagnosis)", re.I)
LABEL = re.compile(r"(?:^|(?<=[\n,.;]))[ \t]*([A-Za-z][A-Za-z /]{1,40}?)[ \t]*:")


def _question_line(text: str, at: int) -> bool:
    """A study's indication ('Indication: C8 radiculopathy vs ulnar neuropathy') asks; its results answer. The words
    belong to the last label before them on their line ('HISTORY: ..., IMPRESSION: ... S1 radiculopathy' answers)."""
    start = text.rfind("\n", 0, at) + 1
    labels = list(LABEL.finditer(text, start, at))
    return bool(labels) and QUESTION_LABEL.fullmatch(labels[-1].group(1).strip()) is not None


CLAUSE_EDGE = re.compile(r"[;,]|\b(?:but|and|with)\b")


EMG_ITEM = re.compile(r"(?:^[ \t]*|\b\d{1,2}[.)][ \t]*|^[ \t]*[-*\u2022][ \t]*)(?:EMG|NCS|EMG/NCS|NCS/EMG|electrodiagnostic\w*)\b",
                      re.I | re.M)
ITEM_START = re.compile(r"(?:^[ \t]*[-*\u2022]|\b\d{1,2}[.)])[ \t]+[A-Z]", re.M)


def _emg_item(text: str, at: int) -> bool:
    """A line (a records review's item) that opens with the EMG and goes on to its impression: '5. EMG/NCS 11/09/2026
    (Dr. Feld): active denervation ... Impression: acute left L5 radiculopathy' quotes the report."""
    line = text.rfind("\n", 0, at) + 1
    opened = [m.end() for m in EMG_ITEM.finditer(text, line, at)]
    return bool(opened) and ITEM_START.search(text, opened[-1], at) is None  # no later item between it and the words


POINTS_BACK_OPEN = re.compile(r"\s*(?:this|it|which|these|they|that|the latter)\s+(?:is|are|was|were|remains?|appears?|looks?|seems?)\b",
                              re.I)


ABSENT_LIST = re.compile(r"\b(?:did not|didn't|could not|couldn't|does not|doesn't|do not|unable to)\s+(?:find|identify|locate|"
                         r"document|show)\b[^:\n.]{0,60}:", re.I)


ABSENT_HINT = re.compile(r"\b(?:not|n't|unable)\s+(?:find|identify|locate|document|show)\b", re.I)


def _listed_absent(text: str, at: int) -> bool:
    """The words stand in a list, on their line, after a heading that says none of it was found ('Items the reviewer
    looked for and did not find in the records: a statement that the study was inconclusive; worsening ...')."""
    line = text.rfind("\n", 0, at) + 1
    return any(line <= end <= at for end in _absent_list_ends(text))


@functools.lru_cache(maxsize=16)
def _absent_list_ends(text: str) -> tuple[int, ...]:
    """Where each such heading ends, found once per note (a transcribed note is one long line)."""
    return tuple(m.end() for m in ABSENT_LIST.finditer(text)) if ABSENT_HINT.search(text) else ()


def _excluded_nearby(text: str, m: Mention) -> bool:
    """The lexicon's `not_if_near` words in the mention's clause ("a benign lipoma", "basal cell carcinoma")."""
    lex = resources.lexicons()[m.code]
    if lex.not_in_sentence is not None and lex.not_in_sentence.search(text, m.sent_start, m.sent_end):
        return True
    rx = lex.not_if_near
    if rx is None:
        return False
    if lex.near_scope == "sentence":
        start = m.sent_start
        if POINTS_BACK_OPEN.match(text, start) or ";" in text[max(0, start - 2):start]:
            # '...left adrenal nodule; this is indeterminate', '... 38 HU; indeterminate on this study': the clause before
            start = max(text.rfind(".", 0, max(0, start - 1)), text.rfind("\n", 0, max(0, start - 1))) + 1
        return bool(rx.search(text, start, m.sent_end))
    left = max([m.sent_start, m.start - 60] + [x.end() for x in CLAUSE_EDGE.finditer(text, max(m.sent_start, m.start - 60), m.start)])
    reach = min(m.sent_end, m.end + lex.near_after)
    nxt = CLAUSE_EDGE.search(text, m.end, reach)
    return bool(rx.search(text, left, nxt.start() if nxt else reach))


GENERIC_SURGERY = re.compile(r"^(?:spine|spinal|back|neck|lumbar|cervical) surgery$", re.I)


OPERATIVE_FUTURE = re.compile(r"\b(?:will (?:undergo|have|need|require|return)|scheduled for|plan(?:ning)? (?:for|to)|candidate for|"
                              r"consider(?:ing|ed)?|recommend(?:ed|s)?|awaiting|booked for|at a later date|in the future|staged)\b[^.;\n]{0,60}$", re.I)


def _procedure_code(text: str, m: Mention, operative: bool = False) -> Optional[str]:
    """A spine procedure is past surgery unless it is written as a plan (in an operative report, an explicit future).

    Planned: a plan cue before it ("scheduled for", "proceed to", "consider"),
    the plan section, or a hypothetical context. Past: a past cue ("s/p",
    "underwent", "after", "Procedure:"), past history, a date, or anything else
    (operative and imaging reports describe what was done). A bare "spine
    surgery" names a specialty as often as an operation (a clinic header, a
    referral), so without a past cue it is no finding at all.
    """
    before = text[max(0, m.start - 120):m.start]
    if PAST_PROCEDURE.search(before) or m.section in PAST_SECTIONS or "(" in m.text \
            or m.categories & {"NEGATED_EXISTENCE", "FAMILY"} or HEALING_AFTER.match(text, m.end) \
            or (DESCRIBED[0].search(text, max(0, m.start - 8), m.start) and DESCRIBED[1].match(text, m.end)):
        return "prior_spine_surgery"
    if GENERIC_SURGERY.match(m.text):
        return None
    if operative:
        # An operative report describes the surgery done ("elected to proceed with a fusion"); only an explicit
        # future ("will undergo", "staged ... at a later date") or its plan section names a planned one.
        future = OPERATIVE_FUTURE.search(before) or m.section in ("plan", "assessment_plan")
        return "surgery_planned" if future else "prior_spine_surgery"
    if PLANNED_PROCEDURE.search(before) or m.section in ("plan", "assessment_plan") \
            or m.categories & {"HYPOTHETICAL", "RULE_OUT"}:
        return "surgery_planned"
    return "prior_spine_surgery"


def _rule(span: Span) -> resources.LexiconRule:
    """The lexicon rule that matched the span: that of the code it was matched as ('sensory_deficit#5'), which a later
    reading may have relabelled (perineal numbness read as saddle anesthesia)."""
    target = span._.target_rule
    code = span.label_.lower()
    if target is not None and "#" in (target.literal or ""):
        code = target.literal.split("#", 1)[0]
    lexicons = resources.lexicons()
    rules = (lexicons[code] if code in lexicons else lexicons[span.label_.lower()]).rules
    rid = target.metadata.get("rule", 0) if target is not None and target.metadata else 0
    return rules[rid] if rid < len(rules) else rules[0]


PLAIN_FLAGS = ("imaging_header", "doc_kind", "procedure", "emg_doc", "operative_doc", "course_only", "score_rise")


def _plain_rules(code: str) -> tuple[tuple[resources.LexiconRule, re.Pattern[str]], ...]:
    """The code's rules for running text (compiled here: asked only for a title rule's words deep in a note)."""
    return tuple((r, re.compile(r.pattern, re.I)) for r in resources.lexicons()[code].rules
                 if not any(getattr(r, f) for f in PLAIN_FLAGS))


def _plain_rule(code: str, text: str, span: Span) -> Optional[resources.LexiconRule]:
    """The matcher keeps one rule per span: where a report-title rule's words stand deep in a note ('MRI L-spine done
    right after the 4th of July' opening a history line), the rule of the same words in running text, if one matches
    there."""
    sent = span.sent
    for rule, rx in _plain_rules(code):
        if any(m.start() <= span.start_char < m.end() for m in rx.finditer(text, sent.start_char, sent.end_char)):
            return rule
    return None


def _ed_visits(document: Document, mentions: list[Mention]) -> list[Mention]:
    """Severe radicular pain recorded in an emergency-department note implies an ED visit for it (where the guideline has that code)."""
    if "ed_visit_radicular_pain" not in resources.lexicons() or not (ED_DOC.search(document.text[:400]) or "ed_note" in (document.type or "").lower()):
        return []
    out = []
    for m in mentions:
        if m.code != "radicular_pain" or m.reason is not None:
            continue
        before = document.text[max(0, m.start - 40):m.start]
        after = document.text[m.end:m.end + 75]
        if SEVERE_BEFORE.search(before) or SEVERE_AFTER.search(after):
            out.append(Mention(code="ed_visit_radicular_pain", doc_id=m.doc_id, start=m.start, end=m.end, text=m.text,
                               sent_start=m.sent_start, sent_end=m.sent_end, section=m.section, exam=False,
                               categories=set(m.categories), rule=m.rule))
    return out


def _drop_shadowed(mentions: list[Mention]) -> list[Mention]:
    """A more specific concept on the same words wins (saddle numbness is not dermatomal numbness).

    Which codes a code shadows is its lexicon's `shadows` list.
    """
    shadows = {code: lex.shadows for code, lex in resources.lexicons().items()}
    shadowing = sorted((o for o in mentions if shadows.get(o.code)), key=lambda o: o.start)
    starts = [o.start for o in shadowing]
    keep = []
    for m in mentions:
        # only shadowing mentions that start at or before m can contain it
        hi = bisect.bisect_right(starts, m.start)
        shadowed = any(o is not m and m.code in shadows[o.code] and o.start <= m.start and m.end <= o.end
                       for o in shadowing[max(0, hi - 64):hi])
        if not shadowed:
            keep.append(m)
    return keep
