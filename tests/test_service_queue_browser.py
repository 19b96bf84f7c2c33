"""A UM shift in Debian's Chromium against one real uvicorn on 127.0.0.1: accounts, intake with identity, search,
claim and release, corrections that decide again, the clock stopping, each letter, the clinic's view and the metrics
page (on a database seeded before the server starts, against hand-computed figures).

Screenshots go to tmp_path, and to docs/ when PRIORAUTH_SCREENSHOTS=docs.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urljoin

import httpx

from tests.test_review_page import BROWSER_ARGS, chromium_path
from tests.test_service_browser import fill_identity, make_user, sign_in
from tests.test_service_queue import EXPECTED, seed_metrics

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from load_service import ADMIN_PASSWORD, server  # noqa: E402

NOTE = ROOT / "examples" / "lumbar_radiculopathy.txt"
SHOTS = ("service-accounts.png", "service-queue-identity.png", "service-corrections.png", "service-letter.png",
         "service-metrics.png")


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def seeded(data_dir: Path) -> None:
    from priorauth.service.db import make_engine, migrate

    data_dir.mkdir(mode=0o700)  # not Settings.prepare(): that points this process's temporary files into data_dir
    engine = make_engine(f"sqlite:///{data_dir / 'priorauth.sqlite3'}")
    migrate(engine)
    seed_metrics(engine)
    engine.dispose()


def submit_in_browser(page, base: str, member: str, name: str) -> str:
    page.goto(base + "/requests/new")
    fill_identity(page, member_id=member, patient_name=name)
    page.fill("input[name=request_date]", "2026-03-02")
    page.check("input[name=swo]")
    page.set_input_files("input[name=files]", str(NOTE))
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    assert "/requests/new" not in page.url, page.inner_text("main")
    return page.url.rsplit("/", 1)[1]


def letter_pdf(page, kind: str) -> str:
    link = page.locator(f'li[data-letter="{kind}"] a', has_text="PDF").last
    got = page.request.get(urljoin(page.url, link.get_attribute("href")))
    assert got.status == 200 and got.headers["content-type"] == "application/pdf"
    return pdf_text(got.body())


def test_a_um_shift_in_chromium(tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("PRIORAUTH_TIMEZONE", "America/Chicago")
    data = tmp_path / "data"
    seeded(data)
    with server(data, None, 1, tmp_path / "server.log") as base:
        admin = httpx.post(base + "/api/tokens", json={"username": "admin", "password": ADMIN_PASSWORD}).json()["token"]
        make_user(base, admin, "clinic", "submitter", "spine-clinic")
        make_user(base, admin, "nurse", "nurse", "plan")
        api = lambda who: {"Authorization": "Bearer " + httpx.post(base + "/api/tokens", json={
            "username": who, "password": f"{who}-password-123"}).json()["token"]}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=BROWSER_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                # accounts: the admin creates the physician (name and credentials go on letters), disables and enables
                page.goto(base + "/login")
                page.fill("input[name=username]", "admin")
                page.fill("input[name=password]", ADMIN_PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(base + "/")
                page.click("text=Accounts")
                form = page.locator("#new-account")
                for k, v in {"username": "doc", "password": "doc-password-123", "org": "plan", "full_name": "Avery Stone",
                             "credentials": "MD"}.items():
                    form.locator(f"input[name={k}]").fill(v)
                form.locator("select[name=role]").select_option("physician")
                form.locator("button[type=submit]").click()
                row = page.locator('tr[data-user="doc"]')
                assert row.locator("select[name=role]").input_value() == "physician"
                page.locator('tr[data-user="nurse"] button.toggle').click()
                assert page.locator('tr[data-user="nurse"] td.state').inner_text() == "disabled"
                assert httpx.post(base + "/api/tokens", json={"username": "nurse", "password": "nurse-password-123"}).status_code == 401
                page.locator('tr[data-user="nurse"] button.toggle').click()
                assert page.locator('tr[data-user="nurse"] td.state').inner_text() == "active"
                page.screenshot(path=str(tmp_path / "service-accounts.png"), full_page=True)
                # metrics: the seeded January, computed from the audit log, as worked out by hand
                page.click("text=Metrics")
                jan = page.locator('tr[data-period="2026-01"]')
                for col, want in EXPECTED.items():
                    assert jan.locator(f'td[data-col="{col}"]').inner_text() == ("-" if want is None else str(want)), col
                csv = page.request.get(base + "/metrics.csv").text()
                assert "2026-01,5,0.6,0.4,,0.2,3,30.33,24.0,2,18.0,18.0,0.4,0.4" in csv
                page.screenshot(path=str(tmp_path / "service-metrics.png"), full_page=True)
                page.click("text=Sign out")

                # intake with identity: two requests from the clinic's form
                sign_in(page, base, "clinic")
                a = submit_in_browser(page, base, "MBR-A-1001", "Ann Alpha")
                b = submit_in_browser(page, base, "MBR-B-2002", "Ben Beta")
                page.wait_for_selector('#status:text-is("ready")', timeout=120_000)
                page.goto(f"{base}/requests/{a}")
                page.wait_for_selector('#status:text-is("ready")', timeout=120_000)
                assert "Ann Alpha" in page.inner_text("#identity") and "1234567893" in page.inner_text("#identity")
                assert "CDT" in page.inner_text("#due") or "CST" in page.inner_text("#due")
                page.click("text=Sign out")

                # search, claim and release
                sign_in(page, base, "nurse")
                page.fill("input[name=q]", "mbr-a-1001")
                page.click("form.filters button[type=submit]")
                rows = page.locator("table.queue tbody tr")
                assert rows.count() == 1 and rows.first.get_attribute("data-request") == a
                rows.first.locator("button.claim").click()
                page.click("text=My cases")
                assert page.locator(f'tr[data-request="{a}"] td.assigned').inner_text().startswith("nurse")
                page.screenshot(path=str(tmp_path / "service-queue-identity.png"), full_page=True)
                page.locator(f'tr[data-request="{a}"] button.release').click()
                page.goto(base + "/?view=mine")
                assert page.locator(f'tr[data-request="{a}"]').count() == 0

                # correction and re-decision: every finding but the last marked wrong through the API, the last here
                h = api("nurse")
                review = httpx.get(f"{base}/api/requests/{a}/review", headers=h).json()
                spans = [(f["code"], s) for f in review["findings"] for s in f["evidence"]]
                for code, s in spans[:-1]:
                    httpx.post(f"{base}/api/requests/{a}/actions", headers=h, json={
                        "action": "mark_finding_wrong", "code": code, "doc": s["doc"], "start": s["start"], "end": s["end"],
                        "reason": "patient_reported_only"}, timeout=60).raise_for_status()
                page.goto(f"{base}/requests/{a}")
                form = page.locator("#mark-wrong")
                select, box = form.locator("select[name=finding]"), form.bounding_box()
                sb = select.bounding_box()  # the finding select stays inside its card (it was clipped under the next)
                assert sb["x"] >= box["x"] and sb["x"] + sb["width"] <= box["x"] + box["width"] + 1
                code, s = spans[-1]
                select.select_option(f"{code}|{s['doc']}|{s['start']}|{s['end']}")
                form.locator("select[name=reason]").select_option("contradicted_by_exam")
                form.locator("button[type=submit]").click()
                page.wait_for_selector("#changes")
                assert "no longer stands" in page.inner_text("#changes")
                assert page.locator("#confirm-approval").count() == 0
                assert "{'" not in page.inner_text("table.audit")  # details read as text
                page.locator("#changes").scroll_into_view_if_needed()
                page.screenshot(path=str(tmp_path / "service-corrections.png"))
                page.fill("form:has(input[value=route_to_physician]) textarea[name=note]", "SECRET-ROUTING-NOTE please decide")
                page.click("text=Route to a physician")

                # the clock: a request for information leaves it running, an extension moves it, the approval stops it
                page.goto(f"{base}/requests/{b}")
                page.fill("form:has(input[value=request_information]) textarea[name=missing]", "Physical therapy notes")
                page.click("text=Request the missing items")
                assert not page.inner_text("#clock").startswith("decided")
                assert "Physical therapy notes" in letter_pdf(page, "request_for_information")
                # the clinic answers from its page; the request is reviewed again, the page shows when the answer came
                page.click("text=Sign out")
                sign_in(page, base, "clinic")
                page.goto(f"{base}/requests/{b}")
                answer = tmp_path / "pt.txt"
                answer.write_text("Physical therapy discharge summary. DOS 03/05/2026.\n"
                                  "The patient attended 12 sessions of physical therapy over 6 weeks.\n")
                page.set_input_files("#answer input[name=files]", str(answer))
                page.click("#answer button[type=submit]")
                assert page.inner_text("#outcome") == "information received, under review"
                page.click("text=Sign out")
                sign_in(page, base, "nurse")
                page.goto(f"{base}/requests/{b}")
                page.wait_for_selector("#extend", timeout=120_000)  # the reviewer's page, once the new review is ready
                assert page.inner_text("#information-received").startswith("received ")
                due = page.inner_text("#due")
                page.fill("#extend input[name=days]", "14")
                page.fill("#extend textarea[name=note]", "waiting for the therapy notes")
                page.click("text=Extend the due date")
                assert page.inner_text("#due") != due and "waiting for the therapy notes" in page.inner_text("#due")
                page.click("#confirm-approval")
                page.wait_for_selector("#final")
                assert page.inner_text("#clock").startswith("decided ")
                ref_b = page.inner_text("#reference")
                text = letter_pdf(page, "approval")
                assert ref_b in text and "72148" in text
                page.goto(base + "/?view=decided")
                assert page.locator(f'tr[data-request="{b}"] td.left').inner_text().startswith("decided ")
                page.click("text=Sign out")

                # the physician: the form keeps "not approved" after an error; the determination letter
                sign_in(page, base, "doc")
                page.goto(f"{base}/requests/{a}")
                page.select_option("#determination select[name=determination]", "not_approved")
                page.click("text=Record the determination")
                assert "reason" in page.inner_text("p.error")
                assert page.locator("#determination select[name=determination]").input_value() == "not_approved"
                page.fill("#determination textarea[name=note]", "the radicular findings are contradicted by the exam")
                page.click("text=Record the determination")
                page.wait_for_selector("#final")
                assert page.locator(".actions").count() == 0  # no buttons after the final disposition
                text = letter_pdf(page, "determination")
                assert "contradicted by the exam" in text and "Avery Stone, MD" in text and "appeal" in text.lower()
                page.click("text=Sign out")

                # the clinic's view: status, outcome and letters; never the plan's notes or corrections
                sign_in(page, base, "clinic")
                assert "Tool recommendation" not in page.inner_text("table.queue")
                page.goto(f"{base}/requests/{a}")
                body = page.inner_text("body")
                assert page.inner_text("#outcome") == "not approved"
                assert "SECRET" not in body and "mark_finding_wrong" not in body and "redecided" not in body
                assert "contradicted by the exam" in letter_pdf(page, "determination")
                page.goto(urljoin(page.url, page.locator('li[data-letter="determination"] a', has_text="HTML").get_attribute("href")))
                page.screenshot(path=str(tmp_path / "service-letter.png"), full_page=True)
            finally:
                browser.close()
    for name in SHOTS:
        assert (tmp_path / name).stat().st_size > 10_000
        if os.environ.get("PRIORAUTH_SCREENSHOTS") == "docs":
            shutil.copy(tmp_path / name, ROOT / "docs" / name)
