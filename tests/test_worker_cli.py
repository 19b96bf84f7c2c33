"""A worker process is configured like `priorauth serve`: its flags, else the same environment variables.
A worker started with only PRIORAUTH_DATABASE_URL set used to open SQLite in its data directory and wait for
jobs that were never queued there."""

from __future__ import annotations

from pathlib import Path

import pytest

from priorauth.service.worker import build_parser


def test_worker_reads_the_database_and_data_directory_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PRIORAUTH_DATABASE_URL", "postgresql+psycopg://pa:pw@db/priorauth")
    monkeypatch.setenv("PRIORAUTH_DATA_DIR", str(tmp_path))
    args = build_parser().parse_args([])
    assert args.database_url == "postgresql+psycopg://pa:pw@db/priorauth"
    assert Path(args.data_dir) == tmp_path


def test_worker_flags_win_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PRIORAUTH_DATABASE_URL", "postgresql+psycopg://pa:pw@db/priorauth")
    monkeypatch.setenv("PRIORAUTH_DATA_DIR", str(tmp_path / "env"))
    args = build_parser().parse_args(["--database-url", "sqlite:///x", "--data-dir", str(tmp_path / "flag")])
    assert args.database_url == "sqlite:///x" and Path(args.data_dir) == tmp_path / "flag"


def test_worker_without_a_data_directory_is_refused(monkeypatch):
    monkeypatch.delenv("PRIORAUTH_DATA_DIR", raising=False)
    with pytest.raises(SystemExit):
        build_parser().parse_args([])
