"""The service under hostile input, one test per defect: image bombs, errors with headers, a full disk, unbounded fields,
sign-in throttling, token expiry and revocation, disabled accounts, weak passwords, oversized FHIR bodies, private
temporary files, and a reader that dies failing only its own job."""

from __future__ import annotations

import asyncio
import datetime as dt
import errno
import logging
import os
import re
import stat

import pytest
from sqlalchemy import select

from priorauth.service import security
from priorauth.service.app import HEADERS
from priorauth.service.db import AuditEntry, PARequest, User
from priorauth.service.security import password_problem
from priorauth.service.signin import Throttle
from tests import bombs
from tests.test_service import EXAMPLE, PASSWORD, REQ, login, make_svc


@pytest.fixture
def svc(tmp_path, reviewer, monkeypatch):
    client, s = make_svc(tmp_path, None, reviewer, monkeypatch)
    yield s
    client.__exit__(None, None, None)


@pytest.fixture(scope="session")
def reviewer():
    from priorauth.service.jobs import default_reviewer

    return default_reviewer()


def upload(svc, name: str, data: bytes, who: str = "sub_a"):
    rid = svc.create(who)
    return rid, svc.client.post(f"/api/requests/{rid}/files", headers=svc.h(who), files={"files": (name, data)})


def has_headers(r) -> bool:
    return all(r.headers.get(k) == v for k, v in HEADERS.items())


# --- 2. image bombs; every error has the security headers --------------------------------------------------------

def test_image_bomb_upload_is_413_with_one_sentence_and_headers(svc):
    rid, r = upload(svc, "scan.png", bombs.png_header_bomb())
    assert r.status_code == 413, r.text
    assert "too large to process safely" in r.json()["detail"] and "Traceback" not in r.text
    assert has_headers(r)
    assert svc.count(PARequest, id=rid, status="draft") == 1


def test_an_unexpected_error_is_500_with_headers_and_no_traceback_in_the_log(svc, monkeypatch, caplog):
    import priorauth.service.api as api

    def boom(*a, **k):
        raise RuntimeError("Patient Jane Roe SSN 123-45-6789")

    monkeypatch.setattr(api, "queue", boom)
    with caplog.at_level(logging.INFO):
        r = svc.client.get("/api/requests", headers=svc.h("nurse"))
    assert r.status_code == 500 and has_headers(r)
    assert "123-45-6789" not in r.text and "123-45-6789" not in caplog.text
    assert "Traceback" not in caplog.text and "RuntimeError" in caplog.text


# --- 6. disk full --------------------------------------------------------------------------------------------------

def test_disk_full_is_507_and_leaves_nothing_behind(svc, monkeypatch):
    import priorauth.service.uploads as uploads

    real = uploads.os.fdopen

    class Full:
        def __init__(self, fd, mode):
            self.f = real(fd, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(uploads.os, "fdopen", Full)
    rid, r = upload(svc, "note.txt", EXAMPLE.encode())
    assert r.status_code == 507 and "no room left" in r.json()["detail"] and has_headers(r)
    assert not (svc.settings.uploads_dir / rid).exists() or not any((svc.settings.uploads_dir / rid).iterdir())
    assert svc.count(PARequest, id=rid, status="draft") == 1


# --- 5. unbounded fields -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("field,value", [
    ("icd10_codes", ["M54.16", "x" * 100_000]),
    ("icd10_codes", ["<script>alert(1)</script>"]),
    ("icd10_codes", ["M54.16"] * 21),
    ("cpt_codes", ["7214<"]),
    ("cpt_codes", ["72148" * 1000]),
])
def test_request_fields_are_validated_and_bounded(svc, field, value):
    r = svc.client.post("/api/requests", json={**REQ, field: value}, headers=svc.h("sub_a"))
    assert r.status_code == 422, r.text[:300]
    assert len(r.text) < 1000  # the answer never echoes the value back


def test_json_bodies_are_capped_while_streaming(svc):
    def body():
        yield b'{"cpt_codes": ["72148"], "icd10_codes": ["'
        for _ in range(20):
            yield b"x" * (1 << 20)
        yield b'"]}'

    r = svc.client.post("/api/requests", content=body(), headers={**svc.h("sub_a"), "Content-Type": "application/json"})
    assert r.status_code == 413 and "larger than the service accepts" in r.json()["detail"] and has_headers(r)


def test_valid_codes_are_kept_normalized(svc):
    r = svc.client.post("/api/requests", json={**REQ, "icd10_codes": ["m54.16", "M5416", "S32.009A"],
                                               "cpt_codes": ["72148", "g0121"]}, headers=svc.h("sub_a"))
    assert r.status_code == 201, r.text
    assert r.json()["icd10_codes"] == ["M54.16", "M5416", "S32.009A"] and r.json()["cpt_codes"] == ["72148", "G0121"]


def test_request_information_items_are_bounded(svc):
    rid = svc.submit()
    svc.drain()
    r = svc.client.post(f"/api/requests/{rid}/actions", headers=svc.h("nurse"),
                        json={"action": "request_information", "missing": ["x" * 20_000] * 20})
    assert r.status_code == 422
    r = svc.client.post(f"/api/requests/{rid}/actions", headers=svc.h("nurse"),
                        json={"action": "request_information", "missing": ["x" * (2 << 20)] * 20})
    assert r.status_code == 413
    assert svc.count(AuditEntry, request_id=rid, action="request_information") == 0


# --- 7. sign-in ----------------------------------------------------------------------------------------------------

def test_thirty_wrong_passwords_lock_the_account_not_the_others(svc):
    c = svc.client
    codes = [c.post("/api/tokens", json={"username": "nurse", "password": f"wrong password {i}"}).status_code
             for i in range(30)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    r = c.post("/api/tokens", json={"username": "nurse", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0 and has_headers(r)
    assert c.post("/api/tokens", json={"username": "doc", "password": PASSWORD}).status_code == 201
    with svc.app.state.sessions() as db:
        failed = db.scalars(select(AuditEntry).where(AuditEntry.action == "sign_in_failed")).all()
        assert len(failed) == 5 and all(e.username == "nurse" and e.detail["address"] for e in failed)
        assert all("wrong password" not in str(e.detail) for e in failed)
        assert db.scalars(select(AuditEntry).where(AuditEntry.action == "sign_in_locked")).all()


def test_the_sign_in_page_is_throttled_too(svc):
    c = svc.client
    page = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    for _ in range(5):
        c.post("/login", data={"username": "nurse", "password": "not the password", "csrf_token": token})
    r = c.post("/login", data={"username": "nurse", "password": PASSWORD, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 429 and "Too many failed sign-ins" in r.text and has_headers(r)


def test_throttle_per_address_and_window():
    now = [0.0]
    t = Throttle(per_account=5, per_address=3, window_s=60, clock=lambda: now[0])
    for name in ("a", "b", "c"):
        assert t.wait(name, "10.0.0.1") is None
        t.failed(name, "10.0.0.1")
    assert t.wait("d", "10.0.0.1")[0] == "address"
    assert t.wait("d", "10.0.0.2") is None
    now[0] = 61
    assert t.wait("d", "10.0.0.1") is None


def test_tokens_expire_and_can_be_revoked(svc):
    c = svc.client
    r = c.post("/api/tokens", json={"username": "nurse", "password": PASSWORD})
    token = r.json()["token"]
    h = {"Authorization": f"Bearer {token}"}
    expires = dt.datetime.fromisoformat(r.json()["expires_at"])
    assert dt.timedelta(hours=23) < expires - dt.datetime.now(dt.timezone.utc) <= dt.timedelta(hours=24)
    assert c.get("/api/requests", headers=h).status_code == 200
    mine = c.get("/api/tokens", headers=h).json()
    assert mine and all(t["username"] == "nurse" and "token" not in t for t in mine)
    assert c.delete("/api/tokens", headers=h).status_code == 204
    assert c.get("/api/requests", headers=h).status_code == 401
    # an admin revokes someone else's token by id; an expired token is refused
    with svc.app.state.sessions() as db:
        nurse = db.scalar(select(User).where(User.username == "nurse"))
        old = security.issue_token(db, nurse, hours=1)
        row = security.token_row(db, old)
        row.expires_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
        db.commit()
    assert c.get("/api/requests", headers={"Authorization": f"Bearer {old}"}).status_code == 401
    other = c.post("/api/tokens", json={"username": "doc", "password": PASSWORD}).json()["token"]
    tid = next(t["id"] for t in c.get("/api/tokens", headers={"Authorization": f"Bearer {other}"}).json())
    assert c.delete(f"/api/tokens/{tid}", headers=svc.h("nurse")).status_code == 404  # not the nurse's
    assert c.delete(f"/api/tokens/{tid}", headers=svc.h("admin")).status_code == 204
    assert c.get("/api/requests", headers={"Authorization": f"Bearer {other}"}).status_code == 401


def test_a_disabled_account_cannot_sign_in_and_its_tokens_and_sessions_end(svc):
    c = svc.client
    with svc.app.state.sessions() as db:
        nurse_id = db.scalar(select(User.id).where(User.username == "nurse"))
    login(c, "nurse")
    assert c.get("/", follow_redirects=False).status_code == 200
    assert c.patch(f"/api/users/{nurse_id}", json={"active": False}, headers=svc.h("sub_a")).status_code == 404
    r = c.patch(f"/api/users/{nurse_id}", json={"active": False}, headers=svc.h("admin"))
    assert r.status_code == 200 and r.json()["active"] is False
    assert c.get("/api/requests", headers=svc.h("nurse")).status_code == 401
    assert c.get("/", follow_redirects=False).status_code == 303
    assert c.post("/api/tokens", json={"username": "nurse", "password": PASSWORD}).status_code == 401
    assert c.patch(f"/api/users/{nurse_id}", json={"active": True}, headers=svc.h("admin")).json()["active"] is True
    assert c.post("/api/tokens", json={"username": "nurse", "password": PASSWORD}).status_code == 201
    admin_id = c.get("/api/users", headers=svc.h("admin")).json()[0]["id"]
    assert c.patch(f"/api/users/{admin_id}", json={"active": False}, headers=svc.h("admin")).status_code == 409


@pytest.mark.parametrize("password", [" " * 12, "aaaaaaaaaaaa", "password1234", "newadmin1234", "newadminnewadmin", "short"])
def test_weak_passwords_are_refused_with_the_reason(svc, password):
    r = svc.client.post("/api/users", headers=svc.h("admin"),
                        json={"username": "newadmin", "password": password, "role": "admin", "org": "plan"})
    assert r.status_code == 422 and "password" in r.json()["detail"]
    assert password_problem(password, "newadmin") is not None


def test_a_strong_password_is_accepted_and_can_be_changed_only_to_a_strong_one(svc):
    c = svc.client
    assert c.post("/api/password-check", headers=svc.h("admin"),
                  json={"password": "password1234"}).json()["acceptable"] is False
    r = c.post("/api/users", headers=svc.h("admin"),
               json={"username": "newadmin", "password": "violet kettle ferry north", "role": "admin", "org": "plan"})
    assert r.status_code == 201, r.text
    uid = r.json()["id"]
    assert c.patch(f"/api/users/{uid}", json={"password": "password1234"}, headers=svc.h("admin")).status_code == 422
    assert c.patch(f"/api/users/{uid}", json={"password": "amber lantern quietly rowing"},
                   headers=svc.h("admin")).status_code == 200
    assert c.post("/api/tokens", json={"username": "newadmin", "password": "amber lantern quietly rowing"}).status_code == 201


def test_the_bootstrap_admin_password_is_checked(tmp_path, monkeypatch, reviewer, caplog):
    from fastapi.testclient import TestClient

    from priorauth.service.app import create_app
    from priorauth.service.settings import Settings

    monkeypatch.setenv("PRIORAUTH_ADMIN_PASSWORD", "password1234")
    app = create_app(Settings(data_dir=tmp_path / "d", workers=0), start_workers=False)
    with caplog.at_level(logging.WARNING), TestClient(app):
        with app.state.sessions() as db:
            assert db.scalar(select(User)) is None
    assert "no admin account created" in caplog.text and "password1234" not in caplog.text


# --- 9. FHIR body refused while streaming --------------------------------------------------------------------------

def test_an_oversized_fhir_body_is_refused_while_streaming(svc, monkeypatch):
    import priorauth.service.fhir_route as fr

    monkeypatch.setattr(fr, "MAX_BUNDLE_BYTES", 1 << 20)
    consumed = []

    def body():
        for _ in range(64):  # 64 MB offered in 1 MB chunks, without a Content-Length
            yield b" " * (1 << 20)

    r = svc.client.post("/fhir/Claim/$submit", headers={**svc.h("sub_a"), "Content-Type": "application/fhir+json"},
                        content=body())
    assert r.status_code == 413 and "larger than the service accepts" in r.text and has_headers(r)

    class Streaming:  # what the route sees: it stops reading at the limit instead of buffering all 64 MB
        headers: dict = {}

        async def stream(self):
            for _ in range(64):
                consumed.append(1)
                yield b" " * (1 << 20)

    assert asyncio.run(fr.read_capped(Streaming(), 1 << 20)) is None and len(consumed) == 2


# --- 4. private temporary files; 1. a reader that dies fails its own job at once -----------------------------------

def test_the_service_keeps_temporary_files_private_under_its_data_directory(svc):
    import tempfile

    tmp = svc.settings.tmp_dir
    assert stat.S_IMODE(tmp.stat().st_mode) == 0o700
    assert tempfile.gettempdir().startswith(str(tmp))
    assert stat.S_IMODE(os.stat(tempfile.gettempdir()).st_mode) == 0o700


def test_a_file_that_kills_its_reader_fails_its_job_once_without_retry(svc, monkeypatch):
    monkeypatch.setenv("PRIORAUTH_READ_MEMORY_MB", "40")  # too small for the reader: it dies like a bomb would make it
    rid, r = upload(svc, "scan.png", bombs.png_with_dpi((300, 300), (400, 200)))
    assert r.status_code == 201, r.text
    assert svc.drain() == ["failed"]
    got = svc.client.get(f"/api/requests/{rid}", headers=svc.h("sub_a")).json()
    assert got["status"] == "failed" and got["attempts"] == 1
    assert "could not be read within the reading limits" in got["error"]
    assert svc.drain() == []  # not claimed again


@pytest.mark.parametrize("cmd", [["-m", "priorauth.cli", "serve"], ["-m", "priorauth.service.worker"]])
def test_a_bad_limit_setting_stops_serve_and_worker_with_one_sentence(tmp_path, cmd):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, *cmd, "--data-dir", str(tmp_path / "d")], capture_output=True, text=True,
                       timeout=120, env={**os.environ, "PRIORAUTH_SIGNIN_ACCOUNT_FAILURES": "many"})
    assert r.returncode != 0 and "PRIORAUTH_SIGNIN_ACCOUNT_FAILURES must be a number" in r.stderr
    assert "Traceback" not in r.stderr
