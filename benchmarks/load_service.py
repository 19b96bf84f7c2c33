"""Load test of the review service on 127.0.0.1: many packets, concurrent clients, exactly one review each.

    .venv/bin/python benchmarks/load_service.py [--packets 200] [--clients 20] [--database-url URL] [--json]

`--hostile` runs the hostile-input attack instead (run_hostile; tests/test_hostile_service_live.py asserts it).

Starts a real `priorauth serve` (uvicorn) on a free 127.0.0.1 port with a fresh
data directory, plus extra worker processes competing for the same queue;
uploads the packets from concurrent clients, waits (bounded) until every one is
reviewed, then checks each has exactly one review and prints throughput and
p50/p95 latency from upload to ready (server clock). Then the crash case: a
worker process is killed (SIGKILL) in the middle of a review; the job must be
retried after its lease and reviewed exactly once. Figures, not assertions:
tests/test_service_load.py runs a small version and asserts exactly-once.
With --database-url the same runs against PostgreSQL (its tables are dropped first).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator, Optional

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
NOTE = (ROOT / "examples" / "lumbar_radiculopathy.txt").read_text(encoding="utf-8")
ADMIN_PASSWORD = "load-test-admin-password"
FILLER = "Follow-up visit. Patient doing about the same, stable mild stiffness in the morning.\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reset_postgres(url: str) -> None:
    """Drop the service's tables so a run starts from an empty, freshly migrated schema."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PRIORAUTH_ADMIN_PASSWORD=ADMIN_PASSWORD, **extra)
    env.pop("PRIORAUTH_DATABASE_URL", None)
    return env


@contextmanager
def server(data_dir: Path, database_url: Optional[str], workers: int, log: Path,
           env: Optional[dict[str, str]] = None, procs: Optional[list] = None) -> Iterator[str]:
    """A real `priorauth serve` subprocess; stopped (SIGTERM, then SIGKILL) on exit. `procs` receives its Popen."""
    port = free_port()
    cmd = [sys.executable, "-m", "priorauth.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
           "--data-dir", str(data_dir), "--workers", str(workers)]
    if database_url:
        cmd += ["--database-url", database_url]
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(**(env or {})), stdout=out, stderr=subprocess.STDOUT)
    if procs is not None:
        procs.append(proc)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with {proc.returncode}; see {log}")
            try:
                if httpx.get(base + "/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 90 s")
            time.sleep(0.2)
        yield base
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_worker(data_dir: Path, database_url: Optional[str], lease: float, log: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "priorauth.service.worker", "--data-dir", str(data_dir), "--lease-seconds", str(lease)]
    if database_url:
        cmd += ["--database-url", database_url]
    with open(log, "ab") as out:
        return subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=out, stderr=subprocess.STDOUT)


def admin_token(base: str) -> str:
    """The bootstrap admin's token: the audit log's full trail is the plan's (a clinic sees only its own steps)."""
    return httpx.post(base + "/api/tokens", json={"username": "admin", "password": ADMIN_PASSWORD}).json()["token"]


def submitter_token(base: str) -> str:
    h = {"Authorization": f"Bearer {admin_token(base)}"}
    r = httpx.post(base + "/api/users", headers=h, json={"username": "loadclinic", "password": "load-clinic-password",
                                                          "role": "submitter", "org": "clinic"})
    assert r.status_code in (201, 409), r.text
    return httpx.post(base + "/api/tokens", json={"username": "loadclinic", "password": "load-clinic-password"}).json()["token"]


def upload(base: str, token: str, i: int, text: str, urgency: str = "standard") -> str:
    """Create one request and attach its note; returns the request id."""
    h = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=h, timeout=60) as c:
        r = c.post("/api/requests", json={"cpt_codes": ["72148"], "patient_age": 40 + i % 40, "request_date": "2026-03-02",
                                           "urgency": urgency, "has_standard_written_order": True})
        r.raise_for_status()
        rid = r.json()["id"]
        c.post(f"/api/requests/{rid}/files", files={"files": (f"note-{i}.txt", text.encode(), "text/plain")}).raise_for_status()
    return rid


def packet(i: int) -> str:
    return f"Packet {i}.\n" + NOTE + ("\nPT visit: back pain unchanged.\n" if i % 3 == 0 else "")


def wait_ready(base: str, token: str, ids: list[str], timeout: float) -> dict[str, dict]:
    """Poll until every request is ready or failed (bounded); returns the last status of each."""
    h = {"Authorization": f"Bearer {token}"}
    last: dict[str, dict] = {}
    pending = set(ids)
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base, headers=h, timeout=30) as c:
        while pending and time.monotonic() < deadline:
            rows = c.get("/api/requests", params={"view": "all"}).json()
            for row in rows:
                if row["id"] in pending and row["status"] in ("ready", "failed"):
                    pending.discard(row["id"])
                    last[row["id"]] = row
            if pending:
                time.sleep(0.25)
    for rid in pending:
        last[rid] = {"status": "timeout"}
    return last


def audit_counts(base: str, token: str, rid: str) -> tuple[int, Optional[datetime], Optional[datetime]]:
    """(number of review_ready entries, upload time, ready time) from the request's audit log."""
    trail = httpx.get(f"{base}/api/requests/{rid}/audit", headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
    ready = [e for e in trail if e["action"] == "review_ready"]
    up = next((e["at"] for e in trail if e["action"] == "files_uploaded"), None)
    return len(ready), datetime.fromisoformat(up) if up else None, datetime.fromisoformat(ready[0]["at"]) if ready else None


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs)) - 1))] if xs else float("nan")


def run_load(packets: int, clients: int, database_url: Optional[str] = None, server_workers: int = 1,
             extra_workers: int = 1, timeout: float = 900) -> dict:
    """Upload `packets` from `clients` concurrent clients and check each is reviewed exactly once."""
    if database_url:
        reset_postgres(database_url)
    with tempfile.TemporaryDirectory(prefix="priorauth-load-") as tmp:
        data = Path(tmp) / "data"
        log = Path(tmp) / "server.log"
        with server(data, database_url, server_workers, log) as base:
            token = submitter_token(base)
            procs = [start_worker(data, database_url, 300, log) for _ in range(extra_workers)]
            try:
                t0 = time.monotonic()
                with ThreadPoolExecutor(clients) as pool:
                    ids = list(pool.map(lambda i: upload(base, token, i, packet(i)), range(packets)))
                uploaded = time.monotonic() - t0
                final = wait_ready(base, token, ids, timeout)
                elapsed = time.monotonic() - t0
                with ThreadPoolExecutor(8) as pool:
                    plan = admin_token(base)
                    counts = list(pool.map(lambda rid: audit_counts(base, plan, rid), ids))
            finally:
                for p in procs:
                    stop(p)
            logs = log.read_text(errors="replace")
    latencies = [(done - up).total_seconds() for n, up, done in counts if up and done]
    statuses = [final[rid]["status"] for rid in ids]
    return {"backend": "postgresql" if database_url else "sqlite", "packets": packets, "clients": clients,
            "unique_ids": len(set(ids)), "ready": statuses.count("ready"), "failed": statuses.count("failed"),
            "lost": statuses.count("timeout"), "reviews_per_packet": sorted({n for n, _, _ in counts}),
            "duplicated": sum(n > 1 for n, _, _ in counts), "upload_seconds": round(uploaded, 2),
            "elapsed_seconds": round(elapsed, 2), "throughput_per_s": round(packets / elapsed, 2),
            "p50_latency_s": round(statistics.median(latencies), 2) if latencies else None,
            "p95_latency_s": round(pct(latencies, 95), 2) if latencies else None,
            "note_text_in_server_log": "Packet 0." in logs or "bus driver" in logs}


def run_kill(database_url: Optional[str] = None, lease: float = 3.0, timeout: float = 180) -> dict:
    """A worker process is SIGKILLed while it reviews a long packet; another worker retries it after the lease."""
    if database_url:
        reset_postgres(database_url)
    with tempfile.TemporaryDirectory(prefix="priorauth-kill-") as tmp:
        data = Path(tmp) / "data"
        log = Path(tmp) / "server.log"
        with server(data, database_url, 0, log) as base:
            token = submitter_token(base)
            h = {"Authorization": f"Bearer {token}"}
            victim = start_worker(data, database_url, lease, log)
            rescuer = None
            try:
                rid = upload(base, token, 0, FILLER * 1500 + NOTE)  # ~30 pages: the review takes a while
                deadline = time.monotonic() + timeout
                killed_while = None
                while time.monotonic() < deadline:
                    st = httpx.get(f"{base}/api/requests/{rid}", headers=h).json()
                    if st["status"] == "reviewing":
                        victim.send_signal(signal.SIGKILL)
                        victim.wait()
                        killed_while = httpx.get(f"{base}/api/requests/{rid}", headers=h).json()["status"]
                        break
                    time.sleep(0.02)
                rescuer = start_worker(data, database_url, lease, log)
                final = wait_ready(base, token, [rid], timeout)[rid]
                n, _, _ = audit_counts(base, admin_token(base), rid)
            finally:
                for p in (victim, rescuer):
                    if p is not None:
                        stop(p)
    return {"backend": "postgresql" if database_url else "sqlite", "killed_while": killed_while,
            "final_status": final["status"], "attempts": final.get("attempts"), "reviews": n}


def _account(base: str, admin: dict[str, str], username: str, password: str, role: str, org: str) -> str:
    r = httpx.post(base + "/api/users", headers=admin, json={"username": username, "password": password, "role": role,
                                                             "org": org})
    assert r.status_code in (201, 409), r.text
    return httpx.post(base + "/api/tokens", json={"username": username, "password": password}).json()["token"]


def run_hostile(timeout: float = 240, docx_paragraphs: int = 40000) -> dict:
    """Attack a real server (fresh TMPDIR of its own) in one run, with a normal packet after each attack.

    Sends a PDF whose page stream is a decompression bomb, a PDF page with a 100-megapixel image, a PNG declaring
    2.5 gigapixels, a TIFF whose second page is 30000x30000, a PNG whose dpi tag would stretch it to 600 megapixels,
    a large DOCX (a sign-in is sent while it parses), 30 wrong passwords against one account, and oversized fields.
    Returns what tests/test_hostile_service_live.py asserts, and timings (figures for docs/evaluation.md).
    """
    sys.path.insert(0, str(ROOT))
    from tests import bombs

    out: dict = {"attacks": {}, "normal": []}
    with tempfile.TemporaryDirectory(prefix="priorauth-hostile-") as tmp:
        data, log, server_tmp = Path(tmp) / "data", Path(tmp) / "server.log", Path(tmp) / "server-tmp"
        server_tmp.mkdir()
        procs: list = []
        t_all = time.monotonic()
        with server(data, None, 1, log, env={"TMPDIR": str(server_tmp)}, procs=procs) as base:
            admin_token = httpx.post(base + "/api/tokens", json={"username": "admin", "password": ADMIN_PASSWORD}).json()["token"]
            admin = {"Authorization": f"Bearer {admin_token}"}
            clinic = _account(base, admin, "hostileclinic", "hostile clinic marble seven", "submitter", "clinic")
            nurse = _account(base, admin, "hostilenurse", "quiet nurse harbor lamp", "nurse", "plan")
            h = {"Authorization": f"Bearer {clinic}"}
            normal: list[str] = []

            def attach(name: str, blob: bytes) -> tuple[str, int, float]:
                with httpx.Client(base_url=base, headers=h, timeout=120) as c:
                    rid = c.post("/api/requests", json={"cpt_codes": ["72148"], "patient_age": 50}).json()["id"]
                    t0 = time.monotonic()
                    r = c.post(f"/api/requests/{rid}/files", files={"files": (name, blob)})
                    return rid, r.status_code, time.monotonic() - t0

            def then_normal() -> None:
                normal.append(upload(base, clinic, len(normal), packet(len(normal))))

            bad_files = [("content-bomb.pdf", bombs.pdf_content_bomb(80)), ("image-bomb.pdf", bombs.pdf_image_bomb(10000)),
                         ("gigapixels.png", bombs.png_header_bomb()), ("second-frame.tif", bombs.tiff_big_second_frame()),
                         ("stretched.png", bombs.png_with_dpi((1, 600)))]
            refused_later = []
            for name, blob in bad_files:
                rid, status, secs = attach(name, blob)
                out["attacks"][name] = {"upload_status": status, "upload_seconds": round(secs, 2)}
                if status == 201:
                    refused_later.append((name, rid))
                then_normal()

            # a large DOCX: a sign-in sent while it parses must not wait for it
            docx = bombs.docx_with_text(docx_paragraphs)
            with ThreadPoolExecutor(1) as pool:
                t0 = time.monotonic()
                pending = pool.submit(attach, "large.docx", docx)
                time.sleep(0.3)
                s0 = time.monotonic()
                signin = httpx.post(base + "/api/tokens", json={"username": "hostileclinic",
                                                                "password": "hostile clinic marble seven"}, timeout=120)
                signed_in_at = time.monotonic() - t0
                signin_seconds = time.monotonic() - s0
                rid_docx, docx_status, _ = pending.result()
                parsed_at = time.monotonic() - t0
            out["attacks"]["large.docx"] = {"upload_status": docx_status, "bytes": len(docx), "upload_seconds": round(parsed_at, 2),
                                            "signin_status": signin.status_code,
                                            "signin_seconds": round(signin_seconds, 2),
                                            "signin_done_at": round(signed_in_at, 2)}
            if docx_status == 201:
                refused_later.append(("large.docx", rid_docx))
            then_normal()

            # 30 wrong passwords against one account, then its right password, then another account
            codes = [httpx.post(base + "/api/tokens", json={"username": "hostilenurse", "password": f"guess number {i}"}).status_code
                     for i in range(30)]
            right = httpx.post(base + "/api/tokens", json={"username": "hostilenurse", "password": "quiet nurse harbor lamp"})
            other = httpx.post(base + "/api/tokens", json={"username": "hostileclinic", "password": "hostile clinic marble seven"})
            out["attacks"]["wrong_passwords"] = {"codes": sorted(set(codes)), "right_password_status": right.status_code,
                                                 "retry_after": right.headers.get("retry-after"),
                                                 "other_account_status": other.status_code}
            then_normal()

            # oversized and malformed fields
            with httpx.Client(base_url=base, headers=h, timeout=60) as c:
                fields = {
                    "icd10_5mb": c.post("/api/requests", json={"cpt_codes": ["72148"], "icd10_codes": ["x" * (5 << 20)]}).status_code,
                    "icd10_markup": c.post("/api/requests", json={"cpt_codes": ["72148"], "icd10_codes": ["<b>M54</b>"]}).status_code,
                    "missing_20x2mb": httpx.post(f"{base}/api/requests/{normal[0]}/actions", timeout=60,
                                                 headers={"Authorization": f"Bearer {nurse}"},
                                                 json={"action": "request_information",
                                                       "missing": ["x" * (2 << 20)] * 20}).status_code,
                }
            out["attacks"]["fields"] = fields
            then_normal()

            final = wait_ready(base, clinic, normal + [rid for _, rid in refused_later], timeout)
            out["normal"] = [final[rid]["status"] for rid in normal]
            for name, rid in refused_later:
                out["attacks"][name].update(job_status=final[rid]["status"], attempts=final[rid].get("attempts"),
                                            error=final[rid].get("error"))
            out["server_up"] = procs[0].poll() is None and httpx.get(base + "/login").status_code == 200
            out["tmpdir_while_running"] = sorted(p.name for p in server_tmp.iterdir())
        out["tmpdir_after"] = sorted(p.name for p in server_tmp.iterdir())
        out["seconds"] = round(time.monotonic() - t_all, 1)
        text = log.read_text(errors="replace")
        out["traceback_in_log"] = "Traceback" in text
        out["note_text_in_log"] = "bus driver" in text or "Packet 0." in text
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="Load test of priorauth serve on 127.0.0.1")
    ap.add_argument("--packets", type=int, default=200)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--server-workers", type=int, default=1, help="review threads inside the server process")
    ap.add_argument("--extra-workers", type=int, default=1, help="separate worker processes on the same queue")
    ap.add_argument("--database-url", default=os.environ.get("PRIORAUTH_TEST_DATABASE_URL"),
                    help="also run against this PostgreSQL (its public schema is dropped!)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--hostile", action="store_true", help="only the hostile-input run (bombs, lockout, big DOCX)")
    args = ap.parse_args()
    if args.hostile:
        print(json.dumps(run_hostile(), indent=2))
        return
    results = []
    for url in [None] + ([args.database_url] if args.database_url else []):
        results.append(run_load(args.packets, args.clients, url, args.server_workers, args.extra_workers))
        results.append(run_kill(url))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for r in results:
        if "packets" in r:
            print(f"[{r['backend']}] {r['packets']} packets, {r['clients']} clients: {r['ready']} ready, {r['failed']} failed, "
                  f"{r['lost']} lost, {r['duplicated']} duplicated (reviews per packet {r['reviews_per_packet']}); "
                  f"{r['throughput_per_s']} packets/s over {r['elapsed_seconds']} s (uploads took {r['upload_seconds']} s); "
                  f"upload->ready p50 {r['p50_latency_s']} s, p95 {r['p95_latency_s']} s; "
                  f"note text in server log: {r['note_text_in_server_log']}")
        else:
            print(f"[{r['backend']}] worker killed while the job was {r['killed_while']}: final {r['final_status']} "
                  f"after {r['attempts']} attempts, {r['reviews']} review(s)")


if __name__ == "__main__":
    main()
