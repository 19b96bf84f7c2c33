"""The CLI under hostile or unlucky surroundings: planted links, unwritable outputs, absurd worker counts."""

from __future__ import annotations

import stat
from pathlib import Path

from typer.testing import CliRunner

import priorauth.cli as cli
from priorauth.cli import app
from tests.test_harden import ARGS, EXAMPLE, clean_failure, dev_lines, write_cases

runner = CliRunner()


def test_a_planted_symlink_at_the_partial_file_is_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    cases = write_cases(tmp_path / "cases.jsonl", dev_lines(1))
    out = tmp_path / "out.jsonl"
    (tmp_path / "out.jsonl.partial").symlink_to(victim)
    res = runner.invoke(app, ["review", "--cases", str(cases), "-o", str(out), "--force"])
    clean_failure(res, "symbolic link")
    assert victim.read_text() == "keep me"


def test_html_page_replaces_a_planted_symlink_instead_of_writing_through_it(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    page = tmp_path / "page.html"
    page.symlink_to(victim)
    res = runner.invoke(app, ["review", EXAMPLE, *ARGS, "--html", str(page)])
    assert res.exit_code == 0, res.output
    assert victim.read_text() == "keep me"
    assert not page.is_symlink() and stat.S_IMODE(page.stat().st_mode) == 0o600 and "<html" in page.read_text()


def test_unwritable_output_and_html_give_one_sentence(tmp_path, monkeypatch):
    """A directory we may not write in (simulated: the suite may run as root, who may write anywhere)."""
    import priorauth.cli_io as cli_io

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cli_io.tempfile, "mkstemp", denied)
    res = runner.invoke(app, ["review", EXAMPLE, *ARGS, "--html", str(tmp_path / "page.html")])
    clean_failure(res, "cannot write", "permission denied")
    monkeypatch.setattr(cli_io.os, "open", denied)
    cases = write_cases(tmp_path / "cases.jsonl", dev_lines(1))
    res = runner.invoke(app, ["review", "--cases", str(cases), "-o", str(tmp_path / "out.jsonl")])
    clean_failure(res, "cannot write", "permission denied")


def test_workers_are_capped_at_the_cases_and_the_cpus(tmp_path, monkeypatch):
    seen = []

    def fake_run_batch(todo, spec, workers, extractor, **kw):
        seen.append(workers)
        return iter([])

    monkeypatch.setattr(cli, "run_batch", fake_run_batch)
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 8)
    cases = write_cases(tmp_path / "cases.jsonl", dev_lines(2))
    runner.invoke(app, ["review", "--cases", str(cases), "-o", str(tmp_path / "o.jsonl"), "--workers", "12"])
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 1)
    runner.invoke(app, ["review", "--cases", str(cases), "-o", str(tmp_path / "p.jsonl"), "--workers", "12"])
    assert seen == [2, 1]


def test_resume_does_not_truncate_through_a_planted_partial_link(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text('{"line": 1}\npartial line')
    cases = write_cases(tmp_path / "cases.jsonl", dev_lines(1))
    out = tmp_path / "out.jsonl"
    Path(str(out) + ".partial").symlink_to(victim)
    res = runner.invoke(app, ["review", "--cases", str(cases), "-o", str(out), "--resume"])
    clean_failure(res, "symbolic link")
    assert victim.read_text() == '{"line": 1}\npartial line'
