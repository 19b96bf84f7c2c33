"""Warn when the requested code's contrast disagrees with the MRI the note plans.

"MRI L-spine with and without contrast" in the plan but 72148 (without) requested
is a coding mismatch a reviewer should see; it changes no decision. Patterns are
data (data/contrast.json), validated when loaded.
"""

from __future__ import annotations

import re

from pydantic import Field

from priorauth.extract.resources import Strict
from priorauth.guidelines import Guideline, per_guideline
from priorauth.validate import load_model
from priorauth.models import Case
from priorauth.guidelines import get as get_guideline
from priorauth.guidelines import studies_for

CONTRASTS = ("without_then_with", "with", "without")  # tried in this order; 'both' first, so its words are not read again
SAY = {"without_then_with": "with and without contrast", "with": "with contrast", "without": "without contrast"}


class ContrastPatterns(Strict):
    doc: str = Field(alias="_doc")
    mri: str
    plan: str
    without_then_with: list[str]
    with_: list[str] = Field(alias="with")
    without: list[str]


@per_guideline
def _patterns(g: Guideline) -> tuple[re.Pattern, re.Pattern, dict[str, re.Pattern]]:
    p = load_model(ContrastPatterns, g.path("contrast.json"))
    by = {"without_then_with": p.without_then_with, "with": p.with_, "without": p.without}
    return (re.compile(p.mri, re.I), re.compile(p.plan, re.I),
            {k: re.compile("|".join(f"(?:{x})" for x in v), re.I) for k, v in by.items()})


def planned_contrasts(text: str) -> list[tuple[str, str | None, int, int]]:
    """(contrast, region or None, start, end) for each contrast phrase on a line that plans an MRI."""
    mri, plan, by = _patterns()
    out = []
    pos = 0
    for line in text.split("\n"):
        if mri.search(line) and plan.search(line):
            region = get_guideline().region_named(line)
            taken: list[tuple[int, int]] = []
            for kind in CONTRASTS:
                for m in by[kind].finditer(line):
                    if any(s < m.end() and m.start() < e for s, e in taken):
                        continue
                    taken.append((m.start(), m.end()))
                    out.append((kind, region, pos + m.start(), pos + m.end()))
        pos += len(line) + 1
    return out


def contrast_warnings(case: Case) -> list[str]:
    """One warning per planned contrast that no requested study of that region matches."""
    studies = [s for s in studies_for(case.request.cpt_codes) if s.region and s.contrast]  # only imaging codes carry a contrast
    warnings: list[str] = []
    for d in case.documents:
        for kind, region, start, end in planned_contrasts(d.text):
            mine = [s for s in studies if region is None or s.region == region]
            if not mine or any(s.contrast == kind for s in mine):
                continue
            requested = ", ".join(f"{s.cpt} ({SAY[s.contrast or 'without']})" for s in mine)
            target = next((c for c, s in get_guideline().studies.items() if s.region == mine[0].region and s.contrast == kind), None)
            msg = (f"the plan asks for MRI {SAY[kind]} ({d.id}[{start}:{end}]) but the request is for {requested}"
                   + (f"; the matching code would be {target}" if target else ""))
            if msg not in warnings:
                warnings.append(msg)
    return warnings
