"""The service in Debian's Chromium (Playwright, never a downloaded browser), against a real uvicorn on 127.0.0.1.

A submitter signs in and uploads the example PDF; the review runs in the
background; a nurse opens it, clicks a criterion, adds a finding by selecting
text, confirms the approval, and sees it in the queue and the audit log.
Screenshots go to tmp_path, and to docs/ when PRIORAUTH_SCREENSHOTS=docs.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import httpx

from tests.test_review_page import BROWSER_ARGS, chromium_path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from load_service import ADMIN_PASSWORD, server  # noqa: E402

PHRASE = "cannot sit through a full shift"


def make_user(base: str, admin: str, name: str, role: str, org: str) -> None:
    r = httpx.post(base + "/api/users", headers={"Authorization": f"Bearer {admin}"},
                   json={"username": name, "password": f"{name}-password-123", "role": role, "org": org})
    assert r.status_code == 201, r.text


IDENTITY = {"patient_name": "Rosa Quintero-Vale", "birth_date": "1973-06-10", "member_id": "MBR-771203",
            "ordering_provider_name": "Dana Ordering", "ordering_provider_npi": "1234567893",
            "servicing_provider": "Northside Imaging Center"}


def fill_identity(page, **over: str) -> None:
    for name, value in {**IDENTITY, **over}.items():
        page.fill(f"input[name={name}]", value)


def sign_in(page, base: str, name: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", f"{name}-password-123")
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


SELECT_JS = """(phrase) => {
  const pre = document.querySelector('pre.note');
  const full = pre.textContent, at = full.indexOf(phrase);
  if (at < 0) return null;
  const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
  let pos = 0, start = null, end = null, n;
  while ((n = walker.nextNode())) {
    const len = n.textContent.length;
    if (start === null && at < pos + len) start = [n, at - pos];
    if (end === null && at + phrase.length <= pos + len) { end = [n, at + phrase.length - pos]; break; }
    pos += len;
  }
  const r = document.createRange(); r.setStart(start[0], start[1]); r.setEnd(end[0], end[1]);
  const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
  document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
  return at;
}"""


def test_sign_in_upload_review_confirm_and_audit_in_chromium(tmp_path):
    from playwright.sync_api import sync_playwright

    shots = tmp_path
    with server(tmp_path / "data", None, 1, tmp_path / "server.log") as base:
        admin = httpx.post(base + "/api/tokens", json={"username": "admin", "password": ADMIN_PASSWORD}).json()["token"]
        make_user(base, admin, "clinic", "submitter", "spine-clinic")
        make_user(base, admin, "nurse", "nurse", "plan")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=BROWSER_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                requests: list[str] = []
                page.on("request", lambda r: requests.append(r.url))
                sign_in(page, base, "clinic")
                page.click("text=New request")
                fill_identity(page)
                page.fill("input[name=cpt_codes]", "72148")
                page.fill("input[name=patient_age]", "52")
                page.fill("input[name=request_date]", "2026-03-02")
                page.select_option("select[name=urgency]", "expedited")
                page.check("input[name=swo]")
                page.set_input_files("input[name=files]", str(ROOT / "examples" / "lumbar_radiculopathy.pdf"))
                page.click("form.stack button[type=submit]")
                page.wait_for_load_state()
                assert "/requests/new" not in page.url, page.inner_text("main")
                rid = page.url.rsplit("/", 1)[1]
                # the clinic's status page refreshes itself until the background review is ready
                page.wait_for_selector('#status:text-is("ready")', timeout=120_000)
                page.click("text=Sign out")
                sign_in(page, base, "nurse")
                assert page.locator(f'tr[data-request="{rid}"]').count() == 1  # ready, not yet acted on: needs a human
                page.goto(f"{base}/requests/{rid}")
                crit = page.locator("button.crit.met").first
                crit.click()
                assert crit.get_attribute("aria-pressed") == "true" and page.locator("mark.active").count() >= 1
                page.screenshot(path=str(shots / "service-review.png"))
                # add a finding by selecting its words in the note
                at = page.evaluate(SELECT_JS, PHRASE)
                assert at is not None
                form = page.locator("#add-finding")
                assert form.locator("input[name=text]").input_value() == PHRASE
                assert int(form.locator("input[name=start]").input_value()) == at
                form.locator("select[name=code]").select_option("back_pain")
                form.locator("button[type=submit]").click()
                page.wait_for_selector('tr[data-action="add_finding"]')
                page.click("#confirm-approval")
                page.wait_for_selector('tr[data-action="confirm_approval"]')
                assert page.inner_text("#disposition") == "approved"
                audit = page.inner_text("table.audit")
                assert "nurse" in audit and "confirm_approval" in audit and f"start: {at}" in audit
                page.goto(base + "/?view=all")
                row = page.locator(f'tr[data-request="{rid}"]')
                assert "approved" in row.inner_text() and "expedited" in row.inner_text()
                page.screenshot(path=str(shots / "service-queue.png"))
                page.goto(base + "/")
                assert page.locator(f'tr[data-request="{rid}"]').count() == 0  # no longer needs a human
            finally:
                browser.close()
    assert all(u.startswith(base) for u in requests), [u for u in requests if not u.startswith(base)]
    for name in ("service-review.png", "service-queue.png"):
        assert (shots / name).stat().st_size > 10_000
        if os.environ.get("PRIORAUTH_SCREENSHOTS") == "docs":
            shutil.copy(shots / name, ROOT / "docs" / name)
