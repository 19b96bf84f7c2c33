"""Earlier injection sessions on the packet's timeline: dated, by region, with the relief each gave.

The policy counts sessions (one day each) per spinal region in a rolling 12
months (Limitations 6), measures a repeat's justification as relief on the
same scale as the baseline for 3 months, or a failed first injection at least
14 days ago (Covered Indications 6), and limits treatment beyond 12 months
(Limitations 13). Everything this guideline reads about sessions is here, so it
can move onto a shared event timeline as one piece.

A session is an epidural injection the note says was given (past wording, a
procedure report of it) with a date: a written date, a date "N weeks/months
ago" counted from the note's date, or the date of a procedure report. Planned
injections are not sessions. Several mentions of one day are one session.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterator, Optional

from priorauth.extract.dates import DATE_RX, WORD_NUM, parse_date
from priorauth.models import Document, EvidenceSpan

ESI = re.compile(
    r"\b(?:TF-?ESIs?|IL-?ESIs?|C-?ESIs?|L-?ESIs?|ESIs?|epidural steroid injections?|epidural injections?|epidurals?"
    r"|(?:transforaminal|interlaminar|translaminar|caudal)(?: epidural)?(?: steroid)? (?:injections?|blocks?)"
    r"|selective nerve root blocks?|SNRBs?"
    r"|(?:the|that|this|last|first|second|third|previous|prior|most recent|initial|repeat) (?:[\w/.-]+ ){0,2}(?:injection|block|shot))\b", re.I)
PLANNED = re.compile(r"\b(?:plan(?:s|ned)?|schedul\w*|request\w*|recommend\w*|will (?:proceed|undergo|have|schedule|get)|"
                     r"propos\w*|consider\w*|candidate for|would like|next|to be (?:performed|done)|authori[sz]\w*|order(?:ed)?)\b", re.I)
GIVEN = re.compile(r"\b(?:s/p|status post|had|has had|received|underwent|undergone|got|performed|done|given|prior|previous|"
                   r"last|earlier|initial|first|second|third|fourth|most recent|after (?:the|his|her)|since (?:the|his|her)|"
                   r"following (?:the|his|her)|on \d|dated)\b", re.I)
ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
NOT_SESSION_DATE = re.compile(r"(?:\b(?:until|through|thru|till|to|since|lasted|lasting)\s+(?:about\s+)?(?:early|mid|late|end of|beginning of)?[- ]?"
                              r"|\b(?:MRI|CT|imaging|x-?rays?|EMG|myelogram)\b[^\d\n]{0,8})$", re.I)
AGO = re.compile(rf"\b(\d+|{'|'.join(WORD_NUM)})\s+(days?|weeks?|wks?|months?|mos?)\s+ago\b", re.I)
PROCEDURE_DOC = re.compile(r"(?im)(?:^[ \t]*|,\s*)(?:procedures?(?: note| report| performed| done)?|operative report|procedure name|"
                           r"name of procedure)[ \t]*:[ \t,]*[^\n]{0,120}?(?:epidural|ESI|transforaminal|interlaminar|caudal|nerve root)")
OTHER_PERSON = re.compile(r"\b(?:wife|husband|mother|father|sister|brother|son|daughter|co-?worker|friend|neighbou?r|partner|spouse|"
                          r"relative|roommate|crewmate|supervisor)(?:'s)?\b", re.I)
PERFORMED = re.compile(r"\b(?:tolerated (?:the |this )?procedure|(?:was|were) (?:prepped|placed|injected|advanced|performed|positioned|"
                       r"infiltrated|draped)|no (?:immediate )?complications|complications:\s*none|estimated blood loss)\b", re.I)


def procedure_head(doc: Document) -> Optional[re.Match[str]]:
    """The heading of a report of an injection already done (a heading and words of a performed procedure), else None.

    A clinic note whose plan reads "Procedure: L5 TFESI" is not one: its plan is the requested injection.
    """
    return _procedure_head(doc.text, doc.type)


@functools.lru_cache(maxsize=8)
def _procedure_head(text: str, kind: Optional[str]) -> Optional[re.Match[str]]:
    """Read once per note: five of this guideline's passes ask each note whether it is a procedure report."""
    head = PROCEDURE_DOC.search(text)
    if head and (PERFORMED.search(text) or re.search(r"procedure|operative", kind or "", re.I)):
        return head
    return None


REGION_WORDS = (("cervical_thoracic", re.compile(r"\b(?:(?i:cervical|thoracic|neck)|C[1-8](?:\s*[-/]\s*[CT]?\d)?|T\d{1,2}(?:\s*[-/]\s*T?\d{1,2})?)\b")),
                ("lumbar_sacral", re.compile(r"\b(?:(?i:lumbar|lumbosacral|sacral|caudal|low back)|L[1-5](?:\s*[-/]\s*[LS]?\d)?|S[1-5])\b")))
GIVEN_UNDATED = re.compile(
    r"(?<!\bno )(?<!\bnever )(?<!\bwithout )\b(?:(?:had|has had|received|underwent|undergone|got|was given|s/p|status post)\s+"
    r"(?:an? |one |two |three |four |\d |several |multiple |her |his |the |some )?(?:[\w-]+ ){0,3}?"
    r"|(?:previous|prior|earlier) (?:[\w-]+ ){0,2}?)(?:ESIs?|TF-?ESIs?|epidural(?: steroid)? injections?|epidurals?)\b", re.I)
PERCENT = re.compile(r"(\d{1,3})\s*(?:%|percent)\s*(?:sustained\s+|overall\s+|pain\s+)?(?:relief|improvement|reduction|better|improved|decrease|benefit)"
                     r"|(?:relief|improvement|reduction|better|improved|benefit)\s+(?:of|by|was|about|approximately|~)?\s*(\d{1,3})\s*(?:%|percent)", re.I)
FROM_TO = re.compile(r"\bfrom\s+(?:an?\s+)?(?:(?P<s1>NRS|VAS|ODI|NDI|Oswestry|pain)\s+(?:of\s+)?)?(?P<a>\d{1,3})(?P<u1>\s*/\s*10|\s*%)?\s+to\s+(?:an?\s+)?"
                     r"(?:(?:NRS|VAS|ODI|NDI)\s+(?:of\s+)?)?(?P<b>\d{1,3})(?P<u2>\s*/\s*10|\s*%)?", re.I)
ARROW = re.compile(r"(?:\b(?P<s1>NRS|VAS|ODI|NDI|pain)\s*(?:score\s*)?(?:of\s*)?)?(?P<a>\d{1,3})(?P<u1>\s*/\s*10|\s*%)?\s*(?:->|→|=>|-->)\s*"
                   r"(?P<b>\d{1,3})(?P<u2>\s*/\s*10|\s*%)?", re.I)
LASTING = re.compile(rf"\b(?:for|lasting|lasted|x|×|sustained|over|through|which lasted|wore off after|wearing off after|about|approximately|nearly|"
                     rf"more than|at least|roughly|around|almost|close to|~)\s*(?:about\s+|approximately\s+|nearly\s+|more than\s+|at least\s+|over\s+|"
                     rf"roughly\s+|around\s+|almost\s+|the (?:past|last)\s+)?"
                     rf"(\d+(?:\.\d+)?|{'|'.join(WORD_NUM)})\s*\+?\s*(weeks?|wks?|months?|mos?|days?)\b"
                     rf"|\b(\d+(?:\.\d+)?|{'|'.join(WORD_NUM)})\s*\+?\s*(weeks?|wks?|months?|mos?)\s+of\s+(?:[\w-]+\s+)?(?:relief|improvement|benefit)\b", re.I)
FAILED = re.compile(r"\b(?:no|minimal|little|minor|negligible|without|only brief|only transient|short-lived)\s+(?:significant\s+|meaningful\s+|lasting\s+|sustained\s+)?"
                    r"(?:relief|benefit|improvement|help|response)\b|\bdid not (?:help|improve|provide)\b|\bfailed\b|\bno change\b|\bineffective\b", re.I)
SCALES = (("odi", r"\b(?:ODI|Oswestry)\b"), ("ndi", r"\b(?:NDI|neck disability index)\b"), ("rmdq", r"\bRoland[- ]Morris\b|\bRMDQ\b"),
          ("promis", r"\bPROMIS\b"), ("vas", r"\b(?:VAS|visual analog(?:ue)? scale)\b"),
          ("nrs", r"\b(?:NRS|numeric(?:al)? (?:pain )?rating scale)\b|\b\d{1,2}\s*/\s*10\b"))
SCALE_RX = tuple((name, re.compile(p, re.I)) for name, p in SCALES)
PAIN_FAMILY = {"nrs", "vas", "pain"}


@dataclass
class Session:
    """One day an epidural injection was given."""

    day: date
    region: Optional[str]
    evidence: list[EvidenceSpan] = field(default_factory=list)
    relief: Optional[float] = None  # per cent
    relief_months: Optional[float] = None
    scale: Optional[str] = None  # the scale the relief was measured on ("pain" for a bare percentage of pain relief)
    failed: bool = False
    relief_evidence: list[EvidenceSpan] = field(default_factory=list)


SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+(?=[A-Z(])")


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence: lines split after '. ' before a capital or digit."""
    return iter(_sentences(text))


@functools.lru_cache(maxsize=8)
def _sentences(text: str) -> tuple[tuple[int, int], ...]:
    """Split once per text: this guideline's readers each walk every sentence of every note (eight passes)."""
    out = []
    pos = 0
    for line in text.split("\n"):
        start = pos
        for m in SENTENCE_BREAK.finditer(line):
            out.append((start, pos + m.start()))
            start = pos + m.end()
        if line[start - pos:].strip():
            out.append((start, pos + len(line)))
        pos += len(line) + 1
    return tuple(out)


def span(doc: Document, start: int, end: int) -> EvidenceSpan:
    return EvidenceSpan(doc=doc.id, start=start, end=end, text=doc.text[start:end])


def region_of(text: str) -> Optional[str]:
    found = [r for r, rx in REGION_WORDS if rx.search(text)]
    return found[0] if len(found) == 1 else None


def scale_of(text: str) -> Optional[str]:
    return next((name for name, rx in SCALE_RX if rx.search(text)), None)


def _num(s: str) -> float:
    return float(WORD_NUM.get(s.lower(), s)) if not s.replace(".", "").isdigit() else float(s)


def _months(n: str, unit: str) -> float:
    v = _num(n)
    u = unit.lower()
    return v / 30.4 if u.startswith("d") else v / 4.345 if u.startswith("w") else v


def _dates(doc: Document, s: int, e: int) -> list[tuple[date, int, int]]:
    return list(_sentence_dates(doc.text, doc.date, s, e))


@functools.lru_cache(maxsize=4096)
def _sentence_dates(whole: str, today: Optional[date], s: int, e: int) -> tuple[tuple[date, int, int], ...]:
    """Read once per sentence: the session passes and the plan's session check each ask every sentence for its dates."""
    text = whole[s:e]
    out = []
    for m in ISO.finditer(text):
        try:
            out.append((date(int(m[1]), int(m[2]), int(m[3])), s + m.start(), s + m.end()))
        except ValueError:
            pass
    for m in DATE_RX.finditer(text):
        if any(a <= s + m.start() < b for _, a, b in out) or not re.search(r"\d", m.group()) \
                or NOT_SESSION_DATE.search(text[max(0, m.start() - 30):m.start()]):
            continue
        d = parse_date(m.group(), today)
        if d is not None:
            out.append((d, s + m.start(), s + m.end()))
    for m in AGO.finditer(text):
        if today is not None:
            days = _num(m[1]) * {"d": 1, "w": 7, "m": 30.4}[m[2][0].lower()]
            out.append((today - timedelta(days=round(days)), s + m.start(), s + m.end()))
    return tuple(sorted(out, key=lambda x: x[1]))


def _relief(doc: Document, s: int, e: int, session: Session) -> None:
    """Relief, its duration and scale, from the mention's sentence."""
    text = doc.text[s:e]
    m = PERCENT.search(text)
    if m:
        session.relief = float(m[1] or m[2])
        session.scale = scale_of(text) or ("pain" if not re.search(r"\bfunction", text, re.I) else "function")
        session.relief_evidence.append(span(doc, s + m.start(), s + m.end()))
    else:
        m = FROM_TO.search(text) or ARROW.search(text)
        if m and int(m["a"]) > 0 and int(m["b"]) <= int(m["a"]):
            session.relief = round(100 * (int(m["a"]) - int(m["b"])) / int(m["a"]))
            named = scale_of(text[max(0, m.start() - 40):m.end()])
            session.scale = named or ("nrs" if (m["u1"] or m["u2"] or "").strip().startswith("/") else "pain")
            session.relief_evidence.append(span(doc, s + m.start(), s + m.end()))
    m = LASTING.search(text)
    if m and session.relief is not None:
        session.relief_months = _months(m[1] or m[3], m[2] or m[4])
        session.relief_evidence.append(span(doc, s + m.start(), s + m.end()))
    if FAILED.search(text) and (session.relief is None or session.relief < 50):
        session.failed = True
        f = FAILED.search(text)
        session.relief_evidence.append(span(doc, s + f.start(), s + f.end()))
    elif session.relief is not None and session.relief < 50:
        session.failed = True


def read_sessions(docs: dict[str, Document], default_region: Optional[str]) -> list[Session]:
    """Every dated earlier session in the packet, one per day, oldest first."""
    by_day: dict[date, Session] = {}

    def add(day: date, region: Optional[str], ev: EvidenceSpan, doc: Document, s: int, e: int) -> None:
        sess = by_day.get(day)
        if sess is None:
            sess = by_day[day] = Session(day, region or default_region)
        elif region and sess.region != region and sess.region == default_region:
            sess.region = region
        if not any(x.doc == ev.doc and x.start == ev.start for x in sess.evidence):
            sess.evidence.append(ev)
        if sess.relief is None and not sess.failed:
            _relief(doc, s, e, sess)

    for doc in docs.values():
        text = doc.text
        head = procedure_head(doc)
        if head and doc.date is not None:
            add(doc.date, region_of(head.group()), span(doc, head.start(), head.end()), doc, head.start(), head.end())
            continue  # a procedure report describes its own session; its plans and history are not read as sessions
        for s, e in sentences(text):
            sent = text[s:e]
            m = ESI.search(sent)
            if not m or OTHER_PERSON.search(sent[:m.start()]):  # another person's injection is not a session
                continue
            dates = _dates(doc, s, e)
            if not dates:
                continue
            if PLANNED.search(sent) and not GIVEN.search(sent):
                continue
            for day, a, b in dates:
                if doc.date is not None and day >= doc.date:
                    continue  # the note's own date is its visit, and a later date a plan, not a session
                ev = span(doc, s + m.start(), s + m.end())
                add(day, region_of(sent), ev, doc, s, e)
                sess = by_day[day]
                if not any(x.start == a and x.doc == doc.id for x in sess.evidence):
                    sess.evidence.append(span(doc, a, b))
    _undated_relief(docs, by_day)
    return [by_day[d] for d in sorted(by_day)]


def _undated_relief(docs: dict[str, Document], by_day: dict[date, Session]) -> None:
    """Relief told of 'the injection' without its date belongs to the latest session before the note."""
    for doc in docs.values():
        if procedure_head(doc):
            continue
        for s, e in sentences(doc.text):
            sent = doc.text[s:e]
            if not ESI.search(sent) or _dates(doc, s, e) or (PLANNED.search(sent) and not GIVEN.search(sent)):
                continue
            if not (PERCENT.search(sent) or FROM_TO.search(sent) or ARROW.search(sent) or FAILED.search(sent)):
                continue
            before = [d for d in by_day if doc.date is None or d <= doc.date]
            if not before:
                continue
            sess = by_day[max(before)]
            if sess.relief is None and not sess.failed:
                _relief(doc, s, e, sess)


def undated(docs: dict[str, Document]) -> list[EvidenceSpan]:
    """Mentions of an epidural injection already given, without a date ('had an ESI last spring')."""
    out = []
    for doc in docs.values():
        if procedure_head(doc):
            continue
        for s, e in sentences(doc.text):
            m = GIVEN_UNDATED.search(doc.text, s, e)
            if m and not OTHER_PERSON.search(doc.text, s, m.start()) and not _dates(doc, s, e) and not re.search(r"\b(?:no|never|denies|without)\b[^.;]*$", doc.text[s:m.start()], re.I):
                out.append(span(doc, m.start(), m.end()))
    return out


def in_window(sessions: list[Session], region: Optional[str], on: date, days: int = 365) -> list[Session]:
    """Sessions of this region (unknown region counts as this one) in the `days` before `on`."""
    return [x for x in sessions if (x.region in (None, region) or region is None) and on - timedelta(days=days) < x.day <= on]


def same_scale(relief_scale: Optional[str], baseline: set[str]) -> bool:
    """Relief counts on the baseline's scale: the same named scale, or a bare pain percentage against a pain scale."""
    if relief_scale is None or not baseline:
        return False
    if relief_scale in baseline:
        return True
    return relief_scale == "pain" and bool(baseline & PAIN_FAMILY)
