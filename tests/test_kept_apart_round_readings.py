"""Readings learned from last round's kept-apart sets once their figures were reported: return advice after a slash,
care on hold or booked for its first visit, an operation's indication told with it, negated lists, causes by source,
by 'part of' and 'I attribute to', pain scored 0-1/10, a checklist of what was not found, a relative's illness, a
prior study 'done mid-August' or '(reviewed)', an old episode, spread that is no progression, care ordered in its own
clause, care not used, and an EMG that names a polyneuropathy. Sentences written here."""

from __future__ import annotations

from priorauth.pipeline import review
from tests.conftest import dated_doc, note_case, packet_case, present


def test_return_advice_after_a_slash_is_hypothetical():
    text = "LBP 4 days, ice. Return/ED for leg weakness, numbness in the groin or loss of bladder control."
    r = review(note_case(text, when="2026-06-02"))
    assert not present(r, "saddle_anesthesia") and not present(r, "bowel_bladder_dysfunction")


def test_care_on_hold_or_booked_for_its_first_visit_was_not_had():
    text = ("Neck pain since January, naproxen daily since 1/8, no better. PT: referral placed 1/20; the PT office had an "
            "insurance hold, first appt now booked for 4/2. She also had a chiropractic consult scheduled in Feb but "
            "cancelled (snowstorm) and never rebooked.")
    assert "A.iv" not in review(note_case(text, cpt="72141", when="2026-03-27")).criteria


def test_a_first_visit_booked_in_a_letter():
    text = ("Back pain since 08/01, not getting better. At his first visit on 08/03 he was placed on naproxen, which he "
            "has taken since, and physical therapy was ordered the same day. His first therapy appointment is booked "
            "for 11/24.")
    r = review(note_case(text, when="2026-11-12"))
    assert "A.iv" not in r.criteria and not any(c.kind == "physical_therapy" for c in r.conservative_therapy.components)


def test_an_operations_indication_told_with_it_is_before_it():
    text = ("One year visit after C5-6 ACDF performed 03/2025 for right C6 radiculopathy with biceps weakness. No arm "
            "pain since. Exam normal. MRI C-spine as part of one year surveillance.")
    assert "I" not in review(note_case(text, cpt="72141", when="2026-03-26")).criteria


def test_an_item_of_a_negated_list_is_negated():
    text = ("CT: new T11 compression fracture without posterior element involvement, retropulsion, soft-tissue mass or "
            "lytic/sclerotic lesion - typical of osteoporosis. Back pain much better. MRI T-spine at her request.")
    r = review(note_case(text, cpt="72146", age=77, when="2026-07-01"))
    assert "D" not in r.criteria
    assert not any(q.name == "pathologic" for f in present(r, "fracture") for q in f.qualifiers)


def test_fever_from_the_urinary_source():
    text = ("ED: L flank and low back pain, T 101, WBC 15. CT: obstructing infected L ureteral stone. MDM: fever and "
            "leukocytosis from the urinary source; back pain is renal colic.")
    assert "K" not in review(note_case(text, when="2026-08-09")).criteria


def test_a_back_ache_as_part_of_viral_myalgias():
    text = ("12 y.o. with flu. Low back ache - part of the viral myalgias, no focal findings. Mother asks for MRI.")
    assert "W+.a" not in review(note_case(text, age=12, when="2026-02-05")).criteria


def test_pain_scored_zero_to_one_is_no_new_symptom():
    text = ("Seven months after L3-5 TLIF. Doing well: back pain 0-1/10, no leg pain. Exam normal. MRI per our "
            "post-fusion pathway.")
    r = review(note_case(text, when="2026-10-05"))
    assert "I" not in r.criteria and not present(r, "back_pain")


def test_groin_pain_from_the_hip_is_no_failed_back_care():
    text = ("Back ache 10 wks with increasing pain in the left groin and front of the thigh. PT 7 wks and acetaminophen: "
            "back 'maybe 50% better', but the groin pain has not changed. Assessment: severe left hip osteoarthritis - "
            "this is the source of her groin and thigh pain and her limp.")
    r = review(note_case(text, age=71, when="2026-04-17"))
    assert "A.iv" not in r.criteria and "A.v" not in r.criteria
    assert not present(r, "symptoms_worsening") and not present(r, "no_response_to_treatment")


def test_indeterminate_after_a_semicolon_belongs_to_the_organ_before():
    ct = dated_doc("c", "CT 04/28/2026\nAdrenals: 2.2 cm left adrenal nodule, 38 HU; indeterminate on this single "
                        "phase study. Lumbar spine: mild spondylosis, no osseous lesion.", day="2026-04-28",
                   kind="imaging_report")
    note = dated_doc("n", "Back pain 3 wks, naproxen. MRI lumbar spine ordered.", day="2026-05-12")
    assert "J" not in review(packet_case(ct, note, when="2026-05-13")).criteria


def test_a_checklist_of_what_was_not_found():
    text = ("PEER REVIEW\nLumbar MRI 04/22/2026: disc bulge, no compression. PT 8 wks and meloxicam, no better.\n"
            "Items looked for and not found in the records: a statement that the study was inconclusive; worsening "
            "symptoms; interval surgery or new trauma.")
    doc = dated_doc("r", text.replace("looked for and not found", "the reviewer did not find"), day="2026-08-14",
                    kind="records_review")
    r = review(packet_case(doc, when="2026-08-14"))
    assert not present(r, "imaging_indeterminate") and r.decision != "meets_criteria"


def test_a_relatives_abscess_is_no_suspicion():
    text = "Mild back ache after pyelonephritis. Her brother had a spinal epidural abscess last year; she wants an MRI."
    assert not present(review(note_case(text, when="2026-03-16")), "infection_suspected")


def test_sensation_formally_equal():
    text = "LBP 4 wks. Pt states R leg is 'numb all over.' Exam: PP/LT formally equal bilat, reflexes 2+."
    assert "A.i" not in review(note_case(text, when="2026-06-02")).criteria


def test_a_study_done_mid_month_that_another_clinic_ordered():
    text = ("LBP since July; meloxicam since 7/14 and PT 9/21-11/13, no better. Imaging: MRI lumbar spine done "
            "mid-August (08/17/2026, ordered by urgent care): small protrusion. Repeat MRI L-spine ordered.")
    r = review(note_case(text, when="2026-11-20"))
    assert present(r, "prior_mri_same_region") and r.decision != "meets_criteria"


def test_a_study_marked_reviewed_is_done():
    text = "LBP w/ R sciatica since 05/01. PT since 05/12, diclofenac. MRI lumbar 06/26 (reviewed): small protrusion."
    assert present(review(note_case(text, when="2026-07-02")), "prior_mri_same_region")


def test_a_weak_ankle_during_that_episode_is_history():
    text = ("Sciatica in spring 2025 resolved with PT. She had a weak right ankle for a few weeks during that episode. "
            "New back pain since 20 July, ibuprofen since 22 July.")
    assert not present(review(note_case(text, when="2026-08-10")), "motor_weakness")


def test_pain_spreading_into_the_buttock_is_no_progression():
    text = "Bent over on 20 July and felt sharp pain across the low back, spreading into the right buttock. Ibuprofen."
    assert not present(review(note_case(text, when="2026-08-10")), "symptoms_worsening")


def test_care_not_used():
    text = "LBP 3 months. PT 8 wks, no change. Never filled the meloxicam. Hasn't used ice or heat."
    r = review(note_case(text, when="2026-05-18"))
    assert "A.iv" not in r.criteria and not any(c.kind == "rest_ice_heat" for c in r.conservative_therapy.components)


def test_an_emg_that_rules_out_the_root_names_a_polyneuropathy():
    emg = dated_doc("e", "ELECTRODIAGNOSTIC REPORT\nImpression: length-dependent sensorimotor axonal polyneuropathy, "
                         "consistent with diabetes. No electrodiagnostic evidence of lumbosacral radiculopathy.",
                    day="2026-09-30", kind="emg_report")
    note = dated_doc("n", "Low back pain a month, burning feet. Exam: stocking loss to mid-shin bilaterally and absent "
                          "ankle reflexes on both sides; knees 2+.", day="2026-10-05")
    assert "A.ii" not in review(packet_case(emg, note, age=67, when="2026-10-06")).criteria


def test_weakness_i_attribute_to_a_myopathy():
    text = ("Statin held after CK 2,140. Hip flexors still 4+/5 on both sides, which I attribute to the statin "
            "myopathy. Mid-back ache from coughing, ibuprofen prn.")
    assert "A.ii" not in review(note_case(text, cpt="72146", when="2026-07-27")).criteria


def test_numbness_read_as_saddle_anesthesia_keeps_its_rule():
    text = ("SEVERE LOW BACK PAIN FOR 3 DAYS, CANNOT URINATE. EXAM: REDUCED PINPRICK IN THE PERIANAL AND PERINEAL "
            "REGION AND OVER THE LATERAL LEFT FOOT. RECTAL TONE DECREASED.")
    r = review(note_case(text, when="2026-08-03"))
    assert present(r, "saddle_anesthesia")


def test_walking_right_names_no_side():
    text = ("9 y.o. brought by mother. CC: back and leg pain, \"won't walk right\". Influenza A positive; calves tender, "
            "CK 3,900. Assessment: benign acute childhood myositis after influenza - explains the calf pain and "
            "reluctance to walk. Low back ache - part of the viral myalgias.")
    assert "W+.a" not in review(note_case(text, age=9, when="2026-02-05")).criteria


def test_a_usual_protocol_after_an_operation_is_surveillance():
    op = dated_doc("o", "OPERATIVE REPORT\nProcedure: L4-5 laminectomy.\nIndications: stenosis with L EHL 4/5, "
                        "failed PT and injections. MRI showed a 3 mm anterolisthesis, stable on flexion-extension films.",
                   day="2026-01-13", kind="operative_report")
    note = dated_doc("n", "3 months post-op. Leg pain gone, EHL 5/5. P: Per my usual protocol, post-decompression MRI "
                          "L-spine at 3 months.", day="2026-04-14")
    r = review(packet_case(op, note, age=67, when="2026-04-15"))
    assert r.decision != "meets_criteria" and "LIM.H" in r.criteria


def test_screw_fixation_is_a_spine_operation():
    text = "Six months after percutaneous pedicle screw fixation T12-L2 of a Chance fracture. No symptoms."
    assert present(review(note_case(text, when="2026-11-02")), "prior_spine_surgery")


def test_an_emg_level_with_its_segment_in_brackets():
    emg = dated_doc("e", "EMG/NCS - UPPER EXTREMITIES\nImpression: Subacute L C6 (C5-6) radiculopathy. No median or ulnar "
                         "entrapment.", day="2026-07-02", kind="emg_report")
    note = dated_doc("n", "Neck and L arm pain x 3 wk. EMG = L C6 radic. MRI C-spine.", day="2026-07-06")
    assert "A.iii" in review(packet_case(emg, note, cpt="72141", when="2026-07-09")).criteria
