"""Readings learned from the last kept-apart group once its figures were reported: an entrapment stated as a
diagnosis accounts for its nerve's territory, a cause's clause that names a kind of finding explains that kind, a
spine imaged clean with its paraspinal tissues, low back pain written 'LBP' is lumbar, a worsening of another region,
a study 'done here in early July', Waddell's and cortical sensory signs, circumferential numbness, and a year after
'since' that dates no event. Sentences written here."""

from __future__ import annotations

from priorauth.pipeline import review
from tests.conftest import dated_doc, note_case, packet_case, present, ruled


def test_an_entrapment_listed_as_a_diagnosis_explains_its_own_territory():
    text = ("Low back ache since March. L lateral thigh numb and burning, worse with a tool belt. Exam: LT reduced over "
            "the L lateral thigh, strength 5/5, reflexes 2+ symmetric.\nA: 1) Mechanical LBP. 2) L meralgia "
            "paresthetica.")
    r = review(note_case(text, when="2026-05-04"))
    assert not present(r, "sensory_deficit") and "A.i" not in r.criteria


def test_an_entrapment_argued_against_explains_nothing():
    """A guard: passes before and after; the diagnosis must be stated, not raised and argued against."""
    text = ("Low back pain and R foot drop for 2 weeks. Exam: R ankle dorsiflexion 3/5, EHL 3/5, hip abduction 4/5, "
            "decreased pinprick over the dorsum of the R foot.\nI considered a common peroneal palsy, but the weak hip "
            "abduction places this above the knee. Impression: R L5 radiculopathy.")
    r = review(note_case(text, when="2026-05-04"))
    assert present(r, "motor_weakness") and "A.ii" in r.criteria


def test_a_past_entrapment_does_not_explain_todays_hand_numbness():
    """A guard: passes before and after; a released carpal tunnel is no account of today's numbness."""
    text = ("Neck pain 3 weeks with R thumb and index numbness. Exam: R biceps 4/5, decreased PP R thumb.\n"
            "PMH: 1) R carpal tunnel release 2015.")
    r = review(note_case(text, cpt="72141", when="2026-05-04"))
    assert present(r, "sensory_deficit")


def test_a_causes_clause_that_names_motor_findings_explains_the_weakness():
    text = ("Back pain 5 wks. Exam: great toe extension 4/5 bilaterally, symmetric; vibration absent at both toes.\n"
            "Assessment: the distal motor and sensory findings and absent ankle jerks are from his diabetic "
            "polyneuropathy.")
    r = review(note_case(text, age=70, when="2026-05-04"))
    assert not present(r, "motor_weakness") and "A.ii" not in r.criteria


def test_a_spine_imaged_clean_with_its_paraspinal_tissues_leaves_fever_to_the_kidney():
    text = ("Discharge summary. Dx: acute pyelonephritis. Fever 39.1 and WBC 17 on admission with L flank and low back "
            "pain. CT: L renal inflammation; spine and paraspinal soft tissues unremarkable. Back pain much better.")
    r = review(note_case(text, when="2026-05-04"))
    assert not present(r, "infection_suspected") and "K" not in r.criteria


def test_new_lbp_is_no_new_symptom_of_an_operated_neck():
    text = ("Six months after C6-7 ACDF. No neck or arm pain, strength full. New LBP for 10 days after moving house. "
            "MRI C-spine per post-fusion protocol.")
    assert "I" not in review(note_case(text, cpt="72141", when="2026-05-04")).criteria


def test_a_worsening_of_another_region_is_not_the_necks():
    text = ("Neck pain 4 wks after sleeping awkwardly; ibuprofen and heat for 3 wks. PMH: lumbar fusion 2023, lumbar "
            "pain worse since a fall in March. Exam neck: full strength, reflexes 2+, Spurling neg.")
    assert "A.v" not in review(note_case(text, cpt="72141", when="2026-05-04")).criteria


def test_a_study_done_here_in_early_month_is_dated():
    text = ("Follow-up. Chronic LBP. MRI L-spine done here in early March: mild L4-5 degeneration, no stenosis. "
            "Pain unchanged.")
    assert present(review(note_case(text, when="2026-05-04")), "prior_mri_same_region")


def test_waddell_signs_and_circumferential_numbness_are_no_sensory_deficit():
    text = ("LBP 3 wks. Exam: says the whole R leg is numb, circumferential from the groin down; pinprick intact in "
            "each dermatome. Waddell signs 4/5 (regional sensory change, overreaction, distraction).")
    r = review(note_case(text, when="2026-05-04"))
    assert not present(r, "sensory_deficit")


def test_cortical_sensory_loss_is_no_root_deficit():
    text = "Neck pain 2 wks. Exam: cortical sensory loss of the L hand (agraphesthesia, astereognosis)."
    assert not present(review(note_case(text, cpt="72141", when="2026-05-04")), "sensory_deficit")


def test_a_year_after_since_dates_no_event():
    text = ("Primary care 11/03/2026. LBP for 10 days. Her last flare was February 2025, when she went to the ED for "
            "severe right sciatica; that settled with PT and she has had no leg pain since the summer of 2025. "
            "Exam: strength 5/5, SLR negative.")
    r = review(note_case(text, when="2026-11-03"))
    assert "A.i" not in r.criteria
    assert any(q.name == "long_ago" for f in present(r, "ed_visit_radicular_pain") for q in f.qualifiers) \
        or ruled(r, "ed_visit_radicular_pain")


def test_a_prior_study_named_by_its_region_after_a_colon_is_dated():
    text = ("MS clinic. RRMS, stable, no new symptoms. Switching from fingolimod to ocrelizumab this month.\n"
            "Last spine MRI: C-spine March 2025.\nPlan: baseline MRI C-spine before the switch.")
    r = review(note_case(text, cpt="72141", when="2026-09-03"))
    assert not present(r, "prior_mri_same_region")


def test_response_nil_is_no_response():
    text = ("LBP with R sciatica since July. PT 2x/wk 8/3 to 9/28 with HEP; naproxen daily since 7/30.\n"
            "Response: nil. Not one bit better. SLR + R.")
    assert "A.iv" in review(note_case(text, when="2026-10-20")).criteria


def test_a_root_lesion_on_emg_is_a_radiculopathy():
    text = ("EMG/NCS. Indication: R neck and arm pain 6 weeks.\nIMPRESSION: Electrophysiologic evidence of a R C7 root "
            "lesion, active. No evidence of median neuropathy.")
    r = review(packet_case(dated_doc("e", text, "2026-06-10", kind="emg_report"), cpt="72141", when="2026-06-12"))
    assert present(r, "emg_radiculopathy") and "A.iii" in r.criteria


def test_a_prior_study_named_by_its_levels_is_of_their_region():
    text = ("LBP with R leg pain since March; 8 wks PT and naproxen, unchanged. Outside MRI L3-S1 on 04/20/2026: mild "
            "facet arthropathy, no stenosis. Exam unchanged. Plan repeat MRI lumbar spine.")
    r = review(note_case(text, when="2026-06-15"))
    assert present(r, "prior_mri_same_region") and "A.iv" not in r.criteria


def test_ratings_and_function_goals_are_no_strength_grades():
    text = ("LBP 4 wks, ibuprofen. Screening tool item 'I feel anxious about my back' rated 4/5. Goals: PSFS carrying "
            "groceries 3/5 -> 5/5. MMT 5/5 throughout, sensation intact.")
    r = review(note_case(text, when="2026-06-15"))
    assert not present(r, "motor_weakness") and "A.ii" not in r.criteria


def test_a_trial_that_failed_for_the_low_back_is_not_the_necks():
    text = ("Two problems. #1 LBP x 4 months - PT 10 wks and meloxicam, no better; #2 neck pain x 5 days after a long "
            "drive, nothing tried for it. Neuro exam normal. MRI C-spine for #2.")
    assert "A.iv" not in review(note_case(text, cpt="72141", when="2026-06-15")).criteria


def test_a_trial_that_failed_for_the_neck_is_the_necks():
    """A guard (passes before and after): the twin, whose failed trial's item names the neck."""
    text = ("Neck pain x 4 months - PT 10 wks and meloxicam, no better; neck disability index the same as at intake. "
            "Neuro exam normal. MRI C-spine.")
    assert "A.iv" in review(note_case(text, cpt="72141", when="2026-06-15")).criteria


def test_a_disability_index_names_no_region():
    """A guard (passes before and after): 'her neck disability index' does not put a mid-back trial in the neck."""
    text = ("Mid-back pain since May between the shoulder blades. Cyclobenzaprine and acetaminophen since 5/26 and PT "
            "6/8-7/31; the pain score and her neck disability index are the same as at intake.")
    assert "A.iv" in review(note_case(text, cpt="72146", when="2026-08-18")).criteria


def test_findings_listed_under_a_knee_diagnosis_are_the_knees():
    text = ("LBP x 2 wks, L knee gives way on stairs. Exam: L quads 4/5 (R 5/5), L knee effusion, reflexes 2+ sym.\n"
            "Impression: 1) LBP, mechanical 2) L knee OA with effusion (quads 4/5, giving way)\nPlan: ice; lumbar MRI "
            "per pt.")
    r = review(note_case(text, when="2026-06-15"))
    assert not present(r, "motor_weakness") and "A.ii" not in r.criteria


def test_a_stroke_heading_a_bracketed_list_explains_the_deficits():
    text = ("LBP 10 days. R leg heavy since April.\nExam: R hip flexion 4/5, R EHL 4/5, R Babinski +.\nDx:\n- low back "
            "strain\n- L corona radiata infarct (MRI brain 04/02/2026) [R leg 4/5, R Babinski]\nPlan: lumbar MRI "
            "ordered at her request.")
    r = review(note_case(text, age=72, when="2026-06-15"))
    assert not present(r, "motor_weakness") and "A.ii" not in r.criteria


def test_fever_listed_under_pyelonephritis_on_a_diagnosis_line():
    text = ("Back pain 5 wks, now R flank pain, fever 38.9, dysuria. WBC 15.2. UA nitrite +.\nED Dx: 1. Acute R "
            "pyelonephritis - fever, flank pain, leukocytosis. 2. Chronic mechanical low back pain.")
    r = review(note_case(text, when="2026-06-15"))
    assert not present(r, "infection_suspected") and "K" not in r.criteria


def test_a_list_item_that_names_the_root_keeps_the_deficit():
    """A guard: the item gives the deficit to the root; the knee item lists nothing of the deficit's."""
    text = ("LBP 3 wks, R foot drop 5 days. Exam: R ankle DF 3/5, EHL 3/5, inversion 4/5.\nAssessment: 1) R L5 "
            "radiculopathy with foot drop 2) L knee OA - stable, ice.")
    r = review(note_case(text, when="2026-06-15"))
    assert present(r, "motor_weakness") and "A.ii" in r.criteria


def test_a_nerve_denied_after_its_name_explains_nothing():
    text = ("Back pain 3 wks with L foot drop. Exam: L ankle dorsiflexion 3/5, inversion 4/5, EHL 3/5. The inversion "
            "weakness points to L5; peroneal palsy does not explain it.")
    r = review(note_case(text, when="2026-06-15"))
    assert any(e.text == "L ankle dorsiflexion 3/5" for f in present(r, "motor_weakness") for e in f.evidence)


def test_weakness_from_gluteal_tendinopathy_or_because_it_hurts():
    text = ("LBP 3 wks and L lateral hip pain. Exam: resisted hip abduction L 4/5, reproduces the lateral hip pain; "
            "quads, TA, EHL 5/5.\nA/P: 1) The L hip abductor weakness is from gluteus medius tendinopathy. 2) LBP.")
    assert "A.ii" not in review(note_case(text, when="2026-03-02")).criteria
    text = "R hip and low back pain x 9 days. Exam: hip abduction R 4/5 'because it hurts', otherwise 5/5."
    assert "A.ii" not in review(note_case(text, when="2026-03-02")).criteria


def test_a_self_rating_or_a_date_is_no_grade():
    text = "LBP 4 wks. Morning stiffness 4/5 on her self-rating card. LE strength 5/5, sensation intact."
    assert not present(review(note_case(text, when="2026-03-02")), "motor_weakness")
    text = "LBP. 8 wks PT + naproxen (both since 1/5). Pain no different than it was on 2/4."
    assert not present(review(note_case(text, when="2026-03-02")), "motor_weakness")


def test_a_patient_asking_what_cauda_equina_means_raises_no_suspicion():
    text = ("Phone note. Back pain 2 weeks, same as last week. She asked what cauda equina means after reading online; "
            "denies saddle numbness, denies bladder change.")
    r = review(note_case(text, when="2026-03-02"))
    assert not present(r, "cauda_equina_suspected") and "A.i" not in r.criteria


def test_a_grade_from_a_past_years_notes_is_that_years():
    text = ("New lumbar strain 3 wks, ibuprofen. Hx L5 radiculopathy 2024, resolved. Exam: L DF 5/5, EHL 5/5 (compare "
            "2024 notes: DF 3/5 at worst). SLR neg.")
    r = review(note_case(text, when="2026-05-26"))
    assert "A.ii" not in r.criteria and "A.i" not in r.criteria


def test_a_transverse_myelitis_bout_years_back_is_no_suspicion_now():
    text = ("Neurology f/u. Hx: transverse myelitis T4-6 in 2012, full recovery, no relapse since. Now 3 wks of neck "
            "pain after a long drive; strength 5/5, no Hoffmann, no sensory level. Impression: neck strain.")
    assert "G" not in review(note_case(text, cpt="72141", when="2026-07-08")).criteria


def test_exercises_done_daily_since_advised_are_had():
    text = ("LBP x 8 wks. At the 1/5 visit I advised a home exercise program and naproxen 500 bid; she has been "
            "doing the exercises daily since then and taking the naproxen regularly. Pain is no better. Neuro intact.")
    r = review(note_case(text, when="2026-03-02"))
    assert any(c.kind == "home_exercise_program" for c in r.conservative_therapy.components) and "A.iv" in r.criteria


def test_a_symptom_that_opens_its_own_clause_after_a_negation():
    text = ("Known L4-5 protrusion. Three weeks ago, without any new injury, LBP came back, with L foot drop.\n"
            "Exam: L ankle dorsiflexion 3/5, EHL 3/5.")
    r = review(note_case(text, when="2026-03-10"))
    assert present(r, "back_pain") and "A.ii" in r.criteria


def test_an_ache_on_the_side_of_the_neck_is_neck_pain():
    text = ("EMG: active R C6 radiculopathy. Two months of a deep ache in the R side of the neck and down the arm to "
            "the thumb.")
    r = review(packet_case(dated_doc("e", text, "2026-02-24", kind="emg_report"), cpt="72141", when="2026-02-26"))
    assert present(r, "neck_pain") and "A.iii" in r.criteria


def test_a_grade_compared_with_an_earlier_visits_is_new_since_the_prior_study():
    text = ("Spine f/u. Lumbar MRI 11/03/2025: L4-5 protrusion, L leg pain then, strength normal. Two weeks ago LBP "
            "returned with L foot slapping.\nExam today: L ankle dorsiflexion 2/5, EHL 2/5 (both 5/5 at the 12/2025 "
            "visit).\nA/P: new foot drop; repeat MRI now, the result decides surgery.")
    r = review(note_case(text, when="2026-03-10"))
    assert r.decision == "meets_criteria" and "REPEAT.b" in r.criteria


def test_a_prior_study_in_a_season_of_a_year():
    text = ("LBP with L leg pain since 8/24. Her prior lumbar MRI was in summer 2023 for a different episode. "
            "Chiropractic weekly 8/31 through 10/16 (7 wks) and diclofenac daily since 8/24; no better.")
    r = review(note_case(text, when="2026-10-20"))
    assert not present(r, "prior_mri_same_region") and "A.iv" in r.criteria


def test_a_prior_study_of_two_regions_and_a_year_after_the_colon():
    text = ("MS clinic. New T6 sensory level and leg vibration loss over 10 days; knees 3+.\nLast spine MRI: cervical "
            "and thoracic 2019, stable.\nImpression: new relapse localizing to the thoracic cord.")
    r = review(note_case(text, cpt="72157", when="2026-04-22"))
    assert not present(r, "prior_mri_same_region") and r.decision == "meets_criteria"


def test_pain_since_an_event_of_an_earlier_date_is_ongoing():
    text = ("45F, back pain since scooter-car collision 11/20/25, new R foot drop x 2 wks. Exam: R DF 2/5, EHL 2/5, "
            "L5 sensory loss R.")
    r = review(note_case(text, when="2026-02-25"))
    assert present(r, "back_pain") and "A.ii" in r.criteria
