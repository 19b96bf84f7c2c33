"""The command line end to end: single packet, batch with bad lines, and dev-set evaluation."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from priorauth.cli import app
from tests.conftest import DEV

runner = CliRunner()
EXAMPLE = "examples/lumbar_radiculopathy.txt"


def test_review_example_packet_json():
    res = runner.invoke(app, ["review", EXAMPLE, "--cpt", "72148", "--age", "52", "--request-date", "2026-03-02", "--json"])
    assert res.exit_code == 0, res.output
    r = json.loads(res.output)
    assert r["decision"] == "meets_criteria" and r["action"] == "approve"
    assert "A.iv" in r["criteria"]
    text = open(EXAMPLE).read()
    for f in r["findings"]:
        for s in f["evidence"]:
            assert text[s["start"]:s["end"]] == s["text"]


def test_review_readable_summary_and_no_swo():
    res = runner.invoke(app, ["review", EXAMPLE, "--cpt", "72148", "--age", "52", "--request-date", "2026-03-02", "--no-swo"])
    assert res.exit_code == 0
    assert "incomplete" in res.output and "DOC.swo" in res.output and "standard written order" in res.output


def test_batch_writes_one_record_per_line_in_order(tmp_path):
    lines = DEV.read_text().splitlines()[:3]
    lines.insert(1, "{not json")
    lines.insert(3, json.dumps({"id": "bad-case", "documents": "oops"}))
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n")
    dst = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["review", "--cases", str(src), "-o", str(dst)])
    assert res.exit_code == 0, res.output
    recs = [json.loads(x) for x in dst.read_text().splitlines()]
    assert len(recs) == 5
    assert recs[0]["case_id"] == "dev-001" and recs[0]["decision"] in ("meets_criteria", "not_met", "incomplete")
    assert "error" in recs[1] and recs[1]["line"] == 2
    assert recs[3]["case_id"] == "bad-case" and "error" in recs[3]
    assert "oops" not in recs[3]["error"]  # input values are not echoed
    assert [r.get("case_id") for r in (recs[2], recs[4])] == ["dev-002", "dev-003"]


def test_batch_over_dev_set(tmp_path):
    dst = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["review", "--cases", str(DEV), "-o", str(dst)])
    assert res.exit_code == 0
    assert len(dst.read_text().splitlines()) == len(DEV.read_text().splitlines())


def test_evaluate_gold_findings_measures_the_rules():
    res = runner.invoke(app, ["evaluate", str(DEV), "--gold-findings", "--json"])
    assert res.exit_code == 0
    s = json.loads(res.output)
    assert s["decision_accuracy"] >= 0.95


def test_evaluate_default_extractor_meets_the_bar():
    res = runner.invoke(app, ["evaluate", str(DEV), "--json"])
    s = json.loads(res.output)
    assert s["findings"]["f1"] >= 0.90
    assert s["grounded_findings"]["f1"] >= 0.88
    assert s["conservative_therapy_accuracy"] >= 0.85
    assert s["decision_accuracy"] >= 0.90
    assert set(s) >= {"criteria_exact", "assertion_errors", "confusion", "per_code"}


def test_workers_keep_order_and_results(tmp_path):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert runner.invoke(app, ["review", "--cases", str(DEV), "-o", str(one)]).exit_code == 0
    assert runner.invoke(app, ["review", "--cases", str(DEV), "-o", str(two), "--workers", "2"]).exit_code == 0
    a = [json.loads(x) for x in one.read_text().splitlines()]
    b = [json.loads(x) for x in two.read_text().splitlines()]
    assert [r["case_id"] for r in a] == [r["case_id"] for r in b]
    assert [(r["decision"], r["criteria"]) for r in a] == [(r["decision"], r["criteria"]) for r in b]


def test_llm_extractor_without_a_model_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("PRIORAUTH_LLM_MODEL", raising=False)
    res = runner.invoke(app, ["review", EXAMPLE, "--cpt", "72148", "--extractor", "llm"])
    assert res.exit_code != 0 and "PRIORAUTH_LLM_MODEL" in res.output


def test_review_reads_a_note_from_stdin():
    text = open(EXAMPLE).read()
    res = runner.invoke(app, ["review", "-", "--cpt", "72148", "--age", "52", "--request-date", "2026-03-02", "--json"], input=text)
    assert res.exit_code == 0, res.output
    r = json.loads(res.output)
    assert r["decision"] == "meets_criteria" and r["findings"][0]["evidence"][0]["doc"] == "note-1"
