"""Evaluation as a product: independent agreement, reports, error analysis, checks, comparisons, NegEx."""

from __future__ import annotations

import json
import random
import re

import pytest
from typer.testing import CliRunner

from priorauth.cli import app
from priorauth.evaluation.check import check_file
from priorauth.evaluation.compare import compare
from priorauth.evaluation.errors import case_errors, sentence_of
from priorauth.evaluation.metrics import evaluate, score_case
from priorauth.evaluation.negation import is_negated, read_negex
from priorauth.evaluation.report import render_report
from priorauth.models import Case, ConservativeTherapy, EvidenceSpan, Finding, Review
from tests.conftest import DEV, SHARED

runner = CliRunner()
CODES = {line.split("`")[1] for line in (SHARED / "spec" / "finding-codes.md").read_text().splitlines() if line.startswith("| `")}


def independent(cases_reviews):
    """Section 3 written again from the spec text, as plainly as possible."""
    tp = fp = fn = gtp = npred = ngold = 0
    dec_ok = ct_ok = meets = meets_ok = 0
    for case, rv in cases_reviews:
        gold = {f.code: f.evidence for f in case.gold.findings if f.code in CODES}
        pred = {f.code: f.evidence for f in rv.findings if f.code in CODES}
        npred += len(pred)
        ngold += len(gold)
        for code in pred:
            if code in gold:
                tp += 1
                if any(p.doc == g.doc and max(p.start, g.start) < min(p.end, g.end) for p in pred[code] for g in gold[code]):
                    gtp += 1
            else:
                fp += 1
        fn += len([c for c in gold if c not in pred])
        dec_ok += rv.decision == case.gold.decision
        g, p = case.gold.conservative_therapy, rv.conservative_therapy
        if g is None or p is None:
            ct_ok += g is None and p is None
        else:
            ct_ok += abs((g.weeks or 0) - (p.weeks or 0)) <= 1 and (g.weeks is None) == (p.weeks is None) \
                and g.active == p.active and g.inactive == p.inactive
        if case.gold.decision == "meets_criteria":
            meets += 1
            meets_ok += rv.decision == "meets_criteria" and set(rv.criteria) == set(case.gold.criteria)
    f1 = lambda a, b, c: 0.0 if a == 0 else 2 * (a / (a + b)) * (a / (a + c)) / ((a / (a + b)) + (a / (a + c)))
    n = len(cases_reviews)
    return {"f1": f1(tp, fp, fn), "grounded_f1": 0.0 if gtp == 0 else 2 * (gtp / npred) * (gtp / ngold) / (gtp / npred + gtp / ngold),
            "decision": dec_ok / n, "ct": ct_ok / n, "criteria": meets_ok / meets if meets else 0.0}


def perturb(case: Case, rv: Review, rng: random.Random) -> Review:
    """Drop, move and add findings; flip decisions and therapy, to exercise every branch."""
    findings = [f for f in rv.findings if rng.random() > 0.2]
    doc = case.documents[0]
    for code in rng.sample(sorted(CODES), 2):
        s = rng.randrange(max(1, len(doc.text) - 10))
        findings.append(Finding(code=code, evidence=[EvidenceSpan(doc=doc.id, start=s, end=s + 5, text=doc.text[s:s + 5])]))
    decision = rng.choice(["meets_criteria", "not_met", "incomplete", rv.decision, rv.decision])
    ct = rv.conservative_therapy
    if rng.random() < 0.3:
        ct = ConservativeTherapy(weeks=rng.randrange(12), active=rng.random() < 0.5, inactive=True)
    return rv.model_copy(update={"findings": findings, "decision": decision, "conservative_therapy": ct})


@pytest.fixture(scope="module")
def dev_reviews(dev_cases):
    from priorauth.pipeline import review

    return [(c, review(c)) for c in dev_cases]


@pytest.mark.parametrize("seed", [None, 1, 2, 3])
def test_metrics_agree_with_an_independent_implementation(dev_reviews, seed):
    pairs = dev_reviews if seed is None else [(c, perturb(c, r, random.Random(seed * 1000 + i))) for i, (c, r) in enumerate(dev_reviews)]
    ours = evaluate(pairs).summary()
    theirs = independent(pairs)
    assert abs(ours["findings"]["f1"] - theirs["f1"]) < 0.01
    assert abs(ours["grounded_findings"]["f1"] - theirs["grounded_f1"]) < 0.01
    assert abs(ours["decision_accuracy"] - theirs["decision"]) < 0.01
    assert abs(ours["conservative_therapy_accuracy"] - theirs["ct"]) < 0.01
    assert abs(ours["criteria_exact"] - theirs["criteria"]) < 0.01
    lo, hi = ours["ci95"]["decision_accuracy"]
    assert lo <= ours["decision_accuracy"] <= hi


HOSTILE = "<script>alert('x')</script> low back pain <img src=x onerror=alert(1)> & more"


def hostile_case() -> tuple[Case, Review]:
    s = HOSTILE.index("low back pain")
    case = Case.model_validate({"id": "x<1>", "request": {"cpt_codes": ["72148"]},
                                "documents": [{"id": "n", "text": HOSTILE}],
                                "gold": {"findings": [{"code": "back_pain", "evidence": [{"doc": "n", "start": s, "end": s + 13, "text": "low back pain"}]}],
                                         "decision": "meets_criteria", "criteria": ["A.iv"]}})
    rv = Review(case_id="x<1>", decision="not_met", criteria=[], findings=[], conservative_therapy=None, action="route_to_clinician")
    return case, rv


def test_report_is_escaped_and_self_contained():
    case, rv = hostile_case()
    sc = score_case(case, rv)
    html = render_report(evaluate([(case, rv)]).summary(), [case_errors(case, rv, sc)], {case.id: case}, "t")
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "&lt;script&gt;" in html and "onerror=alert(1)&gt;" in html
    assert not re.search(r'(?:src|href)\s*=\s*["\']?(?:https?:)?//', html, re.I)
    assert "<link" not in html.lower() and "@import" not in html
    assert '<mark class="missed"' in html and 'href="#case-x&lt;1&gt;"' in html
    assert "<svg" in html  # confusion matrix and bars are drawn inline


def test_error_analysis_names_spans_and_sentences():
    case, rv = hostile_case()
    rec = case_errors(case, rv, score_case(case, rv))
    assert rec["missed"][0]["code"] == "back_pain"
    assert rec["missed"][0]["evidence"][0]["sentence"] == HOSTILE.strip()
    assert rec["decision"] == {"predicted": "not_met", "gold": "meets_criteria"}
    assert rec["criteria"] == {"missing": ["A.iv"], "extra": []}
    assert sentence_of("One. Two three. Four", 5, 8) == "Two three."


def test_cli_writes_report_and_errors(tmp_path):
    rep, errs = tmp_path / "r.html", tmp_path / "e.jsonl"
    res = runner.invoke(app, ["evaluate", str(DEV), "--report", str(rep), "--errors", str(errs)])
    assert res.exit_code == 0, res.output
    assert rep.read_text().startswith("<!DOCTYPE html>")
    for line in errs.read_text().splitlines():
        rec = json.loads(line)
        assert rec["missed"] or rec["extra"] or {"decision", "criteria", "conservative_therapy"} & set(rec)


def test_check_reports_problems_with_line_numbers(tmp_path):
    good = DEV.read_text().splitlines()[0]
    bad_span = json.loads(good)
    bad_span["gold"]["findings"][0]["evidence"][0]["text"] = "not the text"
    bad_code = json.loads(good)
    bad_code["id"] = "other"
    bad_code["gold"]["findings"][0]["code"] = "lumbago"
    bad_dec = json.loads(good)
    bad_dec["id"] = "third"
    bad_dec["gold"]["decision"] = "denied"
    src = tmp_path / "c.jsonl"
    src.write_text("\n".join([good, json.dumps(bad_span), json.dumps(bad_code), "{oops", json.dumps(bad_dec)]) + "\n")
    problems = check_file(src)
    got = {(p["line"], p["problem"].split(":")[0].split(" ")[0]) for p in problems}
    assert (2, "duplicate") in got
    assert any(p["line"] == 2 and "not 'not the text'" in p["problem"] for p in problems)
    assert any(p["line"] == 3 and "unknown finding code 'lumbago'" in p["problem"] for p in problems)
    assert any(p["line"] == 4 and p["problem"].startswith("not JSON") for p in problems)
    assert any(p["line"] == 5 and "unknown decision" in p["problem"] for p in problems)
    res = runner.invoke(app, ["evaluate", "--check", str(src)])
    assert res.exit_code == 1 and "line 3" in res.output
    assert runner.invoke(app, ["evaluate", "--check", str(DEV)]).exit_code == 0


def test_compare_two_runs(tmp_path):
    a = {"findings": {"f1": 0.9}, "decision_accuracy": 0.5, "per_code": {"back_pain": {"f1": 1.0}},
         "case_results": [{"case_id": "c1", "decision": "not_met", "gold_decision": "meets_criteria", "fp": [], "fn": []},
                          {"case_id": "c2", "decision": "not_met", "gold_decision": "not_met", "fp": [], "fn": []}]}
    b = {"findings": {"f1": 0.95}, "decision_accuracy": 0.5, "per_code": {"back_pain": {"f1": 0.5}},
         "case_results": [{"case_id": "c1", "decision": "meets_criteria", "gold_decision": "meets_criteria", "fp": [], "fn": []},
                          {"case_id": "c2", "decision": "meets_criteria", "gold_decision": "not_met", "fp": ["x"], "fn": []}]}
    d = compare(a, b)
    assert set(d["metrics"]) == {"findings.f1"} and abs(d["metrics"]["findings.f1"]["delta"] - 0.05) < 1e-9
    assert [c["case_id"] for c in d["fixed"]] == ["c1"] and [c["case_id"] for c in d["broken"]] == ["c2"]
    assert d["per_code_f1"]["back_pain"]["delta"] == -0.5
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    pa.write_text(json.dumps(a))
    pb.write_text(json.dumps(b))
    res = runner.invoke(app, ["evaluate", "--compare", str(pa), str(pb)])
    assert res.exit_code == 0 and "fixed: c1" in res.output and "broken: c2" in res.output


NEGEX = SHARED / "data" / "external" / "negex" / "Annotations-1-120.txt"


def test_negex_reader_unquotes_fields():
    rows = read_negex(NEGEX)
    assert len(rows) == 2376
    assert sum(r.negated for r in rows) == 491
    assert not any(r.sentence.startswith('"') for r in rows)


def test_negation_on_own_sentences():
    assert is_negated("fever", "Patient denies fever, chills or night sweats.") is True
    assert is_negated("night sweats", "Patient denies fever, chills or night sweats.") is True
    assert is_negated("pain", "No improvement in pain after therapy.") is False
    assert is_negated("edema", "Extremities without edema.") is True
    assert is_negated("weakness", "Strength is 4/5; she reports weakness.") is False
    assert is_negated("cough", "Allergies: none. Cough for 3 days.") is False


def test_negex_f1_meets_the_bar():
    res = runner.invoke(app, ["evaluate-negation", str(NEGEX), "--json"])
    s = json.loads(res.output)
    assert s["f1"] >= 0.93 and set(s) >= {"precision", "recall", "f1", "accuracy"}


def test_check_knows_criteria_and_care_kinds_from_the_guideline(tmp_path):
    good = json.loads(DEV.read_text().splitlines()[0])
    good["gold"]["criteria"] = ["A.vi"]  # an A-like id the policy does not have
    good["gold"]["conservative_therapy"] = {"weeks": 6, "active": True, "inactive": False, "components": [
        {"kind": "yoga", "category": "active"}, {"kind": "physical_therapy", "category": "active"}]}
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps(good) + "\n")
    problems = [p["problem"] for p in check_file(src)]
    assert any("unknown criterion id 'A.vi'" in p for p in problems)
    assert any("'yoga'" in p for p in problems) and not any("'physical_therapy'" in p for p in problems)
