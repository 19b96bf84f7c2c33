"""The default, offline extractor: medspaCy targets, sections and ConText plus case-level rules."""

from __future__ import annotations

import re
from datetime import date, timedelta
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from priorauth.codes import code_table
from priorauth.extract import readers, resources
from priorauth.extract.base import Extraction
from priorauth.extract.attribution import attribute_packet
from priorauth.extract.care import cues, general_care, improvements, is_operative_report
from priorauth.extract.dates import (AGO_UNITS, AGO_WORDS, DATE_RX, SIX_MONTHS, Duration, NUMERIC_DATE, date_of_service, find_durations, latest_stated_date,
                                     note_clock, parse_date)
from priorauth.extract.mentions import Mention, document_mentions
from priorauth.extract.nlp import build_nlp
from priorauth.extract.pieces import shift, split_documents
from priorauth.extract.therapy import assign_durations, care_not_had, carry_forward, episode_days, summarize
from priorauth.models import Case, Document, EvidenceSpan, Finding
from priorauth.guidelines import get as get_guideline
from priorauth.guidelines import studies_for, using

NEEDS_CARE = ("no_response_to_treatment", "symptoms_worsening")
NUMERIC_DATE_RX = re.compile(NUMERIC_DATE)
EPISODE_SLACK = timedelta(days=7)
INFECTION_SIGN_KINDS = ("fever", "lab", "risk", "imaging")


class RulesExtractor:
    """Deterministic extraction; needs no network and no API key."""

    name = "rules"

    def __init__(self, guideline: Optional[str] = None) -> None:
        self.guideline = get_guideline(guideline).ref
        self.nlp = build_nlp(self.guideline)

    def mentions(self, case: Case) -> tuple[list[Mention], dict[str, Document]]:
        # A document without a date takes the date of service the note states ("DOS: 02/26/2026"), if any.
        docs = {d.id: (d.model_copy(update={"date": date_of_service(d.text)}) if d.date is None else d)
                for d in case.documents if d.text.strip()}
        out: list[Mention] = []
        parts = split_documents(docs.values())  # notes over spaCy's length limit are read in pieces
        for (_, piece, offset), parsed in zip(parts, self.nlp.pipe(p.text for _, p, _ in parts)):
            out.extend(shift(document_mentions(piece, parsed), offset))
        return out, docs

    def extract(self, case: Case) -> Extraction:
        with using(self.guideline):
            return self._extract(case)

    def _extract(self, case: Case) -> Extraction:
        mentions, docs = self.mentions(case)
        warnings: list[str] = []
        for stage in PASSES:
            stage.run(mentions, docs, case)
        response = _response(mentions, docs)
        therapy = summarize(mentions, docs, case.request.request_date, response)
        if any(d.date is None for d in docs.values()):
            warnings.append("a document has no date; durations stated as 'since' or 'ago' could not be resolved for it")
        g = get_guideline()
        g.load_modules()  # a guideline's own reader (readers.py) adds what its policy needs beyond the lexicons
        findings = aggregate(mentions, docs, self.name) + readers.read(g.id, case, docs)
        return Extraction(findings=findings, conservative_therapy=therapy, warnings=warnings, extractor=self.name)


def _durations(mentions: list[Mention], docs: dict[str, Document], case: Case) -> None:
    care = code_table().therapy
    for doc_id, document in docs.items():
        doc_ms = [m for m in mentions if m.doc_id == doc_id]
        therapy = [m for m in doc_ms if m.code in care and m.reason is None]
        if therapy:  # the episode length (durations beside every pain mention) matters only where there is care
            assign_durations(document.text, therapy, document.date, episode_days(document.text, doc_ms, document.date))


@dataclass(frozen=True)
class Pass:
    """A pass after matching, and what it may touch: `reads` (documentation) and `writes`.

    `writes` names the Mention fields it may change (from mentions.PASS_FIELDS:
    "reason", "prior_region", "durations", ...) and "remove" when it may drop
    mentions; tests/test_passes.py checks no pass writes anything else.
    """

    name: str
    run: Callable[[list[Mention], dict[str, Document], Case], None]
    reads: tuple[str, ...]
    writes: frozenset[str]


PASSES: tuple[Pass, ...] = (
    Pass("packet_attribution", lambda ms, docs, case: attribute_packet({i: d.text for i, d in docs.items()}, ms),
         ("deficit mentions", "attributions in every document"), frozenset({"reason", "cause"})),
    Pass("anaphora", lambda ms, docs, case: _anaphora(ms, docs),
         ("mentions of codes whose lexicon declares an anaphor", "document text"), frozenset({"remove"})),
    Pass("episode_filter", lambda ms, docs, case: _episode_filter(ms, docs),
         ("mention dates and words", "document text and date"), frozenset({"reason"})),
    Pass("case_rules", lambda ms, docs, case: _case_rules(ms, case, any(general_care(d.text) for d in docs.values())),
         ("mention codes and reasons", "care named without its kind in the document text"), frozenset({"reason", "remove"})),
    Pass("prior_mri", lambda ms, docs, case: _prior_mri(ms, docs, case),
         ("prior-MRI mentions", "document text and date", "requested CPT codes"),
         frozenset({"reason", "prior_region", "prior_date", "remove"})),
    Pass("future_surgery", lambda ms, docs, case: _future_surgery(ms, docs),
         ("spine-surgery mentions", "document text and date"), frozenset({"reason"})),
    Pass("durations", _durations, ("therapy mentions", "document text and date"), frozenset({"durations"})),
    Pass("care_not_had", lambda ms, docs, case: care_not_had(ms, docs),
         ("therapy mentions a note says never began", "document dates"), frozenset({"reason"})),
    Pass("carry_forward", lambda ms, docs, case: carry_forward(ms, docs),
         ("therapy mentions and their durations", "document dates"), frozenset({"durations"})),
    Pass("same_day_procedure", lambda ms, docs, case: _same_day_procedure(ms, docs),
         ("injection mentions and their durations", "procedure report title and date"), frozenset({"durations"})),
    Pass("care_window", lambda ms, docs, case: _care_window(ms, docs, case),
         ("therapy mentions with durations", "request date"), frozenset({"reason"})),
    Pass("score_rise", lambda ms, docs, case: _score_rise(ms),
         ("score-change mentions of lexicon rules with `score_rise`",), frozenset({"remove"})),
    Pass("acute_trauma", lambda ms, docs, case: _acute_trauma(ms, docs),
         ("trauma mentions", "document text and date"), frozenset({"reason"})),
)


PLATEAU = re.compile(r"plateau|not yet", re.I)


def _sentence_start(text: str, at: int) -> int:
    """Where the sentence holding `at` begins, by its period or line (a dash inside it does not end it)."""
    return max(text.rfind(". ", 0, at), text.rfind("\n", 0, at)) + 1


def _response(mentions: list[Mention], docs: dict[str, Document]) -> Optional[str]:
    """How symptoms responded to care: worsening wins; else the latest of documented improvement and no response.

    Improvement ('much better', '30% improved', 'pain has largely settled') is not a failure to respond
    (labeling.md): when it is the packet's latest word, no-response mentions are dropped.
    """
    if _present(mentions, "symptoms_worsening"):
        return "worsening"
    order = {d: (docs[d].date or date.min, i) for i, d in enumerate(docs)}
    events = [(order[m.doc_id], m.start, "no_response") for m in mentions
              if m.code == "no_response_to_treatment" and m.reason is None]
    if any(m.code in code_table().therapy and m.reason is None for m in mentions):
        gains = [i for d in docs.values() for i in improvements(d.id, d.text, d.date)]
        events += [(order[i.doc_id], i.start, "improved") for i in gains]
        # '40% better ... but has plateaued': a plateau after a gain in its own sentence keeps the gain
        kept = [m for m in mentions if m.code == "no_response_to_treatment" and m.reason is None and PLATEAU.search(m.text)
                and any(i.doc_id == m.doc_id and _sentence_start(docs[m.doc_id].text, m.start) <= i.start < m.start
                        for i in gains)]
        events = [e for e in events if not (e[2] == "no_response" and any((order[m.doc_id], m.start) == e[:2] for m in kept))]
    if not events:
        return None
    latest = max(events)[2]
    if latest == "improved":
        for m in [m for m in mentions if m.code == "no_response_to_treatment" and m.reason is None]:
            mentions.remove(m)
    return latest


SURGERY_DATE_LEAD = re.compile(r"[,;]?\s*(?:(?:surgery|procedure|operation|op|OR)\s+)?(?:date|day)?\s*:?\s*"
                               r"(?:(?:is|was|on|for|scheduled|planned|booked|set)\s+){0,3}\(?$", re.I)


def _future_surgery(mentions: list[Mention], docs: dict[str, Document]) -> None:
    """A spine surgery dated after its own note ('for C5-6 ACDF 10/19/2026' in a pre-operative clearance) is planned,
    not done: no prior surgery for I or LIM.H."""
    for m in mentions:
        document = docs[m.doc_id]
        if m.code != "prior_spine_surgery" or m.reason is not None or document.date is None:
            continue
        window = document.text[m.end:min(m.sent_end, m.end + 30)]
        dm = DATE_RX.search(window)
        if dm is None or not SURGERY_DATE_LEAD.match(window[:dm.start()]):
            continue
        d = parse_date(dm.group(0), document.date)
        if d is not None and d > document.date:
            m.reason = "hypothetical"


ANAPHOR_REACH = 40


def _anaphoric(text: str, m: Mention, lex: resources.Lexicon) -> bool:
    before = text[max(m.sent_start, m.start - ANAPHOR_REACH):m.start]
    after = text[m.end:min(m.sent_end, m.end + ANAPHOR_REACH)]
    return bool(lex.anaphor.search(before)) and not (lex.anaphor_unless and lex.anaphor_unless.search(after))


def _anaphora(mentions: list[Mention], docs: dict[str, Document]) -> None:
    """'MRI ordered to address the indeterminate CT finding': the words point back at a finding described elsewhere,
    so they count only when the packet holds a mention that describes it (one another organ's words kept out of the
    code does not); alone they would stand for a finding no one can check."""
    lex = resources.lexicons()
    drop = []
    for code in {m.code for m in mentions if lex[m.code].anaphor is not None}:
        own = [m for m in mentions if m.code == code and m.reason is None]
        pointing = [m for m in own if _anaphoric(docs[m.doc_id].text, m, lex[code])]
        if pointing and len(pointing) == len(own):
            drop.extend(pointing)
    for m in drop:
        mentions.remove(m)


def _present(mentions: Iterable[Mention], code: str) -> bool:
    return any(m.code == code and m.reason is None for m in mentions)


# a date the sentence compares with or counts from ('R ankle jerk absent (was 1+ 12/2025)', 'since 02/09') does not
# date the finding itself
BASELINE_LEAD = re.compile(r"\b(?:was|were|previously|prior|compared (?:to|with)|vs\.?|versus|from|since|than)\b[^.;\n]{0,8}$"
                           r"|\bsince\b[^.;,\n]{0,30}$|\b(?:5/5|normal|intact|full)\s+(?:at|on|in)\s+(?:the|his|her|their)\s+$", re.I)
"""Words before a date that make it an earlier baseline ('was 5/5 on 11/02', 'both 5/5 at the 11/2025 visit')."""


REQUEST_FACTS = ("low_field_mri",)
"""Facts about the requested study itself (the scanner it is booked on), which belong to no episode of symptoms."""


def _episode_filter(mentions: list[Mention], docs: dict[str, Document]) -> None:
    """Symptoms and care documented before the current episode began are history, not this episode."""
    onset = None
    for document in sorted((d for d in docs.values() if d.date), key=lambda d: d.date, reverse=True):
        days = episode_days(document.text, [m for m in mentions if m.doc_id == document.id], document.date)
        if days:
            onset = document.date - timedelta(days=days)
            # stated durations are approximate ("x 3 mo"): allow 15% of the episode, at least a week
            slack = max(EPISODE_SLACK, timedelta(days=0.15 * days))
            break
    if onset is None:
        return
    lex = resources.lexicons()
    for m in mentions:
        if m.reason is not None or lex[m.code].history_supports or m.code in REQUEST_FACTS:
            continue
        document = docs[m.doc_id]
        d = document.date
        sentence = document.text[m.sent_start:m.sent_end]
        stated = [parse_date(x.group(0), d) for x in NUMERIC_DATE_RX.finditer(sentence)
                  if not BASELINE_LEAD.search(sentence, max(0, x.start() - 40), x.start())]
        stated = [x for x in stated if x]
        if (d and d < onset - slack) or (stated and max(stated) < onset - slack):
            m.reason = "historical"


def _case_rules(mentions: list[Mention], case: Case, general_care_received: bool = False) -> None:
    """Rules that need the whole packet: care is for the pain; limp is pediatric; infection needs signs.

    Care named without its kind ("treated conservatively") is care for the response codes too.
    """
    has_pain = any(m.code in code_table().pain and m.reason is None for m in mentions)
    care = code_table().therapy
    has_care = general_care_received or any(m.code in care and m.reason is None for m in mentions)
    age = case.request.patient_age
    kinds = {m.rule.kind or "dx" for m in mentions if m.code == "infection_suspected" and m.reason is None}
    weak_infection = "dx" not in kinds and len(kinds & set(INFECTION_SIGN_KINDS)) < 2
    drop: list[Mention] = []
    for m in mentions:
        if m.reason is not None:
            continue
        if (m.code in care and not has_pain) or (m.code in NEEDS_CARE and not has_care):
            drop.append(m)
        elif m.code == "pediatric_limp" and (age is None or age >= 18):
            drop.append(m)
        elif m.code == "infection_suspected" and weak_infection:
            m.reason = "uncertain"
    for m in drop:
        mentions.remove(m)


def _prior_mri(mentions: list[Mention], docs: dict[str, Document], case: Case) -> None:
    """A prior MRI counts only for a requested region and within 6 months of the request."""
    regions = {s.region for s in studies_for(case.request.cpt_codes) if s.region}
    when = case.request.request_date
    drop = []
    for m in mentions:
        if m.code != "prior_mri_same_region" or m.reason is not None:
            continue
        document = docs[m.doc_id]
        region = get_guideline().study_region_named(m.text)
        after, named_end = _regions_after(document.text, m) if region is None else ([], m.end)
        if after:  # 'her most recent spine MRI was of the lumbar region in October 2025', 'MRI brain + C-spine 09/2025'
            region = next((r for r in after if r in regions), after[0])
        dm = DATE_RX.search(m.text) or _date_after(document.text, m, named_end)
        d = parse_date(dm.group(0), document.date) if dm else (document.date if m.rule.imaging_header else None)
        if dm is not None and d is not None and document.date is not None:
            d = _last_year(document.text, dm, d, document.date)
        if d is None:
            d = _year_after(document.text, m) or _ago_after(document.text, m, document.date)
        season = SEASON_RX.search(m.text) or (SEASON_RX.match(document.text, named_end, min(m.sent_end, named_end + DATE_REACH))
                                              if d is None else None)  # 'SHE HAD AN MRI OF THE LUMBAR SPINE LAST SPRING'
        if season and d is None and document.date is not None:
            first, last = _season(season.group(1).lower(), document.date)
            if when is not None and (when - first) > SIX_MONTHS and (when - last) <= SIX_MONTHS:
                drop.append(m)  # 'last fall' straddles the six months: its age cannot be established
                continue
            d = last
        if m.rule.done_only and d is None:
            d = _date_before(document, m)
        if m.rule.done_only and not _done(document, m, region, d):
            drop.append(m)  # a study named in passing, the requested one, or one whose having been done is unsaid
            continue
        m.prior_region, m.prior_date = region, d
        clock = _note_clock(document, when, (m.sent_start, m.sent_end))
        past = d is not None and document.date is not None and document.date - d > RECENT_ORDER
        if _requested_study(document.text, m) and not past:  # an order dated in the past ordered an earlier study
            m.reason = "hypothetical"  # labeling.md: the requested study itself is never a prior study
        elif (region and regions and region not in regions) or clock is UNKNOWN:
            drop.append(m)  # another region, or an age that cannot be established on the note's timeline
        elif d and clock and (d > clock or clock - d > SIX_MONTHS):
            m.reason = "historical"
    for m in drop:
        mentions.remove(m)


UNKNOWN = date.min
RECENT_ORDER = timedelta(days=21)  # a study dated this long before its note, 'ordered by her gyn', was done by now
ORDERED = re.compile(r"\b(?:ordered|requested|request(?:ing)?|scheduled|pending|awaiting|to be (?:obtained|done|scheduled)|"
                     r"(?:is |are )?(?:needed|required|necessary) (?:for|to|before|prior)|"
                     r"will (?:be )?(?:obtain(?:ed)?|order(?:ed)?|schedule(?:d)?)|submitted|for (?:prior )?authori[sz]ation)\b", re.I)
PERFORMED = re.compile(r"\b(?:showed|shows|revealed|reveals|demonstrated|demonstrates|was (?:done|performed|obtained|completed)|"
                       r"performed|findings|impression|reviewed)\b", re.I)


DONE = re.compile(r"\b(?:had|has had|got|underwent|showed|shows|revealed|reveals|demonstrated|demonstrates|read as|"
                  r"reported as|interpreted as|was (?:done|performed|obtained|completed|normal|unremarkable|negative)|(?:was |were |results? )?reviewed (?:with|today))\b|\((?:(?:report|images?|films?) )?reviewed\)|\breviewed\s*[:,]", re.I)
DONE_REACH = 60  # characters around the study's words that may say it was had or give its result


LEAD_YEAR = re.compile(r"\b((?:19|20)\d{2})\b(?![/-]\d)")


def _date_before(document: Document, m: Mention) -> Optional[date]:
    """A date leading the study's own clause ('In September she had a lumbar MRI', '2017 lumbar MRI: ...'): the last
    one within DONE_REACH characters before it, with no clause break between; a year alone reads mid-year."""
    lo = max(m.sent_start, m.start - DONE_REACH)
    lead = document.text[lo:m.start]
    lead = lead[max(lead.rfind(";"), lead.rfind(","), -1) + 1:]
    dates = list(DATE_RX.finditer(lead))
    if dates:
        return parse_date(dates[-1].group(0), document.date)
    years = list(LEAD_YEAR.finditer(lead))
    return date(int(years[-1].group(1)), 7, 1) if years else None


def _done(document: Document, m: Mention, region: Optional[str], d: Optional[date]) -> bool:
    """A study named by its region is one already done when its sentence dates it before its note (a study without a
    date has no age: 'he had an MRI once' says nothing of the last six months) and either the date is weeks old or
    the words around it say it was had or give its result; never when its sentence orders it (guideline lexicon
    rules with `done_only`)."""
    if region is None or d is None or document.date is None or d > document.date:
        return False
    if _requested_study(document.text, m) and document.date - d <= RECENT_ORDER:
        return False  # an order dated weeks back ordered an earlier study: 'done mid-August (ordered by urgent care)'
    if document.date - d > RECENT_ORDER:
        return True
    return bool(DONE.search(document.text, max(m.sent_start, m.start - DONE_REACH), min(m.sent_end, m.end + DONE_REACH)))


def _score_rise(mentions: list[Mention]) -> None:
    """A score change is a worsening only when it rose by care.json's `score_rise` points ('NPRS 5->8'); a fall
    ('7 -> 3/10') or a step is no mention at all."""
    rise = cues().score_rise
    for m in [m for m in mentions if m.rule.score_rise]:
        g = re.search(m.rule.pattern, m.text, re.I)
        if g is None or int(g.group("b")) - int(g.group("a")) < rise:
            mentions.remove(m)


HAD_BEFORE = re.compile(r"\b(?:had|has had|underwent|got)\s+(?:an?\s+|the\s+|his\s+|her\s+)?$", re.I)


def _requested_study(text: str, m: Mention) -> bool:
    """The study the words name is the one being ordered or requested, not one already done ('he had an MRI of his
    low back over the summer, ordered by urgent care' was done)."""
    clause = text[m.sent_start:m.sent_end]
    return bool(ORDERED.search(clause)) and not PERFORMED.search(clause) and not HAD_BEFORE.search(text, m.sent_start, m.start)
DATE_LEAD = re.compile(r"\s*(?:\([^()]{0,24}\)\s*)?(?:(?:w/?wo|w/o|w/|wo|w\+wo|with(?:out)?(?: and without)?)(?: (?:contrast|gad\w*))?\s*,?)?"  # 'MRI C-spine w/wo 04/2026'
                       r"\s*:?\s*(?:(?:[CTL][- ]?spine|cervical|thoracic|lumbar)(?: spine)?\s*,?\s+)?"  # 'Last spine MRI: C-spine Jan 2025'
                       r"(?:(?:at|by) (?:[\w'&.-]+\s+){1,6}?)?(?:(?:is|was|were|dated|done|obtained|performed|completed|ordered|from|on|in|of|at|back|the|here|there|locally|elsewhere|outside|she|he|they|had|got|underwent|over|during)\s+){0,5}"
                       r"(?:(?:right|just|shortly|soon|sometime)\s+)?(?:(?:the\s+)?(?:week|weekend|day|days|month)\s+)?"
                       r"(?:(?:after|before|around|of)\s+(?:the\s+)?)?"  # 'right after the 4th of July', 'the week after Thanksgiving'
                       r"(?:(?:early|mid|late)[- ]?(?=(?:this|last)\b|[A-Z][a-z]+))?"  # 'early last October', 'mid-August'
                       r"(?:(?:this past|this|last|earlier this)\s+)?(?:the (?:following|same|next) (?:day|week|month)\s*,?\s*)?"
                       r"(?:(?:over|during|in) the (?:summer|spring|fall|autumn|winter)\s*[-\u2013,(]?\s*)?"  # 'over the summer - July'
                       r"(?:\d{1,2}(?:st|nd|rd|th)\s+(?:of\s+)?)?\(?$"  # 'on 12th January 2026'
                       # 'done this past June', 'was done the following week (September 2026)'
                       r"|[^.;:\n]{0,50}?\bdated\s*$",  # 'obtained over the summer (report dated 07/29/2026)'
                       re.I)  # 'his lumbar MRI at Lakeside Imaging in late April': the place it was done may come first


YEAR_AFTER = re.compile(r"(?:\b(?:in|from|during|back in|dated)(?: (?:the )?(?:early |late |mid-?)?(?:spring|summer|fall|autumn|winter)(?: of)?)? "
                        r"|:\s*(?:(?:[CTL][- ]?spine|cervical|thoracic|lumbar)(?: spine)?(?:\s*(?:and|&|,|/)\s*(?:[CTL][- ]?spine|cervical|"
                        r"thoracic|lumbar)(?: spine)?)?\s*,?\s+)?)((?:19|20)\d{2})\b(?![/-]\d)", re.I)
# 'Last MRI T-spine: 2023', 'was in summer 2023', 'Last spine MRI: cervical and thoracic 2019'
YEAR_REACH = 48


def _year_after(text: str, m: Mention) -> Optional[date]:
    """A study dated by its year alone, written just after it ('Last MRI of the neck was in 2021'): mid-year, which
    is enough to tell a study years old from a recent one."""
    y = YEAR_AFTER.search(text, m.end, min(m.sent_end, m.end + YEAR_REACH))
    return date(int(y.group(1)), 7, 1) if y else None


AGO_AFTER = re.compile(r"(?:\b|~\s?)(?:(\d+|a|an|one|two|three|four|five|six|several|a few) ?(day|week|wk|month|mo|year|yr)s? (?:ago|before (?:this|the) "
                       r"(?:request|visit|review|referral|note|appointment|consult(?:ation)?)|earlier)|last (week|month|year))\b", re.I)


OLD_AFTER = re.compile(r"\s*(?:is |was )?(?:>|over|more than|greater than)\s*(\d+|a|an|one|two|three|four|five|six|several|a few) "
                       r"(day|week|month|year)s? old\b", re.I)


def _ago_after(text: str, m: Mention, ref: Optional[date]) -> Optional[date]:
    """A study dated relative to its note, just after its words ('the MRI he had last month', '... 3 weeks ago', 'last MRI
    > 1 year old')."""
    old = OLD_AFTER.match(text, m.end)
    if old is not None and ref is not None:
        n = int(old.group(1)) if old.group(1).isdigit() else AGO_WORDS[old.group(1).lower()]
        return ref - timedelta(days=n * AGO_UNITS[old.group(2).lower()] + 1)
    a = AGO_AFTER.search(text, m.end, min(m.sent_end, m.end + DATE_REACH))
    if a is None or ref is None:
        return None
    if a.group(3):
        return ref - timedelta(days=AGO_UNITS[a.group(3).lower()])
    n = int(a.group(1)) if a.group(1).isdigit() else AGO_WORDS[a.group(1).lower()]
    return ref - timedelta(days=n * AGO_UNITS[a.group(2).lower()])


SEASON_RX = re.compile(r"(?:\s*(?:was|were|done|obtained|performed|taken)?\s*)?\b(?:last|this past|this|(?:in|over|during) the) "
                       r"(fall|autumn|spring|summer|winter)\b", re.I)  # 'had MRI L-spine in the spring at outside facility'
SEASONS = {"spring": (3, 20, 6, 20), "summer": (6, 21, 9, 21), "fall": (9, 22, 12, 20), "autumn": (9, 22, 12, 20),
           "winter": (12, 21, 3, 19)}


def _season(name: str, ref: date) -> tuple[date, date]:
    """The first and last day of the most recent `name` season that ended before `ref` ('last fall' in January is
    the fall of the year before)."""
    m1, d1, m2, d2 = SEASONS[name]
    for year in (ref.year, ref.year - 1, ref.year - 2):
        end = date(year + (1 if m2 < m1 else 0), m2, d2)
        if end < ref:
            return date(year, m1, d1), end
    return date(ref.year - 2, m1, d1), date(ref.year - 2 + (1 if m2 < m1 else 0), m2, d2)


STUDY_TOKEN = re.compile(r"\s*([\w-]+|[+,/&])")

def _regions_after(text: str, m: Mention) -> tuple[list[str], int]:
    """Regions the words right after a study name before anything else is said ('was of the lumbar region', 'brain +
    C-spine + T-spine'), with where they end; none when other words come first."""
    g = get_guideline()
    at, end, found = m.end, m.end, []
    while len(found) < 6:
        t = STUDY_TOKEN.match(text, at, m.sent_end)
        if t is None:
            break
        word = t.group(1)
        pair = STUDY_TOKEN.match(text, t.end(), m.sent_end)
        region = g.study_region_named(word)
        if region is None and pair is not None:
            region = g.study_region_named(f"{word} {pair.group(1)}")
            if region is not None:
                t = pair
        if region is not None:
            found.append(region)
            end = t.end()
        elif word.lower() not in g.study_joiners:
            break
        elif found:
            end = t.end()  # 'the lumbar region': the region's own nouns
        at = t.end()
    return found, end


DATE_REACH = 64  # 'she had the MRI at the imaging center by her work in early September'


LAST_YEAR = re.compile(r"\s*(?:of |in )?(?:last year|the (?:previous|prior|preceding) year)\b", re.I)


def _last_year(text: str, dm: re.Match[str], d: date, ref: date) -> date:
    """'in October of last year': a month without its year, said to be of the year before the note's."""
    if re.search(r"\d{4}", dm.group(0)) or not LAST_YEAR.match(text, dm.end()):
        return d
    return date(ref.year - 1, d.month, d.day)


def _date_after(text: str, m: Mention, start: Optional[int] = None) -> Optional[re.Match[str]]:
    """A study's date written after the words that name it: 'most recent MRI is from 06/2025', 'prior MRI (01/16/26)'
    (after `start` when the words that follow first name its region)."""
    at = m.end if start is None else start
    window = text[at:min(m.sent_end, at + DATE_REACH)]
    dm = DATE_RX.search(window)
    if dm is None or not DATE_LEAD.match(window[:dm.start()]):
        return None
    return DATE_RX.search(text, at + dm.start(), at + dm.end())


def _note_clock(document: Document, when: Optional[date], own: tuple[int, int]) -> Optional[date]:
    """The request date on the note's own timeline (labeling.md: an MRI's age is read on the note's timeline).

    A note whose latest stated date is more than a year before its document date was written on an older
    clock (a transcription filed later): the request sits as far after its latest date as it does after
    the document date. When the only dates on that old clock are the study's own, its age cannot be
    established (UNKNOWN).
    """
    if when is None or document.date is None:
        return when
    text = document.text
    latest = note_clock(text, document.date)
    if latest is None:
        return when
    other = latest_stated_date(text[:own[0]] + " " + text[own[1]:], document.date)
    if other is None:
        return UNKNOWN
    return latest + (when - document.date)


ACUTE = timedelta(days=42)


def _acute_trauma(mentions: list[Mention], docs: dict[str, Document]) -> None:
    """`trauma` means acute trauma: an injury dated more than 6 weeks before the note is history, and so are the
    note's undated mentions of it when every dated one is old."""
    by_doc: dict[str, list[tuple[Mention, Optional[float]]]] = {}
    for m in mentions:
        if m.code != "trauma" or m.reason is not None:
            continue
        document = docs[m.doc_id]
        ref = document.date
        if ref is None:
            continue
        sentence = document.text[m.sent_start:m.sent_end]
        ages = [d.days for d in find_durations(sentence, m.sent_start, ref) if d.days > 0]
        for x in DATE_RX.finditer(sentence):
            when = parse_date(x.group(0), ref) if re.search(r"\d", x.group(0)) or len(x.group(0)) > 4 else None
            if when is not None:
                ages.append((ref - when).days)
        by_doc.setdefault(m.doc_id, []).append((m, min(ages) if ages else None))
    for ms in by_doc.values():
        dated = [age for _, age in ms if age is not None]
        all_old = bool(dated) and min(dated) > ACUTE.days
        for m, age in ms:
            if (age is not None and age > ACUTE.days) or (age is None and all_old):
                m.reason = "historical"


PROCEDURE_TITLE = re.compile(r"\b(?:procedures?(?: performed)?|name of (?:the )?procedure|operation)\s*:", re.I)
PROCEDURE_TITLE_SPAN = 600  # where the report's title stands
NEXT_HEADER = re.compile(r"\n|,\s*[A-Z][A-Z /-]{2,40}:")  # the end of the title: a new line or an inline header
PRIOR_CARE = re.compile(r"\b(?:in the past|previous(?:ly)?|prior|before|ago|history of|ha(?:s|d|ve) had)\b", re.I)


def _same_day_procedure(mentions: list[Mention], docs: dict[str, Document]) -> None:
    """A procedure report documents its procedure as done on the report's date: 0 weeks of that care so far.

    Not when the packet also names earlier care of the same kind that no date places ("a couple of epidurals in
    the past"): then how long that care has gone on cannot be established.
    """
    for doc_id, document in docs.items():
        if document.date is None or not is_operative_report(document):
            continue
        title = PROCEDURE_TITLE.search(document.text[:PROCEDURE_TITLE_SPAN])
        if title is None:
            continue
        done = [m for m in mentions if m.doc_id == doc_id and m.code == "injection" and m.reason is None]
        nxt = NEXT_HEADER.search(document.text, title.end())
        block_end = nxt.start() if nxt else len(document.text)
        if not any(title.end() <= m.start < block_end for m in done):
            continue  # the injection named is not the procedure the report is about
        if not done or any(m.durations for m in done):
            continue
        earlier = [m for m in mentions if m.code == "injection" and m.reason is None and not m.durations
                   and PRIOR_CARE.search(docs[m.doc_id].text, m.sent_start, m.sent_end)]
        if not earlier:
            first = min(done, key=lambda m: m.start)
            first.durations = [Duration(first.start, first.end, 0.0, False, began=document.date, ended=document.date)]


def _care_window(mentions: list[Mention], docs: dict[str, Document], case: Case) -> None:
    """Care that ended more than 6 months before the request is not part of this trial."""
    when = case.request.request_date
    if when is None:
        return
    care = code_table().therapy
    for m in mentions:
        if m.code in care and m.reason is None:
            ends = [d.ended for d in m.durations if d.ended]
            if ends and max(ends) < when - SIX_MONTHS:
                m.reason = "historical"


def aggregate(mentions: list[Mention], docs: dict[str, Document], source: str) -> list[Finding]:
    """One finding per present code; one ruled-out entry per (code, reason), and per refusal when negated ('declined
    NSAIDs' apart from 'ibuprofen is contraindicated' and 'no NSAIDs')."""
    groups: dict[tuple[str, Optional[str], Optional[str]], list[Mention]] = {}
    for m in sorted(mentions, key=lambda m: (m.doc_id, m.start)):
        groups.setdefault((m.code, m.reason, m.refusal), []).append(m)
    out = []
    for (code, reason, refusal), ms in groups.items():
        spans, seen = [], set()
        for m in ms:
            key = (m.doc_id, m.start, m.end)
            if key not in seen:
                seen.add(key)
                spans.append(EvidenceSpan(doc=m.doc_id, start=m.start, end=m.end, text=docs[m.doc_id].text[m.start:m.end],
                                          section=m.section))
        regions = {m.prior_region for m in ms}
        dates = [m.prior_date for m in ms if m.prior_date]
        causes = sorted({m.cause for m in ms if m.cause})
        out.append(Finding(code=code, evidence=spans, exam=any(m.exam for m in ms), reason=reason, source=source,
                           attributed_to="; ".join(causes) or None,
                           region=regions.pop() if len(regions) == 1 else None,
                           mention_date=max(dates) if dates else None,
                           refusal=refusal))
    return out
