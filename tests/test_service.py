"""The review service's API and pages: every route, the forbidden ones, bad uploads, the queue, actions and audit.

Runs on SQLite always and on PostgreSQL when PRIORAUTH_TEST_DATABASE_URL is set
(with CI set, a missing URL fails the PostgreSQL tests instead of skipping them).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from priorauth.models import Case
from priorauth.service.app import create_app
from priorauth.service.db import AppendOnly, AuditEntry, Base, PARequest, StoredFile, StoredReview
from priorauth.service.jobs import LeaseLost, Worker, claim, extend, finish, give_up_abandoned, process
from priorauth.service import security
from priorauth.service.security import add_user, issue_token
from priorauth.service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from load_service import reset_postgres  # noqa: E402 - shared with the load benchmark, as test_service_load does

EXAMPLE = (ROOT / "examples" / "lumbar_radiculopathy.txt").read_text(encoding="utf-8")
PG_URL = os.environ.get("PRIORAUTH_TEST_DATABASE_URL")
PASSWORD = "correct horse battery"
PEOPLE = {"admin": ("admin", "plan"), "sub_a": ("submitter", "clinic-a"), "sub_b": ("submitter", "clinic-b"),
          "nurse": ("nurse", "plan"), "doc": ("physician", "plan")}
REQ = {"cpt_codes": ["72148"], "patient_age": 52, "request_date": "2026-03-02", "urgency": "standard",
       "has_standard_written_order": True}


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request):
    if request.param == "sqlite":
        return None
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI is set but PRIORAUTH_TEST_DATABASE_URL is not: the PostgreSQL tests must run "
                        "(eval \"$(bash scripts/start-postgres.sh)\")")
        pytest.skip("PRIORAUTH_TEST_DATABASE_URL is not set")
    reset_postgres(PG_URL)
    return PG_URL


@pytest.fixture(scope="session")
def reviewer():
    from priorauth.service.jobs import default_reviewer

    return default_reviewer()


@dataclass
class Svc:
    client: TestClient
    app: object
    tokens: dict[str, str]
    reviewer: object

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    @property
    def settings(self) -> Settings:
        return self.app.state.settings

    @property
    def engine(self):
        return self.app.state.engine

    def create(self, who: str = "sub_a", **kw) -> str:
        r = self.client.post("/api/requests", json={**REQ, **kw}, headers=self.h(who))
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def submit(self, who: str = "sub_a", note: str = EXAMPLE, **kw) -> str:
        rid = self.create(who, **kw)
        r = self.client.post(f"/api/requests/{rid}/files", headers=self.h(who),
                             files={"files": ("note.txt", note.encode(), "text/plain")})
        assert r.status_code == 201, r.text
        return rid

    def drain(self, reviewer=None) -> list[str]:
        w = Worker(self.engine, self.settings, reviewer or self.reviewer)
        out = []
        while (s := w.run_once()) is not None:
            out.append(s)
        return out

    def count(self, model, **where) -> int:
        with self.app.state.sessions() as db:
            q = select(func.count()).select_from(model)
            for k, v in where.items():
                q = q.where(getattr(model, k) == v)
            return db.scalar(q)


FAST_HASH = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)  # still argon2id; the default costs ~0.5 s a user


def make_svc(tmp_path: Path, url, reviewer, monkeypatch, **settings) -> tuple[TestClient, Svc]:
    monkeypatch.setattr(security, "_hasher", FAST_HASH)
    s = Settings(data_dir=tmp_path / "data", database_url=url, workers=0, max_file_bytes=64 * 1024, **settings)
    app = create_app(s, start_workers=False)
    client = TestClient(app, base_url="https://testserver")
    client.__enter__()
    tokens = {}
    with app.state.sessions() as db:
        for name, (role, org) in PEOPLE.items():
            tokens[name] = issue_token(db, add_user(db, name, PASSWORD, role, org))
        db.commit()
    return client, Svc(client, app, tokens, reviewer)


@pytest.fixture
def svc(tmp_path, db_url, reviewer, monkeypatch):
    client, s = make_svc(tmp_path, db_url, reviewer, monkeypatch)
    yield s
    client.__exit__(None, None, None)


@pytest.fixture
def lite(tmp_path, reviewer, monkeypatch):
    """SQLite only, for the page and header tests where the backend does not matter."""
    client, s = make_svc(tmp_path, None, reviewer, monkeypatch)
    yield s
    client.__exit__(None, None, None)


# --- database and data directory -------------------------------------------------------------------


def _head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from priorauth.service.db import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()


def test_schema_is_migrated_and_matches_the_models(svc):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with svc.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert conn.execute(text("select version_num from alembic_version")).scalar() == _head_revision()
    assert diffs == []
    if svc.settings.database_url is None:
        for d in (svc.settings.data_dir, svc.settings.uploads_dir):
            assert stat.S_IMODE(d.stat().st_mode) == 0o700
        for f in svc.settings.data_dir.glob("priorauth.sqlite3*"):
            assert stat.S_IMODE(f.stat().st_mode) == 0o600, f


def test_serve_command_is_registered(tmp_path):
    from typer.testing import CliRunner

    from priorauth.cli import app

    out = CliRunner().invoke(app, ["serve", "--help"])
    assert out.exit_code == 0 and "--database-url" in out.output and "--data-dir" in out.output
    bad = CliRunner().invoke(app, ["serve", "--data-dir", str(tmp_path / "d"), "--database-url", "nosuchdb://x/y", "--port", "1"])
    assert bad.exit_code != 0 and "cannot use the data directory or database" in str(bad.exception)


# --- submit, review, fetch -------------------------------------------------------------------------


def test_submit_upload_poll_and_fetch_the_review(svc):
    rid = svc.create()
    c = svc.client
    assert c.get(f"/api/requests/{rid}", headers=svc.h("sub_a")).json()["status"] == "draft"
    up = c.post(f"/api/requests/{rid}/files", headers=svc.h("sub_a"), files={"files": ("n.txt", EXAMPLE.encode(), "text/plain")})
    assert up.status_code == 201 and up.json()["status"] == "queued"
    left = up.json()["seconds_left"]
    assert 7 * 86400 - 60 < left <= 7 * 86400  # standard: 7 calendar days
    r = c.get(f"/api/requests/{rid}/review", headers=svc.h("nurse"))
    assert r.status_code == 409 and "queued" in r.json()["detail"]
    assert svc.drain() == ["ready"]
    st = c.get(f"/api/requests/{rid}", headers=svc.h("nurse")).json()
    assert st["status"] == "ready" and st["decision"] == "meets_criteria" and st["action"] == "approve"
    assert c.get(f"/api/requests/{rid}/review", headers=svc.h("sub_a")).status_code == 403  # the plan's internal work
    review = c.get(f"/api/requests/{rid}/review", headers=svc.h("nurse")).json()
    assert review["decision"] == "meets_criteria" and review["case_id"] == rid
    for f in review["findings"]:
        for s in f["evidence"]:
            assert EXAMPLE[s["start"]:s["end"]] == s["text"]
    fid = st["files"][0]["id"] if "files" in st else c.get(f"/api/requests/{rid}", headers=svc.h("sub_a")).json()["files"][0]["id"]
    got = c.get(f"/api/requests/{rid}/files/{fid}", headers=svc.h("nurse"))
    assert got.status_code == 200 and got.content == EXAMPLE.encode() and got.headers["cache-control"] == "no-store"
    path = svc.settings.uploads_dir / rid / fid
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    actions = [e["action"] for e in c.get(f"/api/requests/{rid}/audit", headers=svc.h("nurse")).json() if e["action"] != "identity_viewed"]
    assert actions == ["request_created", "files_uploaded", "review_ready"]
    assert [e["action"] for e in c.get(f"/api/requests/{rid}/audit", headers=svc.h("sub_a")).json()] == ["request_created", "files_uploaded"]
    again = c.post(f"/api/requests/{rid}/files", headers=svc.h("sub_a"), files={"files": ("m.txt", b"more", "text/plain")})
    assert again.status_code == 409 and svc.count(StoredFile, request_id=rid) == 1


def test_the_example_pdf_is_read_and_reviewed(svc):
    rid = svc.create()
    pdf = (ROOT / "examples" / "lumbar_radiculopathy.pdf").read_bytes()
    r = svc.client.post(f"/api/requests/{rid}/files", headers=svc.h("sub_a"), files={"files": ("packet.pdf", pdf, "application/pdf")})
    assert r.status_code == 201 and r.json()["files"][0]["kind"] == "pdf"
    assert svc.drain() == ["ready"]
    review = svc.client.get(f"/api/requests/{rid}/review", headers=svc.h("nurse")).json()
    assert review["decision"] == "meets_criteria"


def test_expedited_clock_and_birth_date(svc):
    rid = svc.create(urgency="expedited", patient_age=None, birth_date="1974-03-03")
    svc.client.post(f"/api/requests/{rid}/files", headers=svc.h("sub_a"), files={"files": ("n.txt", EXAMPLE.encode(), "text/plain")})
    st = svc.client.get(f"/api/requests/{rid}", headers=svc.h("sub_a")).json()
    assert 72 * 3600 - 60 < st["seconds_left"] <= 72 * 3600
    svc.drain()
    with svc.app.state.sessions() as db:
        case = Case.model_validate_json(db.scalar(select(StoredReview.case_json).where(StoredReview.request_id == rid)))
    assert case.request.patient_age == 51  # born 1974-03-03, request 2026-03-02
    bad = svc.client.post("/api/requests", json={**REQ, "birth_date": "2027-01-01"}, headers=svc.h("sub_a"))
    assert bad.status_code == 422 and "birth date" in bad.json()["detail"]


def test_a_failed_review_keeps_the_upload_and_the_reason(svc):
    rid = svc.submit()

    def broken(case):
        raise RuntimeError("model crashed")

    assert svc.drain(broken) == ["failed"]
    st = svc.client.get(f"/api/requests/{rid}", headers=svc.h("nurse")).json()
    assert st["status"] == "failed" and st["error"] == "the review failed (RuntimeError)"
    assert svc.client.get(f"/api/requests/{rid}/files/{st['files'][0]['id']}", headers=svc.h("nurse")).content == EXAMPLE.encode()
    assert rid in [r["id"] for r in svc.client.get("/api/requests", headers=svc.h("nurse")).json()]  # needs a human


# --- who may see what ------------------------------------------------------------------------------


def test_forbidden_routes(svc):
    c = svc.client
    rid = svc.submit("sub_a")
    svc.drain()
    assert c.get("/api/requests").status_code == 401
    assert c.get("/api/requests", headers={"Authorization": "Bearer pa_nope"}).status_code == 401
    assert c.post("/api/tokens", json={"username": "nurse", "password": "wrong password!"}).status_code == 401
    # another organization's request does not exist for a submitter, and is not listed
    for path in (f"/api/requests/{rid}", f"/api/requests/{rid}/review", f"/api/requests/{rid}/audit"):
        assert c.get(path, headers=svc.h("sub_b")).status_code == 404, path
    assert c.get("/api/requests?view=all", headers=svc.h("sub_b")).json() == []
    assert [r["id"] for r in c.get("/api/requests?view=all", headers=svc.h("sub_a")).json()] == [rid]
    assert c.post(f"/api/requests/{rid}/files", headers=svc.h("sub_b"), files={"files": ("x.txt", b"x", "text/plain")}).status_code == 404
    fid = c.get(f"/api/requests/{rid}", headers=svc.h("sub_a")).json()["files"][0]["id"]
    assert c.get(f"/api/requests/{rid}/files/{fid}", headers=svc.h("sub_b")).status_code == 404
    assert c.get(f"/api/requests/{rid}/files/{fid}").status_code == 401
    got = c.get(f"/api/requests/{rid}/files/{fid}", headers=svc.h("sub_a"))
    assert got.status_code == 200 and got.headers["content-disposition"].startswith("attachment")
    # roles
    assert c.post("/api/requests", json=REQ, headers=svc.h("nurse")).status_code == 403
    assert c.post(f"/api/requests/{rid}/actions", json={"action": "confirm_approval"}, headers=svc.h("sub_a")).status_code == 403
    assert c.post(f"/api/requests/{rid}/actions", json={"action": "confirm_approval"}, headers=svc.h("admin")).status_code == 403
    nurse_det = c.post(f"/api/requests/{rid}/actions", json={"action": "physician_determination", "determination": "approve"},
                       headers=svc.h("nurse"))
    assert nurse_det.status_code == 403 and "physician" in nurse_det.json()["detail"]
    new = {"username": "x2", "password": "a long enough password", "role": "nurse", "org": "plan"}
    assert c.post("/api/users", json=new, headers=svc.h("nurse")).status_code == 403
    assert c.get("/api/users", headers=svc.h("sub_a")).status_code == 403
    assert c.get("/api/export/cases.jsonl", headers=svc.h("sub_a")).status_code == 403
    assert svc.count(AuditEntry, action="physician_determination") == 0 and svc.count(AuditEntry, action="confirm_approval") == 0
    # an admin creates accounts; the new account can sign in
    assert c.post("/api/users", json=new, headers=svc.h("admin")).status_code == 201
    assert c.post("/api/users", json=new, headers=svc.h("admin")).status_code == 409
    assert c.post("/api/tokens", json={"username": "x2", "password": "a long enough password"}).status_code == 201
    assert "x2" in [u["username"] for u in c.get("/api/users", headers=svc.h("admin")).json()]


def test_bad_uploads_are_refused_and_nothing_is_stored(svc):
    c = svc.client
    rid = svc.create()
    url, h = f"/api/requests/{rid}/files", svc.h("sub_a")
    cases = [
        ({"files": ("empty.txt", b"", "text/plain")}, 422, "empty"),
        ({"files": ("big.txt", b"a" * (64 * 1024 + 1), "text/plain")}, 413, "larger"),
        ({"files": ("scan.gif", b"GIF89a" + bytes(range(256)) * 4, "image/gif")}, 415, "unsupported"),
        ({"files": ("note.txt", b"\x00\x01\x02binary\x00\xff" * 50, "text/plain")}, 415, "binary"),
        ({"files": ("scan.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "image/png")}, 422, "damaged"),
        # one good file with one bad one: neither is kept
        ([("files", ("ok.txt", EXAMPLE.encode(), "text/plain")), ("files", ("x.doc", b"\xd0\xcf\x11\xe0" + bytes(600), "application/msword"))], 415, "legacy"),
    ]
    for files, status, word in cases:
        r = c.post(url, headers=h, files=files)
        assert r.status_code == status and word in r.json()["detail"], (r.status_code, r.text)
    assert c.post(url, headers=h, data={"nothing": "here"}).status_code == 422  # no file part
    malformed = c.post(url, headers={**h, "Content-Type": "multipart/form-data; boundary=xyz"}, content=b"--xyz\r\nbroken")
    assert 400 <= malformed.status_code < 500
    huge = c.post(url, headers={**h, "Content-Length": str(10 ** 10)}, content=b"")
    assert huge.status_code in (400, 413)
    assert c.post("/api/requests", headers=h, json={**REQ, "cpt_codes": ["not a code"]}).status_code == 422
    assert c.post("/api/requests", headers=h, json={**REQ, "urgency": "whenever"}).status_code == 422
    assert c.post("/api/requests", headers=h, content=b"{not json", ).status_code == 422
    assert c.get(f"/api/requests/{rid}", headers=h).json()["status"] == "draft"
    assert svc.count(StoredFile) == 0
    assert not (svc.settings.uploads_dir / rid).exists() or not any((svc.settings.uploads_dir / rid).iterdir())


# --- reviewer actions, audit log, export -----------------------------------------------------------


def test_actions_corrections_audit_and_export(svc):
    c = svc.client
    ok = svc.submit(note=EXAMPLE)
    other = svc.submit(note="Low back pain for 2 weeks. No weakness. No treatment yet.")
    svc.drain()
    review = c.get(f"/api/requests/{ok}/review", headers=svc.h("nurse")).json()
    assert review["decision"] == "meets_criteria"
    queue = [r["id"] for r in c.get("/api/requests", headers=svc.h("nurse")).json()]
    assert set(queue) == {ok, other}
    # a nurse corrects a finding and adds one by its selected text (offsets checked and fixed by the server)
    f = next(f for f in review["findings"] if f["code"] == "radicular_pain")
    s = f["evidence"][0]
    wrong = {"action": "mark_finding_wrong", "code": f["code"], "doc": s["doc"], "start": s["start"], "end": s["end"], "reason": "historical"}
    assert c.post(f"/api/requests/{ok}/actions", json={**wrong, "start": s["start"] + 1}, headers=svc.h("nurse")).status_code == 422
    assert c.post(f"/api/requests/{ok}/actions", json=wrong, headers=svc.h("nurse")).status_code == 201
    quote = "cannot sit through a full shift"
    at = EXAMPLE.index(quote)
    added = c.post(f"/api/requests/{ok}/actions", headers=svc.h("nurse"),
                   json={"action": "add_finding", "code": "back_pain", "doc": s["doc"], "start": at - 1, "end": at - 1 + len(quote), "text": quote})
    assert added.status_code == 201 and (added.json()["detail"]["start"], added.json()["detail"]["end"]) == (at, at + len(quote))
    assert c.post(f"/api/requests/{ok}/actions", headers=svc.h("nurse"), json={"action": "add_finding", "code": "back_pain",
                  "doc": s["doc"], "start": 0, "end": 5, "text": "words not in the note"}).status_code == 422
    assert c.post(f"/api/requests/{ok}/actions", headers=svc.h("nurse"), json={"action": "add_finding", "code": "no_such_code",
                  "doc": s["doc"], "start": 0, "end": 5, "text": "Spine"}).status_code == 422
    # confirming the approval takes it off the default queue; a second final disposition conflicts
    conf = c.post(f"/api/requests/{ok}/actions", json={"action": "confirm_approval"}, headers=svc.h("nurse"))
    assert conf.status_code == 201 and conf.json()["username"] == "nurse"
    assert c.post(f"/api/requests/{ok}/actions", json={"action": "request_information"}, headers=svc.h("nurse")).status_code == 409
    assert ok not in [r["id"] for r in c.get("/api/requests", headers=svc.h("nurse")).json()]
    assert c.get(f"/api/requests/{ok}", headers=svc.h("sub_a")).json()["disposition"] == "approved"
    # the other packet is not approvable by a nurse: routed to a physician (a note is required), who decides
    assert c.post(f"/api/requests/{other}/actions", json={"action": "confirm_approval"}, headers=svc.h("nurse")).status_code == 409
    assert c.post(f"/api/requests/{other}/actions", json={"action": "route_to_physician"}, headers=svc.h("nurse")).status_code == 422
    assert c.post(f"/api/requests/{other}/actions", json={"action": "route_to_physician", "note": "2 weeks only"},
                  headers=svc.h("nurse")).status_code == 201
    assert other in [r["id"] for r in c.get("/api/requests", headers=svc.h("doc")).json()]
    assert c.post(f"/api/requests/{other}/actions", json={"action": "physician_determination", "determination": "not_approved"},
                  headers=svc.h("doc")).status_code == 422  # an adverse determination needs the physician's reason
    det = c.post(f"/api/requests/{other}/actions", headers=svc.h("doc"),
                 json={"action": "physician_determination", "determination": "not_approved", "note": "conservative care not tried"})
    assert det.status_code == 201
    trail = c.get(f"/api/requests/{ok}/audit", headers=svc.h("admin")).json()
    work = [e["action"] for e in trail if e["action"] not in ("identity_viewed", "redecided", "letter_sent")]
    assert work[-3:] == ["mark_finding_wrong", "add_finding", "confirm_approval"]
    assert [e["action"] for e in trail].count("redecided") == 2  # each correction re-ran the rules
    assert all(e["at"] and e["username"] for e in trail)
    # export: labeled cases in the cases.md format, reflecting the corrections and the final decisions
    lines = c.get("/api/export/cases.jsonl", headers=svc.h("nurse")).text.splitlines()
    cases = {x.id: x for x in (Case.model_validate_json(line) for line in lines)}
    assert set(cases) == {ok, other}
    g = cases[ok].gold
    assert g.decision == "meets_criteria" and cases[other].gold.decision == "not_met"
    assert any(d.code == "radicular_pain" and d.reason == "historical" and d.evidence[0].start == s["start"] for d in g.distractors)
    back = next(x for x in g.findings if x.code == "back_pain")
    assert any(e.start == at and e.text == quote for e in back.evidence)
    texts = {d.id: d.text for d in cases[ok].documents}
    assert all(texts[e.doc][e.start:e.end] == e.text for x in g.findings for e in x.evidence)
    from typer.testing import CliRunner

    from priorauth.cli import app as cli

    exported = svc.settings.data_dir / "cases.jsonl"
    exported.write_text("\n".join(lines) + "\n")
    checked = CliRunner().invoke(cli, ["evaluate", "--check", str(exported)])
    assert checked.exit_code == 0, checked.output  # a valid labeled set for `priorauth evaluate`


def test_the_audit_log_is_append_only(svc):
    rid = svc.submit()
    svc.drain()
    with svc.app.state.sessions() as db:
        entry = db.scalar(select(AuditEntry).where(AuditEntry.request_id == rid).limit(1))
        entry.action = "tampered"
        with pytest.raises(AppendOnly):
            db.commit()
        db.rollback()
        db.delete(db.scalar(select(AuditEntry).limit(1)))
        with pytest.raises(AppendOnly):
            db.flush()
    with pytest.raises(AppendOnly), svc.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET action = 'x'"))
    with pytest.raises(AppendOnly), svc.engine.begin() as conn:
        conn.execute(text("delete from audit_log"))
    raw = svc.engine.raw_connection()  # below SQLAlchemy: the database's own triggers refuse
    try:
        for sql in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
            cur = raw.cursor()
            with pytest.raises(Exception, match="append-only"):
                cur.execute(sql)
            raw.rollback()
    finally:
        raw.close()
    assert svc.count(AuditEntry, action="tampered") == 0 and svc.count(AuditEntry, request_id=rid) == 3


# --- the queue: claim, lease, exactly once ---------------------------------------------------------


def test_a_killed_worker_job_is_retried_and_reviewed_once(svc):
    rid = svc.submit()
    t0 = dt.datetime.now(dt.timezone.utc)
    dead = claim(svc.engine, "dead-worker", lease_seconds=60, now=t0)  # claims, then is killed (never finishes)
    assert dead.request_id == rid and dead.attempt == 1
    assert claim(svc.engine, "other", 60, now=t0 + dt.timedelta(seconds=30)) is None  # the lease still holds
    retry = claim(svc.engine, "rescuer", 60, now=t0 + dt.timedelta(seconds=61))
    assert retry.request_id == rid and retry.attempt == 2
    assert process(svc.engine, svc.settings, retry, svc.reviewer) == "ready"
    with pytest.raises(LeaseLost):  # the dead worker wakes up: its result is discarded
        finish(svc.engine, dead, "{}", "{}", "not_met", "route_to_clinician")
    assert svc.count(StoredReview, request_id=rid) == 1 and svc.count(AuditEntry, request_id=rid, action="review_ready") == 1
    assert svc.client.get(f"/api/requests/{rid}", headers=svc.h("sub_a")).json()["attempts"] == 2


def test_a_live_worker_renews_its_lease_and_a_dead_one_cannot(svc):
    rid = svc.submit()
    t0 = dt.datetime.now(dt.timezone.utc)
    mine = claim(svc.engine, "slow-but-alive", 60, now=t0)
    assert extend(svc.engine, mine, 60, now=t0 + dt.timedelta(seconds=50))  # the heartbeat, before the lease ends
    assert claim(svc.engine, "other", 60, now=t0 + dt.timedelta(seconds=70)) is None  # still held: not retried
    theirs = claim(svc.engine, "other", 60, now=t0 + dt.timedelta(seconds=111))  # the heartbeat stopped: retried
    assert theirs.request_id == rid and not extend(svc.engine, mine, 60)


def test_a_job_whose_workers_keep_dying_fails_with_a_reason(svc):
    rid = svc.submit()
    t = dt.datetime.now(dt.timezone.utc)
    for i in range(svc.settings.max_attempts):
        assert claim(svc.engine, f"w{i}", 10, now=t + dt.timedelta(seconds=11 * i)).attempt == i + 1
    assert claim(svc.engine, "w-late", 10, now=t + dt.timedelta(hours=1)) is None  # not handed out a fourth time
    assert give_up_abandoned(svc.engine, svc.settings.max_attempts, now=t + dt.timedelta(hours=1)) == 1
    st = svc.client.get(f"/api/requests/{rid}", headers=svc.h("sub_a")).json()
    assert st["status"] == "failed" and "stopped 3 times" in st["error"]


def test_queue_filters_and_sorts(svc):
    a = svc.submit(urgency="standard")
    b = svc.submit(urgency="expedited")
    d = svc.create()  # a draft never needs a reviewer
    svc.drain()
    q = lambda **p: [r["id"] for r in svc.client.get("/api/requests", params=p, headers=svc.h("nurse")).json()]
    assert q() == [b, a]  # expedited's deadline comes first
    assert q(sort="-deadline") == [a, b]
    assert q(urgency="standard") == [a]
    assert set(q(view="all")) == {a, b, d} and q(view="all", status="draft") == [d]
    assert svc.client.get("/api/requests", params={"sort": "drop table"}, headers=svc.h("nurse")).status_code == 422


# --- pages: sessions, CSRF, headers, logs ----------------------------------------------------------


def login(c: TestClient, user: str, password: str = PASSWORD) -> str:
    page = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = c.post("/login", data={"username": user, "password": password, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    home = c.get("/")
    return re.search(r'name="csrf_token" value="([^"]+)"', home.text).group(1)


def test_pages_need_a_session_and_a_csrf_token(lite):
    c = lite.client
    assert c.get("/", follow_redirects=False).headers["location"] == "/login"
    c.get("/login")
    assert c.post("/login", data={"username": "nurse", "password": PASSWORD, "csrf_token": "forged"}).status_code == 403
    assert "pa_session" not in c.cookies
    csrf = login(c, "sub_a")
    form = {"cpt_codes": "72148", "patient_age": "52", "request_date": "2026-03-02", "urgency": "expedited", "swo": "yes",
            "patient_name": "Pat Example", "birth_date": "1974-01-01", "member_id": "M1", "ordering_provider_name": "Dr Who",
            "ordering_provider_npi": "1234567893"}
    files = {"files": ("note.txt", EXAMPLE.encode(), "text/plain")}
    assert c.post("/requests/new", data={**form, "csrf_token": "bad"}, files=files).status_code == 403
    assert c.post("/requests/new", data=form, files=files).status_code == 403
    assert lite.count(PARequest) == 0 and lite.count(StoredFile) == 0
    bad = c.post("/requests/new", data={**form, "csrf_token": csrf}, files={"files": ("e.txt", b"", "text/plain")})
    assert bad.status_code == 422 and "empty" in bad.text and lite.count(PARequest) == 0
    r = c.post("/requests/new", data={**form, "csrf_token": csrf}, files=files, follow_redirects=False)
    assert r.status_code == 303
    rid = r.headers["location"].rsplit("/", 1)[1]
    assert "queued" in c.get(f"/requests/{rid}").text
    lite.drain()
    c.post("/logout", data={"csrf_token": csrf})
    nurse_csrf = login(c, "nurse")
    page = c.get(f"/requests/{rid}")
    assert page.status_code == 200 and "Confirm the approval" in page.text and 'data-criterion="A.iv"' in page.text
    assert c.post(f"/requests/{rid}/actions", data={"action": "confirm_approval", "csrf_token": "x"}).status_code == 403
    assert c.post(f"/requests/{rid}/actions", data={"action": "route_to_physician", "csrf_token": nurse_csrf}).status_code == 422
    done = c.post(f"/requests/{rid}/actions", data={"action": "confirm_approval", "csrf_token": nurse_csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert 'data-action="confirm_approval"' in c.get(f"/requests/{rid}").text
    assert rid[:8] in c.get("/?view=all").text and rid[:8] not in c.get("/").text
    assert c.get("/requests/new").status_code == 403  # nurses do not submit
    fid = lite.client.get(f"/api/requests/{rid}", headers=lite.h("sub_a")).json()["files"][0]["id"]
    assert c.get(f"/requests/{rid}/files/{fid}").content == EXAMPLE.encode()
    c.post("/logout", data={"csrf_token": nurse_csrf})
    assert c.get(f"/requests/{rid}/files/{fid}", follow_redirects=False).status_code == 303  # signed out: to sign-in
    login(c, "sub_b")
    assert c.get(f"/requests/{rid}").status_code == 404 and c.get(f"/requests/{rid}/files/{fid}").status_code == 404
    assert c.get("/requests/new").status_code == 200


def test_guideline_names(lite):
    """The queue and pages name each guideline and version a request spans (a short name: the service puts TMPDIR under tmp_path)."""
    from tests.test_esi_guideline import HPI, PLAN

    rid = lite.submit(note=HPI + PLAN, cpt_codes=["72148", "64483"])
    lite.drain()
    review = lite.client.get(f"/api/requests/{rid}/review", headers=lite.h("nurse")).json()
    assert [(p["policy"]["number"], p["policy"]["version"]) for p in review["parts"]] == \
        [("PUM 250-0057-1812", "05/01/2026"), ("LCD L39240", "R2")]
    assert {s["cpt"]: s["guideline"] for s in review["studies"]} == \
        {"72148": "wps-mri-spine@05/01/2026", "64483": "cms-lcd-esi@R2"}
    login(lite.client, "nurse")
    assert "PUM 250-0057-1812, LCD L39240" in lite.client.get("/?view=all").text
    page = lite.client.get(f"/requests/{rid}").text
    assert "version R2" in page and "version 05/01/2026" in page and 'data-criterion="IND.1"' in page
    login(lite.client, "sub_a")
    assert "LCD L39240 (Epidural Steroid Injections for Pain Management): 62321" in lite.client.get("/requests/new").text


def test_security_headers_and_no_note_text_in_logs(lite, caplog):
    marker = "Zebulon-Quixotic-7731 low back pain radiating down the left leg for 8 weeks."
    with caplog.at_level(logging.DEBUG):
        rid = lite.submit(note=marker + "\n" + EXAMPLE)
        lite.drain()
        r = lite.client.get(f"/api/requests/{rid}/review", headers=lite.h("nurse"))
        lite.client.post(f"/api/requests/{rid}/actions", headers=lite.h("nurse"), json={"action": "route_to_physician", "note": "Zebulon note"})
    assert r.status_code == 200 and caplog.records and "Zebulon" not in caplog.text
    csrf = login(lite.client, "nurse")
    assert csrf
    page = lite.client.get(f"/requests/{rid}")
    h = page.headers
    assert "frame-ancestors 'none'" in h["content-security-policy"] and "script-src 'self' 'sha256-" in h["content-security-policy"]
    assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY"
    assert h["referrer-policy"] == "no-referrer" and h["cache-control"] == "no-store"
    assert "set-cookie" not in h or "httponly" in h["set-cookie"].lower()
    schema = lite.client.get("/openapi.json").json()
    assert {"/api/requests", "/api/requests/{request_id}/files", "/api/requests/{request_id}/review"} <= set(schema["paths"])
    assert lite.client.get("/docs").status_code == 404  # no CDN-loading docs page under the strict CSP


def test_fhir_claim_submit(svc):
    c = svc.client
    bundle = (ROOT / "examples" / "fhir" / "lumbar_radiculopathy.bundle.json").read_bytes()
    hj = {**svc.h("sub_a"), "Content-Type": "application/fhir+json"}
    assert c.post("/fhir/Claim/$submit", content=bundle, headers={"Content-Type": "application/fhir+json"}).status_code == 401
    denied = c.post("/fhir/Claim/$submit", content=bundle, headers={**svc.h("nurse"), "Content-Type": "application/fhir+json"})
    assert denied.status_code == 403 and denied.json()["resourceType"] == "OperationOutcome"
    bad = c.post("/fhir/Claim/$submit", content=b'{"resourceType": "Patient"}', headers=hj)
    assert bad.status_code == 400 and bad.json()["issue"][0]["expression"] == ["Bundle.resourceType"]
    assert c.post("/fhir/Claim/$submit", content=b"{not json", headers=hj).status_code == 400
    assert svc.count(PARequest) == 0
    r = c.post("/fhir/Claim/$submit", content=bundle, headers=hj)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
    out = r.json()
    assert out["resourceType"] == "Bundle" and out["entry"][0]["resource"]["resourceType"] == "ClaimResponse"
    rows = c.get("/api/requests", headers=svc.h("nurse")).json()
    assert len(rows) == 1 and rows[0]["status"] == "ready" and rows[0]["org"] == "clinic-a"
    review = c.get(f"/api/requests/{rows[0]['id']}/review", headers=svc.h("nurse")).json()
    assert review["decision"] == rows[0]["decision"]
    trail = [e["action"] for e in c.get(f"/api/requests/{rows[0]['id']}/audit", headers=svc.h("nurse")).json()]
    assert [a for a in trail if a != "identity_viewed"] == ["fhir_submitted", "review_ready"]
