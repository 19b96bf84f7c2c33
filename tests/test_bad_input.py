"""The bad-input battery: every input line yields exactly one record, in order, and nothing prints a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from typer.testing import CliRunner

from priorauth.cli import app
from tests.conftest import DEV

runner = CliRunner()


def _good(case_id: str, text: str = "HPI: low back pain x 3 weeks. New left foot drop.\nPlan: MRI L-spine.") -> str:
    return json.dumps({"id": case_id, "request": {"cpt_codes": ["72148"], "patient_age": 50, "request_date": "2026-03-02",
                                                  "has_standard_written_order": True},
                       "documents": [{"id": "n", "date": "2026-03-01", "text": text}]}, ensure_ascii=False)


def battery() -> list[tuple[bytes, str | None]]:
    """(line bytes, expected case id or None for an error record without one) for each class of bad input."""
    dev = DEV.read_text(encoding="utf-8").split("\n")[0]
    return [
        (dev.encode(), "dev-001"),
        (_good("u2028", "HPI: low back pain\u2028x 3 weeks.\u2029New left foot drop.\u0085Plan: MRI.").encode(), "u2028"),
        (b'{"id": "latin", "documents": [{"id": "n", "text": "caf\xe9"}]}', None),  # invalid UTF-8 byte
        (b"[" * 100_000, None),  # nested too deeply
        (b"", None),  # empty line
        (b"   \t", None),  # blank line
        (b"[1, 2, 3]", None),  # JSON, not an object
        (b"null", None),
        (b'"just a string"', None),
        (b"{not json", None),
        (_good("x" * 100_000).encode(), "x" * 100_000),  # huge id, still a case
        (b'{"id": "nulldocs", "documents": null}', "nulldocs"),
        (b'{"id": 12345, "documents": []}', "12345"),  # wrong type for id, still named
        (b'{"id": "badage", "request": {"patient_age": "old"}, "documents": []}', "badage"),
        (b'{"id": "badspan", "documents": [{"id": "n", "text": 5}]}', "badspan"),
        (b'{"id": "dupdocs", "documents": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]}', "dupdocs"),
        (_good("[/]bad[link=http://example.invalid]x[/link]").encode(), "[/]bad[link=http://example.invalid]x[/link]"),
        (_good("crlf").encode() + b"\r", "crlf"),
        (_good("last-without-newline").encode(), "last-without-newline"),
    ]


def test_battery_one_record_per_line_in_order_no_traceback(tmp_path):
    lines = battery()
    src = tmp_path / "bad.jsonl"
    src.write_bytes(b"\xef\xbb\xbf" + b"\n".join(raw for raw, _ in lines))  # a BOM first; no final newline
    out = tmp_path / "out.jsonl"
    proc = subprocess.run([sys.executable, "-m", "priorauth.cli", "review", "--cases", str(src), "-o", str(out)],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    recs = [json.loads(x) for x in out.read_text(encoding="utf-8").split("\n") if x]
    assert len(recs) == len(lines)
    assert [r["line"] for r in recs] == list(range(1, len(lines) + 1))
    for rec, (raw, cid) in zip(recs, lines):
        assert rec.get("case_id") == cid, (rec.get("error"), raw[:60])
        if "error" in rec:
            assert not rec["error"].startswith("invalid case: : ") and ": : " not in rec["error"]
    assert recs[0]["decision"] and "error" not in recs[0]  # the BOM did not cost the first case
    assert recs[1]["decision"] == "meets_criteria"  # U+2028/2029/0085 stayed inside one case
    assert "UTF-8" in recs[2]["error"] and ("recursion" in recs[3]["error"] or "nested" in recs[3]["error"])
    assert recs[4]["error"] == "empty line"
    assert all("error" in r for r in recs[2:10])
    assert recs[10]["decision"] == "incomplete" or "decision" in recs[10]  # a huge id is still reviewed
    assert all("error" not in recs[i] for i in (16, 17, 18))
    assert "café" not in out.read_text(encoding="utf-8", errors="replace")
    # the worker processes give the same records, in the same order
    out2 = tmp_path / "out2.jsonl"
    proc = subprocess.run([sys.executable, "-m", "priorauth.cli", "review", "--cases", str(src), "-o", str(out2), "--workers", "2"],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert out2.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_evaluate_and_check_read_the_same_lines(tmp_path):
    src = tmp_path / "bad.jsonl"
    lines = battery()
    src.write_bytes(b"\xef\xbb\xbf" + b"\n".join(raw for raw, _ in lines))
    res = runner.invoke(app, ["evaluate", "--check", str(src), "--json"])
    assert res.exit_code == 1 and res.exception is None or isinstance(res.exception, SystemExit)
    problems = json.loads(res.stdout)["problems"]
    assert all(p["line"] <= len(lines) for p in problems)
    bad_lines = {p["line"] for p in problems}
    assert 1 not in bad_lines and 2 not in bad_lines  # the BOM and U+2028 do not break a case
    assert {3, 4, 7, 10} <= bad_lines
    res = runner.invoke(app, ["evaluate", str(src), "--json"])
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output
    assert json.loads(res.stdout)["cases"] == 1  # only dev-001 carries gold labels
