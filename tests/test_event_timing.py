"""Events carry when care ran and how it answered, and when a symptom began: a reviewer reads the timeline, not
a summary line. Sentences written here."""

from __future__ import annotations

from datetime import date

from priorauth.extract.dates import find_durations, parse_date
from priorauth.pipeline import review
from priorauth.review_page import render_review_page
from tests.conftest import note_case

NOTE = ("HPI: Low back pain for 3 months, and left leg numbness since 01/05/2026. "
        "Physical therapy from 20 October to 29 December 2025 without improvement. "
        "Naproxen for 6 weeks; tried gabapentin in the past.\n"
        "EXAM: Strength 5/5.\nPLAN: MRI lumbar spine.")


def _event(r, code):
    return next(e for e in r.events if e.code == code)


def test_care_received_carries_its_dates_length_and_response():
    r = review(note_case(NOTE, when="2026-03-02"))
    pt = _event(r, "physical_therapy")
    assert (pt.began, pt.ended) == (date(2025, 10, 20), date(2025, 12, 29))
    assert pt.weeks == 10.0 and pt.response == "no_response"
    assert [t.text for t in pt.timing] == ["20 October to 29 December 2025"]
    nsaid = next(e for e in r.events if e.code == "medication" and e.evidence[0].text == "Naproxen")
    assert nsaid.weeks == 6.0 and nsaid.ended == date(2026, 3, 2) and nsaid.began == date(2026, 1, 19)


def test_every_timing_span_is_the_note_text():
    case = note_case(NOTE, when="2026-03-02")
    text = case.documents[0].text
    for e in review(case).events:
        for t in e.timing:
            assert text[t.start:t.end] == t.text


def test_a_symptom_carries_its_onset_from_its_own_clause():
    r = review(note_case(NOTE, when="2026-03-02"))
    pain = _event(r, "back_pain")
    assert pain.weeks == 12.0 and pain.began == date(2025, 12, 8)  # 3 months of 4 weeks, counted back
    numb = next(e for e in r.events if "numbness" in e.evidence[0].text)  # a sign the patient reports has an onset too
    assert numb.began == date(2026, 1, 5) and numb.weeks == 8.0  # its own clause's start, not the pain's length


def test_a_symptom_without_a_length_in_its_clause_has_no_onset():
    r = review(note_case("HPI: Low back pain. PT for 8 weeks did not help.", when="2026-03-02"))
    pain = _event(r, "back_pain")
    assert pain.began is None and pain.weeks is None and pain.timing == []


def test_negated_or_planned_care_has_no_response():
    r = review(note_case("HPI: Low back pain for 8 weeks, no better after naproxen for 6 weeks. "
                         "She declined physical therapy.\nPLAN: Will start a home exercise program.", when="2026-03-02"))
    assert _event(r, "medication").response == "no_response"
    assert _event(r, "physical_therapy").response is None
    assert _event(r, "home_exercise_program").response is None


def test_day_first_dates_in_words():
    assert parse_date("20 August", date(2026, 11, 20)) == date(2026, 8, 20)
    assert parse_date("3rd of March 2026", None) == date(2026, 3, 3)
    [d] = find_durations("PT 2 Sept - 28 Oct", 0, date(2026, 11, 20))
    assert (d.began, d.ended, d.days) == (date(2026, 9, 2), date(2026, 10, 28), 56.0)
    assert find_durations("NSAIDs 1 to 5 may help", 0, date(2026, 11, 20)) == []  # 'may' the verb is no month


def test_the_reviewers_timeline_shows_care_dates_and_response():
    case = note_case(NOTE, when="2026-03-02")
    html = render_review_page(case, review(case))
    assert "10/20/2025 to 12/29/2025, 10 weeks, no response" in html


def test_a_met_trial_quotes_the_words_of_its_length_and_says_when_each_care_ran():
    case = note_case("HPI: Low back pain for 3 months. Physical therapy from 20 October to 29 December 2025 without "
                     "improvement. Naproxen for 6 weeks.\nEXAM: Strength 5/5.", when="2026-01-20")
    r = review(case)
    a_iv = next(c for c in r.criteria_results if c.id == "A.iv")
    assert a_iv.status == "met"
    assert {"20 October to 29 December 2025", "for 6 weeks"} <= {e.text for e in a_iv.evidence}
    assert "physical therapy from 10/20/2025 to 12/29/2025" in a_iv.subitem_text
    text = case.documents[0].text
    assert all(text[e.start:e.end] == e.text for e in a_iv.evidence)
