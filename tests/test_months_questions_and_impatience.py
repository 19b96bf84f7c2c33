"""A month that is not a modal, a cause asked as a question, impatience with improvement, care declined after a dash,
studies had over a season and ordered by someone else, lengths spent, letters' words for no response, and severe
pain told in an ED note. Sentences written here."""

from __future__ import annotations

from priorauth.extract.dates import find_durations
from priorauth.pipeline import review
from tests.conftest import note_case
from tests.conftest import present as _present



def test_late_may_is_a_month_not_a_plan():
    text = ("Lower back pain since March. She went to physiotherapy twice weekly, finishing in late May, and took "
            "diclofenac daily over the same weeks with a hot-water bottle at night.")
    r = review(note_case(text, when="2026-06-18"))
    assert _present(r, "medication") and _present(r, "rest_ice_heat")
    plan = review(note_case("Lower back pain since March. May try diclofenac if no better.", when="2026-06-18"))
    assert not _present(plan, "medication")


def test_a_length_spent_and_over_those_same_weeks():
    text = "She spent seven weeks with the physiotherapists, and over those same seven weeks she took diclofenac."
    found = {text[d.start:d.end] for d in find_durations(text, 0, None)}
    assert any("spent seven weeks" in t for t in found) and any("over those same seven weeks" in t for t in found)


def test_a_letters_words_for_no_response():
    for said in ("She is exactly where she was in March.", "None of it has shifted things.",
                 "Her Oswestry score has not moved."):
        text = f"Lower back pain since March. Physiotherapy and diclofenac for 8 weeks. {said}"
        assert _present(review(note_case(text, when="2026-06-18")), "no_response_to_treatment"), said


def test_not_getting_better_fast_enough_is_no_failed_trial():
    text = ("LBP since mid-Sept. PT x 8 wks, naproxen since 09/18. Back pain 7 -> 3, ~60% overall improvement. Says "
            "he's \"not getting better fast enough\".")
    r = review(note_case(text, when="2026-11-21"))
    assert not _present(r, "no_response_to_treatment")
    assert "A.iv" not in r.criteria


def test_care_declined_after_a_dash_or_never_started():
    text = ("LBP since 09/08, PT 2x/wk since 09/15 (16 visits), pain unchanged. Gabapentin - declined. Acetaminophen "
            "650 q6h recommended 9/15; today admits she never started it.")
    r = review(note_case(text, when="2026-11-17"))
    assert not _present(r, "medication")
    pain = review(note_case("LBP since 09/08. PT since 09/15: pain declined from 7 to 3.", when="2026-11-17"))
    assert _present(pain, "physical_therapy")


def test_a_study_had_over_a_season_and_ordered_by_someone_else_is_prior():
    text = ("LBP and L leg pain since late May. PT and naproxen since June, still 6/10.\nImaging: he had an MRI of his "
            "low back over the summer - July, he thinks, ordered by urgent care for this same pain.\nNo new "
            "symptoms. Will order MRI L-spine.")
    r = review(note_case(text, when="2026-11-19"))
    assert _present(r, "prior_mri_same_region")
    assert r.decision != "meets_criteria"


def test_a_questioned_cause_explains_nothing():
    text = ("Mid-back pain wrapping to the L chest for 4 weeks, no rash.\nExam: decreased pinprick in a L T8 "
            "dermatomal band.\nDx: L thoracic band pain - ?pre-eruptive herpes zoster.")
    r = review(note_case(text, cpt="72146"))
    assert _present(r, "sensory_deficit") and _present(r, "back_pain")


def test_not_following_a_dermatome_is_not_dermatomal():
    text = "LBP 3 wks.\nExam: decreased LT in an oval patch over the R anterolateral thigh, not following a dermatome."
    assert not _present(review(note_case(text)), "sensory_deficit")


def test_severe_pain_in_an_ed_note_and_an_ed_visit_needed():
    ed = ("EMERGENCY DEPARTMENT - PHYSICIAN NOTE\n5 days of low back pain, since last night shooting pain down the back "
          "of the left leg to the heel, 10/10. IV hydromorphone x2.")
    r = review(note_case(ed))
    assert _present(r, "ed_visit_radicular_pain")
    later = "ED f/u. Needed ED 11/1 for intractable L sciatica (IV meds). Pain from the low back still 8/10."
    r = review(note_case(later, when="2026-11-05"))
    assert _present(r, "ed_visit_radicular_pain") and _present(r, "back_pain")
