"""The blind synthetic training sets (`evaluation-sets/hard-synth*.jsonl`): no false approval, decision floors.

Each set was written blind and measured before its errors were read; the readings learned from it are rules
with sentences of their own in the other tests. This guards what was learned: a change that starts approving
one of their not-approvable packets again, or stops approving most of the approvable ones, fails here.
`hard-synth10`, `27` and `106` to `113` were kept apart from rule writing and are not training sets, so they are left
out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from priorauth.evaluation.metrics import evaluate
from priorauth.jsonl import read_lines
from priorauth.models import Case
from priorauth.pipeline import review

KEPT_APART = {"hard-synth10", "hard-synth27"} | {f"hard-synth{n}" for n in range(106, 114)}
SETS = sorted(p for p in (Path(__file__).resolve().parents[1] / "evaluation-sets").glob("hard-synth*.jsonl")
              if p.stem not in KEPT_APART)


@pytest.mark.parametrize("path", SETS, ids=[p.stem for p in SETS])
def test_a_training_set_keeps_no_false_approval(extractor, path):
    cases = [Case.model_validate_json(line.text) for line in read_lines(path) if line.text.strip()]
    # the spine guideline's sets: a code another registered guideline reviews (a test's knee demo) stays this one's
    s = evaluate([(c, review(c, extractor, guideline="wps-mri-spine")) for c in cases]).summary()
    assert s["approval"]["false_approvals"] == 0, s["approval"]["false_approval_cases"]
    assert s["decision_accuracy"] >= 0.90 and s["approval"]["recall"] >= 0.85, (s["decision_accuracy"], s["approval"])


def test_there_are_training_sets_to_guard():
    assert len(SETS) >= 10
