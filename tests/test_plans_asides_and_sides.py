"""Care meant to be restarted, ordered and never begun (told in the next clause or sentence), or dated by an aside;
return precautions of a clinic plan; sides read in their own clause; words that are not grades, not retention, not
new relapses; worsening and no response told in plain words; numbness of both feet. Sentences written here."""

from __future__ import annotations

from datetime import date

from priorauth.extract.dates import parse_date
from priorauth.pipeline import review
from tests.conftest import dated_doc as doc
from tests.conftest import note_case, packet_case
from tests.conftest import present as _present
from tests.conftest import ruled as _ruled





def test_care_he_keeps_meaning_to_restart_is_not_received():
    text = ("Low back pain for 7 weeks. Naproxen the whole time without improvement. He keeps meaning to restart "
            "his old PT exercises but has not.")
    r = review(note_case(text))
    assert not _present(r, "physical_therapy") and not _present(r, "home_exercise_program")


def test_a_drug_never_picked_up_told_after_a_semicolon():
    text = ("Low back pain x 10 wks. Gabapentin 300 mg qhs was e-prescribed 01/05; the pharmacy confirms it was never "
            "picked up.")
    assert not _present(review(note_case(text)), "medication")


def test_pt_ordered_then_never_attended_in_the_next_sentence():
    text = ("Low back pain for 8 weeks.\nPT: I ordered PT 2x/wk x 6 wks at the 01/06 visit. She never went - the "
            "first appointment clashed with work.")
    assert not _present(review(note_case(text)), "physical_therapy")
    kept = "Low back pain for 8 weeks. PT twice weekly since 01/06. She never went to the chiropractor, though."
    assert _present(review(note_case(kept)), "physical_therapy")


def test_an_aside_in_brackets_does_not_date_the_care_after_it():
    text = ("Low back pain since the first week of December; I first saw her 12/08. She cannot take NSAIDs (gastric "
            "bypass 2019, ulcer 2021), so at that visit I prescribed a home exercise program and went through each "
            "exercise with her; she has done it daily. An epidural steroid injection on 01/20 gave no relief. She is at "
            "the same place she was in December, unchanged despite >10 weeks of the home program and the injection.")
    r = review(note_case(text))
    hep = [c for c in r.conservative_therapy.components if c.kind == "home_exercise_program"]
    assert hep and hep[0].within_6_months is not False
    assert "A.iv" in r.criteria


def test_a_clinic_plans_call_back_words_are_hypothetical():
    text = ("Post-op visit 3 months after L4-5 fusion. Doing very well, no leg pain, strength 5/5.\n"
            "Plan: routine post-fusion MRI per protocol. Call for fever, wound drainage, new leg pain or weakness.")
    r = review(note_case(text))
    assert not _present(r, "motor_weakness") and not _present(r, "radicular_pain")
    assert r.decision != "meets_criteria"


def test_a_torn_cuff_explains_the_shoulder_weakness_across_the_packet():
    pcp = doc("pcp", "Neck pain 3 wks. R arm feels weak.\nExam: R shoulder abduction 4/5, ER 4/5. Reflexes 2+ sym.")
    ortho = doc("ortho", "Shoulder abduction 4/5 and ER 4/5. Assessment: his shoulder weakness is due to the cuff "
                         "tear.", "2026-03-04", "consult_note")
    r = review(packet_case(pcp, ortho, cpt="72141", when="2026-03-05"))
    assert not _present(r, "motor_weakness")
    assert {f.attributed_to for f in _ruled(r, "motor_weakness")} >= {"shoulder pathology"}


def test_a_side_read_in_its_own_clause():
    text = ("Neck pain x 3 wks. R MCA stroke 02/2025 with residual L hemiparesis.\nExam: Hoffmann's present on the L, "
            "absent R. L Babinski.\nA: L-sided hyperreflexia, Hoffmann and Babinski are from the stroke, unchanged.")
    r = review(note_case(text, cpt="72141"))
    assert not _present(r, "upper_motor_neuron_signs")


def test_a_study_dated_by_a_holiday():
    assert parse_date("Halloween", date(2026, 2, 23)) == date(2025, 10, 31)
    assert parse_date("Christmas 2024", date(2026, 2, 23)) == date(2024, 12, 25)
    text = ("Low back and L leg pain since September. She had an MRI of her lower back at Lakeside Imaging just "
            "before Halloween: L4-5 protrusion. PT 10 weeks and meloxicam without benefit. Exam unchanged.")
    r = review(note_case(text, when="2026-02-23"))
    assert _present(r, "prior_mri_same_region")
    assert r.decision != "meets_criteria"


def test_a_score_on_a_verbal_scale_is_no_strength_grade():
    text = ("Low back pain for 2 weeks.\nExam: strength 5/5 throughout. Pain with R SLR rated 4/5 on the clinic 0-5 "
            "verbal scale.")
    assert not _present(review(note_case(text)), "motor_weakness")


def test_a_small_post_void_residual_is_no_retention():
    assert not _present(review(note_case("Low back pain. Post-void residual 30 mL.")), "bowel_bladder_dysfunction")
    assert _present(review(note_case("Low back pain. Post-void residual 640 mL.")), "bowel_bladder_dysfunction")


def test_no_response_and_neck_pain_in_a_letters_words():
    text = ("Thank you for seeing Mr. P, whose neck has troubled him since early November: a deep ache at the base of "
            "the neck. He has seen a chiropractor weekly since 11/10 and taken celecoxib daily since then. He is at "
            "the same place he was in November, unchanged despite all of it.")
    r = review(note_case(text, cpt="72141", when="2026-02-10"))
    assert _present(r, "neck_pain") and _present(r, "no_response_to_treatment")
    assert "A.iv" in r.criteria


def test_an_ed_visit_told_as_presenting_to_the_ed():
    text = ("Discharge summary. 8 days of low back pain. Presented to the ED 02/20 unable to walk because of leg pain "
            "down the L calf, despite ibuprofen. Admitted for pain control.")
    assert _present(review(note_case(text)), "ed_visit_radicular_pain")


def test_a_relapse_history_heading_is_no_new_relapse():
    text = ("MS follow-up. RRMS on ocrelizumab.\nRelapse history: 2018 optic neuritis.\nInterval: no new symptoms. Exam normal. Plan: routine cervical MRI.")
    r = review(note_case(text, cpt="72156"))
    assert "G" not in r.criteria


def test_pain_that_spreads_further_each_week_is_a_worsening():
    text = ("Low back pain since 29 January. Over three weeks it has travelled down into the back of the thigh and "
            "the calf. Physiotherapy twice a week since 5 February and naproxen since 1 February; each week he has "
            "more leg pain than the week before.")
    r = review(note_case(text))
    assert _present(r, "symptoms_worsening")
    assert "A.v" in r.criteria


def test_an_emg_confirmed_radiculopathy_named_in_the_impression():
    text = ("Low back pain with R leg pain. Impression: 1. Suspected MS. 2. R L5 radiculopathy, EMG-confirmed, "
            "unrelated to the demyelinating process. Plan: MRI lumbar spine for the L5 radiculopathy.")
    assert _present(review(note_case(text)), "emg_radiculopathy")


def test_numbness_of_both_feet_is_not_dermatomal_but_one_foot_is():
    both = "Low back pain for 3 weeks. Numb feet at night; LT reduced in both feet to the ankles."
    r = review(note_case(both))
    assert not _present(r, "sensory_deficit")
    one = "Low back pain for 3 weeks. Numbness of the L foot; LT reduced over the L dorsal foot, L5."
    assert _present(review(note_case(one)), "sensory_deficit")


def test_a_therapy_clinics_letter_that_she_was_never_seen_outweighs_her_later_claim():
    letter = doc("ltr", "Harbor Physical Therapy - Notice of Discharge from Referral\nThe patient was scheduled for an "
                        "initial evaluation three times. She did not arrive for the second and third. The referral is "
                        "closed and the patient has been discharged without having been evaluated or treated.",
                 "2026-02-20", "letter")
    clinic = doc("clinic", "Low back pain since the first week of December. Naproxen since 12/05, ice nightly. PT was "
                           "ordered 12/15. She reports she did the PT. Pain unchanged at 6/10 after 12 weeks.",
                 "2026-03-01")
    r = review(packet_case(letter, clinic, when="2026-03-02"))
    assert not _present(r, "physical_therapy")
    assert "A.iv" not in r.criteria


def test_a_no_inside_brackets_does_not_reach_past_them():
    text = ("HPI: 66M with type 2 DM (A1c 6.4, no neuropathic symptoms ever), 5 weeks of R low back and lateral leg "
            "pain. Over the past 10 days the R foot catches on rugs.\nExam: R ankle dorsiflexion 4-/5, EHL 3/5.")
    r = review(note_case(text))
    assert _present(r, "back_pain")
    assert "A.ii" in r.criteria
    still = "HPI: back pain for 5 weeks (no leg pain, no numbness)."
    assert not _present(review(note_case(still)), "radicular_pain")
