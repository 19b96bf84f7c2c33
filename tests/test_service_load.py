"""A bounded load test against a real uvicorn on 127.0.0.1: 40 packets from 8 clients, each reviewed exactly once.

The server has a review thread and a separate worker process competes for the
same queue, so claims really race. The full 200/20 run with figures is
benchmarks/load_service.py. Runs on PostgreSQL too when PRIORAUTH_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from load_service import run_load  # noqa: E402

PG_URL = os.environ.get("PRIORAUTH_TEST_DATABASE_URL")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_every_packet_is_reviewed_exactly_once_under_concurrent_uploads(backend):
    url = None
    if backend == "postgresql":
        if not PG_URL:
            if os.environ.get("CI"):
                pytest.fail("CI is set but PRIORAUTH_TEST_DATABASE_URL is not: the PostgreSQL tests must run")
            pytest.skip("PRIORAUTH_TEST_DATABASE_URL is not set")
        url = PG_URL
    r = run_load(packets=40, clients=8, database_url=url, server_workers=1, extra_workers=1, timeout=300)
    assert r["unique_ids"] == 40
    assert (r["ready"], r["failed"], r["lost"]) == (40, 0, 0)
    assert r["reviews_per_packet"] == [1] and r["duplicated"] == 0
    assert r["note_text_in_server_log"] is False
