"""Approval precision, recall and false approvals (cases.md section 3), computed by hand."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from priorauth.cli import app
from priorauth.evaluation.metrics import evaluate
from priorauth.evaluation.report import render_report
from priorauth.models import Case, CriterionResult, Document, EvidenceSpan, Gold, Review
from tests.conftest import DEV

TEXT = "Low back pain. Weakness of the left ankle dorsiflexors 4/5."
ACTION = {"meets_criteria": "approve", "not_met": "route_to_clinician", "incomplete": "request_information"}


def pair(cid: str, gold: str, decided: str, evidence: bool = False) -> tuple[Case, Review]:
    case = Case(id=cid, documents=[Document(id="n", text=TEXT)],
                gold=Gold(decision=gold, criteria=["A.ii"] if gold == "meets_criteria" else []))
    results = []
    if evidence:
        results = [CriterionResult(id="A.ii", title="deficit", kind="indication", status="met", study="72148",
                                   evidence=[EvidenceSpan(doc="n", start=15, end=23, text=TEXT[15:23])]),
                   CriterionResult(id="A.iv", title="trial", kind="indication", status="not_met")]
    review = Review(case_id=cid, decision=decided, criteria=["A.ii"] if decided == "meets_criteria" else [],
                    findings=[], conservative_therapy=None, action=ACTION[decided], criteria_results=results)
    return case, review


def test_hand_computed_approvals():
    pairs = [pair("right", "meets_criteria", "meets_criteria"),
             pair("false", "not_met", "meets_criteria", evidence=True),
             pair("routed", "incomplete", "incomplete"),
             pair("missed", "meets_criteria", "not_met"),
             pair("routed2", "not_met", "not_met")]
    a = evaluate(pairs).summary()["approval"]
    # 2 approved, 1 of them labeled meets -> 1/2; 2 labeled meets, 1 approved -> 1/2; 3 not approvable, 1 approved -> 1/3
    assert a["precision"] == 0.5 and a["recall"] == 0.5
    assert a["false_approvals"] == 1 and abs(a["false_approval_rate"] - 1 / 3) < 1e-12
    assert a["approved"] == 2 and a["labeled_meets_criteria"] == 2 and a["share_meets_criteria"] == 0.4
    (fa,) = a["false_approval_cases"]
    assert fa["case_id"] == "false" and fa["gold_decision"] == "not_met"
    # only the met indication, with the words it rested on
    assert fa["basis"] == [{"criterion": "A.ii", "study": "72148",
                            "evidence": [{"doc": "n", "start": 15, "end": 23, "text": "Weakness"}]}]
    lo, hi = a["ci95"]["precision"]
    assert 0.0 <= lo <= 0.5 <= hi <= 1.0


def test_no_approval_at_all_has_no_precision():
    a = evaluate([pair("x", "meets_criteria", "not_met"), pair("y", "not_met", "not_met")]).summary()["approval"]
    assert a["precision"] is None and a["ci95"]["precision"] is None
    assert a["recall"] == 0.0 and a["false_approvals"] == 0 and a["false_approval_rate"] == 0.0
    assert a["false_approval_cases"] == []


def test_no_meets_criteria_label_has_no_recall():
    a = evaluate([pair("x", "not_met", "meets_criteria"), pair("y", "incomplete", "not_met")]).summary()["approval"]
    assert a["recall"] is None and a["ci95"]["recall"] is None
    assert a["precision"] == 0.0 and a["false_approvals"] == 1 and a["false_approval_rate"] == 0.5
    # a review without per-criterion results still names its criteria
    assert a["false_approval_cases"][0]["basis"] == [{"criterion": "A.ii", "study": None, "evidence": []}]


def test_only_approvable_labels_have_no_false_approval_rate():
    a = evaluate([pair("x", "meets_criteria", "meets_criteria")]).summary()["approval"]
    assert a["precision"] == 1.0 and a["recall"] == 1.0 and a["false_approval_rate"] is None
    assert a["ci95"]["precision"] == [1.0, 1.0]


def test_report_shows_approvals_and_escapes_evidence():
    case, review = pair("<b>id</b>", "not_met", "meets_criteria", evidence=True)
    s = evaluate([(case, review)]).summary()
    html = render_report(s, [], {}, "t")
    assert "approval precision" in html and "False approvals (1)" in html
    assert "&lt;b&gt;id&lt;/b&gt;" in html and "<b>id</b>" not in html
    assert "&ldquo;Weakness&rdquo;" in html


def test_cli_lists_each_false_approval(tmp_path):
    rec = json.loads(DEV.read_text().splitlines()[0])
    assert rec["gold"]["decision"] == "meets_criteria"
    rec["gold"]["decision"], rec["gold"]["criteria"] = "not_met", []
    f = tmp_path / "one.jsonl"
    f.write_text(json.dumps(rec) + "\n")
    runner = CliRunner()
    res = runner.invoke(app, ["evaluate", str(f), "--json"])
    assert res.exit_code == 0, res.output
    a = json.loads(res.output)["approval"]
    assert a["false_approvals"] == 1 and a["precision"] == 0.0 and a["recall"] is None
    basis = a["false_approval_cases"][0]["basis"]
    assert basis and all(e["text"] for b in basis for e in b["evidence"])
    res = runner.invoke(app, ["evaluate", str(f)])
    assert "false approval" in res.output and rec["id"] in res.output
    assert basis[0]["criterion"] in res.output
