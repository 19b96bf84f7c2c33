"""Causes named by pointing back, by the lesion's side, by an equals sign, and outside the nerves (zoster, the
bladder's own disease); words that are not what they seem (a weak stream, a heading over a date, a cord lesion);
care written by its exercises or under "no response after". Sentences written here."""

from __future__ import annotations

from datetime import date

from priorauth.extract.attribution import _side, config
from priorauth.models import Document
from priorauth.pipeline import review
from tests.conftest import note_case, packet_case


def _present(r, code):
    return [f for f in r.findings if f.code == code]


def _ruled(r, code):
    return [f for f in r.ruled_out if f.code == code]


def doc(i: str, text: str, day: str = "2026-03-02") -> Document:
    return Document(id=i, type="progress_note", date=date.fromisoformat(day), text=text)


def test_a_sentence_that_points_back_links_the_cause_before_it():
    text = ("HPI: Neck pain for 2 weeks. Left hand weakness and numbness since yesterday.\n"
            "Exam: Left grip 4/5. Decreased light touch left hand.\n"
            "Hospital course: MRI brain showed acute embolic infarcts in the right precentral gyrus. "
            "This fully accounts for his left hand weakness and left hand numbness.")
    r = review(note_case(text, cpt="72141"))
    assert not _present(r, "motor_weakness") and not _present(r, "sensory_deficit")
    assert {f.attributed_to for f in _ruled(r, "motor_weakness")} >= {"stroke"}
    assert r.decision != "meets_criteria"


def test_pointing_back_without_an_explaining_verb_links_nothing():
    text = ("Exam: Left grip 4/5.\nMRI brain showed acute embolic infarcts in the right precentral gyrus. "
            "This was discussed with his wife at length.")
    assert _present(review(note_case(text, cpt="72141")), "motor_weakness")


def test_a_strokes_side_names_the_deficits_on_the_other_side():
    crossed = "Here after admission for R cortical stroke. Still some L hand clumsiness."
    r = review(note_case(crossed, cpt="72141"))
    assert not _present(r, "myelopathy_suspected")
    same = "Here after admission for L cortical stroke. Still some L hand clumsiness."
    assert _present(review(note_case(same, cpt="72141")), "myelopathy_suspected")


def test_an_equals_sign_names_the_cause_and_zoster_explains_its_band():
    text = ("Thoracic pain along the right ribs for 10 days, the area next to the spine numb to touch.\n"
            "A/P: thoracic pain and dermatomal numbness = herpes zoster, R T6. Increase gabapentin.")
    r = review(note_case(text, cpt="72146"))
    assert {f.attributed_to for f in _ruled(r, "back_pain")} == {"herpes zoster"}
    assert not _present(r, "back_pain")


def test_the_bladders_own_disease_explains_retention_across_the_packet():
    pcp = doc("pcp", "Low back ache x 2 wks and leaking urine. MRI L-spine ordered given the bladder symptoms with back pain.")
    uro = doc("uro", "Assessment: chronic urinary retention with overflow incontinence due to bladder outlet obstruction "
                     "from BPH. This is prostatic, not neurogenic.", "2026-03-05")
    r = review(packet_case(pcp, uro, when="2026-03-06"))
    assert not _present(r, "bowel_bladder_dysfunction")
    assert {f.attributed_to for f in _ruled(r, "bowel_bladder_dysfunction")} == {"a urologic cause"}


def test_the_l_of_l_spine_is_no_side():
    rx = config().rx
    assert not rx["unilateral"].search("MRI L-spine ordered given the bladder symptoms.")
    assert _side("MRI L-spine; L leg numb") == "left" and _side("C-spine and L-S spine") is None


def test_a_weak_stream_or_pulse_is_no_weakness():
    for text in ("73M with 3 yrs of weak stream, hesitancy, nocturia.", "Weak pedal pulses bilaterally."):
        assert not _present(review(note_case(text)), "motor_weakness"), text
    assert _present(review(note_case("Exam: weak left ankle dorsiflexion, 4/5.")), "motor_weakness")


def test_a_heading_over_a_date_is_no_reflex_grade():
    r = review(note_case("ORTHOPAEDICS — Hip & Knee\n04/15/2026\nBack pain."))
    assert not _present(r, "abnormal_reflexes")
    assert _present(review(note_case("Exam: Achilles: 0 on the left, 2+ on the right.")), "abnormal_reflexes")


def test_a_cord_lesion_sought_is_no_cancer():
    r = review(note_case("Impression: probable multiple sclerosis.\nPlan: MRI of the spine to look for cord lesions.",
                         cpt="72156"))
    assert not _present(r, "malignancy")
    assert _present(review(note_case("CT: destructive bone lesion at T9 and an epidural mass.")), "malignancy")


def test_no_response_after_care_leaves_the_care_received():
    text = ("Low back pain and left sciatica for 8 weeks.\n"
            "A: Left lumbar radiculopathy, no response after 7 weeks of physician-directed home exercise plus NSAIDs.")
    r = review(note_case(text))
    assert _present(r, "home_exercise_program") and _present(r, "medication")


def test_a_home_program_named_by_its_exercises_is_active_care():
    for text in ("Back and leg pain the same. Has done the home extension program every day since 9/8.",
                 "Low back pain: doing the McKenzie extension series twice a day for 7 weeks, no better."):
        assert _present(review(note_case(text, when="2026-10-27")), "home_exercise_program"), text


def _prior(r):
    return _present(r, "prior_mri_same_region")


def test_a_study_named_by_its_region_is_prior_when_its_sentence_says_it_was_done():
    for text in ("LBP since June. Had an MRI of the low back in early September at Lakeview Imaging, read as mild disc "
                 "disease.",
                 "Lumbar MRI 9/5/2026 showed mild disc disease.",
                 "In September she underwent magnetic resonance imaging of the lumbar spine, which was unremarkable.",
                 "2026 lumbar MRI: mild L4-5 disc bulge."):
        assert _prior(review(note_case(text, when="2026-12-01"))), text


def test_a_study_named_by_its_region_but_not_done_is_no_prior_study():
    for text in ("LBP for 8 weeks despite PT. Ordered MRI L-spine.",
                 "PLAN: URGENT MRI OF THE LUMBAR SPINE WITHOUT CONTRAST, HOLD PHYSICAL THERAPY UNTIL IMAGING IS REVIEWED.",
                 "LBP. MRI of the lumbosacral spine was personally reviewed and reveals mild stenosis.",
                 "LBP for 8 weeks despite PT. Plan: MRI L-spine w/o contrast to guide next step.",
                 "Neck pain. Discussed whether a cervical MRI would change management."):
        r = review(note_case(text, when="2026-12-01", cpt="72141" if "Neck" in text else "72148"))
        assert not _prior(r), text


def test_a_study_done_years_ago_is_history():
    r = review(note_case("LBP. Lumbar MRI 2 years ago showed mild disc disease.", when="2026-12-01"))
    assert not _prior(r) and [f.reason for f in _ruled(r, "prior_mri_same_region")] == ["historical"]


MS_WORKUP = ("Neurology consult. 6 weeks of tingling that ascended from both feet to the waist, a band-like squeeze at "
             "the ribs. Mild low back ache for 10 days. Exam: brisk knee jerks 3+ bilaterally, R Babinski upgoing. "
             "Strength 5/5. Impression: suspected demyelinating process / MS with probable thoracic cord lesion. "
             "Lumbar spine MRI requested by PCP to be complete.")


def test_a_lumbar_study_in_an_ms_workup_is_not_lifted_by_the_myelopathys_own_signs():
    r = review(note_case(MS_WORKUP, when="2026-11-16"))
    assert r.decision == "not_met" and "LIM.F" in r.criteria


def test_a_lumbar_indication_of_its_own_still_lifts_it():
    text = MS_WORKUP + (" Separately, low back pain for 10 weeks despite 8 weeks of physical therapy and naproxen, "
                        "no improvement.")
    r = review(note_case(text, when="2026-11-16"))
    assert r.decision == "meets_criteria" and "A.iv" in r.criteria


OPERATED_NECK = ("S/p C5-6 ACDF 06/18/2026 for R C6 radiculopathy. Neck: best it has been in years. No arm pain. "
                 "Deltoid/biceps 5/5. NEW: low back pain x 2 wks after shoveling. "
                 "Plan: routine 6-month post-ACDF MRI C-spine per protocol (ordered).")


def test_a_new_symptom_of_another_region_is_no_new_symptom_of_the_operated_one():
    r = review(note_case(OPERATED_NECK, cpt="72141", when="2026-11-23"))
    assert "I" not in r.criteria and r.decision == "not_met"
    i = next(c for c in r.criteria_results if c.id == "I")
    assert "another region" in i.reason


def test_a_study_after_an_operation_names_no_planned_operation():
    r = review(note_case(OPERATED_NECK, cpt="72141", when="2026-11-23"))
    assert not _present(r, "surgery_planned")


def test_a_study_without_a_date_has_no_age_and_is_no_prior_study():
    r = review(note_case("LBP. She had an MRI of the lumbar spine at Westlake Imaging, which showed a small protrusion.",
                         when="2026-12-01"))
    assert not _prior(r)


def test_a_pain_score_that_rose_during_care_is_a_worsening():
    for text in ("Neck pain for 3 weeks despite PT and prednisone; night pain went from 3 to 8/10, now into the thumb.",
                 "LBP. During 3 weeks of PT and naproxen, NPRS 5->8, pain now below the knee.",
                 "LBP. PT x 3 weeks and naproxen. NPRS 8/10 up from 5/10.",
                 "LBP now with new sciatica, progressive despite 3 wk PT + meds."):
        r = review(note_case(text, cpt="72141" if text.startswith("Neck") else "72148"))
        assert _present(r, "symptoms_worsening") and r.criteria == ["A.v"], text


def test_a_pain_score_that_fell_or_held_is_no_worsening():
    for text in ("LBP. During 3 weeks of PT and naproxen, pain 7 -> 3/10.", "LBP. PT x 3 weeks. Pain 3/10, from 7/10.",
                 "LBP. Pain 5/10 (was 5/10).", "LBP. PT 2 to 3 times a week for 4 weeks."):
        assert not _present(review(note_case(text)), "symptoms_worsening"), text


def test_a_range_of_pain_is_no_rise():
    for text in ("LBP. Chiropractic for 17 weeks; he rates his pain as a 2 to 4, overall better.",
                 "LBP. PT for 8 weeks, pain 2 to 4/10 most days."):
        assert not _present(review(note_case(text)), "symptoms_worsening"), text


def test_a_one_sided_root_deficit_in_a_patient_with_ms_lifts_lim_f():
    text = ("Known relapsing MS, stable on ocrelizumab. Low back pain after lifting 10 days ago, with left foot drop.\n"
            "Exam: L ankle DF 3/5, L EHL 2/5; decreased pinprick dorsum of the left foot. The pattern is lower motor "
            "neuron and dermatomal (L5), not a relapse.\nPlan: MRI lumbar spine.")
    r = review(note_case(text, when="2026-11-16"))
    assert r.decision == "meets_criteria" and "LIM.F" not in r.criteria



def test_a_month_of_last_year_dates_a_study_a_year_back():
    r = review(note_case("Visit 11/09/2026. LBP since 08/31/2026. Imaging history: lumbar MRI in October of last year "
                         "(10/2025) for a different episode.",
                         when="2026-11-09"))
    assert not _prior(r) and [f.reason for f in _ruled(r, "prior_mri_same_region")] == ["historical"]


def test_going_to_therapy_is_therapy_attended():
    text = ("LOW BACK PAIN SINCE THE END OF AUGUST. SHE HAS BEEN GOING TO THERAPY AT CORNERSTONE PT TWICE A WEEK SINCE "
            "THE WEEK AFTER LABOR DAY, TEN WEEKS NOW, AND TAKES MELOXICAM DAILY. SHE IS RIGHT WHERE SHE STARTED.")
    r = review(note_case(text, when="2026-11-19"))
    assert _present(r, "physical_therapy") and _present(r, "no_response_to_treatment")
    assert _ruled(review(note_case("LBP for 3 weeks. She is going to start PT next week.")), "physical_therapy")


def test_a_score_that_sat_still_is_no_response():
    for text in ("LBP. PT 9 visits since 09/14, celecoxib daily. Pain 5/10 at eval and 5/10 now.",
                 "LBP. Ten weeks of PT; her pain scores have sat at 7/10 the whole time.",
                 "LBP. PT weekly since 09/14. \"It's the same as the day I walked in.\""):
        assert _present(review(note_case(text, when="2026-11-19")), "no_response_to_treatment"), text


def test_no_new_symptom_after_surgery_is_not_a_new_one():
    text = ("Procedure 08/03/2026: L3-4 and L4-5 laminectomy.\npost op check 9/16/26: walking a lot better. some "
            "tingling in both feet at the end of the day, pt thinks less than before surgery, no new sx. str 5/5.\n"
            "A/P: MRI L-spine for a post-op baseline.")
    r = review(note_case(text, when="2026-09-16"))
    assert "I" not in r.criteria and r.decision == "not_met"


def test_a_study_that_looks_at_the_fusion_plans_no_operation():
    text = ("s/p C5-6 ACDF 03/24/2026. Same neck ache she had before surgery, unchanged; no new symptoms.\n"
            "A/P: MRI C-spine to look at the fusion/graft since the films look a little different.")
    r = review(note_case(text, cpt="72141", when="2026-07-27"))
    assert not _present(r, "surgery_planned") and r.decision == "not_met"


def test_a_hit_a_tackle_or_a_contusion_is_trauma_that_d_decides():
    for text in ("16 y/o lineman, took a helmet-to-back hit in last night's game, now low back pain. XR no fracture.\n"
                 "A: back contusion / strain from tackle yesterday.",
                 "15 y/o with low back pain since she was struck by a car door yesterday. Exam normal."):
        r = review(note_case(text, age=16))
        assert _present(r, "trauma") and "W+.a" not in r.criteria, text


def test_a_study_dated_after_its_contrast_words_is_dated():
    r = review(note_case("RRMS, stable. Data: MRI C-spine w/wo 04/2026 (this spring): no new lesions.", cpt="72141",
                         when="2026-09-08"))
    assert [q.value for f in _prior(r) for q in f.qualifiers if q.name == "date"] == ["2026-04-15"]


def test_a_long_standing_babinski_is_no_new_suspicion_of_myelopathy():
    text = ("RRMS since 2015 on dimethyl fumarate unchanged, no relapses since 2018.\nExam: strength 5/5, reflexes 2+ with "
            "L Babinski (longstanding, present on every exam since 2018). Gait normal.\nA/P: stable MS; repeat C-spine MRI "
            "for annual monitoring.")
    r = review(note_case(text, cpt="72141", when="2026-09-08"))
    assert "M" not in r.criteria and r.decision != "meets_criteria"


def test_a_month_is_a_date_only_as_a_word_of_its_own():
    from priorauth.extract.dates import DATE_RX
    assert [m.group(0) for m in DATE_RX.finditer("naproxen, marked weakness, Augmentin, junior")] == []
    assert [m.group(0) for m in DATE_RX.finditer("in March, Sept. 2025, mid-May")] == ["March", "Sept. 2025", "mid-May"]


def test_a_drug_named_only_by_an_old_harm_is_no_care_of_this_episode():
    text = ("LBP since late July. Completed ~7 wks PT (13 visits since 7/28) + daily home program, no improvement.\n"
            "Meds for back: none. NSAIDs contraindicated - CKD stage 4 and UGI bleed on naproxen 2023. Declined "
            "acetaminophen.")
    r = review(note_case(text, when="2026-09-18"))
    assert not (r.conservative_therapy and r.conservative_therapy.inactive)
    assert r.decision == "not_met"


def test_a_study_whose_verdict_alone_is_quoted_points_back_at_the_report():
    ct = doc("ct", "CT CHEST: 1.8 cm L adrenal nodule - indeterminate. No osseous lesion.", "2026-04-02")
    pn = doc("pn", "Mid-back pain x 3 wks. Exam normal.\nP: MRI thoracic spine (\"CT called something indeterminate, "
                   "want MRI\").", "2026-04-15")
    r = review(packet_case(ct, pn, cpt="72146", when="2026-04-20"))
    assert "J" not in r.criteria


def test_a_study_dated_by_its_report_is_dated():
    text = ("Records reviewed: MRI lumbar spine obtained over the summer (report dated 07/29/2026): L4-5 protrusion.\n"
            "LBP unchanged since May despite PT and naproxen, no lasting benefit.")
    r = review(note_case(text, when="2026-11-19"))
    assert [q.value for f in _prior(r) for q in f.qualifiers if q.name == "date"] == ["2026-07-29"]


def test_a_british_letter_names_its_care_in_its_own_words():
    text = ("Lumbago across the small of her back since 20 July. She has attended the practice physiotherapist weekly "
            "since 24 July and does the programme of exercises she was given every morning, with naproxen 500 mg twice "
            "daily since late July and a hot water bottle in the evenings. \"It's exactly where it was in July\"; the "
            "physiotherapist records no gain.")
    r = review(note_case(text, when="2026-09-28"))
    for code in ("physical_therapy", "home_exercise_program", "rest_ice_heat"):
        assert _present(r, code), code


def test_a_study_dated_in_capitals_or_after_its_regions_is_dated():
    r = review(note_case("LBP. HE HAD AN MRI OF THE LOW BACK IN 2019 FOR A DIFFERENT EPISODE.", when="2026-11-30"))
    assert not _prior(r) and [f.reason for f in _ruled(r, "prior_mri_same_region")] == ["historical"]
    r = review(note_case("Known MS. Last spine MRI (C and T) 10/2024, stable.", cpt="72157", when="2026-11-30"))
    assert not _prior(r)


def test_a_deficit_that_was_full_before_surgery_is_new_after_it():
    text = ("POST-OP VISIT 09/15/2026 (8 wks s/p R L4-5 microdiscectomy 07/21).\nExam: R EHL 4-/5, R ankle DF 4/5 (both "
            "were 5/5 pre-op and at the 2-wk visit).\nA: New R L5 deficit after microdiscectomy.")
    r = review(note_case(text, when="2026-09-15"))
    assert "I" in r.criteria
    same = text.replace("(both were 5/5 pre-op and at the 2-wk visit)", "(unchanged from before surgery)").replace(
        "A: New R L5 deficit after microdiscectomy.", "A: residual R L5 weakness, stable.")
    assert "I" not in review(note_case(same, when="2026-09-15")).criteria


def test_a_problem_list_and_a_templated_ros_do_not_make_a_current_deficit():
    text = ("49F LBP x 3 wk, not getting any better.\nPMH (auto-populated): L4-5 HNP with R foot drop 2023 - resolved.\n"
            "Problem list: Foot drop, right (entered 2023, not updated).\nMeds: ibuprofen 800 TID x 3 wk.\n"
            "ROS template: Neuro: positive for focal weakness (see PMH).\nExam: DF/EHL 5/5 bilat. Sens intact.\n"
            "A/P: Acute LBP. MRI L-spine.")
    r = review(note_case(text, when="2026-11-20"))
    assert r.decision == "not_met"
    assert [f.reason for f in _ruled(r, "motor_weakness")] == ["historical"]


def test_words_copied_forward_from_an_older_note_are_not_todays_response():
    text = ("LBP f/u. PT since 09/09, naproxen daily since 09/05. HPI template (copied from 09/05): 'severe pain, unable "
            "to sit, not improving.' Today: 'better but not gone'. Exam nl neuro.")
    r = review(note_case(text, when="2026-11-10"))
    assert not _present(r, "no_response_to_treatment") and "A.iv" not in r.criteria


def test_a_weakness_said_to_have_fully_recovered_is_history():
    r = review(note_case("LBP. The weakness noted at urgent care has fully recovered.", when="2026-11-18"))
    assert not _present(r, "motor_weakness")


def test_a_child_who_comes_with_mom_tells_her_own_pain():
    r = review(note_case("Mia, 13, comes with mom about an ache across her low back that has stuck around for about "
                         "five weeks. No fall or injury. Neuro normal.", age=13, when="2026-11-17"))
    assert _present(r, "back_pain")
    r = review(note_case("13 y/o here with mom. Mom has chronic low back pain.", age=13))
    assert not _present(r, "back_pain") and [f.reason for f in _ruled(r, "back_pain")] == ["family"]


def test_region_imaging_that_was_a_ct_is_no_prior_mri():
    text = ("Plan permanent thoracic paddle lead at T9-10; needs MRI T-spine pre-implant after a successful SCS trial. "
            "Last thoracic imaging: CT chest 2024 for cough; no prior thoracic MRI.")
    r = review(note_case(text, cpt="72146", when="2026-10-28"))
    assert not _prior(r) and "P" in r.criteria
