"""Issue 12, reviewer-facing items and long notes: what a reviewer reads, and a packet over spaCy's limit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from priorauth.evaluation.report import _bars_svg, _confusion_svg
from priorauth.extract import pieces as pieces_mod
from priorauth.models import LLMRun
from priorauth.pipeline import review
from priorauth.review_page import render_index, render_review_page
from tests.conftest import note_case
from tests.test_review_page import BROWSER_ARGS, chromium_path

ROOT = Path(__file__).resolve().parents[1]
SHORT_TRIAL = "HPI: neck pain x 3 weeks. Tried ibuprofen x 2 weeks.\nExam: normal strength.\nPlan: MRI C-spine."
APPROVED = "HPI: low back pain x 3 weeks. New left foot drop since yesterday.\nExam: left EHL 3/5.\nPlan: MRI L-spine."


def test_a_routed_case_leads_with_its_main_reason():
    r = review(note_case(SHORT_TRIAL, cpt="72141", age=40))
    assert r.decision == "not_met"
    first = r.reasons[0]
    assert first.startswith("Main reason") and "A.iv" in first and "2 weeks, fewer than 6" in first
    assert any(x.startswith("72141 (cervical): A.i not met") for x in r.reasons[1:])  # every unmet one still listed
    html = render_review_page(note_case(SHORT_TRIAL, cpt="72141", age=40), r)
    assert re.search(r'class="main-reason"><strong>Main reason[^<]*A\.iv', html)


def test_an_approved_case_shows_unneeded_indications_as_not_needed():
    case = note_case(APPROVED)
    r = review(case)
    assert r.decision == "meets_criteria" and any(c.status == "not_met" and c.kind == "indication" for c in r.criteria_results)
    html = render_review_page(case, r)
    assert '<span class="status">not needed</span>' in html and '<span class="status">not met</span>' not in html
    assert "Why not:" not in html


def test_llm_legend_entries_only_when_the_llm_ran():
    case = note_case(APPROVED)
    r = review(case)
    assert "LLM and ConText disagree" not in render_review_page(case, r)
    run = LLMRun(model="m", prompt_version="1", prompt_sha256="0" * 64, schema_sha256="0" * 64, status="ok")
    assert "LLM and ConText disagree" in render_review_page(case, r.model_copy(update={"llm": run}))


def test_adult_red_flag_list_leaves_out_pediatric_items():
    adult = review(note_case(SHORT_TRIAL, cpt="72141", age=40))
    a_i = next(c for c in adult.criteria_results if c.id == "A.i")
    assert "motor weakness" in a_i.needed and "pediatric" not in a_i.needed and "age 5" not in a_i.needed
    assert not any("pediatric limp" in x or "age 5 or younger" in x for x in adult.reasons)
    child = review(note_case(SHORT_TRIAL, cpt="72141", age=12))
    assert "pediatric limp" in next(c for c in child.criteria_results if c.id == "A.i").needed


def test_contrast_of_the_requested_code_is_checked_against_the_plan():
    text = "HPI: mid back pain x 3 weeks.\nPlan: MRI thoracic spine with and without contrast.\nPrior MRI lumbar without contrast 2019."
    warned = review(note_case(text, cpt="72146"))
    assert any("with and without contrast" in w and "72146" in w and "72157" in w for w in warned.warnings)
    assert "Warning: the plan asks for MRI with and without contrast" in render_review_page(note_case(text, cpt="72146"), warned)
    assert not any("contrast" in w for w in review(note_case(text, cpt="72157")).warnings)
    plain = review(note_case(APPROVED, cpt="72148"))
    assert not any("contrast" in w for w in plain.warnings)


def test_index_page_has_cpt_age_main_reason():
    routed, approved = note_case(SHORT_TRIAL, cpt="72141", age=40), note_case(APPROVED, age=63)
    rows = [("a.html", routed.model_copy(update={"id": "routed-1"}), review(routed)),
            ("b.html", approved.model_copy(update={"id": "approved-1"}), review(approved))]
    html = render_index(rows)
    assert "<td>72141</td>" in html and 'data-sort="63"' in html and "Main reason for 72141" in html
    assert "<script>" in html and 'id="q"' in html and "src=" not in html and "href=\"http" not in html


def _svg_size(svg: str) -> tuple[float, float]:
    m = re.search(r'width="([\d.]+)" height="([\d.]+)"', svg)
    return float(m.group(1)), float(m.group(2))


def test_report_charts_fit_their_labels():
    per_code = {"craniocervical_abnormality": {"f1": 1.0, "support": 30}, "back_pain": {"f1": 0.5, "support": 1234}}
    bars = _bars_svg(per_code)
    width, _ = _svg_size(bars)
    for m in re.finditer(r'<text x="([\d.]+)"[^>]*font-size="11">([^<]+)</text>', bars):  # value labels, left-anchored
        assert float(m.group(1)) + len(m.group(2)) * 11 * 0.6 <= width, m.group(2)
    cm = _confusion_svg({"meets_criteria": {"meets_criteria": 3, "not_met": 0, "incomplete": 0}})
    ys = sorted(float(y) for y in re.findall(r'<text x="[\d.]+" y="([\d.]+)" text-anchor="middle" font-size="11"', cm))
    assert ys and ys[0] - 14 <= 40  # column labels right under the "predicted" title, no blank band
    assert _svg_size(cm)[1] <= ys[0] + 8 + 3 * 90 + 20


def test_index_sorts_and_filters_and_charts_do_not_clip_in_a_browser(tmp_path):
    from playwright.sync_api import sync_playwright

    rows = []
    for i, (age, text, cpt) in enumerate([(70, APPROVED, "72148"), (30, SHORT_TRIAL, "72141"), (50, APPROVED, "72148")]):
        case = note_case(text, cpt=cpt, age=age).model_copy(update={"id": f"case-{i}"})
        rows.append((f"{i}.html", case, review(case)))
    index = tmp_path / "index.html"
    index.write_text(render_index(rows), encoding="utf-8")
    charts = tmp_path / "charts.html"
    charts.write_text("<!DOCTYPE html><html><body>" + _bars_svg({"craniocervical_abnormality": {"f1": 1.0, "support": 30}})
                      + _confusion_svg({}) + "</body></html>", encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=BROWSER_ARGS)
        try:
            page = browser.new_page()
            page.goto(index.as_uri())
            page.locator("th button", has_text="age").click()
            ages = page.locator("#cases tbody tr td:nth-child(5)").all_inner_texts()
            assert ages == ["30", "50", "70"]
            page.locator("th button", has_text="age").click()
            assert page.locator("#cases tbody tr td:nth-child(5)").all_inner_texts() == ["70", "50", "30"]
            page.fill("#q", "case-1")
            assert page.locator("#cases tbody tr:visible").count() == 1 and page.inner_text("#shown") == "1"
            page.fill("#q", "")
            page.select_option("#decision", "meets_criteria")
            assert page.locator("#cases tbody tr:visible").count() == 2
            page.goto(charts.as_uri())
            overflow = page.evaluate("""() => [...document.querySelectorAll('svg')].flatMap(svg => {
                const w = svg.width.baseVal.value, h = svg.height.baseVal.value;
                return [...svg.querySelectorAll('text')].map(t => t.getBBox())
                  .filter(b => b.x < 0 || b.y < 0 || b.x + b.width > w + 0.5 || b.y + b.height > h + 0.5).length; })""")
            assert overflow == [0, 0]
        finally:
            browser.close()


def test_pieces_cover_the_text_and_cut_at_line_breaks():
    text = ("Line of the note with a sentence. Another one.\n" * 300) + ("x" * 5000)
    parts = pieces_mod.pieces(text, 1000)
    assert parts[0][0] == 0 and parts[-1][1] == len(text) and all(a[1] == b[0] for a, b in zip(parts, parts[1:]))
    assert all(e - s <= 1000 for s, e in parts)
    assert all(text[e - 1] == "\n" for s, e in parts[:-7])  # cut after a line break while there are line breaks


def test_long_note_is_reviewed_in_pieces_with_offsets_kept(monkeypatch):
    monkeypatch.setattr(pieces_mod, "SPLIT_OVER", 5_000)
    monkeypatch.setattr(pieces_mod, "PIECE_CHARS", 2_000)
    filler = "Follow-up visit. Patient doing about the same, stable mild stiffness in the morning.\n"
    text = "HPI: low back pain x 3 weeks.\n" + filler * 200 + "New left foot drop since yesterday.\n" + filler * 10
    r = review(note_case(text))
    spans = [s for f in r.findings for s in f.evidence]
    assert all(text[s.start:s.end] == s.text for s in spans)
    drop = next(f for f in r.findings if f.code == "motor_weakness").evidence[0]
    assert drop.start == text.index("foot drop") and r.decision == "meets_criteria"


@pytest.mark.parametrize("size", [1_000_050])
def test_a_note_over_spacys_limit_is_reviewed(size, monkeypatch):
    monkeypatch.setenv("PRIORAUTH_MAX_TEXT_CHARS", "2000000")  # above the default limit, for an operator who raised it
    filler = "Follow-up visit. Patient doing about the same, stable mild stiffness in the morning.\n"
    head = "HPI: low back pain x 3 weeks.\n"
    tail = "New left foot drop since yesterday.\n"
    text = head + filler * ((size - len(head) - len(tail)) // len(filler) + 1) + tail
    assert len(text) > 1_000_000
    r = review(note_case(text))
    drop = next(f for f in r.findings if f.code == "motor_weakness").evidence[0]
    assert text[drop.start:drop.end] == drop.text and drop.start > 1_000_000 - 100


def test_readme_install_command_is_the_install_script():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```\n(.*?)```", quick, re.S)
    assert blocks and blocks[0].strip() == "bash scripts/install.sh"
    assert (ROOT / "scripts" / "install.sh").exists()
