"""Dates and durations as clinicians write them, resolved against the document date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Optional

from priorauth.extract.starts import HeadIndex, finditer_at_heads, search_at_heads

MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"])}
MONTHS.update({k[:3]: v for k, v in list(MONTHS.items())})
MONTHS["sept"] = 9
WORD_NUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "eleven": 11, "twelve": 12, "several": 3, "few": 3, "a few": 3, "couple": 2, "a couple of": 2}
# cases.md counts "2 months" as 8 weeks, so a month is 4 weeks here.
UNIT_DAYS = {"day": 1, "d": 1, "wk": 7, "week": 7, "w": 7, "mo": 28, "month": 28, "yr": 365.25, "year": 365.25}
PART_DAY = {"early": 5, "mid": 15, "late": 25, "end of": 28, "beginning of": 3, "first week of": 4, "second week of": 11,
            "third week of": 18, "fourth week of": 25, "last week of": 27}
ORDINALS = {w: i + 1 for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth "
    "sixteenth seventeenth eighteenth nineteenth twentieth".split())}
ORDINALS.update({f"twenty-{w}": 20 + i for w, i in list(ORDINALS.items())[:9]})
ORDINALS.update({"thirtieth": 30, "thirty-first": 31})
ORDINAL_RE = r"(?:thirty-first|thirtieth|twenty-(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth)"
SIX_MONTHS = timedelta(days=183)  # the guideline's six-month windows (care, a prior MRI), in days

MONTH_RE = r"(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
NUM_RE = r"(?:(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a) and a half|\d+(?:\.\d+)?|a few|a couple of|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|a|an)"
UNIT_RE = r"(?:days?|d|wks?|weeks?|w|mos?|months?|yrs?|years?)"
NUMERIC_DATE = r"(?<![\d-])(?:19|20)\d{2}-[01]\d-[0-3]\d(?![\d-])|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}/\d{4}|\d{1,2}/(?!(?:5|10)\b)\d{1,2}(?![\d/])"  # N/5 and N/10 are grades, not dates
PART_RE = r"(?:early|mid|late|end of|beginning of|(?:first|second|third|fourth|last) week of)"
TEXT_DATE = rf"(?:{PART_RE}[- ])?{MONTH_RE}(?: \d{{1,2}}(?!\d)(?:st|nd|rd|th)?,?)?(?: \d{{4}})?"
# day first in words, as British and many dictated notes write it ("20 August", "3rd of March 2026"); "May" only capitalised
DAY_MONTH = (rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{ORDINAL_RE} of)(?: of)? (?:(?:january|february|march|april|june|july|august|september|october|"
             r"november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?|(?-i:May))(?!\w)(?:,? \d{4})?")
# a month name is a date only as a word of its own: not the 'apr' of 'naproxen' or the 'mar' of 'marked'
# holidays date what happened around them ('an MRI just before Halloween', 'PT since the Fourth of July')
HOLIDAYS = {"new year's day": (1, 1), "new year's": (1, 1), "new years": (1, 1), "valentine's day": (2, 14),
            "st. patrick's day": (3, 17), "st patrick's day": (3, 17), "memorial day": (5, 28), "independence day": (7, 4),
            "fourth of july": (7, 4), "4th of july": (7, 4), "labor day": (9, 3), "halloween": (10, 31), "thanksgiving": (11, 25),
            "christmas": (12, 25), "christmas eve": (12, 24), "new year's eve": (12, 31)}
HOLIDAY_RE = r"(?:new year'?s(?: day| eve)?|valentine'?s day|st\.? patrick'?s day|memorial day|independence day|(?:fourth|4th) of july|labor day|halloween|thanksgiving|christmas(?: eve)?)"
ANY_DATE = rf"(?:{NUMERIC_DATE}|(?<![A-Za-z]){TEXT_DATE}(?![A-Za-z])|\b{HOLIDAY_RE}(?: \d{{4}})?\b)"
DATE_RX = re.compile(ANY_DATE, re.I)


def _year(y: str) -> int:
    n = int(y)
    return n + 2000 if n < 100 else n


def parse_date(text: str, ref: Optional[date]) -> Optional[date]:
    """Parse one date expression; a date without a year takes the latest year not after `ref`."""
    t = text.strip().lower().rstrip(".,")
    h = re.fullmatch(rf"({HOLIDAY_RE})(?: (\d{{4}}))?", t)
    if h:
        name = h[1].replace("new years", "new year's").replace("st patrick", "st. patrick")
        month, day = HOLIDAYS.get(name, HOLIDAYS.get(name.replace("'", ""), (0, 0)))
        if not month:
            return None
        return _safe(int(h[2]), month, day) if h[2] else (_before(ref, month, day) if ref else None)
    m = re.fullmatch(r"((?:19|20)\d{2})-(\d{2})-(\d{2})", t)  # ISO, '2026-01-08'
    if m:
        return _safe(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2,4})", t)
    if m:
        first, second = int(m[1]), int(m[2])
        if first > 12 >= second:  # '15/09/2026' can only be day first, as British and Australian notes write it
            return _safe(_year(m[3]), second, first)
        return _safe(_year(m[3]), first, second)
    m = re.fullmatch(r"(\d{1,2})/(\d{4})", t)
    if m:
        return _safe(int(m[2]), int(m[1]), 15)
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})", t)
    if m and ref:
        return _before(ref, int(m[1]), int(m[2]))
    m = re.fullmatch(rf"(\d{{1,2}}|{ORDINAL_RE})(?:st|nd|rd|th)?(?: of)? ({MONTH_RE})(?:,? (\d{{4}}))?", t)
    if m:  # '20 august', '3rd of march 2026', 'the fourth of july'
        month = MONTHS.get(m[2].rstrip("."))
        day = int(m[1]) if m[1].isdigit() else ORDINALS[m[1]]
        if month is None:
            return None
        if m[3]:
            return _safe(int(m[3]), month, day)
        return _before(ref, month, day) if ref else None
    m = re.fullmatch(rf"(?:({PART_RE})[- ])?({MONTH_RE})(?: (\d{{1,2}})(?:st|nd|rd|th)?,?)?(?: (\d{{4}}))?", t)
    if m:
        month = MONTHS.get(m[2].rstrip("."))
        if month is None:
            return None
        day = int(m[3]) if m[3] else PART_DAY.get(m[1] or "", 15)
        if m[4]:
            return _safe(int(m[4]), month, day)
        return _before(ref, month, day) if ref else None
    return None


def _day_first(text: str) -> str:
    """'03/11/2026' rewritten month first as day first would read it ('11/03/2026'), for a range that only reads
    forward that way."""
    m = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})(/\d{2,4})?\s*", text)
    return f"{m[2]}/{m[1]}{m[3] or ''}" if m else text


def _safe(y: int, mo: int, d: int) -> Optional[date]:
    try:
        return date(y, mo, min(d, 28) if mo == 2 and d > 28 else d)
    except ValueError:
        return None


def _before(ref: date, month: int, day: int) -> Optional[date]:
    d = _safe(ref.year, month, day)
    if d and d > ref:
        d = _safe(ref.year - 1, month, day)
    return d


@dataclass(frozen=True)
class Duration:
    """A duration found in text: its span, length in days, and dates when stated."""

    start: int
    end: int
    days: float
    attaches_forward: bool
    began: Optional[date] = None
    ended: Optional[date] = None
    episode: bool = False


# Hedges before a number: "about", "approximately"; LOW ones ("almost", "close to") read the span low.
HEDGE_RE = r"(?:(?P<low>almost|nearly|close to|just under|not quite|under|less than)|about|approximately|approx\.?|around|roughly|some|over|more than|at least|a little over|~)"
STRICT_DATE = rf"(?:{NUMERIC_DATE}|{MONTH_RE} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}|{MONTH_RE},? \d{{4}})"

DURATION_PATTERNS: tuple[tuple[str, bool, str], ...] = (
    # (regex, attaches to the following mention, kind)
    (rf"\bspent\s+(?:the\s+)?(?:past\s+|last\s+)?(?P<n>{NUM_RE})\s+(?P<u>{UNIT_RE})\b", True, "len"),  # 'spent seven weeks with the physios'
    # a length written straight before the care it measures: 'Did 9 wks PT', 'Nine weeks physiotherapy'
    (rf"\b(?:{HEDGE_RE}\s+){{0,2}}(?P<n>{NUM_RE})[- ](?P<u>days?|weeks?|wks?|months?|mos?)(?=\s+(?:PT|physical therapy|"
     rf"physiotherapy|physio|chiropractic|chiro|HEP|home exercises?|NSAIDs?)\b)", True, "len"),
    (rf"\b(?:x|for|over|during|times|×)\s*(?:the\s+|those\s+|these\s+)?(?:same\s+)?(?:past\s+|last\s+|first\s+|previous\s+|next\s+|following\s+)?(?:{HEDGE_RE}\s+){{0,2}}~?(?P<n>{NUM_RE})\s*(?:more\s+)?(?P<u>{UNIT_RE})\b", False, "len"),
    (rf"\b(?:{HEDGE_RE}\s+){{1,2}}(?P<n>{NUM_RE})\s+(?P<u>(?:days?|weeks?|wks?|months?|mos?|years?|yrs?))\b(?!\s+ago)(?!(?:-long)?\s+(?:course\s+|trial\s+)?of\b)", False, "len"),
    (rf"\b(?:{HEDGE_RE}\s+){{0,2}}(?P<n>{NUM_RE})[- ](?P<u>days?|weeks?|wks?|months?|mos?)(?:-long)?\s+(?:course\s+|trial\s+)?of\b", True, "len"),
    (rf"\b(?P<n>{NUM_RE})[- ](?P<u>day|week|month)\s+(?:course|trial)\b", True, "len"),
    (rf"\bafter\s+(?P<n>{NUM_RE})\s+(?P<u>{UNIT_RE})\b", False, "len"),
    (rf"\b(?P<n>{NUM_RE})\s+visits?\s+over\s+(?P<n2>{NUM_RE})\s+(?P<u>{UNIT_RE})\b", False, "len2"),
    (r"\((?P<n>\d+(?:\.\d+)?)\s+(?P<u>weeks?|wks?)\)", False, "len"),
    (rf"\b(?P<n>{NUM_RE})\s+(?P<u>{UNIT_RE})\s+ago\b", False, "ago"),
    (rf"\bsince\s+(?:about\s+|around\s+|approx(?:imately|\.)?\s+|roughly\s+|~\s?)?(?:(?:the|that|that same|the same)\s+)?"
     rf"(?P<d>(?<![A-Za-z]){DAY_MONTH}|{ANY_DATE})", False, "since"),
    # "since 2007": a bare year reads low, from the end of that year
    (r"\bsince\s+(?:about\s+|around\s+)?(?P<y>(?:19|20)\d{2})\b(?![/-])", False, "since_year"),
    # a dated start written before its verb: "on 4/2/2025 she came under the care of a chiropractor"
    (rf"(?P<d>{STRICT_DATE}),?[^.;\n]{{0,100}}?\b(?:came under (?:the |his |her )?care|began|started|initiated|commenced)\b", False, "since"),
    # a dated start against the visit date: "began chiropractic care 3/2/2025", "started PT on March 3, 2026"
    (rf"\b(?:began|begun|started|starting|initiated|commenced|beginning)\b[^.;\n]{{0,40}}?(?:\b(?:on|in)\s+)?(?P<d>{STRICT_DATE})", False, "since"),
    (rf"(?P<d1>{DAY_MONTH}|{NUMERIC_DATE}|{TEXT_DATE})\s*(?:->|-|–|→|=>|to|through|thru|until|till)\s*(?P<d2>{DAY_MONTH}|{NUMERIC_DATE}|{TEXT_DATE})", False, "range"),
    # the same care on two dated occasions: "in October 2024 and again in December 2024" spans the interval
    (rf"\b(?:in|on)\s+(?P<d1>{STRICT_DATE})\s*(?:,\s*)?(?:and|as well as)\s+(?:again\s+)?(?:(?:in|on)\s+)?(?P<d2>{STRICT_DATE})", False, "range"),
    # a dose given at a clock time in this encounter ("received morphine at 18:40"): care of this day, 0 days so far
    (r"\b(?:received|was given|were given|given|administered)\b[^.;\n]{0,80}?\bat\s+(?:\d{1,2}:\d{2}|\d{1,2}\s*(?:a\.m\.|p\.m\.|am\b|pm\b))", False, "today"),
    (r"\bsince (?:then|onset|the (?:injury|onset|start|accident|fall))\b", False, "episode"),
    # care presented as the management of the current episode ("treatment for the current problem includes ...")
    (r"\b(?:for|of) (?:the|this|his|her) (?:current|present) (?:spine |back |neck )?(?:problem|episode|complaint|condition|injury)\b", False, "episode"),
)
_COMPILED = tuple((re.compile(p, re.I), fwd, kind) for p, fwd, kind in DURATION_PATTERNS)


def _num(s: str) -> float:
    s = s.lower()
    if s.endswith(" and a half"):
        return _num(s[: -len(" and a half")]) + 0.5
    return float(s) if re.fullmatch(r"\d+(?:\.\d+)?", s) else float(WORD_NUM.get(s, 0))


def _unit_days(u: str) -> float:
    u = u.lower().rstrip("s")
    return UNIT_DAYS.get(u, UNIT_DAYS.get(u[:2], UNIT_DAYS.get(u[:1], 0)))


BARE_LENGTH = re.compile(rf"[ \t]+(?P<n>{NUM_RE})\s*(?P<u>weeks?|wks?|months?|mos?)\b(?!\s+(?:ago|old|later|before|after|of)\b)", re.I)


def bare_length(text: str, at: int, ref: Optional[date]) -> Optional[Duration]:
    """A length written bare right after the care it measures ("PT 6 weeks", "naproxen 8 wks"), ending at `ref`."""
    m = BARE_LENGTH.match(text, at)
    if m is None:
        return None
    days = _num(m["n"]) * _unit_days(m["u"])
    return Duration(m.start("n"), m.end(), days, False) if days > 0 else None


@lru_cache(maxsize=None)
def _duration_heads() -> HeadIndex:
    """The words the duration patterns open with, read once per sentence (starts.py) instead of a scan per pattern:
    most open with a date or a number, which the regex engine cannot skip to."""
    return HeadIndex(rx for rx, _, _ in _COMPILED)


def find_durations(text: str, base: int, ref: Optional[date], clock: Optional[date] = None) -> list[Duration]:
    """Every duration expression in `text` (offsets shifted by `base`); overlapping ones keep the first pattern.

    `clock` is "now" on the note's own timeline when that is older than the document date (a transcription
    filed years later): dates are read against it, and the resulting start and end are moved onto the
    document's timeline so that the six-month window still compares like with like.
    """
    found: list[Duration] = []
    taken: list[tuple[int, int]] = []
    index = _duration_heads()
    at = index.read(text, text.lower())
    for rx, fwd, kind in _COMPILED:
        for m in index.finditer(rx, text, at):
            s, e = m.start(), m.end()
            if any(s < te and ts < e for ts, te in taken):
                continue
            d = _to_duration(m, kind, fwd, base, ref, clock)
            if d is not None:
                taken.append((s, e))
                found.append(d)
    return sorted(found, key=lambda d: d.start)


def _to_duration(m: re.Match[str], kind: str, fwd: bool, base: int, ref: Optional[date],
                 clock: Optional[date] = None) -> Optional[Duration]:
    s, e = base + m.start(), base + m.end()
    if clock is not None and ref is not None and kind in ("since", "since_year", "range"):
        d = _to_duration(m, kind, fwd, base, clock)
        if d is None or d.began is None or d.ended is None:
            return d
        moved = ref - clock  # the note's timeline moved onto the document's
        return Duration(s, e, d.days, fwd, began=d.began + moved, ended=d.ended + moved)
    if kind == "len":
        days = _num(m["n"]) * _unit_days(m["u"])
        if m.groupdict().get("low") and m["u"].lower().startswith("y"):
            days = _num(m["n"]) * 12 * UNIT_DAYS["month"]  # "close to a year" reads low: 12 months of 4 weeks
        return Duration(s, e, days, fwd) if days > 0 else None
    if kind == "len2":
        days = _num(m["n2"]) * _unit_days(m["u"])
        return Duration(s, e, days, fwd) if days > 0 else None
    if kind == "ago":
        days = _num(m["n"]) * _unit_days(m["u"])
        began = ref - timedelta(days=days) if ref else None
        return Duration(s, e, days, fwd, began=began, ended=ref) if days > 0 else None
    if kind == "since":
        began = parse_date(m["d"], ref)
        if began is None or ref is None or began > ref:
            return None
        return Duration(s, e, float((ref - began).days), fwd, began=began, ended=ref)
    if kind == "since_year":
        began = date(int(m["y"]), 12, 31)
        if ref is None or began > ref:
            return None
        return Duration(s, e, float((ref - began).days), fwd, began=began, ended=ref)
    if kind == "range":
        d2 = parse_date(m["d2"], ref)
        d1 = parse_date(m["d1"], d2 or ref)
        if d1 is not None and d2 is not None and d2 < d1:  # '15/09/2026 to 03/11/2026': the end is day first too
            d2 = parse_date(_day_first(m["d2"]), ref) or d2
        if d1 is None or d2 is None or d2 < d1 or (d2 - d1).days > 3 * 365:
            return None
        return Duration(s, e, float((d2 - d1).days), fwd, began=d1, ended=d2)
    if kind == "today":
        return Duration(s, e, 0.0, fwd, began=ref, ended=ref) if ref else None
    if kind == "episode":
        return Duration(s, e, 0.0, fwd, episode=True)
    return None


def weeks(days: float) -> int:
    """Whole weeks, rounded half up (the labels count 9.1 weeks as 9 and 0.7 as 1)."""
    return int(days / 7 + 0.5)


# The note's own date of service: a labelled date ("Date of service: 02/26/2026", "DOS:", "Visit date"), a bare
# "Date:" line near the top, or a header line that opens with a date ("02/26/2026 Progress note"). Never a birth,
# injury or admission date.
_FULL_DATE = rf"(?:\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|{MONTH_RE} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}})"
DOS_LABELLED = re.compile(rf"\b(?:date of service|DOS|date of (?:visit|encounter|exam(?:ination)?|consultation|evaluation)|"
                          rf"(?:visit|service|encounter|exam|consultation|evaluation|note) date)\b\s*[:#-]?\s*(?P<d>{_FULL_DATE})", re.I)
DOS_BARE = re.compile(rf"(?im)^[ \t]*date[ \t]*:[ \t]*(?P<d>{_FULL_DATE})")
DOS_HEADER = re.compile(rf"(?im)^[ \t]*(?P<d>{_FULL_DATE})\b[ \t]*(?:[-–:|][ \t]*)?(?:[A-Za-z][^\n]{{0,60}})?$")


def date_of_service(text: str) -> Optional[date]:
    """The date the note says it was written or the visit took place, or None."""
    head = text[:3000]
    m = search_at_heads(DOS_LABELLED, head) or DOS_BARE.search(head[:800]) or DOS_HEADER.search(head[:400])
    if m is None:
        return None
    raw = m["d"]
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", raw)
    return _safe(int(iso[1]), int(iso[2]), int(iso[3])) if iso else parse_date(raw, None)


_YEAR_DATE = re.compile(rf"\b(?:\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{1,2}}/\d{{4}}|{MONTH_RE} (?:\d{{1,2}}(?:st|nd|rd|th)?,? )?\d{{4}})\b", re.I)


NOTE_CLOCK_GAP = timedelta(days=365)


AGO_UNITS = {"day": 1, "week": 7, "wk": 7, "month": 30, "mo": 30, "year": 365, "yr": 365}
AGO_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "several": 3, "a few": 3}
"""Days per unit and the number words of 'N units ago', shared by every reading of a date told relative to its note."""


@lru_cache(maxsize=16)
def note_clock(text: str, ref: Optional[date]) -> Optional[date]:
    """"Now" on the note's own timeline when its dates are all more than a year older than the document date.

    Real transcriptions are often filed years after they were written; the latest full date the note states is
    then the best reading of when it was written. None when the note's dates agree with the document date.
    """
    latest = latest_stated_date(text, ref)
    if ref is None or latest is None or ref - latest <= NOTE_CLOCK_GAP:
        return None
    # a date the note itself tells as past ('Cervical MRI last year after a fall (08/2025)') is no clock of its own
    own = [d for s, e, d in stated_dates(text, ref) if not TOLD_PAST.search(text, max(0, s - TOLD_PAST_REACH), e + TOLD_PAST_REACH)]
    return max(own) if own and ref - max(own) > NOTE_CLOCK_GAP else None


TOLD_PAST = re.compile(r"\b(?:last (?:year|summer|spring|fall|autumn|winter)|years? ago|(?:>\s*)?(?:\d+|one|two|three|several|a) "
                       r"(?:years?|yrs?) (?:ago|prior|before|earlier)|the year before|previous(?:ly)?|prior|history of|hx of|h/o|"
                       r"last (?:[\w-]+ ){0,2}(?:MRI|CT|scan|study|imaging))\b", re.I)
TOLD_PAST_REACH = 40


@lru_cache(maxsize=16)
def stated_dates(text: str, ref: Optional[date]) -> tuple[tuple[int, int, date], ...]:
    """(start, end, date) of every full date (with a year) the text states, not after `ref`; read once per note."""
    found = ((m.start(), m.end(), parse_date(m.group(0), ref)) for m in finditer_at_heads(_YEAR_DATE, text))
    return tuple((s, e, d) for s, e, d in found if d and (ref is None or d <= ref))


@lru_cache(maxsize=16)
def latest_stated_date(text: str, ref: Optional[date]) -> Optional[date]:
    """The latest full date (with a year) the text states, not after `ref`: the note's own clock (once per note)."""
    return max((d for _, _, d in stated_dates(text, ref)), default=None)


@lru_cache(maxsize=16)
def date_bounds(text: str, ref: Optional[date]) -> tuple[Optional[int], Optional[int]]:
    """(the earliest end, the latest start) of the stated dates, or (None, None): whether any date lies outside a
    span is then two comparisons instead of a scan per sentence."""
    found = stated_dates(text, ref)
    return (min(e for _, e, _ in found), max(s for s, _, _ in found)) if found else (None, None)
