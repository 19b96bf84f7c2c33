"""The real-note labeled set (MTSamples transcriptions from the labeling pool): floors the pipeline must hold.

The floors sit a little under today's figures so that a change which starts approving
packets a clinician should see, or stops approving proven ones, fails here. The set
was labeled before the rules were tuned on it; held-out real notes score lower.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from priorauth.evaluation.check import check_file
from priorauth.evaluation.metrics import evaluate
from priorauth.jsonl import read_lines
from priorauth.models import Case
from priorauth.pipeline import review

SET = Path(__file__).resolve().parents[1] / "evaluation-sets" / "mtsamples-dev.jsonl"


@pytest.fixture(scope="module")
def summary(extractor) -> dict:
    cases = [Case.model_validate_json(line.text) for line in read_lines(SET) if line.text.strip()]
    return evaluate([(c, review(c, extractor)) for c in cases]).summary()


def test_the_set_is_consistent_and_big_enough():
    assert check_file(SET) == []
    decisions = [Case.model_validate_json(x.text).gold.decision for x in read_lines(SET) if x.text.strip()]
    assert len(decisions) >= 40 and decisions.count("not_met") >= 15


def test_no_false_approval_on_real_notes(summary):
    a = summary["approval"]
    assert a["false_approvals"] == 0, a["false_approval_cases"]
    assert a["precision"] >= 0.95


def test_approves_what_the_labels_approve(summary):
    assert summary["approval"]["recall"] >= 0.85


def test_decisions_findings_and_therapy_floors(summary):
    assert summary["decision_accuracy"] >= 0.90
    assert summary["findings"]["f1"] >= 0.78
    assert summary["conservative_therapy_accuracy"] >= 0.60
