"""Care never started told before its name, an EMG a review retells from months back, a home programme of exercises,
backs that ache in plain words, pain 'where it was', and an old bout's recovery that is not this episode's.
Sentences written here."""

from __future__ import annotations

from priorauth.pipeline import review
from tests.conftest import dated_doc, note_case, packet_case, present


def test_never_started_before_the_care_is_care_not_had():
    text = ("LBP x 3 mo. Taking meloxicam daily since 9/10. Never started PT (cost). Not getting any better.")
    r = review(note_case(text, when="2026-11-09"))
    assert not present(r, "physical_therapy") and "A.iv" not in r.criteria


def test_an_emg_a_review_retells_from_months_back_is_weak():
    ime = dated_doc("i", "INDEPENDENT MEDICAL EXAMINATION WITH RECORDS REVIEW\nSummary of records: injury 09/14/2025 "
                         "with low back and left leg pain. EMG/NCS of 11/2025: mild left L5 radiculopathy. Leg pain "
                         "resolved by 01/2026.\nCurrent complaints: intermittent low back ache after long shifts. No "
                         "leg pain. Exam: strength 5/5, sensation intact.", day="2026-07-01", kind="records_review")
    r = review(packet_case(ime, when="2026-07-09"))
    assert "A.iii" not in r.criteria and r.decision != "meets_criteria"


def test_a_home_programme_of_exercises_is_active_care():
    text = ("Low back pain since the end of February. Since 2 March I have kept him on a home programme of McKenzie "
            "extension and hip-hinge exercises, checked at each visit. Six sessions of acupuncture alongside. He is "
            "exactly where he started.")
    r = review(note_case(text, when="2026-05-12"))
    assert present(r, "home_exercise_program")


def test_backs_that_ache_in_plain_words():
    for said in ("Her lower back began aching in early January.", "A persistent ache in the thoracic spine since July."):
        assert present(review(note_case(said, cpt="72146")), "back_pain"), said


def test_pain_where_it_was_and_an_old_bouts_recovery():
    text = ("Lower back began aching in early January. Ibuprofen and heat since 01/05, chiropractic twice weekly from "
            "01/12 to 03/13 (17 visits). Her pain is where it was: 6/10 then, 6/10 now. No imaging apart from a "
            "lumbar MRI two summers ago for a short bout of sciatica that settled completely.")
    r = review(note_case(text, when="2026-03-17"))
    assert present(r, "no_response_to_treatment") and "A.iv" in r.criteria
