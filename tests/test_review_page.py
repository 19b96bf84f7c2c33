"""The reviewer's page: escaping, highlights at the right offsets, overlaps, self-containment, and a real browser."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path


from priorauth.htmltext import Mark, highlight
from priorauth.pipeline import review
from priorauth.review_page import render_index, render_review_page, safe_filename, span_id
from tests.conftest import note_case

HOSTILE = ("HPI: <script>alert('x')</script> low back pain x 8 weeks, PT x 7 wks and naproxen without relief. "
           "<img src=x onerror=alert(1)> New left foot drop.\nExam: left EHL 3/5.")


class Marks(HTMLParser):
    """Collects <mark> elements with their text, checking tags nest properly."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.marks: list[tuple[dict, str]] = []
        self.current: list[str] = []
        self.in_mark = False
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("br", "meta", "img", "input", "link"):
            return
        self.stack.append(tag)
        if tag == "mark":
            assert not self.in_mark, "nested mark"
            self.in_mark, self.attrs, self.current = True, dict(attrs), []

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"crossed tags at </{tag}>"
        self.stack.pop()
        if tag == "mark":
            self.marks.append((self.attrs, "".join(self.current)))
            self.in_mark = False

    def handle_data(self, data):
        if self.in_mark:
            self.current.append(data)


def page_for(text: str):
    case = note_case(text)
    r = review(case)
    return case, r, render_review_page(case, r)


def test_note_text_is_escaped():
    _, _, html = page_for(HOSTILE)
    body = html.split("<script>", 1)[0] + html.rsplit("</script>", 1)[1]  # the page's own script is the last one
    assert "<img" not in html and "alert('x')</script>" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count("<script>") == 1


def test_page_is_self_contained():
    _, _, html = page_for(HOSTILE)
    assert not re.search(r'(?:src|href)\s*=\s*["\']?(?:https?:)?//', html, re.I)
    assert "<link" not in html and "@import" not in html and "url(" not in html


def test_one_highlight_per_evidence_span_at_its_offsets():
    case, r, html = page_for(HOSTILE)
    parser = Marks()
    parser.feed(html)
    assert not parser.stack
    text = case.documents[0].text
    for f in r.findings + r.ruled_out:
        for s in f.evidence:
            ident = span_id(s)
            pieces = [t for a, t in parser.marks if ident in a.get("data-marks", "").split()]
            assert "".join(pieces) == text[s.start:s.end], (f.code, s.text)
            assert html.count(f'<a id="{ident}"></a>') == 1


def test_overlapping_spans_do_not_cross_tags():
    text = "severe low back pain radiating"
    html = highlight(text, [Mark(0, 20, "a", "x", "m1"), Mark(7, 30, "b", "y", "m2"), Mark(11, 15, "c", "z", "m3")])
    parser = Marks()
    parser.feed(html)
    assert not parser.stack
    joined = "".join(t for _, t in parser.marks)
    assert joined == text
    m2 = "".join(t for a, t in parser.marks if "m2" in a["data-marks"].split())
    assert m2 == text[7:30]


def test_criteria_show_policy_words_and_ruled_out_mentions_are_distinct():
    case, r, html = page_for(HOSTILE + "\nDenies saddle anesthesia. Mother has MS.")
    assert 'data-criterion="A.i"' in html and "a “red flag” indication listed below" in html
    assert re.search(r'<mark class="[^"]*ruled[^"]*" title="saddle_anesthesia: ruled out \(negated\)', html)
    assert r.policy.number in html


def test_index_and_filenames():
    case, r, _ = page_for(HOSTILE)
    html = render_index([("t.html", "t", r)])
    assert '<a href="t.html">t</a>' in html and r.decision in html
    assert safe_filename("../../etc/passwd") == "etc_passwd.html" and safe_filename("a b<c>") == "a_b_c.html"


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
    assert Path(path).exists(), "Chromium is required for the browser test (.ci/run installs Debian's chromium)"
    return path


BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"]


def test_clicking_a_criterion_highlights_and_scrolls_to_its_evidence(tmp_path):
    from playwright.sync_api import sync_playwright

    # a long packet: 20 pages of notes, with the evidence near the end so scrolling is needed
    filler = "Follow-up visit. Patient doing about the same, stable mild stiffness in the morning.\n" * 800  # ~20 pages
    case, r, html = page_for(filler + HOSTILE)
    page_file = tmp_path / "review.html"
    page_file.write_text(html, encoding="utf-8")
    target = next(c for c in r.criteria_results if c.status == "met" and c.evidence)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(page_file.as_uri())
            assert page.locator("mark.active").count() == 0
            page.locator(f'button[data-criterion="{target.id}"]').first.click()
            active = page.locator("mark.active")
            assert active.count() >= len({span_id(s) for s in target.evidence})
            assert page.locator(f'button[data-criterion="{target.id}"]').first.get_attribute("aria-pressed") == "true"
            box = active.first.bounding_box()
            assert box is not None and 0 <= box["y"] <= 800, box  # scrolled into view
            assert page.evaluate("document.activeElement.tagName") == "MARK"
            page.keyboard.press("Escape")
            assert page.locator("mark.active").count() == 0
            shot = tmp_path / "review.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
        finally:
            browser.close()


def test_evaluation_report_opens_offline_in_a_browser(tmp_path):
    from playwright.sync_api import sync_playwright
    from typer.testing import CliRunner

    from priorauth.cli import app
    from tests.conftest import DEV

    report = tmp_path / "report.html"
    assert CliRunner().invoke(app, ["evaluate", str(DEV), "--report", str(report)]).exit_code == 0
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=BROWSER_ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri())
            assert page.locator("svg").count() >= 2  # confusion matrix and per-code bars
            assert "decision accuracy" in page.inner_text("body")
            links = page.locator('a[href^="#case-"]')
            if links.count():
                href = links.first.get_attribute("href")
                links.first.click()
                assert page.evaluate("location.hash") == href
        finally:
            browser.close()
    assert all(u.startswith("file://") for u in requests), requests


def test_a_stored_review_without_policy_identity_still_renders():
    case = note_case("Low back pain. Strength 4/5 left ankle dorsiflexion.")
    r = review(case).model_copy(update={"policy": None})  # reviews stored before the identity was recorded
    page = render_review_page(case, r)
    assert "Low back pain" in page and "<mark" in page


def test_the_example_packets_page_selects_a_criterion(tmp_path):
    """The README's screenshot is this page: the example packet with A.iv selected (its evidence marked).
    PRIORAUTH_SCREENSHOTS=docs refreshes docs/review-page.png from it."""
    import os

    from playwright.sync_api import sync_playwright
    from typer.testing import CliRunner

    from priorauth.cli import app

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "review.html"
    res = CliRunner().invoke(app, ["review", str(root / "examples" / "lumbar_radiculopathy.txt"), "--cpt", "72148",
                                   "--age", "52", "--request-date", "2026-03-02", "--html", str(out)])
    assert res.exit_code == 0, res.output
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(out.as_uri())
            page.locator('button[data-criterion="A.iv"]').first.click()
            assert page.locator('button[data-criterion="A.iv"]').first.get_attribute("aria-pressed") == "true"
            assert page.locator("mark.active").count() >= 4  # therapy, medications, failure marked
            page.evaluate("window.scrollTo(0, 0)")
            shot = tmp_path / "review-page.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            if os.environ.get("PRIORAUTH_SCREENSHOTS") == "docs":
                shutil.copyfile(shot, root / "docs" / "review-page.png")
        finally:
            browser.close()
