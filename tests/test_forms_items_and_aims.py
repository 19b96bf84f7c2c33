"""Forms, items and aims: a form's question and its answer, an exam opened mid-paragraph ('O/E:', 'Exam:', 'Today,
<date>:'), a review of systems' positives weighed against the exam, a date after a prescription, an EMG's region in its
own item, care aimed at another body part, a negated list of care, red flags all absent, imaging 'other than' a study,
care of an earlier episode, a study 'she had back in January', and a sole diagnosis line. Sentences written here."""

from __future__ import annotations

from priorauth.pipeline import review
from tests.conftest import dated_doc, note_case, packet_case, present


def test_a_forms_no_answers_its_question():
    text = "Intake form. Where is the pain? low back, 3 weeks.\nBowel/bladder changes? no\nTried: Tylenol 2 weeks."
    r = review(note_case(text, when="2026-02-17"))
    assert not present(r, "bowel_bladder_dysfunction") and "A.i" not in r.criteria


def test_an_annual_forms_no_new_symptoms_keeps_ms_routine():
    form = dated_doc("q", "MS annual questionnaire\nAny new symptoms since last visit? No\nWalking: same as last year",
                     "2026-03-12", kind="patient_questionnaire")
    note = dated_doc("n", "MS follow-up. RRMS on ocrelizumab since 2021, stable; last MRI C-spine 08/2025 stable. Repeat "
                     "MRI C-spine now for routine monitoring.", "2026-03-12")
    r = review(packet_case(form, note, cpt="72141", when="2026-03-13"))
    assert "G" not in r.criteria


def test_a_forms_yes_answer_is_read_with_its_question():
    """A guard (passes before and after): the answer's body part is read with its question."""
    form = dated_doc("q", "Numbness? YES - outer right thigh, burning patch\nWeakness? no", "2026-02-17",
                     kind="patient_questionnaire")
    note = dated_doc("n", "LBP 3 wks. Exam: LT reduced over the anterolateral R thigh, not dermatomal; strength 5/5. "
                     "A/P: thigh numbness = meralgia paresthetica (tight belt). LBP mechanical.", "2026-02-17")
    assert "A.i" not in review(packet_case(form, note, when="2026-02-18")).criteria


def test_an_exam_opened_mid_paragraph_answers_the_report():
    text = ("c/o LBP x3wks, says L leg feels weak. Tried ibuprofen x 2/52. O/E: power 5/5 all myotomes L2-S1 bilat, "
            "sensation intact.")
    assert "A.i" not in review(note_case(text, when="2026-04-13")).criteria
    text = ("Referred by Dr. Lin, whose note of 06/02/2026 recorded L hip flexor weakness 4/5. Today, 06/30/2026: hip "
            "flexion, knee extension and dorsiflexion 5/5 bilaterally. Low back pain 7 weeks.")
    assert "A.ii" not in review(note_case(text, when="2026-06-30")).criteria


def test_a_review_of_systems_positive_is_weighed_against_the_exam():
    text = ("LBP with R leg pain x 3 wks. ROS: Neuro: POSITIVE for weakness and numbness R leg. Exam: strength 5/5 "
            "throughout both lower extremities; sensation intact to LT and pinprick in every dermatome.")
    assert "A.i" not in review(note_case(text, when="2026-03-20")).criteria


def test_a_date_after_a_prescription_is_no_grade():
    text = "LBP + L leg pain since 12/29. PT 8 wks. Rx'd naproxen 1/5 -> never filled. Neuro: 5/5, SILT."
    assert not present(review(note_case(text, when="2026-03-02")), "motor_weakness")


def test_an_emgs_region_is_read_in_its_own_item():
    text = ("LBP x 3 wks after lifting, no leg symptoms. A: acute lumbar strain; C7 radiculopathy by EMG (arm symptoms "
            "managed separately). P: MRI lumbar requested given the EMG-proven radiculopathy.")
    assert "A.iii" not in review(note_case(text, when="2026-02-03")).criteria


def test_care_aimed_at_another_body_part_is_no_spine_care():
    text = ("Low back pain for 3 months on paracetamol and codeine. She is having physiotherapy for her frozen left "
            "shoulder since January. No improvement in the back.")
    assert "A.iv" not in review(note_case(text, when="2026-03-13")).criteria
    text = ("Low back pain x 8 weeks, on tramadol daily. He is in PT 3x/wk for rehab after his R total knee replacement. "
            "Back pain no better.")
    assert "A.iv" not in review(note_case(text, when="2026-03-05")).criteria


def test_a_negated_list_of_care():
    """A guard (passes before and after): each item of a list after 'has not taken' is care not had."""
    text = ("PT discharge: 14 visits over 8 wks (01/20-03/17), no improvement. Pt has not taken any medication, used ice "
            "or heat, or had injections for this episode - PT only.")
    assert "A.iv" not in review(note_case(text, when="2026-03-17")).criteria


def test_red_flags_all_absent():
    text = ("Severe low back pain 2 weeks. No saddle anaesthesia, no sphincter disturbance; cauda equina red flags are "
            "all absent. Neurology normal. Ibuprofen helped a little.")
    assert "A.i" not in review(note_case(text, when="2026-03-03")).criteria


def test_imaging_other_than_a_recent_study():
    text = ("LBP since 12/2025. No spine imaging other than the lumbar MRI of 01/22/2026 (mild bulge). 8 wks PT and "
            "meloxicam without relief. Exam unchanged.")
    assert present(review(note_case(text, when="2026-03-27")), "prior_mri_same_region")


def test_care_of_last_years_episode_not_done_this_time():
    text = ("Recurrent LBP, this time for 7 weeks. Last year a home exercise program was given, which she did back then "
            "but hasn't done this time. Naproxen daily x 7 weeks, no relief.")
    r = review(note_case(text, when="2026-07-27"))
    assert "A.iv" not in r.criteria


def test_a_study_she_had_back_in_a_month():
    text = ("Ongoing LBP since December. The MRI of the lumbar spine she had back in January showed an L4-5 bulge. "
            "Since then PT 8 weeks and naproxen, pain unchanged; exam the same.")
    assert present(review(note_case(text, when="2026-05-08")), "prior_mri_same_region")


def test_a_sole_discharge_diagnosis_accounts_for_the_fever():
    text = ("Discharge summary. Admitted with fever 39.2, R flank and low back pain, WBC 17, CRP 140. Spine not tender. "
            "Fever resolved day 2.\nDischarge dx: acute R pyelonephritis.")
    r = review(note_case(text, age=67, when="2026-11-06"))
    assert "K" not in r.criteria and "A.i" not in r.criteria
