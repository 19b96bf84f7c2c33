"""Prior studies dated by holidays, ordinals and ISO dates, a spelled-out report header, and causes in shorthand and
brackets: an arrow, a tendon repair, a plexopathy, a rotator cuff tear written 'RTC', a bowel disorder, pudendal
compression, pelvic floor weakness; another clinician's finding dated after it; chiropractic adjustments and a low
back written without 'pain'. Sentences written here."""

from __future__ import annotations

import pytest

from priorauth.pipeline import review
from tests.conftest import dated_doc, note_case, packet_case, present


@pytest.mark.parametrize("study", ["MRI of the lumbar spine done over Christmas at our imaging center",
                                   "MRI of the L-spine obtained the week after Thanksgiving",
                                   "MRI lumbar spine on 12th January 2026",
                                   "lumbar MRI (dated 2026-01-08)"])
def test_a_prior_study_dated_by_a_holiday_an_ordinal_or_an_iso_date(study):
    text = f"LBP 12 wks; PT 10 wks and naproxen, no relief. {study}: mild spondylosis. Exam unchanged. Repeat MRI asked."
    r = review(note_case(text, when="2026-03-05"))
    assert present(r, "prior_mri_same_region") and "A.iv" not in r.criteria


def test_a_spelled_out_report_header_is_the_prior_study():
    note = dated_doc("n", "Chronic LBP. Chiropractic weekly and diclofenac 12 weeks; no relief. Exam stable. MRI report "
                     "attached. Order: MRI lumbar spine.", "2026-03-30")
    report = dated_doc("r", "MAGNETIC RESONANCE IMAGING LUMBAR SPINE WITHOUT CONTRAST\nIMPRESSION: mild degenerative "
                       "change.", "2026-01-14", kind="imaging_report")
    assert "A.iv" not in review(packet_case(note, report, when="2026-03-31")).criteria


def test_causes_in_shorthand_and_brackets():
    text = ("LOW BACK PAIN X 5 WEEKS. NUMBNESS LEFT LATERAL THIGH. IMPRESSION: THIGH NUMBNESS -> MERALGIA PARESTHETICA "
            "FROM TIGHT BELT.")
    assert "A.i" not in review(note_case(text, when="2026-03-30")).criteria
    text = "LBP. Reflexes: knees 2+, R ankle jerk absent (R Achilles rupture repaired 2022), L 2+."
    assert "A.ii" not in review(note_case(text, when="2026-03-30")).criteria
    text = ("LBP and weak L thigh. Exam: L quad 4/5, L knee jerk absent. The L thigh weakness and reflex loss are secondary to diabetic "
            "amyotrophy per neurology.")
    assert "A.ii" not in review(note_case(text, when="2026-03-30")).criteria
    text = "Neck and R shoulder pain. R shoulder abduction 4/5. A: R arm weakness 2/2 RTC tear."
    assert "A.i" not in review(note_case(text, cpt="72141", when="2026-03-30")).criteria


def test_bowel_pelvic_floor_and_pudendal_causes():
    text = "LBP x 4 wks. Bowel incontinence x 1 wk (from C. diff colitis, on vancomycin). Rectal tone normal."
    assert "A.i" not in review(note_case(text, when="2026-03-25")).criteria
    text = ("Mid-back pain 2 wks. Leaks urine with coughing since 1980. Assessment: stress urinary incontinence from "
            "pelvic floor weakness, unchanged.")
    assert not present(review(note_case(text, cpt="72146", age=74, when="2026-03-11")), "motor_weakness")
    text = ("Cyclist, perineal numbness after long rides, gone within an hour. Low back ache 1 month. Assessment: "
            "transient numbness from pudendal nerve compression by the saddle.")
    assert "A.i" not in review(note_case(text, when="2026-03-12")).criteria


def test_a_sole_arrowed_diagnosis_and_excluded_clinically():
    text = ("R flank and low back pain 2 d, dysuria, T 38.9, WBC 14. Neuro nl.\nDx: acute pyelonephritis -> fever & R back "
            "pain from kidney.")
    assert "K" not in review(note_case(text, age=29, when="2026-09-03")).criteria
    text = ("Low back pain 1 month. Burning numbness of the R thigh. Exam: saddle sensation intact. Assessment: "
            "meralgia paraesthetica; cauda equina excluded clinically.")
    assert "A.i" not in review(note_case(text, when="2026-03-18")).criteria


def test_another_clinicians_finding_dated_after_it():
    text = ("Second opinion. Dr. Lowe documented L ankle dorsiflexion 4/5 in early May. PT and naproxen since. Today "
            "ankle DF 5/5, EHL 5/5, heel walk normal. Back and leg pain 50% better.")
    assert "A.ii" not in review(note_case(text, when="2026-07-31")).criteria


def test_adjustments_and_a_low_back_without_pain():
    text = ("Chiro re-eval. Low back since 9/1. 2x/wk adjustments since 9/3 and ibuprofen daily since 9/1. Same as day "
            "one. Neuro WNL.")
    assert "A.iv" in review(note_case(text, when="2026-10-16")).criteria


def test_a_childs_back_ache_from_the_flu_or_a_febrile_illness():
    text = ("11yo, fever 101.8, cough and body aches 3 days; flu A positive. Back pain is from the flu - diffuse "
            "myalgias, spine nontender. Mom asked for back MRI.")
    assert "W+.a" not in review(note_case(text, age=11, when="2026-01-20")).criteria
    text = ("9 yo, fever 38.9 from R otitis media. Mom says his back hurts too - back ache is part of the febrile "
            "illness, spine nontender.")
    assert "W+.a" not in review(note_case(text, age=9, when="2026-11-04")).criteria


def test_a_strokes_item_lists_the_deficits_of_the_other_side():
    ed = dated_doc("e", "Neck pain 10 days. Exam: L grip 4/5, L deltoid 4/5, L facial droop. Reflexes symmetric.",
                   "2026-04-22", kind="ed_note")
    dc = dated_doc("d", "Principal dx: acute ischemic stroke, R corona radiata, with L hemiparesis (L arm 4/5). Secondary: "
                   "cervical strain.", "2026-04-25", kind="discharge_summary")
    assert "A.ii" not in review(packet_case(ed, dc, cpt="72141", age=70, when="2026-04-27")).criteria


def test_weakness_from_the_hip_not_the_back():
    text = ("LBP and R groin pain. Exam: R hip flexion 4/5. Groin pain and hip flexion weakness are "
            "from the hip, not the back. Hip injection planned.")
    assert "A.i" not in review(note_case(text, age=68, when="2026-03-30")).criteria


def test_pain_the_same_as_since_surgery_is_no_new_symptom():
    text = ("L4-5 fusion 06/2022. His mild low back ache is the same as it has been since surgery; no new symptoms, exam "
            "normal. Routine 3-year post-fusion MRI ordered.")
    assert "I" not in review(note_case(text, when="2026-03-20")).criteria


def test_an_emg_dated_by_its_year_in_a_records_review():
    text = ("Records review 03/09/2026. Items: EMG/NCS 2019 from a previous episode showed a left L5 radiculopathy; that "
            "episode resolved. Office note 03/02/2026: new low back pain, normal neuro exam.")
    r = review(packet_case(dated_doc("r", text, "2026-03-09", kind="records_review"), when="2026-03-10"))
    assert "A.iii" not in r.criteria


def test_a_finding_a_note_records_and_my_exam_does_not_find():
    text = ("IME. Low back pain since 11/2025. A chiropractor's note from 11/2025 records an absent left Achilles reflex. "
            "On my examination Achilles reflexes are 2+ and symmetric; strength and sensation intact.")
    assert "A.ii" not in review(note_case(text, when="2026-02-11")).criteria


def test_a_home_program_headed_by_its_name():
    text = ("LBP since early Jan. Home program: McKenzie extensions, taught by me at the 01/06 visit, doing them twice "
            "daily. Naproxen 500 BID since 01/06. Pain unchanged, no improvement at all.")
    assert "A.iv" in review(note_case(text, when="2026-03-03")).criteria


def test_a_plateau_after_a_gain_keeps_the_gain():
    text = ("LBP since 08/24. He completed 9 weeks of physical therapy (09/01-11/03) and took naproxen twice daily "
            "throughout. He is perhaps 40% better - sleeping through the night again - but has plateaued.")
    assert "A.iv" not in review(note_case(text, when="2026-11-10")).criteria


def test_severe_radicular_pain_scored_further_along_its_sentence_in_an_ed_note():
    text = ("ED NOTE. CC: back and leg pain. 45M with 2 wks L buttock pain, today shooting down the posterior L leg to the "
            "heel, 10/10, unable to "
            "sit. SLR + L. IV ketorolac and hydromorphone. Dx: acute L S1 sciatica.")
    r = review(packet_case(dated_doc("e", text, "2026-07-18", kind="ed_note"), when="2026-07-21"))
    assert present(r, "ed_visit_radicular_pain") and "A.i" in r.criteria


def test_symptoms_never_had_before_surgery_are_new_after_it():
    text = ("R L5-S1 microdiscectomy on 07/14/2026; the R leg pain settled. Since about 10/25/2026 he has had a new burning "
            "pain down the LEFT buttock to the heel, which he never had before surgery, along with low back pain worse "
            "than before the operation. Left SLR positive; strength normal.")
    r = review(note_case(text, when="2026-11-20"))
    assert "I" in r.criteria and present(r, "back_pain")


def test_an_operation_with_its_surgery_date_after_the_note_is_planned():
    text = ("Pre-op planning. Neurogenic claudication. Decision made today for L3-5 laminectomy, surgery date 12/14/2026. "
            "Last lumbar MRI 04/2025. Updated MRI required for operative planning.")
    assert "LIM.H" not in review(note_case(text, age=69, when="2026-11-09")).criteria
