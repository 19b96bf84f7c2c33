"""A grade full with encouragement, years in dictated capitals, a finding pointed at with 'given', sciatica after a neck
operation, a protocol named after an operation, a relapse dated by its year, an evaluation booked, no change in a
normal exam, and a study had 'in the spring'. Sentences written here."""

from __future__ import annotations

from priorauth.pipeline import review
from tests.conftest import dated_doc, note_case, packet_case, present


def test_a_grade_full_with_encouragement_is_no_weakness():
    text = ("LBP with L buttock pain since late October. She feels the L leg is weak on stairs. Exam: L hip flexion "
            "initially registered 4/5 but with encouragement was full, 5/5; all other myotomes 5/5.")
    r = review(note_case(text, when="2026-11-27"))
    assert r.decision != "meets_criteria" and "A.ii" not in r.criteria


def test_a_year_in_dictated_capitals_dates_an_old_deficit():
    text = ("HISTORY: A 58 YEAR OLD WOMAN WHOM WE KNOW FROM 2022 WHEN SHE PRESENTED WITH A LEFT FOOT DROP. SHE NOW HAS "
            "THREE WEEKS OF LOW BACK ACHING. EXAM: ALL MYOTOMES FIVE OVER FIVE.")
    r = review(note_case(text, when="2026-12-02"))
    assert "A.i" not in r.criteria and r.decision != "meets_criteria"


def test_a_finding_pointed_at_with_given():
    ct = dated_doc("c", "CT CHEST 10/02/2026: 9 mm RUL nodule, indeterminate. No destructive osseous lesion.",
                   day="2026-10-02", kind="imaging_report")
    note = dated_doc("n", "Mid-back pain x 3 wks. Plan: MRI thoracic spine to look further given indeterminate CT.",
                     day="2026-10-20")
    assert "J" not in review(packet_case(ct, note, cpt="72146", when="2026-10-21")).criteria


def test_sciatica_after_a_neck_operation_and_a_protocol_after_the_operation():
    text = ("Annual visit. s/p C5-6 ACDF 10/2025 for myelopathy; neck fine, exam normal. New issue: 3 wks of low back "
            "pain with L sciatica. Plan: 1-year post-op cervical MRI per our ACDF protocol.")
    r = review(note_case(text, cpt="72141", when="2026-11-02"))
    assert "I" not in r.criteria and "U" not in r.criteria and not present(r, "surgery_planned")


def test_a_relapse_dated_by_its_year_is_not_new():
    text = ("MS clinic. RRMS since 2014, same DMT since 2018. Chronic mild L foot numbness from a 2017 relapse, "
            "unchanged. Routine MRI C-spine per protocol.")
    r = review(note_case(text, cpt="72141", when="2026-10-05"))
    assert "G" not in r.criteria


def test_an_evaluation_booked_is_care_to_come():
    visit = dated_doc("v", "LBP since early Sept. Meloxicam daily x 7 wks, not getting anywhere. She has not gone to "
                           "PT because of the copay.", day="2026-11-17")
    phone = dated_doc("p", "TELEPHONE ENCOUNTER: Pt confirmed PT eval booked. Still taking meloxicam.",
                      day="2026-11-19", kind="telephone_note")
    r = review(packet_case(visit, phone, when="2026-11-20"))
    assert not present(r, "physical_therapy") and "A.iv" not in r.criteria


def test_no_change_in_a_normal_exam_is_no_failed_trial():
    text = "LBP. PT 09/14-11/06, 16 visits. NPRS 8 -> 3. No change in neuro screen (normal throughout)."
    assert not present(review(note_case(text, when="2026-11-09")), "no_response_to_treatment")


def test_a_study_had_in_the_spring():
    text = "LBP since 01/05. Had MRI L-spine in the spring at outside facility."
    assert present(review(note_case(text, when="2026-07-15")), "prior_mri_same_region")


def test_a_reviews_item_quoting_a_recent_emgs_impression():
    def packet(emg_day: str):
        text = ("INDEPENDENT MEDICAL EXAMINATION - RECORDS REVIEW\nRecords reviewed:\n1. PCP 09/30/2026: new low back "
                f"pain with L leg pain after a work injury. 2. EMG/NCS {emg_day} (Dr. Lind): active denervation L "
                "tibialis anterior and L5 paraspinals. Impression: acute left L5 radiculopathy.\nCurrent exam: L SLR "
                "positive.")
        return packet_case(dated_doc("r", text, day="2026-11-18", kind="records_review"), when="2026-11-20")
    recent = review(packet("11/09/2026"))
    assert "A.iii" in recent.criteria
    old = review(packet("03/09/2025"))
    assert "A.iii" not in old.criteria or old.decision != "meets_criteria"


def test_an_indeterminate_lesion_named_by_its_level_after_the_word():
    uc = dated_doc("u", "URGENT CARE: mid-back pain after a slip. T-spine films: no fracture. Radiology: indeterminate, "
                        "recommend MRI.", day="2026-11-06", kind="urgent_care_note")
    pcp = dated_doc("p", "Mid-back pain much better. Radiologist flagged an indeterminate T9 lesion and advised MRI to "
                         "characterize it. Ordering MRI thoracic spine as recommended.", day="2026-11-20")
    assert "J" in review(packet_case(uc, pcp, cpt="72146", when="2026-11-23")).criteria
