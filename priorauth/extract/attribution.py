"""Deficits the note explains by a cause outside the spine are not red flags.

labeling.md: weakness, sensory loss, reflex changes and myelopathy-type
symptoms explicitly attributed to peripheral neuropathy, a polyneuropathy,
carpal tunnel, stroke, shoulder or hip pathology, anemia or deconditioning,
or pain-limited effort are not findings of those codes; reflexes count only
when asymmetric or focal. The causes and their phrasings are data
(data/attribution.json); this module applies them to one document's mentions.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Literal, Optional

from pydantic import Field

from priorauth.extract.anchors import may_match
from priorauth.extract.resources import Regex, Strict, lexicons
from priorauth.extract.starts import HeadIndex, Sites
from priorauth.guidelines import Guideline, per_guideline
from priorauth.guidelines import get as get_guideline
from priorauth.validate import load_model

if TYPE_CHECKING:
    from priorauth.extract.mentions import Mention

# sentence-like pieces of the whole text (attributions may sit in sentences without mentions); a decimal point
# ('fever 39.1', 'WBC 17.2') or an abbreviation's ('E. coli', 'Dr. Lee') ends no sentence
SEGMENT = re.compile(r"(?:[^.\n]|\.(?=\d)|(?<=\b[A-Z])\.(?= [a-z])|(?<=\bDr)\.|(?<=\bvs)\.)+")


class Territory(Strict):
    """One nerve of a cause and the body words of the territory its diagnosis accounts for."""

    nerve: Regex
    part: Regex


class Cause(Strict):
    """One non-spinal cause: how it is named and which deficits it can explain."""

    id: str
    label: str
    reason: Literal["attributed_to_neuropathy", "attributed_to_other_cause"]
    scope: Literal["diffuse", "region", "side", "local"]
    pattern: Regex
    self_pattern: Optional[Regex] = None
    region: Optional[Regex] = None
    codes: list[str] = Field(min_length=1)
    packet: bool = Field(default=True, description="Once named, it explains the same findings in the packet's other documents.")
    crossed: bool = Field(default=False, description="Its lesion's side is opposite the deficits it explains (a "
                          "hemisphere's stroke): a side written before it names the lesion, and, alone, the deficits' "
                          "other side.")
    dermatomal: bool = Field(default=False, description="Its deficits follow a dermatome (zoster): a root or "
                             "dermatome named beside them does not set them apart from it.")
    dash: bool = Field(default=True, description="Whether a dash links it ('weakness - old stroke'); a list's dash "
                       "('RLQ pain - normal appendix, ovarian cyst') is no cause for the pain before it.")
    territories: list[Territory] = Field(default=[], description=(
        "Nerves of the cause whose diagnosis names its own territory: stated as a current diagnosis, with no cue "
        "('2) R meralgia paresthetica'), the nerve explains the deficits written of its territory, on its side."))



class DiagnosisExplains(Strict):
    """A diagnosis that, when it is the packet's only one of its kind, explains neurologic findings anywhere in it."""

    finding: str = Field(description="The finding code that carries the diagnosis.")
    qualifier: str = Field(description="Its qualifier naming the disease.")
    only: list[str] = Field(min_length=1, description="The qualifier values that, alone, make the explanation hold.")
    says: str = Field(description="How a reviewer reads it: '<finding> in a patient with <says>'.")
    codes: list[str] = Field(min_length=1, description="The findings it can explain.")


class AttributionData(Strict):
    doc: str = Field(alias="_doc")
    cue_before: Regex
    cue_after: Regex
    gap_max: int
    blocker: Regex
    clause_break: Regex
    unilateral: Regex
    bilateral: Regex
    dermatomal: Regex
    diffuse_reflexes: Regex
    focal_reflexes: Regex
    located: Regex
    differential_lead: Regex = Field(default=r"(?!x)x", description=(
        "Words that make the root territory after them one side of a differential ('r/o C8 radiculopathy vs ulnar "
        "neuropathy'): such a territory does not keep a cause named elsewhere from explaining the deficit."))
    cue_copula: Regex = Field(default=r"(?!x)x", description=(
        "A copula that names what a deficit is ('the foot drop is a peroneal palsy'): a link only when the cause "
        "follows within `copula_gap` characters, since 'is a' far from a cause says nothing about it."))
    copula_gap: int = 12
    cue_anaphor: Regex = Field(default=r"(?!x)x", description=(
        "A clause that opens by pointing back ('This fully accounts for his L hand weakness', 'These findings explain'): "
        "followed by an after-cue, it links the causes the sentence before states to the deficits it names."))
    spine_excluded: Regex = Field(default=r"(?!x)x", description=(
        "Words by which a document rules the spine out ('No lumbosacral radiculopathy', 'not from his back'): in such a "
        "document a region-bound cause it names (a peroneal neuropathy at the fibular head) is its account of the "
        "region's deficits, with or without a cue linking them."))
    both_sides_sensory: Regex = Field(default=r"(?!x)x", description=(
        "Words that place numbness in both feet or hands, a stocking or a glove ('numb feet', 'LT reduced in both feet "
        "to the ankles'): without a root, a dermatome or one side in its sentence, that numbness is not dermatomal."))
    causes: list[Cause]
    explained_by_diagnosis: list[DiagnosisExplains] = []
    code_words: dict[str, Regex] = Field(default={}, description=(
        "Words by which a cause's own clause names a kind of finding without naming a finding ('distal sensory and "
        "motor findings ... are due to his diabetic polyneuropathy'): the cause explains that code too."))


@dataclass(frozen=True)
class Compiled:
    data: AttributionData
    rx: dict[str, re.Pattern[str]]
    causes: tuple[tuple[Cause, re.Pattern[str], Optional[re.Pattern[str]], Optional[re.Pattern[str]]], ...]
    attributable: frozenset[str]
    """The codes some cause can explain (the data's, not a list kept in code)."""


@per_guideline
def config(g: Guideline) -> Compiled:
    """The validated attribution data, with its regexes compiled (case-insensitive)."""
    data = load_model(AttributionData, g.path("attribution.json"))
    known = set(lexicons(g.id))
    for c in data.causes:
        unknown = set(c.codes) - known
        if unknown:
            raise ValueError(f"attribution cause {c.id} names unknown codes {sorted(unknown)}")
        if c.scope == "region" and not c.region:
            raise ValueError(f"attribution cause {c.id} has scope 'region' but no region pattern")
    for e in data.explained_by_diagnosis:
        unknown = ({e.finding} | set(e.codes)) - known
        if unknown:
            raise ValueError(f"attribution explained_by_diagnosis names unknown codes {sorted(unknown)}")
    keys = ("cue_before", "cue_after", "blocker", "clause_break", "unilateral", "bilateral", "dermatomal",
            "diffuse_reflexes", "focal_reflexes", "located", "differential_lead", "cue_copula", "spine_excluded",
            "cue_anaphor", "both_sides_sensory")
    flags = {k: re.I for k in keys}
    flags["unilateral"] = 0  # "L"/"R" are laterality only in capitals
    rx = {k: re.compile(getattr(data, k), flags[k]) for k in keys}
    rx["unilateral"] = re.compile(r"(?i:\b(?:left|" + RIGHT_SIDE + r"|unilateral(?:ly)?|left-sided|right-sided)\b)|" + SIDE_LETTER)
    causes = tuple((c, re.compile(c.pattern, re.I), re.compile(c.self_pattern, re.I) if c.self_pattern else None,
                    re.compile(c.region, re.I) if c.region else None) for c in data.causes)
    rx.update({"code:" + c: re.compile(p, re.I) for c, p in data.code_words.items()})
    for c in data.causes:
        for i, tr in enumerate(c.territories):
            rx[f"nerve:{c.id}:{i}"] = re.compile(tr.nerve, re.I)
            rx[f"part:{c.id}:{i}"] = re.compile(tr.part, re.I)
    return Compiled(data, rx, causes, frozenset(c for cause in data.causes for c in cause.codes))


@dataclass(frozen=True)
class Attribution:
    """A clause of the note that explains deficits by a cause."""

    cause: Cause
    start: int  # the clause holding the attribution
    end: int
    seg_start: int  # the sentence around it
    seg_end: int
    side: Optional[str] = None  # the side of the deficit it explains ("left"/"right"), when the clause says one
    part: Optional[str] = None  # the body part a located cause names ("neuropathy of her left foot")


def _clauses(text: str, s: int, e: int, brk: re.Pattern[str]) -> list[tuple[int, int]]:
    out, last = [], s
    for m in brk.finditer(text, s, e):
        out.append((last, m.start()))
        last = m.end()
    out.append((last, e))
    return out


def find_attributions(text: str, codes: Optional[Iterable[str]] = None) -> list[Attribution]:
    """Every clause that links a deficit to a named non-spinal cause (cue and cause, nothing negating between); with
    `codes`, only the causes that can explain one of them (a note with only back pain open is not scanned for the
    causes of weakness)."""
    causes = config().causes
    wanted = frozenset(c.id for c, *_ in causes if codes is None or set(c.codes) & set(codes))
    return list(_find_attributions(text, get_guideline().id, wanted)) if wanted else []


@functools.lru_cache(maxsize=32)
def _find_attributions(text: str, guideline: str, wanted: frozenset[str]) -> tuple[Attribution, ...]:
    """Read once per document text, guideline and causes asked for: the document pass and the packet pass both ask."""
    return tuple(_scan_attributions(text, wanted, guideline))


@functools.lru_cache(maxsize=None)
def _cause_heads(guideline: str) -> HeadIndex:
    """The causes' patterns by the words their matches open with (starts.py), for a guideline (the active one)."""
    return HeadIndex(rx for _, crx, srx, _ in config().causes for rx in (crx, srx) if rx is not None)


def _scan_attributions(text: str, wanted: frozenset[str], guideline: str) -> list[Attribution]:
    cfg = config()
    rx = cfg.rx
    found: list[Attribution] = []
    # only the causes the note names at all (none when the note lacks the words a match needs; else tried only where
    # the words a match opens with stand, all found in one pass), then only the sentences that name them
    lower = text.lower()
    heads = _cause_heads(guideline)
    sites = Sites(heads, text, lower)
    at = sites.at

    def names(rx: Optional[re.Pattern[str]]) -> bool:
        return rx is not None and may_match(rx, lower) and next(iter(heads.finditer(rx, text, at)), None) is not None

    def in_segment(rx: Optional[re.Pattern[str]], s0: int, e0: int) -> bool:  # searched only where its words stand
        return rx is not None and sites.may_start_in(rx, s0, e0) and rx.search(text, s0, e0) is not None

    named = [(c, crx, srx, r) for c, crx, srx, r in cfg.causes if c.id in wanted and (names(crx) or names(srx))]
    if not named:
        return found
    excluded = names(rx["spine_excluded"])  # the document rules the spine out: its region-bound causes account for it
    before: list[Cause] = []  # the causes the sentence before states, for a clause that points back at them
    for seg in SEGMENT.finditer(text):
        s0, e0 = seg.span()
        here = [(c, crx, srx, r) for c, crx, srx, r in named if in_segment(crx, s0, e0) or in_segment(srx, s0, e0)]
        found.extend(_pointed_back(text, s0, e0, before, rx))
        before = [c for c, crx, _, _ in here if _stated(text[s0:e0], crx, rx)]
        if not here:
            continue
        found.extend(_listed_under(text, s0, e0, here, rx))
        found.extend(_sole_diagnosis(text, s0, e0, here, rx))
        for cs, ce in _clauses(text, s0, e0, rx["clause_break"]):
            clause = text[cs:ce]
            for cause, crx, srx, _ in here:
                for cm in crx.finditer(clause):
                    loc = rx["located"].match(clause, cm.end())
                    if loc and cause.scope in ("diffuse", "region"):
                        found.append(Attribution(cause, cs, ce, s0, e0, loc["side"] if loc["side"] != "bilateral" else None,
                                                 _part(loc["part"])))
                boxed = _bracketed(clause, crx)
                for ps, pe in boxed:  # only the words before the bracket, back to a comma, are explained, on their side
                    found.append(Attribution(cause, cs + ps, cs + pe, s0, e0, _side(clause[ps:pe])))
                hit = None if boxed else (srx.search(clause) if srx else None) or _linked(clause, crx, cfg, cause.dash)
                if hit:
                    # the deficit's side, not the lesion's ("right weakness after a left MCA stroke")
                    # a stroke's side is the lesion's, opposite the deficit ('right weakness after a left MCA stroke'); a
                    # joint's or a nerve's side is the deficit's own ('post left hip arthroplasty')
                    rest = clause if not cause.crossed else \
                        LESION_SIDE.sub("", clause[:hit.start()]) + " " + clause[hit.end():]
                    found.append(Attribution(cause, cs, ce, s0, e0, _side(rest) or _crossed(clause[:hit.start()], cause)
                                             or _crossed_within(hit.group(0), cause)))
                elif cause.scope in ("region", "diffuse") and excluded and _stated(clause, crx, rx):
                    found.append(Attribution(cause, cs, ce, s0, e0, _side(clause)))
                elif cause.territories and (item := DIAGNOSIS_ITEM.match(clause)) and not PAST_DIAGNOSIS.search(clause):
                    found.extend(Attribution(cause, cs, ce, s0, e0, _side(clause), f"{cause.id}:{i}")
                                 for i, _ in enumerate(cause.territories)
                                 if (n := rx[f"nerve:{cause.id}:{i}"].match(clause, item.end()))
                                 and not DENIED_AFTER.search(clause, n.end()))
    return found


ASSESSMENT_LINE = re.compile(r"[ \t]*(?:(?:[A-Z][\w/]*[ \t]+)?(?:Dx|DX|Diagnos[ie]s)|A|A/P|Assessment(?: and plan)?|Impression|"
                             r"IMP|Problems?|Problem list(?: reviewed today)?)[ \t]*(?::|--|\u2014)", re.I)
ITEM_MARK = re.compile(r"(?:(?<=\s)|^)(?:#?\d{1,2}[.)]|[-\u2022*]|#)[ \t]+")
ITEM_LEAD = re.compile(r"\s*(?:(?:[A-Z][\w/]*[ \t]+)?(?:Dx|DX|Diagnos[ie]s)|A|A/P|Assessment(?: and plan)?|Impression|IMP|Problems?)?"
                       r"[ \t]*(?::|--|\u2014)?\s*(?:#?\d{1,2}[.)]\s*|[-\u2022*#]\s*)?(?:[\w/+-]+[ \t]+){0,3}$", re.I)
BRAIN_SIDE = re.compile(r"\b(?:left|right|L|R)\s+(?:[\w-]+\s+){0,2}?(?:corona radiata|internal capsule|MCA|ACA|PCA|hemispher\w*|"
                        r"thalam\w*|pon(?:s|tine)|cerebell\w*|frontal|parietal|temporal|occipital|basal ganglia|cortex|cortical|"
                        r"capsul\w*|lacun\w*|infarct\w*)\b")
"""A lesion's side in a stroke's item ('R corona radiata'), which is not the side of the deficits it lists."""
LIST_AFTER = re.compile(r"[^:;\[\](){}\n.]{0,40}?(?::|[ \t][-\u2013\u2014]+[ \t]|[ \t](?:-+>|=>|\u2192)[ \t]|\(|\[)")


def _listed_under(text: str, s0: int, e0: int, here: list, rx: dict[str, re.Pattern[str]]) -> list[Attribution]:
    """A problem list's or an assessment's item headed by a non-spinal diagnosis and listing what it accounts for
    ('2) R knee OA with effusion (quad 4+/5, buckling)', '- R tarsal tunnel syndrome [numb R sole ...]', 'ED Dx: 1.
    Acute L pyelonephritis - fever, flank pain, leukocytosis'): the findings the item lists are the diagnosis's, and
    they reach the packet by the cause's scope. The item runs to the next item's mark or the sentence's end."""
    line = text.rfind("\n", 0, s0) + 1
    assessed = ASSESSMENT_LINE.match(text, line) is not None
    marks = [s0 + m.end() for m in ITEM_MARK.finditer(text[s0:e0])]
    starts = sorted(set(([s0] if assessed or line == s0 or text[line:s0].strip() == "" else []) + marks))
    if not starts:
        return []
    out = []
    for cause, crx, _, _ in here:
        for cm in crx.finditer(text, s0, e0):
            start = max((c for c in starts if c <= cm.start()), default=None)
            if start is None or not ITEM_LEAD.match(text[start:cm.start()]) or not LIST_AFTER.match(text, cm.end(), e0):
                continue
            end = min((c for c in marks if c > cm.end()), default=e0)
            item = text[start:end]
            if PAST_DIAGNOSIS.search(item[:cm.end() - start]) or not _stated(item, crx, rx):
                continue
            listed = BRAIN_SIDE.sub(" ", text[cm.end():end]) if cause.crossed else text[cm.end():end]
            side = _side(listed) or (_crossed(text[start:cm.start()], cause) if cause.crossed
                                     else _side(text[start:cm.end()]))
            out.append(Attribution(cause, cm.start(), end, s0, e0, side))
    return out


DIAGNOSIS_LINE = re.compile(r"\s*(?:(?:discharge|principal|primary|final|admitting|admission|ED|working|clinical)\s+)?"
                            r"(?:dx|diagnos[ie]s)\s*:\s*", re.I)


def _sole_diagnosis(text: str, s0: int, e0: int, here: list, rx: dict[str, re.Pattern[str]]) -> list[Attribution]:
    """A diagnosis line that names one cause outside the spine and nothing else ('Discharge dx: acute R
    pyelonephritis.'): the document's account of what that cause explains, for a region-bound cause, by its region."""
    lead = DIAGNOSIS_LINE.match(text, s0, e0)
    if lead is None:
        return []
    out = []
    for cause, crx, _, _ in here:
        if cause.scope != "region":
            continue
        cm = crx.match(text, lead.end(), e0)
        if cm is not None and not text[cm.end():e0].strip(" \t.,;:") and _stated(text[s0:e0], crx, rx):
            out.append(Attribution(cause, s0, e0, s0, e0, _side(text[cm.start():cm.end()])))
    return out


def _bracketed(clause: str, crx: re.Pattern[str]) -> list[tuple[int, int]]:
    """A cause alone in brackets right after what it explains ('R grip 4/5 (old stroke), new L deltoid 4/5'): the span
    from the comma before to the closing bracket, so the rest of the clause keeps its own reading."""
    out = []
    for cm in crx.finditer(clause):
        lead = BRACKET_BEFORE.search(clause, 0, cm.start())
        close = BRACKET_AFTER.match(clause, cm.end())
        if lead and close:
            start = max(clause.rfind(",", 0, lead.start()), clause.rfind(":", 0, lead.start())) + 1
            out.append((start, close.end()))
    return out


def _pointed_back(text: str, s0: int, e0: int, causes: list[Cause], rx: dict[str, re.Pattern[str]]) -> list[Attribution]:
    """'MRI brain: acute embolic infarcts. This fully accounts for his L hand weakness.': a sentence that opens by
    pointing back, with an after-cue, attributes its deficits to the causes the sentence before states."""
    if not causes:
        return []
    cs, ce = _clauses(text, s0, e0, rx["clause_break"])[0]
    clause = text[cs:ce]
    lead = rx["cue_anaphor"].match(clause)
    if lead is None or not rx["cue_after"].match(clause, lead.end()):
        return []
    return [Attribution(c, cs, ce, s0, e0, _side(clause)) for c in causes]


def _crossed(lead: str, cause: Cause) -> Optional[str]:
    """The deficits' side from the lesion's alone, for a cause whose deficits lie opposite it ('after admission for R
    cortical stroke' explains left-sided deficits); None when the lesion's side is not written or does not cross."""
    m = LESION_SIDE.search(lead) if cause.crossed else None
    if m is None:
        return None
    lesion = _side(m.group(0))
    return {"left": "right", "right": "left"}.get(lesion or "")


def _crossed_within(named: str, cause: Cause) -> Optional[str]:
    """The deficits' side when the cause's own words name its lesion's side ('left middle cerebral artery infarct')."""
    lesion = _side(named) if cause.crossed else None
    return {"left": "right", "right": "left"}.get(lesion or "")


def _stated(clause: str, crx: re.Pattern[str], rx: dict[str, re.Pattern[str]]) -> bool:
    """The cause is stated as a finding: not negated just before it, nor one side of a differential."""
    for cm in crx.finditer(clause):
        if DIFFERENTIAL_AFTER.match(clause, cm.end()) or rx["differential_lead"].search(clause[:cm.start()]):
            continue
        if not _negated_cue(clause, cm.start(), rx):
            return True
    return False


RIGHT_SIDE = (r"(?<!walk )(?<!walks )(?<!walking )(?<!feel )(?<!feels )(?<!all )(?<!just )(?<!do )(?<!done )(?<!sit )"
              r"(?<!stand )right(?! (?:away|now|after|before|here|there)\b)")
"""'Right' as a side, not as 'won't walk right' or 'right away'."""
LETTER_NOT_REGION = r"(?!-(?:spine|S\b|sp\b))"
SIDE_LETTER = r"\b[LR]\b" + LETTER_NOT_REGION
"""'L' or 'R' alone is a side, but not the L of 'L-spine' or 'L-S spine'."""

# the side written just before the cause names the lesion ('a left MCA stroke'), not the deficit ('right weakness from')
LESION_SIDE = re.compile(r"(?i)\b(?:left|right|L|R)\s+(?:(?!(?:from|after|due|to|of|by|with|secondary|since)\b)[\w/-]+\s+){0,3}$")
BRACKET_BEFORE = re.compile(r"\S\s*\((?:(?:old|known|prior|remote|chronic|his|her|their|the|from|post|residual|s/p|L|R|left|right)[\s-]+){0,3}$", re.I)
BRACKET_AFTER = re.compile(r"(?:\s+[\w/-]+){0,3}\s*\)")  # '(L Achilles rupture repaired 2023)'
QUESTIONED = re.compile(r"\?\s*(?:[\w-]+\s+){0,2}$")
DIFFERENTIAL_AFTER = re.compile(r"\s*(?:vs\.?|versus|or|\?)(?=\s|$)|[^.;,\n]{0,30}?\s(?:vs\.?|versus)(?=\s|$)", re.I)
"""A cause that is one side of a differential: 'stroke vs radiculopathy', 'peroneal nerve palsy from leg crossing vs L5
radiculopathy'."""


def _linked(clause: str, crx: re.Pattern[str], cfg: Compiled, dash: bool = True) -> Optional[re.Match[str]]:
    """A cue before the cause ('due to his neuropathy') or after it ('her neuropathy explains'), unblocked."""
    rx, gap = cfg.rx, cfg.data.gap_max

    def dashed(cue: re.Match[str]) -> bool:
        return not dash and cue.group(0).lstrip()[:1] in "-\u2013\u2014"
    for cm in crx.finditer(clause):
        if DIFFERENTIAL_AFTER.match(clause, cm.end()) or QUESTIONED.search(clause, 0, cm.start()):
            continue  # 'due to a stroke vs a radiculopathy', '- ?pre-eruptive zoster': a question explains nothing yet
        # the cue's lookahead ('post-' before a word) reads into the cause itself, so the window reaches its first letter
        for cue in rx["cue_before"].finditer(clause, max(0, cm.start() - gap - 30), min(len(clause), cm.start() + 1)):
            if cue.end() > cm.start() or dashed(cue):
                continue
            between = clause[cue.end():cm.start()]
            if len(between) <= gap and not rx["blocker"].search(between) and not _negated_cue(clause, cue.start(), rx):
                return cm
        for cue in rx["cue_copula"].finditer(clause, max(0, cm.start() - cfg.data.copula_gap - 20), cm.start()):
            between = clause[cue.end():cm.start()]
            if len(between) <= cfg.data.copula_gap and not rx["blocker"].search(between) and not _negated_cue(clause, cue.start(), rx):
                return cm
        colon = COLON_LINK.search(clause, max(0, cm.start() - cfg.data.copula_gap - 2), cm.start())
        if colon and _findings_head(clause[clause.rfind("\n", 0, colon.start()) + 1:colon.start()]) \
                and not rx["blocker"].search(clause[colon.end():cm.start()]):
            return cm  # 'Numbness, absent ankle jerks and toe weakness: diabetic peripheral neuropathy'
        for cue in rx["cue_after"].finditer(clause, cm.end(), min(len(clause), cm.end() + gap)):
            if dashed(cue):
                continue
            if not rx["blocker"].search(clause[cm.end():cue.start()]) and not _negated_cue(clause, cm.start(), rx):
                return cm
    return None


COLON_LINK = re.compile(r"(?<=[a-z)]):\s+(?:(?:a|an|the|his|her|likely|probably|most likely|known)\s+)*", re.I)
WORDS = re.compile(r"[A-Za-z]{2,}")


def _findings_head(head: str) -> bool:
    """A colon after the findings it explains ('Numbness, absent ankle jerks and toe weakness: diabetic neuropathy')
    links them to the cause after it; a header's colon ('Imp: fever - likely UTI', 'Assessment and plan: ...') does
    not: a list of findings has a comma or many words, a header neither."""
    words = len(WORDS.findall(head))
    return words >= 4 and ("," in head or words >= 7)


def _negated_cue(clause: str, at: int, rx: dict[str, re.Pattern[str]]) -> bool:
    """'not due to', 'unlikely to be from', 'rather than' just before the link, within its own phrase: a bracket, comma or
    dash opens a new one ('3+ vs 2+ L (unchanged post-stroke)', 'not dermatomal -- consistent with meralgia')."""
    window = re.split(r"[(,;:]|\s[-\u2013\u2014]+\s", clause[max(0, at - 25):at])[-1]
    return bool(rx["blocker"].search(window))


def _lateral(sentence: str, rx: dict[str, re.Pattern[str]]) -> bool:
    return bool(rx["unilateral"].search(sentence)) and not rx["bilateral"].search(sentence)


def _side(sentence: str) -> Optional[str]:
    sides = {("left" if w.lower() in ("left", "l", "left-sided") else "right")
             for w in re.findall(r"(?i:\b(?:left|" + RIGHT_SIDE + r"|left-sided|right-sided)\b)|" + SIDE_LETTER, sentence)}
    return sides.pop() if len(sides) == 1 else None


def _own_side(text: str, m: "Mention") -> Optional[str]:
    """The side written with the mention itself ('residual right-sided weakness'), before any other side its sentence
    names (the lesion's: 'after a left MCA stroke ... right-sided weakness')."""
    # the sentence with compared sides blanked out ('weaker than the left'), offsets kept
    sent = _uncompared(text, m.sent_start, m.sent_end)
    start, end = m.start - m.sent_start, m.end - m.sent_start
    lo = max(0, start - 25)
    lo = max((x.end() for x in OWN_CLAUSE.finditer(sent, lo, start)), default=lo)
    hi = min(len(sent), end + 25)
    cut = OWN_CLAUSE.search(sent, end, hi)  # 'Hoffmann's present on the L, absent R': the side of its own clause
    return _side(sent[lo:end]) or _side(sent[end:cut.start() if cut else hi])


OWN_CLAUSE = re.compile(r"[,;]|\.(?=\s)")
COMPARED = re.compile(r"\bthan (?:the |on the |his |her )?(?:left|right|L|R)\b(?: side)?", re.I)
"""'The right leg is weaker than the left': the side compared against is not the deficit's."""


@functools.lru_cache(maxsize=256)
def _uncompared(text: str, start: int, end: int) -> str:
    """text[start:end] with compared sides blanked out, offsets kept: read once per sentence, not per mention."""
    return COMPARED.sub(lambda x: " " * len(x.group(0)), text[start:end])


def attribute(text: str, mentions: list["Mention"]) -> None:
    """Rule out the mentions a note explains by a non-spinal cause; name the cause on each. Numbness of both feet
    that no cause explains is then not dermatomal either."""
    _attribute_causes(text, mentions)
    _both_sides_sensory(text, mentions, config().rx)


def _attribute_causes(text: str, mentions: list["Mention"]) -> None:
    cfg = config()
    rx = cfg.rx
    _diffuse_reflexes(text, mentions, rx)
    if not any(m.reason is None and m.code in cfg.attributable for m in mentions):
        return
    attributions = find_attributions(text, {m.code for m in mentions if m.reason is None and m.code in cfg.attributable})
    if not attributions:
        return
    _footnoted(text, mentions, cfg)
    explains = _explained_codes(attributions, mentions, text)
    # A cause bound to a body region explains every code it can explain written of that region, in its own note as
    # across the packet: 'foot drop explained by the peroneal neuropathy' also explains the numbness of that foot.
    explains.update({id(a): set(a.cause.codes) for a in attributions if a.cause.scope == "region"})
    for m in mentions:
        if m.reason is not None:
            continue
        hit = _same_clause(m, attributions) or _across(text, m, attributions, explains, cfg)
        if hit is not None:
            m.reason = hit.reason
            m.cause = hit.label


FOOTNOTE_MARK = re.compile(r"[ \t]*([*\u2020\u2021])")


def _footnoted(text: str, mentions: list["Mention"], cfg: Compiled) -> None:
    """A finding marked for a footnote ('L4 4/5* | L5 4/5*' ... '*effort-dependent, full power on 2nd attempt') is
    read with the footnote: a cause the footnote line names or states explains the marked finding."""
    for m in mentions:
        mark = FOOTNOTE_MARK.match(text, m.end)
        if m.reason is not None or mark is None:
            continue
        note = re.search(r"(?m)^[ \t]*" + re.escape(mark.group(1)) + r"(?![*\u2020\u2021])[ \t]*(.+)$", text[m.end + mark.end() - m.end:])
        if note is None:
            continue
        line = note.group(1)
        for cause, crx, srx, _ in cfg.causes:
            if m.code in cause.codes and ((srx is not None and srx.search(line)) or _stated(line, crx, cfg.rx)):
                m.reason, m.cause = cause.reason, cause.label
                break


def _part(word: str) -> str:
    """One name per body part: foot/feet/toes, hand/fingers, leg, arm."""
    w = word.lower()
    for key, names in (("foot", ("foot", "feet", "toe")), ("hand", ("hand", "finger")), ("leg", ("leg", "lower extremit")),
                       ("arm", ("arm", "upper extremit"))):
        if w.startswith(names):
            return key
    return w


PART_WORDS = {"foot": r"\b(?:foot|feet|toes?|soles?)\b", "hand": r"\b(?:hands?|fingers?|palms?)\b",
              "leg": r"\b(?:legs?|lower extremit(?:y|ies))\b", "arm": r"\b(?:arms?|upper extremit(?:y|ies))\b"}


def _same_clause(m: "Mention", attributions: list[Attribution]) -> Optional[Cause]:
    for a in attributions:
        if m.code in a.cause.codes and a.start <= m.start < a.end and a.part is None:
            return a.cause
    return None


DIAGNOSIS_ITEM = re.compile(r"\s*(?:(?:A|A/P|Assessment|Impression|IMP|Dx|Diagnos[ie]s|Problems?|Problem list)\s*:\s*)?"
                            r"(?:#?\d{1,2}[.)]\s*|[-\u2022*#]\s*)?(?:(?:left|right|L|R|bilateral|bilat)\s+)?(?=\S)(?![^\n]{81})", re.I)
"""A clause that is a diagnosis alone, as a list item or after an assessment's label ('2) R meralgia paresthetica
(LFCN)'): the author's statement, not a nerve raised and argued against ('I considered a peroneal palsy, but ...')."""
DENIED_AFTER = re.compile(r"\b(?:not|no|doesn't|does not|unlikely|less likely|excluded|ruled out|argues? against|vs\.?|"
                          r"versus|or)\b|\?", re.I)
"""Words after a named nerve that deny or question it ('peroneal palsy does not explain these', '... vs L5')."""
PAST_DIAGNOSIS = re.compile(r"\b(?:release[ds]?|surgery|surgical|repair(?:ed)?|decompress\w*|transposition|s/p|status post|"
                            r"history of|h/o|hx|prior|previous|old|resolved|remote|years ago)\b", re.I)
"""Words that make a named entrapment a past one ('s/p carpal tunnel release'), no account of today's deficits."""


def _located(sentence: str, m: "Mention", a: Attribution) -> bool:
    """A located cause explains a deficit written of the same body part, on the same side or none; a nerve's
    territory (`Cause.territories`) is the part its diagnosis names."""
    part = re.compile(PART_WORDS[a.part], re.I) if a.part in PART_WORDS else config().rx.get(f"part:{a.part}")
    if part is None or not part.search(sentence):
        return False
    here = _side(sentence)
    return a.side is None or here is None or here == a.side


def _across(text: str, m: "Mention", attributions: list[Attribution], explains: dict[int, set[str]],
            cfg: Compiled) -> Optional[Cause]:
    """An attribution elsewhere in the document (or the packet) reaches this mention by its cause's scope."""
    rx = cfg.rx
    end = m.sent_end
    if text[m.sent_start:end].rstrip().endswith("?") and FORM_ANSWER.match(text, end):
        line_end = text.find("\n", end)  # a form's question and its answer: 'Numbness? YES - outer thigh'
        end = len(text) if line_end == -1 else line_end
    sentence = text[m.sent_start:end]
    rooted = _dermatomal(sentence, rx)
    for a in attributions:
        cause = a.cause
        if rooted and not cause.dermatomal:
            continue
        if a.part is not None:
            if m.code in ("sensory_deficit", "motor_weakness") and m.code in cause.codes and _located(sentence, m, a):
                return cause
            continue
        if cause.scope == "local" or m.code not in explains[id(a)]:
            continue
        if cause.scope == "diffuse" and not _lateral(sentence, rx):
            return cause
        if cause.scope == "region":
            region = next(r for c, _, _, r in cfg.causes if c.id == cause.id)
            here = _own_side(text, m) or _side(_uncompared(text, m.sent_start, m.sent_end))
            if region is not None and region.search(sentence) and not (a.side and here and here != a.side):
                return cause
        if cause.scope == "side":
            here = _own_side(text, m) or _side(_uncompared(text, m.sent_start, m.sent_end))
            if here is None and not _lateral(sentence, rx) or (a.side is not None and here == a.side):
                return cause
    return None


FORM_ANSWER = re.compile(r"[ \t]*(?:yes|no|y|n|none|denies|not sure)\b", re.I)
"""The answer after a form's question mark, on its line."""


def _dermatomal(sentence: str, rx: dict[str, re.Pattern[str]]) -> bool:
    """The sentence places the deficit in a root's territory, other than as one side of a differential ('r/o C8
    radiculopathy vs ulnar neuropathy' leaves the question open, which a cause named elsewhere may close) or to deny
    it."""
    return any(not rx["differential_lead"].search(sentence[:d.start()])
               and not (ROOT_NAMED.match(d.group(0)) and ROOT_DENIED.search(sentence[:d.start()]))
               for d in rx["dermatomal"].finditer(sentence))


ROOT_NAMED = re.compile(r"[CTLS]\d|dermatom", re.I)


ROOT_DENIED = re.compile(r"\b(?:not|no|non|rather than|instead of|than)[- ](?:an? |the )?(?:[\w-]+ )?$", re.I)
"""A root named only to be denied ('supports peroneal nerve not L5', 'non-dermatomal') places nothing in its territory."""


def _explained_codes(attributions: list[Attribution], mentions: list["Mention"], text: str) -> dict[int, set[str]]:
    """For each attribution (by id): the codes it explains, those mentioned in its sentence or named by kind in its
    clause (`code_words`: 'motor findings'), else every code of its cause. Computed once per note with a binary
    search over the mentions' starts: asking it per mention and attribution made a long note's cost grow with the
    cube of its length."""
    ordered = sorted(mentions, key=lambda m: m.start)
    starts = [m.start for m in ordered]
    rx = config().rx
    out = {}
    for a in attributions:
        lo, hi = bisect.bisect_left(starts, a.seg_start), bisect.bisect_left(starts, a.seg_end)
        inside = {m.code for m in ordered[lo:hi] if m.code in a.cause.codes}
        if inside:
            inside |= {c for c in a.cause.codes if (w := rx.get("code:" + c)) is not None and w.search(text, a.start, a.end)}
        out[id(a)] = inside or set(a.cause.codes)
    return out


def _both_sides_sensory(text: str, mentions: list["Mention"], rx: dict[str, re.Pattern[str]]) -> None:
    """Numbness of both feet or hands, or in a stocking or glove, with no root, dermatome or single side in its
    sentence, is not a dermatomal deficit (labeling.md: a non-dermatomal pattern is not `sensory_deficit`). Kept with
    its reason, so a cause the note names for it still explains the rest of the packet's numbness."""
    for m in mentions:
        if m.code != "sensory_deficit" or m.reason is not None:
            continue
        sentence = text[m.sent_start:m.sent_end]
        if rx["both_sides_sensory"].search(sentence) and not rx["dermatomal"].search(sentence) \
                and not rx["unilateral"].search(sentence):
            m.reason = "attributed_to_other_cause"
            m.cause = "numbness of both feet or hands (not dermatomal)"


def _diffuse_reflexes(text: str, mentions: list["Mention"], rx: dict[str, re.Pattern[str]]) -> None:
    """Diffuse symmetric hyporeflexia ('DTRs 1+ and symmetric throughout') is not an abnormal reflex finding. A side or
    an 'except' makes it focal only in the reflex's own clause: 'Achilles 1+ symmetric, sensation intact except reduced
    vibration at both toes' keeps the reflexes symmetric."""
    for m in mentions:
        if m.code != "abnormal_reflexes" or m.reason is not None:
            continue
        sentence = text[m.sent_start:m.sent_end]
        if rx["diffuse_reflexes"].search(sentence) and not rx["focal_reflexes"].search(_own_clause(text, m)):
            m.reason = "attributed_to_other_cause"
            m.cause = "diffuse symmetric hyporeflexia (not focal)"


def _own_clause(text: str, m: "Mention") -> str:
    """The mention's clause of its sentence: from the comma or semicolon before it to the one after it."""
    cut = max(text.rfind(",", m.sent_start, m.start), text.rfind(";", m.sent_start, m.start)) + 1 or m.sent_start
    ends = [i for i in (text.find(",", m.end, m.sent_end), text.find(";", m.end, m.sent_end)) if i != -1]
    return text[max(cut, m.sent_start):min(ends) if ends else m.sent_end]


def attribute_packet(texts: dict[str, str], mentions: list["Mention"]) -> None:
    """An attribution reaches the whole packet (labeling.md): the cause an assessment or an EMG names in one document
    explains the deficits it names wherever else they are written (chief complaint, referral reason, another note).

    Each document's own attributions were applied when it was read; here those of every other document reach its
    mentions by the same scope rules (diffuse, region, side, located).
    """
    cfg = config()
    open_ = [m for m in mentions if m.reason is None and m.code in config().attributable]
    if not open_:
        return
    if len(texts) < 2:
        return  # a single document's attributions were applied when it was read
    codes = {m.code for m in open_}
    found = {doc: a for doc, text in texts.items() if (a := [x for x in find_attributions(text, codes) if x.cause.packet])}
    if not found:
        return
    by_doc: dict[str, list["Mention"]] = {}
    for m in mentions:
        by_doc.setdefault(m.doc_id, []).append(m)
    # From another document, a cause bound to a body region explains every code it can explain written of that
    # region: the words differ between notes ('hand numbness' of an EMG's indication, 'paresthesias' of an
    # assessment) while the region is what ties them.
    explains = {doc: {id(a): set(a.cause.codes) for a in atts if a.cause.scope == "region"}
                | {k: v for k, v in _explained_codes(atts, by_doc.get(doc, []), texts[doc]).items()
                   if k not in {id(a) for a in atts if a.cause.scope == "region"}}
                for doc, atts in found.items()}
    for m in open_:
        for doc, attributions in found.items():
            if doc == m.doc_id:
                continue
            hit = _across(texts[m.doc_id], m, attributions, explains[doc], cfg)
            if hit is not None:
                m.reason = hit.reason
                m.cause = hit.label
                break
