"""The ESI development set (labeled by labeling-esi.md): consistent, and with the mix issue 22 asks for.

A floor on what the set holds, not on how the system scores on it: the set must keep
enough approvable packets, enough limited ones (LIM.5, LIM.6 and LIM.14 among them)
and enough real MTSamples notes, each deduplicated by text, for its figures to mean something.
"""

from __future__ import annotations

import re
from pathlib import Path

from priorauth.evaluation.check import check_file
from priorauth.jsonl import read_lines
from priorauth.models import Case

SET = Path(__file__).resolve().parents[1] / "evaluation-sets" / "esi-dev.jsonl"
# The criterion ids of labeling-esi.md; check_file knows them only where the ESI guideline is installed.
ESI_IDS = re.compile(r"^(IND\.(1|6|9)|LIM\.([1-9]|1[0-4])|DOC\.(records|coding))$")


def _cases() -> list[Case]:
    return [Case.model_validate_json(x.text) for x in read_lines(SET) if x.text.strip()]


def test_the_set_is_consistent():
    problems = [p for p in check_file(SET)
                if not (p["problem"].startswith("unknown criterion id")
                        and ESI_IDS.match(p["problem"].split("'")[1]))]
    assert problems == []
    for c in _cases():
        assert all(ESI_IDS.match(k) for k in c.gold.criteria), c.id


def test_decisions_follow_the_decision_order():
    for c in _cases():
        g = c.gold
        if g.decision == "meets_criteria":
            assert "IND.9" in g.criteria and ({"IND.1", "IND.6"} & set(g.criteria)), c.id
            assert not any(k.startswith(("LIM.", "DOC.")) for k in g.criteria), c.id
        elif g.decision == "not_met":
            assert all(k.startswith("LIM.") for k in g.criteria), c.id
        else:
            assert g.criteria and all(k.startswith("DOC.") for k in g.criteria), c.id


def test_the_mix_is_big_enough():
    cases = _cases()
    assert len(cases) >= 30
    approvable = [c for c in cases if c.gold.decision == "meets_criteria"]
    limited = [c for c in cases if any(k.startswith("LIM.") for k in c.gold.criteria)]
    assert len(approvable) >= 10 and len(limited) >= 8
    assert {"LIM.5", "LIM.6", "LIM.14"} <= {k for c in limited for k in c.gold.criteria}


def test_real_notes_are_distinct_by_text():
    real = [c for c in _cases() if c.id.startswith("esi-r")]
    texts = {" ".join(d.text.split()) for c in real for d in c.documents}
    assert len(real) >= 8 and len(texts) == sum(len(c.documents) for c in real)
