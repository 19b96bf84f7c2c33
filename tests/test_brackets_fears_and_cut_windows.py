"""A cause alone in brackets, a drug never filled told after a semicolon, an operation described where it lies, a
finding that points back at another organ's, an EMG report's own impression, a window that cuts a study's name, signs
now negative or present since an old year, a therapy clinic's cancelled intake, a study 'they did in April', a prior
deficit, a negation that belongs to the word before a dash, a patient's fear, a dictation's run-on headers, and a
failure named after a suspected diagnosis. Sentences written here."""

from __future__ import annotations

from priorauth.pipeline import review
from tests.conftest import dated_doc, note_case, packet_case, present


def ruled_out(r, code: str) -> bool:
    return any(x.code == code for x in r.ruled_out)


def test_a_drug_never_filled_told_after_a_semicolon():
    text = ("Lumbago since June. PT 2x/wk for 9 weeks, no change. In July I prescribed naproxen and later tizanidine; "
            "she says today she never filled either - worried about her stomach. No heat or ice.")
    r = review(note_case(text, when="2026-09-10"))
    assert not present(r, "medication") and "A.iv" not in r.criteria


def test_a_cause_in_brackets_explains_only_the_words_before_it():
    text = ("Neck pain x 9 wks despite PT 7 wks and ibuprofen, no better.\nExam: R grip 4/5 (old stroke), new L "
            "deltoid 4/5, L biceps reflex 1+.\nA: L C5 radiculopathy.")
    r = review(note_case(text, cpt="72141", age=63, when="2026-09-10"))
    weak = [f for f in r.findings if f.code == "motor_weakness"]
    assert weak and all("grip" not in e.text for f in weak for e in f.evidence)
    assert any("grip" in e.text for x in r.ruled_out if x.code == "motor_weakness" for e in x.evidence)


def test_a_cause_alone_in_brackets_rules_the_deficit_out():
    text = ("Stiff neck for 12 days, tylenol. Exam: decreased pinprick R forearm and hand (prior stroke). Spurling "
            "negative. Impression: neck strain.")
    r = review(note_case(text, cpt="72141", age=71, when="2026-09-10"))
    assert ruled_out(r, "sensory_deficit") and r.decision != "meets_criteria"


def test_an_operation_described_where_it_lies_is_done_not_planned():
    text = ("Mid-back ache for 3 weeks after gardening. Remote L5-S1 fusion 2021.\nPlan: reassured her the fusion is in "
            "the low back and this pain is separate. Thoracic MRI at her request.")
    r = review(note_case(text, cpt="72146", when="2026-09-10"))
    assert not present(r, "surgery_planned") and "U" not in r.criteria


def test_a_planned_operation_with_the_article_is_still_planned():
    text = "Plan: the fusion is scheduled for 12/14 at L4-5. Pre-op MRI lumbar spine."
    assert present(review(note_case(text, when="2026-11-20")), "surgery_planned")


def test_this_is_indeterminate_points_back_at_another_organ():
    ct = dated_doc("ct", "CT ABDOMEN 08/02/2026\nFindings: 2.1 cm right renal lesion of 30 HU; this is indeterminate. "
                         "Lumbar spine: mild facet arthropathy, no osseous lesion.", day="2026-08-02", kind="imaging_report")
    note = dated_doc("n", "Back ache 2 weeks. Exam normal. Plan: MRI lumbar spine; urology for the kidney lesion.",
                     day="2026-08-12")
    assert "J" not in review(packet_case(ct, note, when="2026-08-13")).criteria


def test_an_emg_reports_impression_places_the_emg_a_note_retells():
    note = dated_doc("n", "Clinic 07/20/2026\n49 y/o F, teacher. Neck pain x 3 wks after repainting her kitchen ceiling, no "
                          "arm symptoms. Separately she has had R foot tingling on and off for years; neurology did an EMG in "
                          "June (attached).\nMeds: naproxen 2 wks.\nExam: Spurling neg, UE strength 5/5, reflexes 2+ "
                          "symmetric.\nA/P: Cervical strain. EMG showed a radiculopathy - MRI C-spine ordered.", day="2026-07-20")
    emg = dated_doc("e", "ELECTRODIAGNOSTIC REPORT 06/16/2026\nIndication: R foot paresthesias.\nNeedle EMG: chronic "
                         "neurogenic units in R gastrocnemius and R gluteus maximus; no fibrillations. Arms not studied.\n"
                         "Impression: Chronic R S1 radiculopathy without active denervation.", day="2026-06-16", kind="emg_report")
    r = review(packet_case(note, emg, cpt="72141", when="2026-07-21"))
    assert "A.iii" not in r.criteria and "C" not in r.criteria


def test_acdf_is_a_neck_operation_and_a_cut_window_does_not_region_it():
    text = ("s/p ACDF 2023. LBP x 4 wks, ibuprofen 3 wks. Neck stiffness worse since the summer. A/P: Lumbar strain; "
            "post-ACDF neck stiffness. Ordering MRI lumbar spine w/o contrast - history of spine surgery with worsening "
            "symptoms.")
    r = review(note_case(text, when="2026-09-10"))
    regions = {q.value for f in r.findings if f.code == "prior_spine_surgery" for q in f.qualifiers if q.name == "region"}
    assert regions == {"cervical"} and "I" not in r.criteria


def test_signs_now_negative_are_absent():
    text = ("Six months after C4-6 ACDF. Hands back to normal. Exam: strength 5/5, Hoffmann now negative "
            "bilaterally, clonus now absent. Plan: MRI C-spine to document the decompression.")
    r = review(note_case(text, cpt="72141", when="2026-09-10"))
    assert not present(r, "upper_motor_neuron_signs") and "M" not in r.criteria


def test_signs_present_since_an_old_year_are_baselines():
    text = ("RRMS on natalizumab since 2020, no new symptoms. Exam: L Babinski (present since 2019). Mild L foot "
            "vibration loss (known, stable). Plan: MRI C-spine.")
    assert "M" not in review(note_case(text, cpt="72141", when="2026-09-10")).criteria


def test_a_relapse_dated_by_a_possessive_year_is_old():
    text = ("MS, stable. Residual trunk band numbness from his 2020 T6 cord relapse, unchanged for years. No new "
            "symptoms. Plan: MRI T-spine.")
    assert "G" not in review(note_case(text, cpt="72146", when="2026-09-10")).criteria


def test_a_therapy_clinics_cancelled_intake_is_no_therapy():
    visit = dated_doc("v", "LBP since 7/01. Meloxicam since 7/03, no better. PT referral 7/10. A/P: MRI L-spine.",
                      day="2026-08-25")
    phone = dated_doc("p", "Lakeside Physical Therapy front desk 8/01: pt phoned to cancel her initial evaluation, "
                           "will call back. No visits completed.", day="2026-08-01", kind="telephone_note")
    r = review(packet_case(visit, phone, when="2026-08-26"))
    assert "A.iv" not in r.criteria


def test_a_study_they_did_in_april_is_a_prior_mri():
    text = ("LBP with R leg pain since January. The MRI they did in April showed an L5-S1 protrusion. PT 8 wks and "
            "naproxen since April, no better. Same symptoms, no new deficit. Order MRI L-spine.")
    r = review(note_case(text, when="2026-08-20"))
    assert present(r, "prior_mri_same_region") and r.decision != "meets_criteria"


def test_a_prior_deficit_named_in_the_plan_is_history():
    text = ("Back pain 3 weeks, ibuprofen 2 weeks. Exam: EHL 5/5, TA 5/5. Plan: MRI requested because of his "
            "previous foot drop.")
    r = review(note_case(text, when="2026-09-10"))
    assert not present(r, "motor_weakness") and "A.i" not in r.criteria


def test_prior_to_is_no_prior_deficit():
    text = "Prior to this week she had no complaints; now R EHL 4/5 and R foot numbness in L5 since Monday."
    assert present(review(note_case(text, when="2026-09-10")), "motor_weakness")


def test_a_negation_before_a_dash_stays_with_its_word():
    text = ("LBP 5 wks. She says the outside of her L thigh feels numb. Exam: numbness over the lateral thigh, oval "
            "patch, not dermatomal - consistent with meralgia paresthetica from her work belt. Reflexes 2+.")
    r = review(note_case(text, when="2026-09-10"))
    assert not present(r, "sensory_deficit")


def test_a_patients_fear_is_no_clinical_suspicion():
    text = ("Post-hospital check. Pneumonia treated, fever gone. Mild back ache 2/10. She is frightened about 'spinal "
            "infection' after reading online; wants MRI.")
    r = review(note_case(text, when="2026-09-10"))
    assert not present(r, "infection_suspected") and "K" not in r.criteria


def test_a_dictations_capital_header_ends_a_negation():
    text = ("PATIENT IS A 51 YEAR OLD WOMAN WITH TWO DAYS OF SEVERE BACK PAIN NO FEVER NO WEIGHT LOSS EXAM LEFT "
            "ANKLE DORSIFLEXION 3 OVER 5 ANKLE JERK ABSENT ON THE LEFT PLAN MRI LUMBAR SPINE")
    r = review(note_case(text, when="2026-09-10"))
    assert present(r, "motor_weakness")


def test_a_failure_named_after_a_suspected_diagnosis():
    text = ("Neurogenic claudication since May. PT 06/01-08/15 and meloxicam since 05/20. A/P: suspected L4-5 "
            "stenosis, failed 10+ weeks of PT + meds.")
    assert present(review(note_case(text, when="2026-08-20")), "no_response_to_treatment")


def test_plain_words_for_going_nowhere():
    for text in ("Sciatica since June, 8 wks PT and gabapentin: 'I'm no further forward.'",
                 "Claudication since June despite PT and NSAIDs; walking distance still one block, unchanged."):
        assert present(review(note_case(text, when="2026-09-10")), "no_response_to_treatment"), text


def test_a_grade_said_of_before_the_operation_is_history():
    text = ("Three months after L4-5 laminectomy, doing well. Exam: strength is 5 over 5 throughout including the left "
            "EHL which was 4 over 5 before surgery. Plan: MRI per our routine protocol.")
    assert not present(review(note_case(text, cpt="72158", when="2026-08-13")), "motor_weakness")


def test_a_grade_worse_than_before_the_operation_is_current():
    text = "Two months after L5-S1 microdiscectomy. New L EHL 4/5, worse than before surgery. MRI L-spine."
    assert present(review(note_case(text, when="2026-08-13")), "motor_weakness")


def test_an_emg_reports_indication_line_asks_and_its_impression_answers():
    emg = dated_doc("e", "EMG/NCS REPORT 10/02/2026\nIndication: R thumb numbness; C6 radiculopathy vs carpal tunnel.\n"
                         "NCS: R median sensory latency prolonged across the wrist.\nIMPRESSION: Moderate R carpal tunnel "
                         "syndrome. No electrodiagnostic evidence of a right C6 radiculopathy.", day="2026-10-02",
                    kind="emg_report")
    note = dated_doc("n", "Neck pain 3 wks after a long drive, ibuprofen 2 wks, better. MRI C-spine at her request.",
                     day="2026-10-06")
    r = review(packet_case(emg, note, cpt="72141", when="2026-10-07"))
    assert "A.iii" not in r.criteria and "C" not in r.criteria


def test_symmetric_reflexes_written_sym():
    text = "LBP 6 wks, PT 4 wks. Exam: 5/5, DTR patellar 2+ sym, Achilles 1+ sym, SLR neg."
    assert not present(review(note_case(text, age=74, when="2026-09-10")), "abnormal_reflexes")


def test_care_someone_else_has_is_not_the_patients():
    text = ("LBP 9 wks, naproxen daily since July, no better. Her husband, who sees a chiropractor weekly, wants her "
            "imaged. No PT or exercises done. A/P: MRI L-spine.")
    r = review(note_case(text, when="2026-09-10"))
    assert not present(r, "chiropractic") and "A.iv" not in r.criteria


def test_a_study_completed_on_a_date_is_a_prior_mri():
    text = ("Chronology: 07/27 MRI ordered. Imaging center: MRI L-spine completed 08/11/2026, mild L4-5 bulge. "
            "Same pain since, same exam. Surgeon wants his own MRI lumbar spine.")
    assert present(review(note_case(text, when="2026-10-28")), "prior_mri_same_region")


def test_a_study_not_described_as_inconclusive():
    text = ("MRI L-spine 08/11/2026 showed mild L4-5 bulge. The study was not described as limited or inconclusive. "
            "Same symptoms since. Repeat MRI L-spine requested.")
    r = review(note_case(text, when="2026-10-28"))
    assert not present(r, "imaging_indeterminate") and "REPEAT.a" not in r.criteria


def test_an_emg_that_rules_out_the_root_names_the_nerve_for_the_packet():
    ed = dated_doc("ed", "ED NOTE\nR foot slapping x 2 days. Exam: R ankle DF 2/5, EHL 2/5, inversion 5/5. Decreased LT "
                         "dorsum R foot. Mild back ache for a week.", day="2026-04-20", kind="ed_note")
    emg = dated_doc("e", "ELECTRODIAGNOSTIC REPORT 04/29/2026\nIMPRESSION: R common peroneal mononeuropathy at the "
                         "fibular head. No electrodiagnostic evidence of R lumbosacral radiculopathy.", day="2026-04-29",
                    kind="emg_report")
    r = review(packet_case(ed, emg, when="2026-05-02"))
    assert "A.i" not in r.criteria and "A.ii" not in r.criteria


def test_the_scanner_a_study_is_booked_on_belongs_to_no_episode():
    phone = dated_doc("p", "TELEPHONE NOTE - SCHEDULING\nPt is claustrophobic and does not fit the closed-bore "
                           "scanner. Booked at Hillside Open Imaging - their 0.3 Tesla open unit.", day="2026-01-05",
                      kind="telephone_note")
    note = dated_doc("n", "Back pain with L foot drop for 5 days. Exam: L DF 3/5, EHL 3/5, decreased pinprick L5. A: L5 "
                          "radiculopathy. MRI L-spine.", day="2026-02-15")
    assert "LIM.I" in review(packet_case(phone, note, when="2026-02-16")).criteria


def test_neck_pain_in_plain_words():
    for text in ("A month ago he woke with pain in the left side of his neck that now runs into the arm.",
                 "6 wks of R neck and shoulder-blade pain with jolts into the thumb."):
        assert present(review(note_case(text, cpt="72141", when="2026-09-10")), "neck_pain"), text


def test_pain_that_goes_from_the_low_back_is_back_pain():
    text = "SEVERE SCIATICA FOR THREE DAYS, THE PAIN GOES FROM THE LOW BACK DOWN THE LEFT LEG TO THE FOOT."
    assert present(review(note_case(text, when="2026-09-10")), "back_pain")


def test_a_transcribed_emg_on_one_line_answers_after_its_history():
    text = ("HISTORY: , Low back pain radiating to the right calf for 6 weeks; question of radiculopathy.,NERVE "
            "CONDUCTION STUDIES: , Normal.,NEEDLE EMG: , Fibrillations in right medial gastrocnemius.,IMPRESSION: , This "
            "electrical study is abnormal. It reveals an acute right S1 radiculopathy.")
    doc = dated_doc("e", text, day="2026-03-16", kind="consult")
    assert present(review(packet_case(doc, when="2026-03-20")), "emg_radiculopathy")


def test_a_length_written_straight_before_the_care():
    text = "LBP since mid-May. Did 9 wks PT (2x/wk) + naproxen daily since May. 'Exactly where I started.'"
    r = review(note_case(text, when="2026-08-24"))
    pt = [c for c in r.conservative_therapy.components if c.kind == "physical_therapy"]
    assert pt and pt[0].weeks == 9.0


def test_a_last_study_told_with_an_old_year_sets_no_clock_and_is_old():
    text = ("LBP since May. PT 6/1-7/31 and diclofenac since 6/1, no better.\nP: MRI L-spine w/o. Her last L-spine MRI was "
            "last summer (July 2025, mild L4-5 bulge), >1 yr ago.")
    r = review(note_case(text, when="2026-08-25"))
    assert r.decision == "meets_criteria" and "A.iv" in r.criteria


def test_short_exam_headers_ex_and_mmt():
    for exam in ("Ex: strength 5/5 throughout, heel and toe walk normal.",
                 "MMT: L hip flexion initially 4/5 give-way; with encouragement 5/5 throughout."):
        text = f"LBP x 3 wks, ibuprofen. Reports her L leg feels weak on stairs.\n{exam}"
        r = review(note_case(text, when="2026-11-06"))
        assert "A.i" not in r.criteria and r.decision != "meets_criteria", exam


def test_a_root_named_to_be_denied_places_nothing_in_its_territory():
    emg = dated_doc("e", "ELECTRODIAGNOSTIC CONSULTATION 10/05/2026\nImpression: R common peroneal neuropathy at the "
                         "fibular head, compressive. No electrodiagnostic evidence of R lumbosacral radiculopathy.",
                    day="2026-10-05", kind="emg_report")
    note = dated_doc("n", "R foot drop. Mild LBP for years. Exam: R ankle DF 2/5, eversion 3/5, inversion 5/5 (spared, "
                          "supports peroneal nerve not L5). MRI L-spine to be thorough.", day="2026-10-09")
    r = review(packet_case(emg, note, when="2026-10-12"))
    assert "A.i" not in r.criteria and "A.ii" not in r.criteria


def test_goals_met_are_no_strength_grade():
    text = ("LBP since August. PT progress note: 'way better, 60% better'. NPRS 3/10 (eval 7/10). A: good progress; "
            "4/5 LTGs met. Plan: 2 more weeks then HEP.")
    assert not present(review(note_case(text, when="2026-10-30")), "motor_weakness")


def test_a_review_summary_quoting_a_dated_exam_contradicts_a_reported_numbness():
    text = ("UTILIZATION REVIEW - NURSE REVIEWER SUMMARY\nMember reports low back pain with tingling in the L foot since "
            "06/25/2026. Ibuprofen since 06/29.\nPCP visit 07/20/2026: still sore. Exam in that note: strength 5/5; "
            "sensation to light touch and pinprick intact and symmetric in L4, L5, S1 dermatomes; reflexes 2+.")
    doc = dated_doc("u", text, day="2026-07-21", kind="utilization_review")
    assert "A.i" not in review(packet_case(doc, when="2026-07-21")).criteria


def test_a_study_dated_months_before_the_request():
    text = ("PHYSICIAN ADVISOR REVIEW\nPT 06/01-07/28 and meloxicam, no improvement.\nRationale: a lumbar MRI was "
            "performed about four months before this request; no new symptom since.")
    doc = dated_doc("u", text, day="2026-08-17", kind="utilization_review")
    assert present(review(packet_case(doc, when="2026-08-17")), "prior_mri_same_region")


def test_a_referral_date_makes_care_to_come_not_the_pain():
    text = ("PT PROGRESS NOTE\nDx: low back pain with L leg radiation (referral 02/23/2026). Seen 2x/wk since 02/26.\n"
            "O: L quadriceps 4/5 (5/5 at eval), L patellar 1+ (2+ at eval).")
    r = review(note_case(text, when="2026-03-20"))
    assert present(r, "back_pain") and "A.ii" in r.criteria


def test_pain_from_the_low_back_to_the_heel_is_back_pain():
    text = "Severe left sciatica, pain 10/10 from the low back to the left heel, needed IV hydromorphone in the ED."
    assert present(review(note_case(text, when="2026-04-28")), "back_pain")
