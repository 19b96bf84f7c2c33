"""`priorauth review --fhir`: one bundle, a folder, NDJSON, DocumentReference input; one output per input, no traceback."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from typer.testing import CliRunner

from priorauth.cli import app
from priorauth.fhir.build import document_reference, pas_bundle
from priorauth.fhir.resources import validate

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "lumbar_radiculopathy.txt"
SHORT = "Clinic note. Low back pain for 3 days, no radiation. Exam normal. Plan: heat and walking."


def _bundles() -> tuple[dict, dict, dict]:
    good = pas_bundle([EXAMPLE.read_text()], ["72148"], "1973-06-10", "2026-03-02T10:00:00Z", bundle_id="A")
    routed = pas_bundle([SHORT], ["72148"], "1990-02-02", "2026-03-02T10:00:00Z", bundle_id="B")
    bad = pas_bundle([SHORT], ["72148"], "1990-02-02", "2026-03-02T10:00:00Z", bundle_id="C")
    bad["entry"][0]["resource"]["use"] = "claim"
    return good, routed, bad


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def _code(resp: dict) -> str:
    item = resp["entry"][0]["resource"]["item"][0]
    (code,) = [e for e in item["adjudication"][0]["extension"][0]["extension"]
               if e["url"] == "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewActionCode"]
    return code["valueCodeableConcept"]["coding"][0]["code"]


def test_single_bundle_writes_response_and_questionnaire_owner_only(tmp_path):
    good, _, _ = _bundles()
    src, out, qr = tmp_path / "b.json", tmp_path / "r.json", tmp_path / "qr.json"
    src.write_text(json.dumps(good))
    res = runner.invoke(app, ["review", "--fhir", str(src), "--fhir-out", str(out), "--fhir-questionnaire", str(qr)])
    assert res.exit_code == 0, res.output
    resp = json.loads(out.read_text())
    assert resp["entry"][0]["resource"]["resourceType"] == "ClaimResponse" and _code(resp) == "A1"
    answered = json.loads(qr.read_text())
    assert answered["resourceType"] == "QuestionnaireResponse" and answered["contained"][0]["resourceType"] == "Questionnaire"
    assert answered["questionnaire"] == "#" + answered["contained"][0]["id"]
    validate(answered, "QuestionnaireResponse")
    assert _mode(out) == 0o600 and _mode(qr) == 0o600


def test_folder_batch_one_response_per_bundle_bad_one_is_an_operation_outcome(tmp_path):
    good, routed, bad = _bundles()
    src = tmp_path / "in"
    src.mkdir()
    for name, b in (("a", good), ("b", routed), ("c", bad)):
        (src / f"{name}.json").write_text(json.dumps(b))
    (src / "d.json").write_text("{truncated")
    out = tmp_path / "out"
    res = runner.invoke(app, ["review", "--fhir", str(src), "--fhir-out", str(out)])
    assert res.exit_code == 1
    assert "Traceback" not in res.output
    assert "c: Bundle.entry[0].resource.use: must be 'preauthorization'" in res.output
    assert "d: Bundle: the request body is not JSON" in res.output
    files = sorted(p.name for p in out.iterdir())
    assert files == ["a.response.json", "b.response.json", "c.response.json", "d.response.json"]
    assert _mode(out) == 0o700 and all(_mode(p) == 0o600 for p in out.iterdir())
    assert _code(json.loads((out / "a.response.json").read_text())) == "A1"
    assert _code(json.loads((out / "b.response.json").read_text())) == "A4"
    oo = json.loads((out / "c.response.json").read_text())
    assert oo["resourceType"] == "OperationOutcome" and oo["issue"][0]["expression"] == ["Bundle.entry[0].resource.use"]


def test_ndjson_in_ndjson_out_keeps_order(tmp_path):
    good, _, bad = _bundles()
    src, out = tmp_path / "in.ndjson", tmp_path / "out.ndjson"
    src.write_text(json.dumps(bad) + "\n\n" + json.dumps(good) + "\n" + json.dumps({"resourceType": "Patient"}) + "\n")
    res = runner.invoke(app, ["review", "--fhir", str(src), "--fhir-out", str(out)])
    assert res.exit_code == 1 and "Traceback" not in res.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["resourceType"] for x in lines] == ["OperationOutcome", "Bundle", "OperationOutcome"]
    assert _code(lines[1]) == "A1"
    assert "line-4: Bundle.resourceType" in res.output


def test_document_reference_with_request_fields_gives_the_review(tmp_path):
    src, out = tmp_path / "dr.json", tmp_path / "review.json"
    src.write_text(json.dumps(document_reference("dr-1", EXAMPLE.read_text(), "2026-02-26")))
    res = runner.invoke(app, ["review", "--fhir", str(src), "--fhir-out", str(out), "--cpt", "72148", "--age", "52",
                              "--request-date", "2026-03-02"])
    assert res.exit_code == 0, res.output
    review = json.loads(out.read_text())
    assert review["decision"] == "meets_criteria" and "A.iv" in review["criteria"]


def test_usage_errors_are_one_sentence(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    res = runner.invoke(app, ["review", "--fhir", str(src)])
    assert res.exit_code == 1 and "needs --fhir-out" in res.output
    res = runner.invoke(app, ["review", "--fhir", str(tmp_path / "nope.json")])
    assert res.exit_code == 1 and "no such file" in res.output and "Traceback" not in res.output


def test_unreadable_file_in_a_folder_gets_its_own_outcome(tmp_path):
    import os

    src, out = tmp_path / "in", tmp_path / "out.ndjson"
    src.mkdir()
    (src / "a.json").mkdir()  # a folder named like a bundle: reading it fails, the batch goes on
    (src / "b.json").write_text("{}")
    (src / "b.response.json").write_text("{}")  # an earlier output beside the input is not read again
    res = runner.invoke(app, ["review", "--fhir", str(src), "--fhir-out", str(out)])
    assert res.exit_code == 1 and "Traceback" not in res.output and os.path.exists(out)
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 2 and all(x["resourceType"] == "OperationOutcome" for x in lines)
    assert "a: the file could not be read." in res.output
