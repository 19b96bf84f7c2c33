"""Care received versus care planned, and what an operative report describes.

labeling.md counts conservative care as received: therapy that is
recommended, suggested, referred, "will start", "plan: PT", discussed or
prescribed at this visit is hypothetical. Operative reports describe what was
done, so "elected to proceed with a fusion" there is past surgery. The cue
words are data (data/care.json).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Optional

from pydantic import Field

from priorauth.codes import code_table
from priorauth.extract.anchors import may_match
from priorauth.extract.dates import DATE_RX, parse_date
from priorauth.extract.resources import Regex, Strict
from priorauth.extract.starts import Sites, index_of
from priorauth.guidelines import Guideline, per_guideline
from priorauth.validate import load_model

if TYPE_CHECKING:
    from priorauth.extract.mentions import Mention
    from priorauth.models import Document


class CareData(Strict):
    doc: str = Field(alias="_doc")
    planned_before: Regex
    planned_after: Regex
    received: Regex
    clause_break: Regex
    plan_sections: list[str]
    list_sections: list[str] = []
    operative_header: Regex
    improved: Regex
    improved_blocker: Regex
    transient: Regex
    dominant_planned: Regex
    dominant_after: Regex
    allergy: Regex
    relieving_factor: Regex
    past: Regex
    follow_on: Regex
    general: Regex
    general_negated: Regex
    general_history: Regex
    remote: Regex
    not_taken: Regex
    not_attended: Regex
    substantiated: Regex
    carried: Regex
    unseen: Regex = Field(default=r"(?!x)x", description=(
        "A provider's words that the patient was never seen ('discharged without having been evaluated or treated'): in "
        "a document naming one kind of care, that care was not had."))
    other_target: Regex = Field(default=r"(?!x)x", description=(
        "Words right after care, in its clause, that give it another body part's problem as its aim ('physiotherapy for "
        "her frozen left shoulder', 'PT 3x/wk for rehab after his R total knee replacement'): it is no care of the spine."))
    never_had_before: Regex = Field(default=r"(?!x)x", description=(
        "Words just before care, in its clause, that say it never began ('has NOT been to PT', 'Never picked up the "
        "naproxen'): like `not_attended` after it, such care undoes an earlier note's record of it."))
    patient_claim: Regex = Field(default=r"(?!x)x", description=(
        "Words that give care only as the patient's claim ('she reports she \"did the PT\"'): such a claim does not undo "
        "a provider's earlier record that the care never began."))
    score_change: list[Regex] = []
    score_improved: float = 0.3
    score_rise: int = 2


@dataclass(frozen=True)
class Cues:
    planned_before: re.Pattern[str]
    planned_after: re.Pattern[str]
    received: re.Pattern[str]
    clause_break: re.Pattern[str]
    plan_sections: frozenset[str]
    operative_header: re.Pattern[str]
    improved: re.Pattern[str]
    improved_blocker: re.Pattern[str]
    transient: re.Pattern[str]
    dominant_planned: re.Pattern[str]
    dominant_after: re.Pattern[str]
    allergy: re.Pattern[str]
    relieving_factor: re.Pattern[str]
    past: re.Pattern[str]
    follow_on: re.Pattern[str]
    general: re.Pattern[str]
    general_negated: re.Pattern[str]
    general_history: re.Pattern[str]
    remote: re.Pattern[str]
    not_taken: re.Pattern[str]
    not_attended: re.Pattern[str]
    substantiated: re.Pattern[str]
    carried: re.Pattern[str]
    unseen: re.Pattern[str]
    patient_claim: re.Pattern[str]
    never_had_before: re.Pattern[str]
    other_target: re.Pattern[str]
    score_change: tuple[re.Pattern[str], ...] = ()
    score_improved: float = 0.3
    score_rise: int = 2
    list_sections: frozenset[str] = frozenset()


@per_guideline
def cues(g: Guideline) -> Cues:
    """The validated cue data, compiled case-insensitive."""
    data = load_model(CareData, g.path("care.json")).model_dump(exclude={"doc"})
    lists = {"plan_sections": frozenset, "list_sections": frozenset,
             "score_change": lambda v: tuple(re.compile(x, re.I) for x in v)}
    return Cues(**{k: lists[k](v) if k in lists else v if k in ("score_improved", "score_rise") else re.compile(v, re.I)
                   for k, v in data.items()})


def is_operative_report(document: "Document") -> bool:
    """An operative or procedure report (by type, or by its headers near the top)."""
    kind = (document.type or "").lower()
    return "operative" in kind or kind in ("op_note", "procedure_note") or bool(cues().operative_header.search(document.text[:1500]))


def _clause_start(text: str, sent_start: int, at: int, c: Cues) -> int:
    start = sent_start
    for m in c.clause_break.finditer(text, sent_start, at):
        start = m.end()
    return start


PASSIVE_PLAN = re.compile(r"\s*(?:was|were|being|has been|have been|is|are)\s+(?:only\s+)?(?:ordered|referred|recommended|scheduled|"
                          r"booked|requested|planned|arranged|advised|suggested|offered)\b(?!\s+(?:and|then)\s+(?:completed|done|attended))",
                          re.I)


def planned_cue(text: str, m: "Mention") -> Optional[str]:
    """The words that make a therapy mention planned rather than received, or None when it was received."""
    c = cues()
    start = _clause_start(text, m.sent_start, m.start, c)
    before = text[start:m.start]
    last_plan = max((x for x in c.planned_before.finditer(before)), key=lambda x: x.start(), default=None)
    last_recv = max((x for x in c.received.finditer(before)), key=lambda x: x.start(), default=None)
    dominant = c.dominant_planned.search(before)
    if dominant is None and last_recv is None:  # 'medication options'; but 'has tried several medication options' was received
        dominant = c.dominant_after.match(text, m.end, m.sent_end)
    if dominant is not None:
        return dominant.group(0).strip()
    if last_plan is not None and (last_recv is None or last_plan.start() > last_recv.start()):
        return last_plan.group(0)
    after = c.planned_after.match(text, m.end, min(m.sent_end, m.end + 60))
    if after is not None and last_recv is None:
        return after.group(0).strip(" ,:-")
    passive = PASSIVE_PLAN.match(text, m.end, m.sent_end)
    if passive is not None:  # '..., which he has taken since, and physical therapy was ordered the same day': its own clause
        return passive.group(0).strip()
    if m.section in c.plan_sections and last_recv is None:
        nxt = c.clause_break.search(text, m.end, m.sent_end)
        if not c.past.search(text, start, nxt.start() if nxt else m.sent_end):
            return f"{m.section} section"
    return None


def not_care(text: str, m: "Mention") -> bool:
    """A drug named as an allergy, or rest/ice/heat named as what eases or aggravates the pain, is no treatment."""
    c = cues()
    before = text[_clause_start(text, m.sent_start, m.start, c):m.start]
    if m.section == "allergies" or c.allergy.search(before):
        return True
    if c.other_target.match(text, m.end, min(m.sent_end, m.end + OTHER_TARGET_REACH)):
        return True  # 'physiotherapy for her frozen left shoulder since January'
    return m.code == "rest_ice_heat" and bool(c.relieving_factor.search(before))


OTHER_TARGET_REACH = 60


LIST_ITEM = re.compile(r"[ \t]*(?:[-*\u2022]\s*)?$")  # only indentation or a bullet before the drug on its line


def never_taken(text: str, m: "Mention") -> bool:
    """A medication-list line whose drug, by the words anywhere after it on the line, was never taken."""
    if m.code != "medication":
        return False
    line_start = text.rfind("\n", 0, m.start) + 1
    line_end = text.find("\n", m.end)
    line_end = len(text) if line_end < 0 else line_end
    return bool(LIST_ITEM.match(text[line_start:m.start])) and bool(cues().not_taken.search(text, m.end, line_end))


NOT_ATTENDED_REACH = 120


def never_attended(text: str, m: "Mention") -> bool:
    """Care whose own sentence says, after it and with no received cue between, that it never began."""
    c = cues()
    end = min(m.sent_end, m.end + NOT_ATTENDED_REACH)
    hit = c.not_attended.search(text, m.end, end)
    if hit is None:
        # '... was e-prescribed 09/28; pharmacy confirms it was never picked up', 'I ordered PT ... He never went - the
        # first appt was cancelled': the clause or sentence right after, pointing back at the care, says it never began
        more = (POINTS_BACK.match(text, m.sent_end) or NEXT_SUBJECT.match(text, m.sent_end)) \
            if ";" in text[m.sent_end - 1:m.sent_end + 1] else NEXT_SUBJECT.match(text, m.sent_end)
        hit = c.not_attended.search(text, more.end(), min(len(text), more.end() + 40)) if more else None
        if hit is None or re.search(r"[.\n]", text[more.end():hit.start()]) or not BARE_END.match(text, hit.end()):
            return False
    between = text[m.end:hit.start()]
    ordered = c.planned_before.search(text[m.sent_start:m.start + 1])  # 'ordered PT 2x/wk x 6 wks': a schedule, not a course had
    return not c.received.search(between) and (ordered is not None or not DONE_AMOUNT.search(between))


FIRST_BOOKED = re.compile(r"\b(?:first|initial|1st)\s+(?:[\w-]+\s+){0,2}(?:appt|appointment|visit|session|eval\w*|intake)\b[^.;\n]{0,25}?"
                          r"\b(?:is |was |now |has been )*(?:booked|scheduled|set up|arranged)\b|\bscheduled\s+(?:for\s+)?(?:an?\s+|the\s+|"
                          r"(?:his|her)\s+)?(?:initial\s+|first\s+)?eval(?:uation)?\b", re.I)


def first_booked(text: str, m: "Mention") -> bool:
    """Care whose sentence books its first visit ('his first therapy appointment is booked for 11/24', 'Pt scheduled
    Eval 11/24/26 at Riverside PT'): it has not begun."""
    return FIRST_BOOKED.search(text, m.sent_start, m.sent_end) is not None and m.code != "medication"


def never_had_before(text: str, m: "Mention") -> bool:
    """Negated care whose own clause, before it, says it never began ('has NOT been to PT', 'Never picked up the
    naproxen'), not merely that it is absent from today's plan ('no PT today')."""
    c = cues()
    return bool(c.never_had_before.search(text[_clause_start(text, m.sent_start, m.start, c):m.start]))


def _line_not_had(text: str, start: int, end: int) -> bool:
    """A label's line says the care never began, with no word of it received before that."""
    c = cues()
    hit = c.not_attended.search(text, start, end)
    return hit is not None and not c.received.search(text, start, hit.start())


LABEL = re.compile(r"[ \t]*:")
NEXT_SUBJECT = re.compile(r"[.;\s]*(?:he|she|they|pt|the patient|patient)\b", re.I)
BARE_END = re.compile(r"\s*(?:(?:either|both|them|it|any of (?:them|it))\b\s*)?(?:[-–,.;(]|$)", re.I)  # 'never went - ...', 'never filled either', not 'never went to the chiropractor'
POINTS_BACK = re.compile(r";?\s*[^.;\n]{0,40}?\b(?:it|they|them|this|these|the (?:script|prescription|rx|referral|order))\b", re.I)
DONE_AMOUNT = re.compile(r"(?<![/\d-])\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s*(?:visits?|sessions?|weeks?|wks?|months?|mos?)\b|"
                         r"\bx\s*\d+", re.I)  # 'PT 8 weeks, never went back': a course was had


def mark_planned_care(text: str, mentions: list["Mention"]) -> None:
    """Therapy written as a plan is hypothetical (the cue is kept for reviewers); allergies and relieving factors are dropped,
    and so is a listed drug its line says was never taken, and care its sentence says never began."""
    care = code_table().therapy
    for m in [m for m in mentions if m.code in care and m.reason is None and (not_care(text, m) or never_taken(text, m))]:
        mentions.remove(m)
    for m in mentions:  # kept, so a later note's 'never went' can undo what an earlier note called received
        if m.code in care and m.reason in (None, "hypothetical") and (never_attended(text, m) or first_booked(text, m)):
            m.reason = m.reason or "negated"
            m.not_had = True
        elif m.code in care and m.reason in (None, "negated") and never_had_before(text, m):
            m.reason = "negated"  # 'Never started PT (cost)': ConText's 'never started' looks only backward
            m.not_had = True
    kinds = {m.code for m in mentions if m.code in care and m.reason in (None, "hypothetical")}
    if len(kinds) == 1 and cues().unseen.search(text):  # a therapy clinic's letter: 'discharged without being seen'
        for m in mentions:
            if m.code in kinds and m.reason in (None, "hypothetical"):
                m.reason = m.reason or "negated"
                m.not_had = True
    for m in mentions:
        if m.code in care and m.reason is None:
            cue = planned_cue(text, m)
            if cue is not None:
                m.reason = "hypothetical"
                m.planned = cue
    for m in mentions:  # a label ('PT: I ordered PT ... He never went') reads as the same care its line tells
        line_start = text.rfind("\n", 0, m.start) + 1
        if m.code in care and m.reason is None and LABEL.match(text, m.end) and not text[line_start:m.start].strip():
            line_end = text.find("\n", m.end)
            line_end = line_end if line_end >= 0 else len(text)
            told = [o for o in mentions if o.code == m.code and o is not m and m.end < o.start < line_end]
            if told and all(o.reason is not None for o in told):
                m.reason, m.planned, m.not_had = told[0].reason, told[0].planned, told[0].not_had
            elif _line_not_had(text, m.end, line_end):  # 'PT: referred 4/3; has NOT started (waitlist)'
                for o in [m] + [o for o in told if o.reason is None]:  # '... the PT office had an insurance hold'
                    o.reason, o.not_had = "negated", True


@dataclass(frozen=True)
class Improvement:
    """A statement that symptoms improved, with its place in the packet."""

    doc_id: str
    start: int
    end: int


SENTENCE = re.compile(r"[^.\n;]+")


OLD_EPISODE = timedelta(days=365)
YEAR_RX = re.compile(r"\b(?:19|20)\d{2}\b")


def dated_long_ago(text: str, s0: int, e0: int, ref: Optional[date]) -> bool:
    """text[s0:e0] dates what it tells only more than a year before its note ('the 2023 radiculopathy resolved')."""
    if ref is None:
        return False
    found = [parse_date(m.group(0), ref) for m in DATE_RX.finditer(text, s0, e0)]
    found = [d for d in found if d] + [date(int(y), 12, 31) for y in YEAR_RX.findall(text, s0, e0)]
    return bool(found) and all(ref - d > OLD_EPISODE for d in found)


LONG_AGO_WORDS = re.compile(r"\b(?:(?:\d+|two|three|four|five|six|several|many|a few) (?:years|summers|winters|springs|"
                            r"autumns|falls)|years) ago\b|\bas a (?:child|teenager)\b", re.I)


KEPT_GAINS = re.compile(r"\s+(?:(?:he|she|they|it|pain)\s+)?(?:has\s+|have\s+|is\s+|now\s+)?(?:plateau\w*|not (?:yet|completely|fully|entirely)|still)\b",
                        re.I)
"""'40% better ... but has plateaued', 'but not yet pain-free': a gain kept, not a relief that wore off."""


def improvements(doc_id: str, text: str, ref: Optional[date] = None) -> list[Improvement]:
    """Documented improvement ('much better', '30% improved', 'pain has largely settled'), not negated or transient,
    and not an earlier episode's ('the 2023 radiculopathy resolved', read on a note dated `ref`)."""
    c = cues()
    out: list[Improvement] = []
    lower = text.lower()
    if not may_match(c.improved, lower) and not any(rx.search(text) for rx in c.score_change):
        return out
    sites = Sites(index_of((c.improved, *c.score_change)), text, lower)  # each sentence searched only where words stand
    for seg in SENTENCE.finditer(text):
        s0, e0 = seg.span()
        said = c.improved.finditer(text, s0, e0) if sites.may_start_in(c.improved, s0, e0) else ()
        found = [(m.start(), m.end()) for m in said
                 if not c.improved_blocker.search(text[max(s0, m.start() - 40):m.start()])] + _score_drops(text, s0, e0, c, sites)
        if not found or dated_long_ago(text, s0, e0, ref):
            continue
        for start, end in found:
            clause = max(text.rfind(",", s0, start), text.rfind(";", s0, start), s0)
            if LONG_AGO_WORDS.search(text, clause, end):  # '..., apart from a bout of sciatica two summers ago that settled'
                continue
            # 'helped at first but came back' is transient; 'not getting better - but she is 40% better' is not
            if not any(t.group(0).lower() != "but" or (t.start() > start and not KEPT_GAINS.match(text, t.end()))
                       for t in c.transient.finditer(text, s0, e0)):
                out.append(Improvement(doc_id, start, end))
    return out


def _score_drops(text: str, s0: int, e0: int, c: Cues, sites: Optional[Sites] = None) -> list[tuple[int, int]]:
    """A pain or disability score that fell by at least `score_improved` of itself ('pain 3/10 (from 7/10)', '7/10 ->
    3/10', 'ODI 52% -> 30%'): labeling reads '30% improved' as improvement, not as no response."""
    out = []
    for rx in c.score_change:
        if sites is not None and not sites.may_start_in(rx, s0, e0):
            continue
        for m in rx.finditer(text, s0, e0):
            a, b = int(m.group("a")), int(m.group("b"))
            if a > 0 and (a - b) / a >= c.score_improved:
                out.append((m.start(), m.end()))
    return out


def general_care(text: str) -> list[tuple[int, int, int, int]]:
    """Received care named without its kind ("treated conservatively over several months"): (start, end) of the
    words and of their sentence, for each one that is not negated or planned in its clause."""
    c = cues()
    out: list[tuple[int, int, int, int]] = []
    if not may_match(c.general, text.lower()):
        return out
    for seg in SENTENCE.finditer(text):
        s0, e0 = seg.span()
        for m in c.general.finditer(text, s0, e0):
            start = _clause_start(text, s0, m.start(), c)
            before = text[start:m.start()]
            planned = [x.start() for x in c.planned_before.finditer(before)]
            received = [x.start() for x in c.received.finditer(before)]
            nxt = c.clause_break.search(text, m.end(), e0)
            history = c.general_history.search(text, start, nxt.start() if nxt else e0)
            if c.general_negated.search(before) or history or (planned and (not received or max(planned) > max(received))) \
                    or c.planned_after.match(text, m.end(), e0):
                continue
            out.append((m.start(), m.end(), s0, e0))
    return out
