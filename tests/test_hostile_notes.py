"""Big notes: a packet over the text limit is refused with one sentence (CLI, batch, service), and a note that repeats a
finding many times gives a review with a bounded number of spans per finding and the count of all of them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from priorauth.cli import app
from priorauth.pipeline import MAX_EVIDENCE, TextTooLong, review
from tests.conftest import note_case
from tests.test_harden import ARGS, clean_failure

# Sentences written for this test.
VISIT = ("Follow-up visit. Low back pain radiating down the right leg for 8 weeks. "
         "Straight leg raise positive on the right at 40 degrees. Completed 6 weeks of physical therapy.\n")


def test_a_packet_over_the_text_limit_is_refused_with_one_sentence(monkeypatch, extractor):
    monkeypatch.setenv("PRIORAUTH_MAX_TEXT_CHARS", "1000")
    with pytest.raises(TextTooLong, match=r"hold 1,680 characters of text, more than the limit of 1,000 \(PRIORAUTH_MAX_TEXT_CHARS\)"):
        review(note_case(VISIT * 10), extractor)


def test_the_cli_and_the_batch_refuse_it_with_that_sentence(tmp_path, monkeypatch):
    monkeypatch.setenv("PRIORAUTH_MAX_TEXT_CHARS", "1000")
    note = tmp_path / "long.txt"
    note.write_text(VISIT * 10)
    res = CliRunner().invoke(app, ["review", str(note), *ARGS])
    clean_failure(res, "PRIORAUTH_MAX_TEXT_CHARS")
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": "long", "request": {"cpt_codes": ["72148"], "patient_age": 50},
                                 "documents": [{"id": "n", "text": VISIT * 10}]}) + "\n")
    out = tmp_path / "out.jsonl"
    CliRunner().invoke(app, ["review", "--cases", str(cases), "-o", str(out)])
    rec = json.loads(out.read_text())
    assert rec["case_id"] == "long" and "more than the limit of 1,000" in rec["error"]


def test_evidence_spans_are_bounded_per_finding_and_counted(extractor):
    r = review(note_case(VISIT * (MAX_EVIDENCE + 15)), extractor)
    counted = [f for f in r.findings + r.ruled_out if f.evidence_total is not None]
    assert counted, [(f.code, len(f.evidence)) for f in r.findings]
    for f in counted:
        assert len(f.evidence) == MAX_EVIDENCE and f.evidence_total >= MAX_EVIDENCE + 15
        assert [s.start for s in f.evidence] == sorted(s.start for s in f.evidence)
    assert all(len(f.evidence) <= MAX_EVIDENCE for f in r.findings + r.ruled_out)
    bounded = [c for c in r.criteria_results if c.evidence_total is not None]
    assert bounded and all(c.evidence_total > MAX_EVIDENCE and len(c.evidence) >= MAX_EVIDENCE for c in bounded)
    assert all({(s.doc, s.start) for q in c.qualifiers for s in q.evidence} <= {(s.doc, s.start) for s in c.evidence}
               for c in r.criteria_results)
    assert r.decision == review(note_case(VISIT * 3), extractor).decision  # decided on all spans, same outcome
    from priorauth.review_page import render_review_page

    page = render_review_page(note_case(VISIT * (MAX_EVIDENCE + 15)), r)
    assert f"the first {MAX_EVIDENCE} of {counted[0].evidence_total} mentions are highlighted" in page
    from priorauth.review_page import span_id

    assert all(f'id="{span_id(s)}"' in page for c in r.criteria_results for s in c.evidence)  # clicking shows each


def test_the_service_fails_such_a_job_with_the_sentence(tmp_path, monkeypatch):
    from priorauth.service.jobs import default_reviewer
    from tests.test_service import make_svc

    client, svc = make_svc(tmp_path, None, default_reviewer(), monkeypatch)
    try:
        monkeypatch.setenv("PRIORAUTH_MAX_TEXT_CHARS", "1000")
        rid = svc.submit(note=VISIT * 10)
        assert svc.drain() == ["failed"]
        got = client.get(f"/api/requests/{rid}", headers=svc.h("sub_a")).json()
        assert "PRIORAUTH_MAX_TEXT_CHARS" in got["error"] and got["attempts"] == 1
    finally:
        client.__exit__(None, None, None)
