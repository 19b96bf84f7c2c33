"""What LCD L39240 needs read beyond the lexicons: the injection plan, scales, pain duration, current rehabilitation.

Registered as this guideline's reader (priorauth.extract.readers); earlier
sessions come from sessions.py. Each finding carries exact spans of the note
and its values as qualifiers (qualifiers.json, computed). Cues are clinical
language (not any packet's wording); a cue preceded in its clause by a negation
("no sedation", "not a series") does not count.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Iterator, Optional

from priorauth.extract.dates import WORD_NUM
from priorauth.extract.readers import reader
from priorauth.extract.starts import index_of
from priorauth.guidelines.cms_lcd_esi import sessions as S
from priorauth.guidelines.cms_lcd_esi.sessions import ESI, GIVEN, PLANNED, procedure_head, sentences, span
from priorauth.models import Case, Document, EvidenceSpan, Finding, Qualifier

GUIDELINE = "cms-lcd-esi"
NUM = rf"(?:\d+(?:\.\d+)?|{'|'.join(WORD_NUM)})"
NEGATION = re.compile(r"\b(?:no|not|without|denies|denied|declines?|declined|avoid|nor|none|never|negative for)\b[^,;:]*$", re.I)
PLAN_HEAD = re.compile(r"(?im)^[ \t]*(?:plan|assessment(?: and |\s*/\s*| & )plan|a/p|recommendations?|procedure requested|requested procedure|"
                       r"proposed procedure|impression and plan|request|p|procedures?|planned procedure)[ \t]*:")
ANY_HEAD = re.compile(r"(?m)^[ \t]*[A-Z][A-Za-z /&()-]{1,40}:")
LEVEL = re.compile(r"\b([CTLS])(\d{1,2})(?:\s*[-/–]\s*([CTLS])?(\d{1,2}))?\b(?!\s*(?:[-a-z]+\s+){0,2}(?:disc|disk|herniation|protrusion|stenosis|bulge|"
                   r"extrusion|narrowing|spondylolisthesis|osteophyte|fracture|fusion|laminectomy))")
LEVEL_WORDS = re.compile(rf"\b({NUM})[- ]levels?\b", re.I)
APPROACH = (("transforaminal", re.compile(r"\b(?:transforaminal|TF-?ESIs?|TFE|selective nerve root|SNRB)\b", re.I)),
            ("caudal", re.compile(r"\b(?:caudal|C-?ESIs?)\b", re.I)),
            ("interlaminar", re.compile(r"\b(?:interlaminar|translaminar|IL-?ESIs?|ILESI)\b", re.I)))
BILATERAL = re.compile(r"\bbilateral(?:ly)?\b|\bboth sides\b", re.I)
NO_GUIDANCE = re.compile(r"\b(?:without|no)\s+(?:image|imaging|fluoroscop\w*|radiographic|CT|x-ray)[\s-]*guid\w*|\blandmark[- ]?(?:based|guided|technique)\b|"
                         r"\bblind(?:ly)?\s+(?:injection|technique|placement)\b|\bnon-?guided\b|\bunguided\b|"
                         r"\bwithout (?:fluoroscop\w*|imaging|x-ray|CT)\b(?!\s+(?:contrast|allergy))", re.I)
ULTRASOUND = re.compile(r"\b(?:ultrasound|US|sonograph\w*)[- ]guid\w*|\bunder ultrasound\b|\bultrasound guidance\b", re.I)
SEDATION = re.compile(r"\b(?:monitored anesthesia care|MAC|general an(?:a)?esthesia|deep sedation|moderate sedation|conscious sedation|"
                      r"IV sedation|intravenous sedation|propofol|(?:IV )?(?:midazolam|versed)|IV fentanyl)\b", re.I)
SEDATION_REASON = re.compile(r"\b(?:due to|because|given|secondary to|owing to|in view of|as (?:he|she) (?:has|cannot|could not))\b[^.]{0,80}?"
                             r"(?:anxiety|phobia|claustrophob\w*|tremor|parkinson\w*|movement disorder|spasm\w*|dementia|developmental|autism|"
                             r"PTSD|unable to (?:lie|remain|stay)|cannot (?:lie|remain|stay)|inability to (?:lie|remain|stay)|failed (?:oral )?anxiolytic\w*|"
                             r"vasovagal|aborted|abandoned|could not tolerate)", re.I)
BIOLOGIC = re.compile(r"\b(?:platelet[- ]rich plasma|PRP|stem cells?|mesenchymal|amniotic|bone marrow (?:aspirate|concentrate)|BMAC|biologics?|"
                      r"exosomes?|Wharton'?s jelly|placental (?:tissue|matrix)|umbilical cord|prolotherapy|ozone)\b", re.I)
OTHER_BLOCK = re.compile(r"\b(?:facet (?:joint )?(?:injections?|blocks?)|medial branch blocks?|MBBs?|trigger point injections?|TPIs?|"
                         r"sympathetic (?:nerve )?blocks?|stellate ganglion blocks?|(?:SI|sacroiliac) joint injections?|radiofrequency ablation|"
                         r"occipital nerve blocks?|(?:inject|injection of) (?:the )?(?:[\w-]+ ){0,2}(?:SI|sacroiliac|facet) joints?)\b", re.I)
SAME_SESSION = re.compile(r"\b(?:same (?:session|day|setting|visit|time|procedure)|at the same time|concurrent(?:ly)?|along with|in addition|"
                          r"combined with|together with|plus|during the (?:same )?procedure|and|also|as well)\b", re.I)
SAME_DAY = re.compile(r"\b(?:same (?:session|day|setting|visit|procedure)|at the same time|concurrent(?:ly)?)\b", re.I)
SERIES = re.compile(r"\bseries of (?:[\w-]+ ){0,7}?(?:injections|ESIs|epidurals|shots|blocks)\b|\b(?:two|three|2|3)[- ](?:injection|shot|ESI) series\b|"
                    r"\b(?:three|3|two|2) (?:\w+ ){0,3}(?:injections|ESIs|epidurals) (?:\w+ ){0,3}(?:weeks?|days?) apart\b|"
                    r"\bpre-?(?:planned|determined|scheduled) series\b", re.I)
STEROIDS = {"triamcinolone": 80, "kenalog": 80, "betamethasone": 12, "celestone": 12, "dexamethasone": 15, "decadron": 15}
DOSE = re.compile(r"\b(?P<drug>triamcinolone|kenalog|betamethasone|celestone|dexamethasone|decadron)\b(?:\s+\w+){0,3}?[\s(:,]*(?P<mg>\d+(?:\.\d+)?)\s*mg\b"
                  r"(?P<conc>\s*/\s*(?:1\s*)?mL[^.;\n]{0,20}?(?P<ml>\d+(?:\.\d+)?)\s*(?:mL|cc))?"
                  r"|(?P<mg2>\d+(?:\.\d+)?)\s*mg\s+(?:of\s+)?(?P<drug2>triamcinolone|kenalog|betamethasone|celestone|dexamethasone|decadron)\b", re.I)
RATIONALE = re.compile(r"\b(?:different|alternative|alternate|another) (?:approach|level|medication|steroid|technique|target)\b|"
                       r"\b(?:switch(?:ing)?|chang(?:e|ing)) (?:to|from) (?:a |an |the )?(?:transforaminal|interlaminar|caudal|TFESI|ILESI|"
                       r"dexamethasone|triamcinolone|betamethasone|(?:non-?)?particulate|\w+ approach)\b|\binstead of\b|\brationale\b|"
                       r"\bthis time (?:at|via|using|with|targeting)\b|\btarget(?:ing)? the (?:\w+ ){0,2}(?:level|root)\b", re.I)
CONTINUATION = re.compile(r"\b(?:high[- ]risk (?:surgical )?candidate|poor surgical candidate|not a (?:good |suitable )?(?:surgical )?candidate for surgery|"
                          r"not a (?:good |suitable )?surgical candidate|(?:does not|doesn't|did not) (?:want|desire|wish)(?: to (?:have|undergo|pursue))? "
                          r"surg\w*|declines? surg\w*|declined surg\w*|wishes to avoid surgery|recurrence of (?:the same )?pain)\b", re.I)
SCALE_SCORE = (
    ("odi", re.compile(r"\b(?:ODI|Oswestry(?: Disability Index| Low Back Pain Disability Questionnaire)?)(?: score)?\s*(?:of|is|was|:|=|at)?\s*(\d{1,3})\s*%?", re.I)),
    ("ndi", re.compile(r"\b(?:NDI|Neck Disability Index)(?: score)?\s*(?:of|is|was|:|=|at)?\s*(\d{1,3})\s*%?", re.I)),
    ("rmdq", re.compile(r"\b(?:Roland[- ]Morris(?: Disability Questionnaire| score| Pain Scale)?|RMDQ)\s*(?:score\s*)?(?:of|is|was|:|=)?\s*(\d{1,2})", re.I)),
    ("promis", re.compile(r"\bPROMIS\b[^.;\n]{0,40}?(\d{1,3}(?:\.\d)?)", re.I)),
    ("vas", re.compile(r"\b(?:VAS|visual analog(?:ue)? scale)(?: score| pain)?\s*(?:of|is|was|:|=|at)?\s*(\d{1,3}(?:\.\d)?)(?:\s*/\s*(?:10|100)|\s*mm)?", re.I)),
    ("nrs", re.compile(r"\b(?:NRS|numeric(?:al)? (?:pain )?rating(?: scale)?)(?: score| pain)?\s*(?:of|is|was|:|=|at)?\s*(\d{1,2}(?:\.\d)?)(?:\s*/\s*10)?", re.I)),
    ("nrs", re.compile(r"(?<![/\d])(\d{1,2}(?:\.\d)?)\s*/\s*10\b(?!\s*/?\s*\d)(?!\s*(?:mg|ml))", re.I)),
)
PAIN = re.compile(r"\b(?:pain|sciatica|radiculopathy|symptoms|radiating|ache|claudication|numbness|shingles|rash)\b", re.I)
DURATION = re.compile(rf"\b(?:for|x|×|over|past|last|of|lasting|approximately|about|nearly|more than|at least)\s+(?:the\s+)?(?:past\s+|last\s+)?"
                      rf"(?:about\s+|approximately\s+|over\s+|nearly\s+|more than\s+|at least\s+)?(?P<n>{NUM})\s*(?P<u>days?|weeks?|wks?|months?|mos?|years?|yrs?)\b"
                      rf"|\b(?P<n2>{NUM})[- ](?P<u2>day|week|month|year)[- ](?:history|duration)\b", re.I)
REHAB = re.compile(r"\b(?:physical therapy|physiotherapy|PT(?!\s*(?:\d|/\s*INR|reports?|states?|is|has|had|denies|complains?|continues to|was|feels?|"
                   r"returns?|presents?|notes?|tolerated|c/o|describes?|admits?|says|rates?|arrived|ambulates)\b)|home exercise(?:s| program)?|HEP|(?:exercise|walking|stretching) program|"
                   r"home (?:[\w-]+ ){1,3}program|exercise routine|aquatic (?:therapy|exercise)|pool (?:therapy|exercise|walking)|functional restoration(?: program)?|"
                   r"rehabilitation program|rehab program|core (?:strengthening|stabilization) program|McKenzie (?:program|exercises)|aquatic therapy)\b")
CURRENT = re.compile(r"\b(?:continu\w+|currently|current|ongoing|is doing|is in|remains in|attends|attending|participat\w+|perform(?:s|ing)|"
                     r"daily|(?:twice|three times|once) (?:a |per )?(?:week|weekly|day|daily)|\d\s*x\s*/?\s*(?:week|wk)|compliant|adherent|"
                     r"actively|engaged in|enrolled in|still doing|does (?:his|her) (?:home )?exercises|doing (?:his|her) (?:home )?exercises|"
                     r"active(?:ly)? (?:in|participating))\b", re.I)
REHAB_PLAN = re.compile(r"\b(?:will (?:start|begin|refer|initiate)|plan(?:s|ned)? to|recommend\w*|refer(?:ral|red)? to|consider|should|encourag\w*|"
                        r"to start|to begin|advised to|start(?:ing)? (?:a |an )?(?:PT|physical|home)|was given)\b", re.I)
REHAB_PAST = re.compile(r"\b(?:completed|finished|discharged from|stopped|quit|discontinued|no longer|previously|in the past|last year|ago|"
                        r"did (?:PT|physical therapy)|had (?:PT|physical therapy))\b", re.I)


def _negated(text: str, at: int) -> bool:
    """A negation between the clause start and `at` ("no sedation", "not a series")."""
    return bool(NEGATION.search(text[:at]))


def _finding(code: str, evidence: list[EvidenceSpan], **values: str | bool) -> Finding:
    quals = [Qualifier(name=k, value=v, evidence=evidence[:1]) for k, v in values.items() if v not in (None, "")]
    return Finding(code=code, evidence=evidence, source="rules", qualifiers=quals)


def _plan_spans(doc: Document) -> list[tuple[int, int]]:
    """The plan sections of a note: from a plan heading to the next heading."""
    out = []
    for m in PLAN_HEAD.finditer(doc.text):
        nxt = ANY_HEAD.search(doc.text, m.end())
        out.append((m.start(), nxt.start() if nxt else len(doc.text)))
    return out


def _is_session(doc: Document, s: int, e: int) -> bool:
    sent = doc.text[s:e]
    return bool(GIVEN.search(sent) and (S._dates(doc, s, e)) and not PLANNED.search(sent))


ESI_CODE = re.compile(r"\b(?:62321|62323|6447[9]|6448[0-4]|62320|62322)\b")


def plan_sentences(docs: dict[str, Document]) -> Iterator[tuple[Document, int, int, bool]]:
    """(doc, start, end, names_the_injection) for each sentence about the requested injection."""
    for doc in docs.values():
        if procedure_head(doc):
            continue
        sections = _plan_spans(doc)
        for s, e in sentences(doc.text):
            sent = doc.text[s:e]
            esi = bool(ESI.search(sent) or ESI_CODE.search(sent))
            in_plan = any(a <= s < b for a, b in sections)
            # a session told in the plan is not the plan; asked last, of the sentences that would be yielded
            if ((esi and (in_plan or PLANNED.search(sent))) or in_plan) and not _is_session(doc, s, e):
                yield doc, s, e, esi


def _first(rx: re.Pattern[str], doc: Document, s: int, e: int, negatable: bool = True) -> Optional[re.Match[str]]:
    sent = doc.text[s:e]
    for m in rx.finditer(sent):
        if not negatable or not _negated(sent, m.start()):
            return m
    return None


def read_plan(case: Case, docs: dict[str, Document]) -> list[Finding]:
    """One esi_plan finding per plan item the notes name, with its value."""
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()

    def add(name: str, value: str, doc: Document, s: int, m: re.Match[str]) -> None:
        if (name, value) in seen:
            return
        seen.add((name, value))
        out.append(_finding("esi_plan", [span(doc, s + m.start(), s + m.end())], **{name: value}))

    plan_regions: dict[str, tuple[Document, int, int]] = {}
    same_day: list[tuple[Document, int, int]] = []
    for doc, s, e, esi in plan_sentences(docs):
        sent = doc.text[s:e]
        if esi:
            for name, rx in APPROACH:
                m = _first(rx, doc, s, e)
                if m:
                    add("approach", name, doc, s, m)
            # in reading order, each once (a set's order changes with the hash seed, and so would the review)
            levels = list(dict.fromkeys(m[1].upper() + m[2] + ("-" + (m[3] or m[1]).upper() + m[4] if m[4] else "")
                                        for m in LEVEL.finditer(sent)))
            regions = {("cervical_thoracic" if lv[0] in "CT" else "lumbar_sacral") for lv in levels}
            for r, rx in S.REGION_WORDS:
                if re.search(r"\b(?:cervical|thoracic|lumbar|lumbosacral|sacral|caudal)\b", sent, re.I) and rx.search(sent):
                    regions.add(r)
            words = LEVEL_WORDS.search(sent)
            lm = LEVEL.search(sent) or words or ESI.search(sent)
            by_region: dict[str, int] = {}
            for lv in levels:
                r = "cervical_thoracic" if lv[0] in "CT" else "lumbar_sacral"
                by_region[r] = by_region.get(r, 0) + 1
            if len(by_region) > 1 and lm:  # two regions in one plan: the levels of each
                for r, n in by_region.items():
                    add("levels", f"{r}:{n}", doc, s, lm)
            else:
                count = max(len(levels), int(float(WORD_NUM.get(words[1].lower(), words[1]))) if words else 0)
                if count and lm:
                    add("levels", str(count), doc, s, lm)
            if len(regions) > 1 and lm:
                add("region", ",".join(sorted(regions)), doc, s, lm)
            m = _first(BILATERAL, doc, s, e)
            if m:
                add("bilateral", "yes", doc, s, m)
        if esi:
            for r, rx in S.REGION_WORDS:
                if rx.search(sent):
                    plan_regions.setdefault(r, (doc, s, e))
            if SAME_DAY.search(sent):
                same_day.append((doc, s, e))
        m = _first(NO_GUIDANCE, doc, s, e, negatable=False)
        if m:
            add("guidance", "none", doc, s, m)
        m = _first(ULTRASOUND, doc, s, e)
        if m:
            add("guidance", "ultrasound", doc, s, m)
        m = _first(SEDATION, doc, s, e)
        if m:
            add("sedation", m.group().lower(), doc, s, m)
            r = SEDATION_REASON.search(sent) or SEDATION_REASON.search(doc.text[s:min(len(doc.text), e + 200)])
            if r:
                add("sedation_reason", "documented", doc, s, r)
        m = _first(BIOLOGIC, doc, s, e)
        if m:
            add("injectate", m.group().lower(), doc, s, m)
        m = _first(OTHER_BLOCK, doc, s, e)
        if m and not re.search(r"synovial cyst", sent, re.I) and (esi or SAME_SESSION.search(sent)):
            add("other_block", m.group().lower(), doc, s, m)
        for m in DOSE.finditer(sent):
            drug = (m["drug"] or m["drug2"]).lower()
            mg = float(m["mg"] or m["mg2"]) * (float(m["ml"]) if m["conc"] else 1)
            if mg > STEROIDS[drug]:
                add("dose", f"{drug} {mg:g} mg", doc, s, m)
    if len(plan_regions) > 1 and same_day:  # injections of two regions planned for one session, in two sentences
        doc, s, e = same_day[0]
        m = SAME_DAY.search(doc.text, s, e)
        assert m is not None
        add("region", ",".join(sorted(plan_regions)), doc, 0, m)
    for doc in docs.values():
        if procedure_head(doc):
            continue
        for s, e in sentences(doc.text):
            for name, rx in (("series", SERIES), ("rationale", RATIONALE), ("continuation", CONTINUATION)):
                m = _first(rx, doc, s, e)
                if m:
                    add(name, m.group().lower() if name == "series" else "documented", doc, s, m)
    return out


IMAGING = re.compile(r"\b(?:MRI|MR|CT|myelogram|imaging)\b", re.I)
IMAGING_FINDING = re.compile(r"\b(?:herniat\w*|protru\w*|extru\w*|stenosis|narrowing|compress\w*|imping\w*|abutt\w*|osteophyte)", re.I)
SYMPTOM = re.compile(r"\b(?:radiat\w*|sciatica|radicul\w*|(?:leg|arm|thigh|calf|buttock|foot|hand) (?:pain|numbness|symptoms)|"
                     r"pain (?:to|into|down) the)\b", re.I)
SIDE = re.compile(r"\b(left|right|bilateral(?:ly)?|both)\b", re.I)
AUTHOR_CONCORDANT = re.compile(r"\b(?:concordant|consistent with|correlat\w+ with|corresponds? to|explains?)\b", re.I)


def _sides(text: str) -> set[str]:
    found = {m[1].lower() for m in SIDE.finditer(text)}
    return {"left", "right"} if found & {"bilateral", "bilaterally", "both"} else found


def read_discordance(docs: dict[str, Document]) -> list[Finding]:
    """Imaging that names only the side opposite the radicular symptoms (and that no one calls concordant)."""
    imaging: set[str] = set()
    symptoms: set[str] = set()
    where: Optional[tuple[Document, int, int]] = None
    for doc in docs.values():
        for s, e in sentences(doc.text):
            sent = doc.text[s:e]
            if IMAGING.search(sent) and IMAGING_FINDING.search(sent):
                if AUTHOR_CONCORDANT.search(sent):
                    return []
                side = _sides(sent)
                imaging |= side
                if side and where is None:
                    where = (doc, s, e)
            elif SYMPTOM.search(sent):
                symptoms |= _sides(sent)
    if not imaging or not symptoms or imaging & symptoms or where is None:
        return []
    doc, s, e = where
    m = SIDE.search(doc.text, s, e)
    assert m is not None
    return [_finding("imaging_discordant", [span(doc, m.start(), m.end())])]


def read_scales(docs: dict[str, Document]) -> list[Finding]:
    out = []
    # each scale tried only where its words stand (starts.py), all found in one pass over the note: case-insensitive
    # patterns opening with \b were tried at every character, once per scale
    index = index_of(tuple(rx for _, rx in SCALE_SCORE))
    for doc in docs.values():
        taken: list[tuple[int, int]] = []
        at = index.read(doc.text, doc.text.lower())
        for name, rx in SCALE_SCORE:
            for m in index.finditer(rx, doc.text, at):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                taken.append((m.start(), m.end()))
                out.append(_finding("pain_scale", [span(doc, m.start(), m.end())], scale=name, score=m.group(1)))
    return out


def _weeks(n: str, unit: str) -> float:
    v = float(WORD_NUM.get(n.lower(), n)) if not n.replace(".", "").isdigit() else float(n)
    u = unit.lower()
    return v / 7 if u.startswith("d") else v if u.startswith("w") else v * 4.345 if u.startswith("m") else v * 52


def read_duration(docs: dict[str, Document]) -> list[Finding]:
    """The longest stated duration of the pain, in a sentence about the pain that is not about a session."""
    best: Optional[tuple[float, EvidenceSpan]] = None
    for doc in docs.values():
        for s, e in sentences(doc.text):
            sent = doc.text[s:e]
            if not PAIN.search(sent) or ESI.search(sent):
                continue
            for m in DURATION.finditer(sent):
                if m.group().lower().startswith(("for", "x", "over", "past", "last", "of", "lasting", "approx", "about", "nearly", "more", "at least")) \
                        or m["n2"]:
                    w = _weeks(m["n"] or m["n2"], m["u"] or m["u2"])
                    if best is None or w > best[0]:
                        best = (w, span(doc, s + m.start(), s + m.end()))
    if best is None:
        return []
    return [_finding("symptom_duration", [best[1]], weeks=str(int(best[0])))]


def read_rehab(docs: dict[str, Document]) -> list[Finding]:
    """A rehabilitation or home exercise program the patient takes part in now (not planned, not finished)."""
    out = []
    for doc in docs.values():
        for s, e in sentences(doc.text):
            sent = doc.text[s:e]
            for m in REHAB.finditer(sent):
                if _negated(sent, m.start()) or S.OTHER_PERSON.search(sent[:m.start()]):
                    continue
                current = CURRENT.search(sent)
                if not current or REHAB_PAST.search(sent) or (REHAB_PLAN.search(sent) and not re.search(r"\bcontinu", sent, re.I)):
                    continue
                out.append(_finding("current_rehab", [span(doc, s + m.start(), s + m.end()), span(doc, s + current.start(), s + current.end())]))
                break
    return out[:3]


def _requested_region(case: Case) -> Optional[str]:
    from priorauth.guidelines import studies_for

    regions = {s.region for s in studies_for(case.request.cpt_codes, GUIDELINE)}
    return regions.pop() if len(regions) == 1 else None


def read_sessions(case: Case, docs: dict[str, Document]) -> list[Finding]:
    """One prior_esi finding per dated session; with none dated, one for an earlier injection told without a date."""
    out = []
    dated = S.read_sessions(docs, _requested_region(case))
    if not dated:
        told = S.undated(docs)
        if told:
            return [_finding("prior_esi", told[:3], undated=True)]
    for x in dated:
        values: dict[str, str | bool] = {"date": x.day.isoformat(), "region": x.region or ""}
        if x.relief is not None:
            values["relief"] = f"{x.relief:g}"
        if x.relief_months is not None:
            values["relief_months"] = f"{x.relief_months:.1f}"
        if x.scale:
            values["scale"] = x.scale
        if x.failed:
            values["failed"] = True
        f = _finding("prior_esi", x.evidence[:3], **values)
        if x.relief_evidence:
            f.qualifiers = [q.model_copy(update={"evidence": x.relief_evidence[:3]}) if q.name in ("relief", "relief_months", "failed") else q
                            for q in f.qualifiers]
        f.mention_date = x.day
        out.append(f)
    return out


@reader(GUIDELINE)
def read(case: Case, docs: dict[str, Document]) -> list[Finding]:
    return (read_plan(case, docs) + read_scales(docs) + read_duration(docs) + read_rehab(docs) + read_sessions(case, docs)
            + read_discordance(docs))


def service_day(case: Case, docs: dict[str, Document]) -> Optional[date]:
    """The day the requested injection is counted from: date of service, request date, else the latest note."""
    days = [d.date for d in docs.values() if d.date]
    return case.request.service_date or case.request.request_date or (max(days) if days else None)
