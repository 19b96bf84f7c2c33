"""Readings learned from probe sets of one reading in many phrasings: a cause after a colon, a medicine's effect, care
contraindicated, an exam told outside an exam section or from an earlier visit, numbers that are no grades, and
prior studies dated in shorthand, by season or by the visit that ordered them. Sentences written here."""

from __future__ import annotations

from priorauth.pipeline import review
from tests.conftest import note_case, present


def test_findings_then_a_colon_then_their_cause():
    text = ("LBP x 2 wks after gardening. Exam: vibration reduced both feet, symmetric; great toe extension 4/5 "
            "bilaterally; ankle jerks absent.\nA: 1) Mechanical LBP. 2) Stocking numbness, absent ankle jerks and toe "
            "weakness: diabetic polyneuropathy, longstanding.")
    r = review(note_case(text, age=70, when="2026-04-09"))
    assert "A.i" not in r.criteria and "A.ii" not in r.criteria


def test_meralgia_in_british_spelling():
    text = ("Lumbar pain for 5 weeks and a numb patch on the outer right thigh. I feel the thigh symptoms are meralgia "
            "paraesthetica.")
    assert not present(review(note_case(text, when="2026-03-12")), "sensory_deficit")


def test_bladder_trouble_from_a_medicine():
    text = ("Back pain 1 wk. Trouble passing urine since starting oxybutynin 5 mg last week; PVR 350 mL. Perineal "
            "sensation intact. Retention felt to be secondary to the oxybutynin - stopped.")
    assert "A.i" not in review(note_case(text, age=72, when="2026-03-26")).criteria


def test_care_deemed_contraindicated_was_not_had():
    text = ("Low back pain x 2 months. Physical therapy was felt to be contraindicated by cardiology after her MI on "
            "1/12 - nothing exertional until cleared. Acetaminophen 1 g TID since mid-January, no help.")
    r = review(note_case(text, when="2026-03-17"))
    assert "A.iv" not in r.criteria


def test_a_grade_from_an_earlier_visit_weighed_against_todays():
    text = ("Seen at the walk-in clinic 10 days ago for back pain with left leg pain; that exam documented L EHL 4/5.\n"
            "Today the foot feels normal. Exam today - L EHL now 5/5, TA 5/5, heel walk normal.")
    r = review(note_case(text, when="2026-08-11"))
    assert "A.i" not in r.criteria and "A.ii" not in r.criteria


def test_a_sign_found_absent_today_after_an_earlier_visit():
    text = ("Neck pain 6 wks. On 07/02 the urgent care exam found a L Hoffmann's sign. Today, reflexes 2+ and "
            "symmetric, Hoffmann's absent, no clonus.")
    assert "M" not in review(note_case(text, cpt="72141", when="2026-08-12")).criteria


def test_an_exam_told_mid_dictation_contradicts_a_report():
    text = ("FOLLOW UP. 44 YEAR OLD WOMAN WITH LOW BACK PAIN FOR 10 DAYS. SHE STATES HER LEFT LEG FEELS NUMB. ON "
            "EXAMINATION SENSATION IS INTACT TO LIGHT TOUCH AND PINPRICK THROUGHOUT, STRENGTH FULL.")
    assert "A.i" not in review(note_case(text, when="2026-06-16")).criteria


def test_a_symptom_with_its_length_is_history_even_under_an_exam_header():
    text = ("O: 40F, LBP with L calf tingling x 10 days.\nNeuro: LT/PP intact L2-S1 bilaterally, myotomes 5/5.\n"
            "A: lumbar strain, no objective deficit.")
    assert "A.i" not in review(note_case(text, when="2026-05-05")).criteria


def test_scores_on_a_scale_are_no_grades():
    text = "LBP 3 wks. Patient questionnaire today: back pain severity 4/5, sleep item 3/5. Exam: strength 5/5."
    assert not present(review(note_case(text, when="2026-09-18")), "motor_weakness")


def test_prior_studies_in_shorthand_seasons_and_visits():
    texts = ("LBP with L sciatica. MRI lumbar spine completed 08/11 for these symptoms showed a small protrusion. PT and "
             "naproxen 9 wks, no better. Exam unchanged. Another MRI requested.",
             "LOW BACK PAIN INTO THE LEFT LEG. MRI OF THE LUMBAR SPINE THIS SPRING SHOWED DEGENERATIVE CHANGE. PT AND "
             "IBUPROFEN SINCE JUNE, NO BETTER, SAME SYMPTOMS. PLAN MRI LUMBAR SPINE.",
             "S: R sciatica. Had MRI L-spine ~4 mo ago -> small L4-5 HNP. PT 2x/wk x 9 wk + naproxen, same. "
             "A/P: re-order MRI L-spine.",
             "1. LBP and L leg pain, failed PT 9 wks with naproxen. 2. Prior imaging - MRI L spine in June for the same "
             "symptoms. 3. Exam stable. 4. Repeat MRI L spine requested.",
             "Low back pain with left sciatica, 10 weeks. Completed 9 weeks PT and naproxen; no better. Lumbar MRI was "
             "ordered at the 09/14 visit and performed 09/20/2026. Ordering MRI lumbar spine again.")
    for text, when in zip(texts, ("2026-11-12", "2026-08-14", "2026-10-01", "2026-11-06", "2026-11-19")):
        r = review(note_case(text, when=when))
        assert present(r, "prior_mri_same_region") and r.decision != "meets_criteria", text


def test_a_study_reviewed_three_weeks_after_it_was_done():
    text = ("Mid-back pain 12 wks, PT since mid-July and tramadol, same 6/10. T-spine MRI 3 weeks ago reviewed with "
            "the patient: mild spondylosis. Wants a second MRI.")
    assert present(review(note_case(text, cpt="72146", when="2026-10-15")), "prior_mri_same_region")
