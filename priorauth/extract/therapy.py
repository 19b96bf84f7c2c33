"""Conservative care: each component's duration and dates as documented, and the case summary."""

from __future__ import annotations

import bisect
import re
from datetime import date, timedelta
from typing import Iterable, Optional, Sequence

from priorauth.codes import code_table
from priorauth.extract.care import DONE_AMOUNT, cues, dated_long_ago, general_care
from priorauth.extract.dates import DATE_RX
from priorauth.extract.dates import (SIX_MONTHS, Duration, bare_length, date_bounds, find_durations, note_clock,
                                     stated_dates, weeks)
from priorauth.extract.mentions import Mention
from priorauth.extract.roles import document_role
from priorauth.models import ConservativeTherapy, Document, EvidenceSpan, TherapyComponent

PERFECT = re.compile(r"\b(?:has|have)\s+(?:\w+\s+)?\w+(?:ed|en|ne)\b", re.I)  # "has attended", "have been"


def sentence_clock(text: str, ref: Optional[date], start: int, end: int) -> Optional[date]:
    """The note's own "now" for durations in text[start:end] (see dates.note_clock), or None for the document date.

    When the sentence's own dates are the only old ones, the note's timeline cannot be established apart from
    them, and the document date stays the reference.
    """
    clock = note_clock(text, ref)
    if clock is None:
        return None
    first_end, last_start = date_bounds(text, ref)  # some date lies outside the sentence: one ends before or starts after
    if not (first_end is not None and (first_end <= start or last_start >= end)):
        return None
    return clock


def sentence_durations(text: str, mentions: list[Mention], ref: Optional[date]) -> dict[tuple[int, int], list[Duration]]:
    """Durations per sentence (keyed by its span), parsed once."""
    out: dict[tuple[int, int], list[Duration]] = {}
    for m in mentions:
        key = (m.sent_start, m.sent_end)
        if key not in out:
            out[key] = find_durations(text[m.sent_start:m.sent_end], m.sent_start, ref,
                                      sentence_clock(text, ref, m.sent_start, m.sent_end))
    return out


def episode_days(text: str, mentions: list[Mention], ref: Optional[date]) -> Optional[float]:
    """How long the current complaint has lasted, from durations stated beside present pain mentions.

    A sentence that tells the pain worsening ('the arm pain is worse, and for 2 weeks he cannot push the door') dates
    the worsening, not the complaint: its lengths say nothing of when the episode began.
    """
    worse = {(m.sent_start, m.sent_end) for m in mentions if m.code == "symptoms_worsening" and m.reason is None}
    # nor does a sentence dated only long ago ('03/2025 LBP episode, PT x 4 wks, resolved') tell this episode's length
    pain = [m for m in mentions if m.code in code_table().pain and m.reason is None
            and (m.sent_start, m.sent_end) not in worse and not _dated_long_ago_clause(text, m, ref)]
    if not pain:
        return None
    days = [d.days for ds in sentence_durations(text, pain, ref).values() for d in ds if d.days > 0]
    if not days:  # the injury that began the episode ("the date of injury was 3 months ago")
        injury = [m for m in mentions if m.code == "trauma" and m.reason is None]
        days = [d.days for ds in sentence_durations(text, injury, ref).values() for d in ds if d.days > 0 and d.ended]
    return max(days) if days else None


def _dated_long_ago_clause(text: str, m: Mention, ref: Optional[date]) -> bool:
    """The mention's clause, up to the next semicolon, is dated only long ago ('03/2025 LBP episode, PT x 4 wks,
    resolved; full duty until 07/2026')."""
    semi = text.find(";", m.end, m.sent_end)
    return dated_long_ago(text, m.sent_start, semi if semi >= 0 else m.sent_end, ref)


def assign_durations(text: str, therapy: list[Mention], ref: Optional[date], episode: Optional[float]) -> None:
    """Attach each duration in a sentence to the therapy mention it describes.

    "6 weeks of PT" describes the mention after it; "PT x 6 wks", "since 2/24",
    a date range, or "2 weeks ago" the closest mention before it (or, when none
    precedes it in the sentence, the one after).
    """
    by_sent: dict[tuple[int, int], list[Mention]] = {}
    starts = sorted(m.start for m in therapy)  # found by bisection: a scan per mention made long notes quadratic
    for m in therapy:
        by_sent.setdefault((m.sent_start, m.sent_end), []).append(m)
    for (s, e), ms in by_sent.items():
        ms.sort(key=lambda m: m.start)
        for d in find_durations(text[s:e], s, ref, sentence_clock(text, ref, s, e)):
            before = [m for m in ms if m.start < d.start]
            after = [m for m in ms if m.start >= d.end]
            inside = [m for m in ms if d.start <= m.start < d.end]  # "began chiropractic care 3/2/2025"
            target = inside[0] if inside else \
                (after[0] if after else before[-1] if before else None) if d.attaches_forward else \
                (before[-1] if before else after[0] if after else None)
            if target is None or _prescribed_schedule(text, target, d):
                continue
            if d.episode:
                if episode is None:
                    continue
                d = Duration(d.start, d.end, episode, False, began=ref - timedelta(days=episode) if ref else None, ended=ref)
            target.durations.append(d)
        _follow_on(text, starts, ms[-1], e, ref)
        for m in ms:  # "PT 6 weeks and naproxen 8 weeks": a bare length written right after the care names it
            if not m.durations and (d := _bare_length_after(text, m, ref)) is not None:
                m.durations.append(d)


TRAILING_NUMBER = re.compile(r"\s\d+(?:\.\d+)?$")


def _bare_length_after(text: str, m: Mention, ref: Optional[date]) -> Optional[Duration]:
    """The bare length after a care mention; a drug matched with a number it took for a dose ('naproxen 8' of
    'naproxen 8 weeks') gives the number back."""
    tail = TRAILING_NUMBER.search(text, m.start, m.end)
    return (bare_length(text, tail.start(), ref) if tail else None) or bare_length(text, m.end, ref)


NEXT_SENTENCE = re.compile(r"[\s.,;]*(?P<s>[^.\n;]+)")


def _follow_on(text: str, starts: list[int], last: Mention, end: int, ref: Optional[date]) -> None:
    """The next sentence may date the care just named without naming it again ("This was done 4 weeks ago",
    "this occurred in October and again in November", "He continued ... during the next 8 months"): when it
    names no care itself and opens with such a reference, its durations belong to the last care mention."""
    nxt = NEXT_SENTENCE.match(text, end)
    if nxt is None:
        return
    s, e = nxt.span("s")
    i = bisect.bisect_left(starts, s)  # a care mention starts inside the next sentence
    if i < len(starts) and starts[i] < e or not cues().follow_on.match(text, s, e):
        return
    for d in find_durations(text[s:e], s, ref, sentence_clock(text, ref, s, e)):
        if not d.episode and not _prescribed_schedule(text, last, d):
            last.durations.append(d)


def _prescribed_schedule(text: str, m: Mention, d: Duration) -> bool:
    """In a plan section, a length in a clause not written in the past ("increase gabapentin to 300 mg x 1 week")
    is the schedule being prescribed from today, not care already received."""
    c = cues()
    if m.section not in c.plan_sections or d.began is not None:
        return False
    start = max((x.end() for x in c.clause_break.finditer(text, m.sent_start, d.start)), default=m.sent_start)
    nxt = c.clause_break.search(text, d.end, m.sent_end)
    end = nxt.start() if nxt else m.sent_end
    return not (c.past.search(text, start, end) or PERFECT.search(text, start, end))


def care_not_had(mentions: list[Mention], docs: dict[str, Document]) -> None:
    """A note saying care never began ('Summit PT states pt never scheduled, 0 visits') undoes what a note of the same
    day or before it called received ('Pt reports he has been doing PT'): a later note's contradiction, as labeling
    reads deficits."""
    care = code_table().therapy
    for kind in {m.code for m in mentions if m.not_had and m.code in care}:
        latest = max((docs[m.doc_id].date for m in mentions if m.code == kind and m.not_had and docs[m.doc_id].date),
                     default=None)
        if latest is None:
            continue
        claim = cues().patient_claim
        for m in mentions:
            if m.code != kind or m.reason is not None or not docs[m.doc_id].date:
                continue
            text = docs[m.doc_id].text
            # later, only the patient's word ('she reports she "did the PT"') does not undo the provider's record
            if docs[m.doc_id].date <= latest or (claim.search(text, m.sent_start, m.sent_end)
                                                  and not DONE_AMOUNT.search(text, m.sent_start, m.sent_end)):
                m.reason = "negated"


CARRIED_REACH = timedelta(days=183)


def carry_forward(mentions: list[Mention], docs: dict[str, Document]) -> None:
    """Care a later note says is still going on ('still taking the naproxen', 'has done the HEP since last visit') began
    when an earlier note of the packet started or prescribed it: the interval between the two dated notes is its
    length (labeling.md: intervals between dated events)."""
    c = cues()
    care = code_table().therapy
    dated = {i: d.date for i, d in docs.items() if d.date}
    for m in mentions:
        if m.code not in care or m.reason is not None or m.durations or m.doc_id not in dated:
            continue
        text = docs[m.doc_id].text
        cue = c.carried.search(text, m.sent_start, m.sent_end)
        if cue is None:
            continue
        later = dated[m.doc_id]
        earlier = [dated[o.doc_id] for o in mentions if o.code == m.code and o.doc_id in dated
                   and timedelta(0) < later - dated[o.doc_id] <= CARRIED_REACH and _same_care(o, m)
                   and (o.reason is None or o.planned is not None)]
        if earlier:
            began = min(earlier)
            m.durations.append(Duration(cue.start(), cue.end(), float((later - began).days), False, began=began, ended=later))


def _same_care(a: Mention, b: Mention) -> bool:
    """Two mentions of one care: any of its kind, but for a drug the same drug's name (its first word)."""
    if a.code != "medication":
        return True
    return a.text.split()[0].lower() == b.text.split()[0].lower()


def general_durations(docs: dict[str, Document]) -> list[tuple[str, int, int, Duration]]:
    """Durations of care named without its kind ("treated conservatively over several months"), per document."""
    out = []
    for doc_id, document in docs.items():
        for s, e, s0, e0 in general_care(document.text):
            for d in find_durations(document.text[s0:e0], s0, document.date, sentence_clock(document.text, document.date, s0, e0)):
                if not d.episode and d.days > 0:
                    out.append((doc_id, s, e, d))
    return out


def summarize(mentions: list[Mention], docs: dict[str, Document], request_date: Optional[date],
              response: Optional[str]) -> Optional[ConservativeTherapy]:
    """The contract summary: longest component duration in whole weeks, and which kinds were used.

    Care named without its kind adds to `weeks` only; with no component at all it still says care was received.
    """
    care = code_table().therapy
    present = [m for m in mentions if m.code in care and m.reason is None]
    general = [g for g in general_durations(docs)  # care that ended over six months before the request is history
               if request_date is None or g[3].ended is None or g[3].ended >= request_date - SIX_MONTHS]
    if not present and not general:
        return None
    components: list[TherapyComponent] = []
    for kind in sorted({m.code for m in present}):
        ms = [m for m in present if m.code == kind]
        durs = [d for m in ms for d in m.durations]
        best = max(durs, key=lambda d: d.days, default=None)
        ended = best.ended if best and best.ended else None
        if best and ended is None:
            ended = max((_told_at(m, docs) for m in ms if _told_at(m, docs)), default=None)
        began = best.began if best and best.began else (ended - timedelta(days=best.days) if best and ended else None)
        within = None if ended is None or request_date is None else ended >= request_date - SIX_MONTHS
        if all(_remote(m, docs) for m in ms) and not any(d.ended and request_date and d.ended >= request_date - SIX_MONTHS
                                                        for d in durs):
            within = False  # "tried naproxen once years ago": an earlier episode's care
        components.append(TherapyComponent(
            kind=kind, category=care[kind], weeks=round(best.days / 7, 1) if best else None,
            start=began, end=ended, within_6_months=within,
            evidence=[_span(m, docs) for m in ms],
            duration_evidence=[EvidenceSpan(doc=m.doc_id, start=d.start, end=d.end, text=docs[m.doc_id].text[d.start:d.end])
                               for m in ms for d in m.durations],
            named_only=best is None and all(_named_only(m, docs) for m in ms),
        ))
    return summary(components, response, other_weeks=[round(d.days / 7, 1) for *_, d in general],
                   general_evidence=[EvidenceSpan(doc=i, start=a, end=b, text=docs[i].text[a:b]) for i, a, b, _ in general]
                   + [EvidenceSpan(doc=i, start=d.start, end=d.end, text=docs[i].text[d.start:d.end]) for i, _, _, d in general])


def _named_only(m: Mention, docs: dict[str, Document]) -> bool:
    """Care its sentence only names ('No analgesics: NSAIDs avoided'): nothing beside it says it was had, and it is
    neither on a medication list nor told by a note of its own kind (a PT note is itself PT received)."""
    doc = docs[m.doc_id]
    if m.section in cues().list_sections or document_role(doc) == "therapy_note":
        return False
    c = cues()
    return not (c.substantiated.search(doc.text, m.sent_start, m.sent_end) or c.received.search(doc.text, m.sent_start, m.sent_end)
                or DATE_RX.search(doc.text, m.sent_start, m.sent_end))


def _told_at(m: Mention, docs: dict[str, Document]) -> Optional[date]:
    """When an undated care mention happened on its note's timeline: the document's date, unless its paragraph
    narrates an older time ('in March 2024 he developed ... He failed 8 weeks of PT'): then the latest date the
    paragraph states before it (THYME's narrative container), when that is over six months before the note."""
    doc = docs[m.doc_id]
    if doc.date is None:
        return None
    para = doc.text.rfind("\n", 0, m.sent_start) + 1
    told = [d for s, _, d in stated_dates(doc.text, doc.date) if para <= s < m.sent_end]
    if told and doc.date - max(told) > SIX_MONTHS:
        return max(told)
    return doc.date


def _remote(m: Mention, docs: dict[str, Document]) -> bool:
    """The mention's clause dates it years back: in words (care.json `remote`: 'years ago') or only by dates more than
    a year before its note ('UGI bleed on naproxen 2023' in a 2026 note)."""
    c = cues()
    doc = docs[m.doc_id]
    text = doc.text
    start = max((x.end() for x in c.clause_break.finditer(text, m.sent_start, m.start)), default=m.sent_start)
    start = max((x.end() for x in RESULT_CLAUSE.finditer(text, start, m.start)), default=start)
    nxt = c.clause_break.search(text, m.end, m.sent_end)
    end = nxt.start() if nxt else m.sent_end
    # an aside in brackets dates its own words ('cannot take NSAIDs (gastric bypass 2019), so I prescribed a HEP')
    told = ASIDE.sub(lambda a: a.group(0) if a.start() <= m.start - start < a.end() else " " * len(a.group(0)),
                     text[start:end])
    return bool(c.remote.search(told)) or dated_long_ago(told, 0, len(told), doc.date)


ASIDE = re.compile(r"\([^()]*\)")
RESULT_CLAUSE = re.compile(r",\s+so\b", re.I)  # '..., so at that visit I prescribed': what follows is its own clause


def summary(components: Sequence[TherapyComponent], response: Optional[str], other_weeks: Iterable[float] = (),
            general_evidence: Sequence[EvidenceSpan] = ()) -> ConservativeTherapy:
    """ConservativeTherapy's contract summary of its components, shared by the rules and LLM extractors.

    `weeks` is the longest duration, in whole weeks, of a component or of care named without its kind
    (`other_weeks`, shown by `general_evidence`); with no duration at all it is unknown (None), not 0.
    """
    longest = max([c.weeks for c in components if c.weeks is not None] + list(other_weeks), default=None)
    windows = [c.within_6_months for c in components if c.within_6_months is not None]
    current = [c for c in components if c.within_6_months is not False]  # care that ended over 6 months ago is history
    return ConservativeTherapy(
        weeks=weeks(longest * 7) if longest is not None else None,
        active=any(c.category == "active" for c in current),
        inactive=any(c.category == "inactive" for c in current),
        within_6_months=any(windows) if windows else None,
        response=response,  # type: ignore[arg-type]
        components=list(components),
        general_evidence=list(general_evidence),
    )


def _span(m: Mention, docs: dict[str, Document]) -> EvidenceSpan:
    return EvidenceSpan(doc=m.doc_id, start=m.start, end=m.end, text=docs[m.doc_id].text[m.start:m.end], section=m.section)
