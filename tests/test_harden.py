"""Issue 12: nothing lost, nothing cryptic. One test per item (the battery is tests/test_bad_input.py)."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from priorauth.batch import ExtractorSpec, run_batch
from priorauth.cli import app
from priorauth.cli_io import parse_cli_date
from priorauth.jsonl import InputError, split_lines
from tests.conftest import DEV

runner = CliRunner()
EXAMPLE = "examples/lumbar_radiculopathy.txt"
ARGS = ["--cpt", "72148", "--age", "52", "--request-date", "2026-03-02"]


def dev_lines(n: int) -> list[str]:
    return DEV.read_text(encoding="utf-8").split("\n")[:n]


def write_cases(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def clean_failure(res, *words: str) -> None:
    """A non-zero exit with a sentence, and no traceback (no exception other than the exit itself)."""
    assert res.exit_code != 0
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output
    for w in words:
        assert w in res.output, res.output


# --- reading batch input -------------------------------------------------------------------------------------------

def test_lines_split_on_newline_only_and_decode_per_line():
    data = b"\xef\xbb\xbf" + '{"a": "x\u2028y\u2029z\u0085w"}'.encode() + b"\n\xff\xfe\n\r\nlast"
    lines = list(split_lines(data))
    assert [x.number for x in lines] == [1, 2, 3, 4]
    assert json.loads(lines[0].text)["a"] == "x\u2028y\u2029z\u0085w"
    assert lines[1].problem and "UTF-8" in lines[1].problem and lines[2].text == "" and lines[3].text == "last"


def test_review_records_carry_their_line(tmp_path):
    src = write_cases(tmp_path / "in.jsonl", dev_lines(2))
    res = runner.invoke(app, ["review", "--cases", str(src), "-o", str(tmp_path / "out.jsonl")])
    assert res.exit_code == 0, res.output
    recs = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["line"] for r in recs] == [1, 2] and all("decision" in r for r in recs)


# --- output files --------------------------------------------------------------------------------------------------

def test_output_refuses_the_input_file_and_existing_files(tmp_path):
    src = write_cases(tmp_path / "in.jsonl", dev_lines(2))
    before = src.read_bytes()
    clean_failure(runner.invoke(app, ["review", "--cases", str(src), "-o", str(src)]), "input file")
    clean_failure(runner.invoke(app, ["review", "--cases", str(src), "-o", str(src), "--force"]), "input file")
    assert src.read_bytes() == before
    out = tmp_path / "out.jsonl"
    out.write_text("keep me\n")
    clean_failure(runner.invoke(app, ["review", "--cases", str(src), "-o", str(out)]), "already exists", "--force")
    assert out.read_text() == "keep me\n"
    res = runner.invoke(app, ["review", "--cases", str(src), "-o", str(out), "--force"])
    assert res.exit_code == 0 and len(out.read_text().splitlines()) == 2
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # reviews quote notes: owner-only
    assert not (tmp_path / "out.jsonl.partial").exists()


def test_resume_skips_cases_already_written_and_appends(tmp_path):
    lines = dev_lines(4)
    src = write_cases(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    # an interrupted run: two complete records (one marked, to prove it is kept as written) and a record cut off
    first = runner.invoke(app, ["review", "--cases", str(write_cases(tmp_path / "two.jsonl", lines[:2])), "-o", str(out)])
    assert first.exit_code == 0
    kept = [json.loads(x) for x in out.read_text().splitlines()]
    kept[0]["marker"] = "kept"
    (tmp_path / "out.jsonl.partial").write_text("".join(json.dumps(r) + "\n" for r in kept) + '{"case_id": "dev-0')
    out.unlink()
    clean_failure(runner.invoke(app, ["review", "--cases", str(src), "-o", str(out)]), "--resume")
    res = runner.invoke(app, ["review", "--cases", str(src), "-o", str(out), "--resume"])
    assert res.exit_code == 0, res.output
    recs = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["case_id"] for r in recs] == ["dev-001", "dev-002", "dev-003", "dev-004"]
    assert recs[0]["marker"] == "kept" and [r["line"] for r in recs] == [1, 2, 3, 4]
    # resuming a finished output adds nothing
    again = runner.invoke(app, ["review", "--cases", str(src), "-o", str(out), "--resume"])
    assert again.exit_code == 0 and len(out.read_text().splitlines()) == 4


# --- one clear sentence, never a traceback ------------------------------------------------------------------------

def test_ordinary_mistakes_get_one_sentence(tmp_path):
    clean_failure(runner.invoke(app, ["review", str(tmp_path / "nope.txt"), *ARGS]), "does not exist")
    clean_failure(runner.invoke(app, ["review", str(tmp_path), *ARGS]), "is a directory")
    clean_failure(runner.invoke(app, ["review", "--cases", str(tmp_path / "none.jsonl"), "-o", str(tmp_path / "o.jsonl")]),
                  "does not exist")
    src = write_cases(tmp_path / "in.jsonl", dev_lines(1))
    clean_failure(runner.invoke(app, ["review", "--cases", str(src), "-o", str(tmp_path)]), "is a directory")
    clean_failure(runner.invoke(app, ["evaluate", str(tmp_path / "none.jsonl")]), "does not exist")
    clean_failure(runner.invoke(app, ["review", EXAMPLE, "--cpt", "72148", "--request-date", "21/04/2026"]), "YYYY-MM-DD")
    clean_failure(runner.invoke(app, ["evaluate", str(DEV), "--report", str(tmp_path)]), "is a directory")
    clean_failure(runner.invoke(app, ["review", EXAMPLE, *ARGS, "--html", str(tmp_path)]), "is a directory")
    clean_failure(runner.invoke(app, ["evaluate-negation", str(tmp_path / "none.txt")]), "does not exist")
    clean_failure(runner.invoke(app, ["evaluate", "--compare", str(tmp_path / "a.json"), str(tmp_path / "b.json")]),
                  "does not exist")
    clean_failure(runner.invoke(app, ["review", "-", *ARGS], input=b"low back pain \xff\xfe"), "not UTF-8")
    for bad in ("200", "-3", "old"):
        clean_failure(runner.invoke(app, ["review", EXAMPLE, "--cpt", "72148", "--age", bad]), "--age")


def test_us_dates_are_accepted():
    assert parse_cli_date("04/21/2026", "--request-date") == parse_cli_date("2026-04-21", "x") == parse_cli_date("4/21/26", "x")
    with pytest.raises(InputError, match="MM/DD/YYYY"):
        parse_cli_date("2026/21/04", "--request-date")
    a = runner.invoke(app, ["review", EXAMPLE, "--cpt", "72148", "--age", "52", "--request-date", "03/02/2026", "--json"])
    b = runner.invoke(app, ["review", EXAMPLE, *ARGS, "--json"])
    assert a.exit_code == 0 and json.loads(a.stdout)["conservative_therapy"] == json.loads(b.stdout)["conservative_therapy"]


def test_case_ids_are_not_read_as_markup(tmp_path):
    case = json.loads(dev_lines(1)[0])
    wrong = "not_met" if case["gold"]["decision"] != "not_met" else "meets_criteria"
    lines = []
    for cid in ("[/]", "[link=http://example.invalid]click[/link]"):
        lines.append(json.dumps({**case, "id": cid, "gold": {**case["gold"], "decision": wrong}}))
    src = write_cases(tmp_path / "ids.jsonl", lines)
    res = runner.invoke(app, ["evaluate", str(src)])
    assert res.exit_code == 0, res.output
    assert "[/]" in res.output and "[link=http://example.invalid]click[/link]" in res.output


# --- HTML pages ----------------------------------------------------------------------------------------------------

def test_html_dir_names_are_unique_and_index_is_kept(tmp_path):
    case = json.loads(dev_lines(1)[0])
    long = "a" * 130
    ids = [long + "x", long + "y", long + "x-2", "index", "INDEX"]
    src = write_cases(tmp_path / "in.jsonl", [json.dumps({**case, "id": i}) for i in ids])
    pages = tmp_path / "pages"
    res = runner.invoke(app, ["review", "--cases", str(src), "-o", str(tmp_path / "o.jsonl"), "--html-dir", str(pages)])
    assert res.exit_code == 0, res.output
    files = sorted(p.name for p in pages.iterdir())
    assert stat.S_IMODE(pages.stat().st_mode) == 0o700  # pages quote notes (PHI): owner only
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in pages.iterdir())
    assert len(files) == len(ids) + 1 and "index.html" in files
    index = (pages / "index.html").read_text()
    assert index.count("<tr class=") == len(ids) and "<th" in index  # the index was not overwritten by case "index"
    for name in files:
        if name != "index.html":
            assert f'href="{name}"' in index


# --- workers -------------------------------------------------------------------------------------------------------

def test_workers_with_a_bad_llm_configuration_fail_before_writing(tmp_path, monkeypatch):
    monkeypatch.delenv("PRIORAUTH_LLM_MODEL", raising=False)
    src = write_cases(tmp_path / "in.jsonl", dev_lines(2))
    out = tmp_path / "out.jsonl"
    out.write_text("previous results\n")
    res = runner.invoke(app, ["review", "--cases", str(src), "-o", str(out), "--workers", "2", "--extractor", "llm", "--force"])
    clean_failure(res, "PRIORAUTH_LLM_MODEL")
    assert out.read_text() == "previous results\n" and not (tmp_path / "out.jsonl.partial").exists()


class BrokenSpec(ExtractorSpec):
    """Passes the parent's check but cannot be built in a worker."""

    def build(self):
        raise RuntimeError("cannot build here")


def test_a_broken_worker_pool_still_gives_one_record_per_line():
    lines = dev_lines(3)
    recs = list(run_batch(lines, BrokenSpec(), workers=2))
    assert len(recs) == 3 and all("worker process" in r["error"] for r in recs)
    assert [r["line"] for r in recs] == [1, 2, 3] and [r["case_id"] for r in recs] == ["dev-001", "dev-002", "dev-003"]


def _workers(pid: int) -> set[int]:
    """Forked worker processes of `pid`: its children running its own command line (not a passing helper program)."""
    try:
        own = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return set()
    out = set()
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if int((p / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid and (p / "cmdline").read_bytes() == own:
                    out.add(int(p.name))
            except (OSError, IndexError, ValueError):
                pass
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_sigterm_stops_workers_and_resume_finishes(tmp_path):
    lines = DEV.read_text(encoding="utf-8").split("\n")
    lines = [x for x in lines if x.strip()]
    src = write_cases(tmp_path / "in.jsonl", lines)
    out, partial = tmp_path / "out.jsonl", tmp_path / "out.jsonl.partial"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    cmd = [sys.executable, "-m", "priorauth.cli", "review", "--cases", str(src), "-o", str(out), "--workers", "2"]
    log = tmp_path / "stderr.txt"
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))  # orphans would hold pipes open
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:  # the two workers are up
        workers = _workers(proc.pid)
        time.sleep(0.1)
    assert len(workers) >= 2, "the batch should run worker processes"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    stderr = log.read_text()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    alive = [w for w in workers if _alive(w)]
    for w in alive:  # clean up after a failure, then report it
        os.kill(w, signal.SIGKILL)
    assert not alive, "orphaned workers"
    assert proc.returncode == 128 + signal.SIGTERM and "Traceback" not in stderr and "--resume" in stderr
    assert not out.exists() and partial.exists()
    done = partial.read_text().splitlines()
    assert len(done) < len(lines) and all(json.loads(x) for x in done)  # whole records only
    res = subprocess.run(cmd + ["--resume"], env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    recs = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["line"] for r in recs] == list(range(1, len(lines) + 1))
