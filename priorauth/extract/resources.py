"""Load the extractor's data files: lexicons, ConText rules, section headers, attribution cues.

Everything clinical lives in JSON beside this module so reviewers of the rules
can read and change them without touching code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from medspacy.context import ConTextRule
from medspacy.section_detection import SectionRule
from medspacy.target_matcher import TargetRule

from priorauth.extract.anchors import required_literals
from priorauth.guidelines import Guideline, get, per_guideline


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


@dataclass(frozen=True)
class Lexicon:
    code: str
    rules: tuple[LexiconRule, ...]
    suspicion: bool = False
    history_supports: bool = False
    keep: tuple[str, ...] = ()
    not_if_near: re.Pattern[str] | None = None  # a mention with this within its clause is not the code (a benign tumour)
    near_scope: str = "clause"  # or "sentence": how far `not_if_near` reaches
    needs_new: re.Pattern[str] | None = None  # the code means a new condition: words that say a mention is new


@per_guideline
def lexicons(g: Guideline) -> dict[str, Lexicon]:
    """Every code's lexicon in the guideline, keyed by code (one JSON file per code)."""
    out: dict[str, Lexicon] = {}
    for entry in sorted(g.path("lexicon").iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".json"):
            continue
        data = json.loads(entry.read_text(encoding="utf-8"))
        code = data["code"]
        rules = tuple(
            LexiconRule(code=code, pattern=r.get("pattern") or r"\b" + re.escape(r["literal"]) + r"\b",
                        exam=bool(r.get("exam")), kind=r.get("kind"), doc_kind=bool(r.get("doc_kind")),
                        imaging_header=bool(r.get("imaging_header")), procedure=bool(r.get("procedure")),
                        emg_doc=bool(r.get("emg_doc")), operative_doc=bool(r.get("operative_doc")))
            for r in data["rules"])
        out[code] = Lexicon(code, rules, bool(data.get("suspicion")), bool(data.get("history_supports")),
                            tuple(data.get("keep", ())),
                            re.compile(data["not_if_near"], re.I) if data.get("not_if_near") else None,
                            data.get("near_scope", "clause"),
                            re.compile(data["needs_new"], re.I) if data.get("needs_new") else None)
    return out


def target_rules(guideline: str | None = None) -> list[TargetRule]:
    """TargetRules for medspaCy's TargetMatcher; regexes are case-insensitive unless scoped."""
    rules = []
    for lex in lexicons(guideline).values():
        for i, r in enumerate(lex.rules):
            rules.append(TargetRule(literal=f"{lex.code}#{i}", category=lex.code.upper(), pattern="(?i)" + r.pattern,
                                    metadata={"rule": i, "anchors": required_literals("(?i)" + r.pattern)}))
    return rules


def context_rules(guideline: str | None = None) -> list[ConTextRule]:
    """ConText rules from JSON, including `terminated_by`, which medspaCy's own loader drops."""
    out = []
    for r in get(guideline).read_json("context_rules.json")["context_rules"]:
        kw = {k: r[k] for k in ("pattern", "max_scope", "max_targets") if r.get(k) is not None}
        for key in ("allowed_types", "excluded_types", "terminated_by"):
            if r.get(key):
                kw[key] = set(r[key])
        out.append(ConTextRule(literal=r["literal"], category=r["category"], direction=r["direction"], **kw))
    return out


@per_guideline
def section_config(g: Guideline) -> dict[str, Any]:
    return g.read_json("sections.json")


def section_rules(guideline: str | None = None) -> list[SectionRule]:
    """Header regexes: abbreviations must open a line and take a colon; long names may stand alone."""
    rules = []
    for category, spec in section_config(guideline)["categories"].items():
        long_alts = "|".join(re.escape(h).replace(r"\ ", r"\s+") for h in sorted(spec["long"], key=len, reverse=True))
        short_alts = "|".join(re.escape(h) for h in sorted(spec["short"], key=len, reverse=True))
        forms = []
        if long_alts:
            forms.append(rf"(?im:^[ \t]*(?:{long_alts})[ \t]*(?::|$))")
            forms.append(rf"(?i:\b(?:{long_alts})\s*:)")
        if short_alts:
            forms.append(rf"(?m:^[ \t]*(?:{short_alts})[ \t]*:)")
        rules.append(SectionRule(literal=category, category=category, pattern="|".join(forms)))
    rules.append(SectionRule(literal="exam:lead", category="exam", pattern=r"(?i)\bon (?:my )?exam(?:ination)?\b"))
    return rules
