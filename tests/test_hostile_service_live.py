"""One hostile run against a real uvicorn on 127.0.0.1 with a fresh TMPDIR of its own (benchmarks/load_service.py
run_hostile): bombs, a large DOCX, 30 wrong passwords and oversized fields, each followed by a normal packet.
Timings are the benchmark's to print, not this test's to assert."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from load_service import run_hostile  # noqa: E402


def test_the_server_survives_a_hostile_run_and_keeps_serving():
    r = run_hostile(timeout=240, docx_paragraphs=25000)
    a = r["attacks"]
    assert r["server_up"]
    assert r["normal"] and set(r["normal"]) == {"ready"}, r["normal"]
    # bombs: refused at upload (413) or failed as their own job at the first attempt, with a sentence
    assert a["gigapixels.png"]["upload_status"] == 413
    for name in ("content-bomb.pdf", "image-bomb.pdf", "second-frame.tif", "stretched.png", "large.docx"):
        assert a[name]["upload_status"] in (201, 413, 422), (name, a[name])
        if a[name]["upload_status"] == 201:
            assert a[name]["job_status"] == "failed" and a[name]["attempts"] == 1 and a[name]["error"], (name, a[name])
    # a sign-in sent while the large upload parses completes before that parse ends
    docx = a["large.docx"]
    assert docx["signin_status"] == 201 and docx["signin_done_at"] < docx["upload_seconds"], docx
    # the attacked account is throttled, another account signs in from the same address
    pw = a["wrong_passwords"]
    assert pw["codes"] == [401, 429] and pw["right_password_status"] == 429 and pw["other_account_status"] == 201
    assert a["fields"] == {"icd10_5mb": 413, "icd10_markup": 422, "missing_20x2mb": 413}
    assert r["tmpdir_while_running"] == [] and r["tmpdir_after"] == []
    assert not r["traceback_in_log"] and not r["note_text_in_log"]
