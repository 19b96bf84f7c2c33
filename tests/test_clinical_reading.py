"""Readings a clinician makes that a phrase match does not: who found it, where, why, and when.

Each test uses sentences written for it (never a labeled packet), one per reading family:
reported versus examined, cause and region, document and time, limitations and their scope,
and the abbreviations and differentials that used to swallow a sentence.
"""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from priorauth.guidelines import get as get_guideline
from priorauth.guidelines import load as load_guideline
from priorauth.models import Document, Qualifier
from priorauth.pipeline import review
from priorauth.rules.catalog import catalog
from priorauth.rules.decide import decide
from priorauth.rules.facts import Facts
from priorauth.validate import DataFileError
from tests.conftest import finding, note_case, packet_case


def doc(i: str, when: str, text: str, kind: str = "progress_note") -> Document:
    return Document(id=i, type=kind, date=date.fromisoformat(when), text=text)


def present(extractor, case) -> dict[str, list[str]]:
    return {f.code: [e.text for e in f.evidence] for f in extractor.extract(case).findings if f.present}


# --- 1. reported or found on exam, and which exam is the latest -----------------------------------------

REPORTED_WEAK = ("HPI: Low back pain for 4 weeks after moving furniture. Says her left leg 'feels weak' at times.\n"
                 "Exam: Strength 5/5 bilateral lower extremities. Sensation intact to light touch.\n"
                 "Plan: ibuprofen, home exercises.")


def test_reported_weakness_with_full_strength_on_the_same_exam_is_not_approved(extractor):
    r = review(note_case(REPORTED_WEAK), extractor)
    assert r.decision == "not_met"
    assert any("reported by the patient" in x and "5/5" in x for x in r.reasons), r.reasons


def test_weakness_found_on_the_latest_exam_still_counts(extractor):
    text = ("HPI: Back pain for 3 weeks, left foot slapping when he walks.\n"
            "Exam: Left ankle dorsiflexion 3/5, EHL 3/5. Strength otherwise 5/5.\nA: L5 radiculopathy with foot drop.")
    r = review(note_case(text), extractor)
    assert r.decision == "meets_criteria" and "A.i" in r.criteria


def test_numbness_with_intact_sensation_on_exam_is_not_a_sensory_deficit(extractor):
    text = ("Back pain for 6 weeks. Intermittently feels numb in the right calf after a long shift.\n"
            "Exam: Sensation intact to light touch and pinprick in both legs. Strength 5/5.")
    r = review(note_case(text), extractor)
    assert r.decision == "not_met"
    assert any("sensory deficit" in x.lower() and "exam documents" in x for x in r.reasons), r.reasons


@pytest.mark.parametrize("line", ["Waddell signs 3/5 (overreaction, distraction).", "Pain 4/5 with flexion.",
                                  "5x sit-to-stand: completed 4/5 reps, stopped for back pain.", "Goals met: 1/5.",
                                  "Straight leg raise on the right brings on calf pain at 60 degrees, graded 3/5 by "
                                  "the patient on the clinic's five-point provocation scale."])
def test_a_number_that_is_not_a_strength_grade_is_not_weakness(extractor, line):
    assert "motor_weakness" not in present(extractor, note_case(f"Low back pain. Exam: {line}"))


def test_a_review_of_systems_line_under_a_system_header_is_not_an_exam(extractor):
    text = "Review of Systems\nNeurological: Positive for weakness, numbness.\nPhysical Exam\nMotor: 5/5 throughout."
    fs = {f.code: f for f in extractor.extract(note_case("Low back pain.\n" + text)).findings if f.present}
    assert "motor_weakness" not in fs or not fs["motor_weakness"].exam


# --- 2. cause and region, across the packet ---------------------------------------------------------------

def test_a_cause_named_in_one_note_explains_the_same_region_in_another(extractor):
    cc = doc("pcp", "2026-02-02", "CC: neck stiffness x 10 days; her grip feels weak and she drops cups.\n"
                                  "Exam: Right thenar 4/5. Neck rotation painful.")
    later = doc("hand", "2026-02-20", "Assessment: Thenar weakness and hand numbness explained by right carpal tunnel "
                                      "syndrome on nerve conduction studies.")
    fs = present(extractor, packet_case(cc, later, cpt="72141"))
    assert "motor_weakness" not in fs


def test_knee_weakness_the_author_puts_down_to_the_knee_is_not_spinal(extractor):
    pt = doc("pt", "2026-03-01", "PT progress note - knee.\nO: MMT L quad 4/5, L hamstring 4+/5. Knee buckling on stairs.")
    md = doc("md", "2026-03-05", "Low back ache x 4 weeks.\nA: Knee giving way from quadriceps inhibition after "
                                 "his meniscectomy, not neurologic.")
    fs = present(extractor, packet_case(pt, md))
    assert "motor_weakness" not in fs


def test_reflexes_written_as_equal_are_symmetric(extractor):
    fs = present(extractor, note_case("Back pain. Exam: Knee jerks 1+ =, ankle jerks 1+ =, toes down."))
    assert "abnormal_reflexes" not in fs


def test_an_indeterminate_finding_of_another_organ_is_not_J(extractor):
    text = ("CT chest: 9 mm right lung nodule, indeterminate; follow-up CT advised.\n"
            "Low back pain for 2 weeks, no deficits.")
    assert "imaging_indeterminate" not in present(extractor, note_case(text))


def test_words_pointing_back_at_another_organs_indeterminate_finding_are_not_J(extractor):
    text = ("CT abdomen for flank pain: 2 cm left renal cyst, indeterminate on this study.\n"
            "Low back pain for 3 weeks, no deficits.\n"
            "Plan: MRI lumbar spine ordered to address the indeterminate CT finding and the back pain together.")
    assert "imaging_indeterminate" not in present(extractor, note_case(text))


@pytest.mark.parametrize("text", [
    "CT: 1.2 cm lytic lesion of the L2 vertebral body, indeterminate.\nPlan: MRI lumbar spine to address this indeterminate finding.",
    "Plan: MRI lumbar spine to characterize the indeterminate L2 lesion seen on the outside CT.",
])
def test_words_pointing_back_at_a_spine_finding_still_count(extractor, text):
    assert "imaging_indeterminate" in present(extractor, note_case(text))


@pytest.mark.parametrize("line", ["RTC 3 months, sooner for new leg pain, weakness or fever.",
                                  "Follow up in 6 weeks, or sooner if weakness or numbness develops."])
def test_a_follow_up_sooner_for_symptoms_is_a_precaution_not_a_symptom(extractor, line):
    text = ("Six weeks after an L4-5 microdiscectomy: doing well, leg pain resolved, strength 5/5.\n"
            f"Plan: baseline post-op MRI per my routine. {line}")
    found = present(extractor, note_case(text))
    assert not {"motor_weakness", "radicular_pain", "sensory_deficit"} & set(found), found


def test_a_nephews_condition_is_family_history(extractor):
    text = "Mild back ache. Her nephew was born with a tethered cord and had surgery as a baby."
    assert "chiari_or_tethered_cord" not in present(extractor, note_case(text))


# --- 3. what happened when ----------------------------------------------------------------------------------

def test_a_later_note_ruling_out_spinal_infection_undoes_an_old_fever(extractor):
    dc = doc("dc", "2026-02-10", "Discharge summary. Admitted with fever 39.0 C and WBC 16.2 from a urinary tract "
                                 "infection; treated with ceftriaxone. Back pain from lying in bed.", "discharge_summary")
    pcp = doc("pcp", "2026-02-24", "Follow-up. Low back pain for 3 weeks. No fevers since discharge. WBC 7.0, CRP "
                                   "normal. No clinical concern for spinal infection.")
    r = review(packet_case(dc, pcp, when="2026-02-26"), extractor)
    assert r.decision == "not_met", r.criteria
    assert not {"K", "A.i"} & set(r.criteria)


def test_a_symptom_gone_since_surgery_is_not_a_new_postoperative_symptom(extractor):
    op = doc("op", "2025-12-01", "OPERATIVE REPORT\nProcedure: Left L5-S1 microdiscectomy.\nIndications: left leg pain.",
             "operative_note")
    visit = doc("v", "2026-02-20", "Seen 3 months s/p left L5-S1 microdiscectomy 12/01/2025. Left leg pain gone since "
                                   "surgery. Exam: Strength 5/5. Plan: routine post-op MRI per protocol.")
    r = review(packet_case(op, visit, when="2026-02-25"), extractor)
    assert r.decision == "not_met" and "I" not in r.criteria


def test_a_prior_mri_dated_after_its_words_is_dated(extractor):
    text = ("Left sciatica since January. Surgery scheduled for L5-S1 microdiscectomy; needs an MRI for planning - "
            "the most recent MRI is from 03/2025, a different episode.")
    r = review(note_case(text, when="2026-03-02"), extractor)
    mri = [f for f in r.findings if f.code == "prior_mri_same_region" and f.present]
    assert not mri, "an MRI a year old is not within 6 months"


@pytest.mark.parametrize("cpt,counts", [("72148", True), ("72141", False)])
def test_a_study_named_by_body_words_with_its_result_is_a_prior_mri_of_that_region(extractor, cpt, counts):
    text = ("Back and neck ache since the fall.\nHer chiropractor sent her for an MRI of the lower back at an outside "
            "center a few weeks before the holidays: small L5-S1 protrusion, no stenosis.\nExam: strength 5/5.")
    r = review(note_case(text, cpt=cpt, when="2026-02-10"), extractor)
    mri = [f for f in r.findings if f.code == "prior_mri_same_region" and f.present]
    assert bool(mri) is counts, [f.evidence[0].text for f in mri]


@pytest.mark.parametrize("when,counts", [("2026-09-01", True), ("2027-01-20", False)])
def test_a_study_the_patient_had_is_dated_past_the_place_it_was_done(extractor, when, counts):
    text = ("Follow-up. Seen in May after her cervical MRI at Northside Open Imaging in early May (C5-6 bulge, no cord "
            "compression). Neck pain unchanged since.")
    r = review(note_case(text, cpt="72141", when=when), extractor)
    mri = [f for f in r.findings if f.code == "prior_mri_same_region" and f.present]
    assert bool(mri) is counts, [(f.evidence[0].text, f.mention_date) for f in mri]


@pytest.mark.parametrize("text", ["Since early May constant neck pain; PT since May 12.",
                                  "SEEN IN MAY FOR NECK PAIN; PT SINCE MAY 12."])
def test_may_the_month_is_no_modal(extractor, text):
    assert "neck_pain" in present(extractor, note_case(text, cpt="72141"))


def test_this_may_is_still_a_modal(extractor):
    text = "Neck pain for 2 weeks.\nRisks: bleeding in the epidural space. This may result in weakness of both arms."
    assert "motor_weakness" not in present(extractor, note_case(text, cpt="72141"))


@pytest.mark.parametrize("cpt,when,counts", [("72146", "2026-01-10", False), ("72148", "2026-01-10", True),
                                              ("72148", "2026-09-10", False)])
def test_a_studys_region_and_date_written_after_it_are_read(extractor, cpt, when, counts):
    text = ("Chronic pain after a 2021 fusion; SCS trial done.\nHer most recent spine MRI was of the lumbar region in "
            "October 2025. Thoracic MRI requested for lead planning.")
    r = review(note_case(text, cpt=cpt, when=when), extractor)
    mri = [f for f in r.findings if f.code == "prior_mri_same_region" and f.present]
    assert bool(mri) is counts, [(f.evidence[0].text, f.mention_date) for f in mri]


def test_a_possessive_study_still_being_scheduled_is_the_requested_one(extractor):
    text = "Neck pain for 8 weeks.\nPlan: his cervical MRI is being scheduled at Northside Open Imaging."
    r = review(note_case(text, cpt="72141"), extractor)
    assert not [f for f in r.findings if f.code == "prior_mri_same_region" and f.present]


# --- 4. limitations are lifted only from outside their scope -------------------------------------------------

def test_limitation_scopes_are_declared_in_the_criteria():
    lims = {c.id: c for c in catalog().limitations}
    assert {"M", "R", "G"} <= set(lims["LIM.F"].lift.except_)
    assert "U" in lims["LIM.H"].lift.except_


def test_planned_surgery_does_not_lift_post_operative_surveillance():
    planned = finding("surgery_planned", qualifiers=[Qualifier(name="spinal", value=True)])
    d = decide(Facts.build([finding("back_pain"), finding("prior_spine_surgery"), planned], None,
                           note_case("x").request))
    assert d.decision == "not_met" and d.criteria == ["LIM.H"]


def test_a_limitation_scope_naming_an_unknown_indication_fails_at_load(tmp_path):
    g = get_guideline()
    shutil.copytree(g.root, tmp_path / "g")
    path = tmp_path / "g" / "criteria.json"
    data = json.loads(path.read_text())
    data["criteria"]["LIM.F"]["lifted_by_other_indication"]["except"] = ["Z.9"]
    path.write_text(json.dumps(data))
    with pytest.raises(DataFileError, match="Z.9"):
        catalog.__wrapped__(load_guideline(tmp_path / "g"))


# --- 5. abbreviations and differentials -------------------------------------------------------------------

@pytest.mark.parametrize("text,code", [
    ("Exam: MS: alert and oriented x3, speech fluent.", "demyelinating_disease"),
    ("Labs: Ca 9.6 mg/dL, CA 9.2, albumin 4.1.", "malignancy"),
    ("Coags: PT 13.1 sec, INR 1.2.", "physical_therapy"),
])
def test_abbreviations_beside_a_header_or_a_value_are_not_the_disease(extractor, text, code):
    assert code not in present(extractor, note_case("Low back pain for 2 weeks.\n" + text))


def test_vs_marks_a_differential_not_the_rest_of_the_sentence(extractor):
    text = ("Low back pain radiating down the left leg for 3 months.\n"
            "A: Lumbar radiculopathy, L5 vs S1, persistent despite 8 weeks of PT and NSAIDs. Not getting better.")
    fs = present(extractor, note_case(text))
    assert {"physical_therapy", "medication", "no_response_to_treatment"} <= set(fs)


def test_not_getting_better_is_no_response(extractor):
    text = "Neck pain for 10 weeks; physical therapy for 7 weeks and naproxen daily. Not getting better."
    assert "no_response_to_treatment" in present(extractor, note_case(text, cpt="72141"))


def test_rule_out_reaches_its_own_words_only(extractor):
    text = "Neck pain x 3 months. A: r/o cervical radiculopathy, failed 7 weeks of physical therapy and naproxen."
    fs = present(extractor, note_case(text, cpt="72141"))
    assert "radicular_pain" not in fs and "no_response_to_treatment" in fs


# --- 6. post-operative, pain-limited and pediatric readings ---------------------------------------------------

def test_ongoing_pain_years_after_a_fusion_is_not_a_new_postoperative_symptom(extractor):
    text = ("History: C4-C6 anterior cervical fusion in 2012.\nNeck pain and arm pain, ongoing, aching most days.\n"
            "Exam: Strength 5/5, sensation intact.\nA: Neck pain status post cervical fusion.")
    r = review(note_case(text, cpt="72141"), extractor)
    assert r.decision == "not_met" and "I" not in r.criteria


def test_a_new_symptom_since_a_fusion_is_still_postoperative(extractor):
    text = ("History: L4-L5 fusion in 2015.\nNew right leg numbness and weakness since last month, worse since the "
            "fusion hardware was checked.\nExam: Right EHL 4/5.")
    r = review(note_case(text), extractor)
    assert "I" in r.criteria


def test_a_procedure_reports_indication_is_not_a_postoperative_symptom(extractor):
    text = ("PROCEDURE NOTE\nProcedure: Left L4 transforaminal epidural steroid injection.\nIndications: Lumbar fusion "
            "several years ago; greatly increasing left leg pain over the past several weeks.\n"
            "The needle was placed under fluoroscopy and the injectate was given without complication.")
    r = review(packet_case(doc("p", "2026-02-20", text, "procedure_report"), when="2026-02-27"), extractor)
    assert "I" not in r.criteria


def test_an_exam_limited_by_pain_reaches_its_unlateralized_grades(extractor):
    text = ("Neck pain for 4 months.\nExam: Strength testing is difficult due to the fact that she has a lot of pain. "
            "She is about 4+/5 in the deltoids, biceps and grip.")
    fs = present(extractor, note_case(text, cpt="72141"))
    assert "motor_weakness" not in fs


@pytest.mark.parametrize("text", [
    "CC: neck pain after falling off his bicycle 3 hours ago.\nExam: moving all limbs, sensation normal.\n"
    "A: Neck pain after a fall, abrasions to the arm.",
    "CC: tummy and back pain for 2 days.\nExam: back without findings, abdomen soft.\nA: 1. Viral syndrome. "
    "2. Mild constipation.",
])
def test_pediatric_pain_after_trauma_or_put_down_to_another_problem_is_not_isolated(extractor, text):
    r = review(note_case(text, cpt="72141" if "neck" in text else "72148", age=4 if "tummy" in text else 11), extractor)
    assert r.decision == "not_met" and "W+.a" not in r.criteria


def test_isolated_pediatric_back_pain_the_assessment_takes_up_meets_w_a(extractor):
    text = ("CC: low back pain for 5 weeks, no injury.\nExam: normal neurologic exam. X-rays normal.\n"
            "A: Low back pain, mechanical, in an adolescent.")
    r = review(note_case(text, age=14), extractor)
    assert r.decision == "meets_criteria" and "W+.a" in r.criteria


# --- 7. the reading model: events on a timeline, document roles ------------------------------------------------

def test_events_carry_who_when_and_whether_they_count(extractor):
    r = review(note_case(REPORTED_WEAK), extractor)
    weak = [e for e in r.events if e.code == "motor_weakness"]
    assert weak and all(not e.counts for e in weak)
    reported = next(e for e in weak if e.source == "reported")
    assert reported.polarity == 1 and reported.modality == "ACTUAL" and "contradicted" in reported.attributes
    text = note_case(REPORTED_WEAK).documents[0].text
    assert all(text[s.start:s.end] == s.text for e in r.events for s in e.evidence)
    assert [t.doc for t in r.timeline] == ["n"] and len(r.timeline[0].events) == len(r.events)


def test_family_and_planned_events_take_ctakes_and_thyme_attributes(extractor):
    text = "Low back pain for 2 weeks. Her sister had a lumbar fusion. Plan: physical therapy referral, will start next week."
    r = review(note_case(text), extractor)
    fam = next(e for e in r.events if e.code == "prior_spine_surgery")
    assert (fam.subject, fam.modality) == ("family_member", "GENERIC")
    pt = next(e for e in r.events if e.code == "physical_therapy")
    assert pt.conditional and pt.modality == "HYPOTHETICAL" and pt.doc_time_rel == "AFTER"


@pytest.mark.parametrize("kind,text,role", [
    ("operative_note", "x", "operative_report"),
    (None, "OPERATIVE REPORT\nPreoperative diagnosis: stenosis.", "operative_report"),
    (None, "MRI LUMBAR SPINE WITHOUT CONTRAST\nIMPRESSION: normal.", "imaging_report"),
    (None, "HOSPITAL DISCHARGE SUMMARY\nHospital course: uneventful.", "discharge_summary"),
    ("scanned_document", "To whom it may concern, I request an MRI. Sincerely,", "letter"),
    ("progress_note", "OPERATIVE REPORT quoted in the history", "clinic_note"),
])
def test_document_role_takes_the_type_first_then_the_header(kind, text, role):
    from priorauth.extract.roles import document_role

    assert document_role(Document(id="d", type=kind, text=text)) == role


def test_the_reviewers_page_shows_the_timeline_and_what_does_not_count(extractor):
    from priorauth.review_page import render_review_page

    case = note_case(REPORTED_WEAK)
    page = render_review_page(case, review(case, extractor))
    assert "<h2>Timeline</h2>" in page and 'class="ruled"' in page and "contradicted" in page


# --- 8. more of the readings, each in sentences written for it -------------------------------------------

def test_a_stroke_with_residual_weakness_explains_that_side(extractor):
    text = "Low back pain for 8 weeks.\nPMH: left CVA in 2009 with residual right arm weakness.\nExam: right arm 4/5, legs 5/5."
    assert "motor_weakness" not in present(extractor, note_case(text))


def test_a_sinus_retention_cyst_is_not_urinary_retention(extractor):
    text = "Old MRI report: incidental left maxillary sinus retention cyst. Low back pain for 3 weeks."
    assert "bowel_bladder_dysfunction" not in present(extractor, note_case(text))


@pytest.mark.parametrize("sentence", ["Gabapentin is contraindicated.", "Tramadol was declined.", "Allergic to naproxen."])
def test_declined_or_contraindicated_medication_is_not_received(extractor, sentence):
    assert "medication" not in present(extractor, note_case(f"Low back pain for 9 weeks. {sentence}"))


def test_a_relapse_years_ago_is_not_a_new_symptom(extractor):
    text = ("Known relapsing MS since 2010; last relapse in 2015 with leg numbness, resolved. No new symptoms.\n"
            "Plan: routine surveillance MRI of the cervical spine.")
    r = review(note_case(text, cpt="72141"), extractor)
    assert r.decision == "not_met" and "G" not in r.criteria


@pytest.mark.parametrize("sentence", ["No prior MRI.", "There is no prior MRI of the lumbar spine."])
def test_no_prior_mri_is_not_a_recent_one(extractor, sentence):
    assert "prior_mri_same_region" not in present(extractor, note_case(f"Low back pain for 3 weeks. {sentence}"))


# --- 9. a current-episode element told only by a document that narrates another time -----------------------------

@pytest.mark.parametrize("kind,text,words", [
    ("procedure_report", "PROCEDURE NOTE\nProcedure: Right L5 transforaminal epidural steroid injection.\nIndications: "
     "Low back pain with right leg weakness; right EHL 4/5 on exam.\nThe injection was completed without complication.",
     "only in an operative or procedure report"),
    ("ime_report", "INDEPENDENT MEDICAL EXAMINATION - RECORDS REVIEW\nRecords reviewed: the 2024 notes describe low back "
     "pain with left foot drop, EHL 3/5.\n", "records review"),
])
def test_a_deficit_told_only_by_a_document_of_another_time_routes_with_that_reason(extractor, kind, text, words):
    r = review(packet_case(doc("d", "2026-02-20", text, kind), when="2026-02-27"), extractor)
    assert r.decision == "not_met"
    assert any(words in x for x in r.reasons), r.reasons


def test_a_records_review_that_dates_the_current_episode_tells_the_present(extractor):
    text = ("INDEPENDENT MEDICAL EXAMINATION / RECORDS REVIEW\nDate of injury: 09/02/2025.\n"
            "PRIOR HISTORY: a 2021 lumbar strain treated with chiropractic; it resolved fully by 2022.\n"
            "CURRENT INJURY: PT 09/15/2025-11/14/2025, 18 visits, and meloxicam daily since 09/05/2025. At PT discharge on "
            "11/14/2025 pain 6/10 unchanged from the evaluation, no meaningful change.\n"
            "OPINION: low back pain without response to an adequate course of therapy.")
    r = review(packet_case(doc("ime", "2026-01-12", text, "ime_report"), when="2026-01-20"), extractor)
    assert r.decision == "meets_criteria" and "A.iv" in r.criteria, (r.decision, r.reasons[:2])


def test_a_reoperation_report_tells_the_complication_of_the_earlier_surgery(extractor):
    text = ("OPERATIVE REPORT\nProcedure: Evacuation of cervical epidural hematoma.\nIndications: Ten days after a "
            "C4-C6 laminectomy she developed new bilateral arm weakness; biceps 2/5 bilaterally on exam.\n"
            "The hematoma was evacuated.")
    r = review(packet_case(doc("op", "2026-03-01", text, "operative_note"), cpt="72141", when="2026-03-02"), extractor)
    weak = [f for f in r.findings if f.code == "motor_weakness"]
    assert weak and not weak[0].qualified("procedure_indication")


def test_an_injection_after_a_fusion_is_no_reoperation(extractor):
    text = ("PROCEDURE: Left L4 transforaminal epidural steroid injection.\nPATIENT PROFILE: status post lumbar fusion "
            "several years ago. Pre-op diagnosis: left leg pain, left leg weakness.\nThe injection was uneventful.")
    r = review(packet_case(doc("p", "2026-01-14", text, "operative_report"), when="2026-01-21"), extractor)
    assert r.decision == "not_met", r.criteria


@pytest.mark.parametrize("sentence", ["Plan: MRI lumbar spine 03/01/2026 ordered today.",
                                      "MRI lumbar spine on 03/05/2026 is scheduled pending authorization."])
def test_the_requested_study_is_never_a_prior_one(extractor, sentence):
    assert "prior_mri_same_region" not in present(extractor, note_case(f"Low back pain for 8 weeks. {sentence}"))


def test_a_done_study_named_beside_an_order_is_still_prior(extractor):
    text = "Low back pain. MRI L-spine from 01/10/2026 showed an L4-5 protrusion; repeat MRI requested by the patient."
    assert "prior_mri_same_region" in present(extractor, note_case(text, when="2026-03-02"))


# --- 10. a fact's region must be the requested study's ----------------------------------------------------------

def test_a_lumbar_operation_neither_meets_i_nor_limits_a_cervical_study(extractor):
    text = ("Neck pain for 5 months, new and worse since last month. PSH: L4-5 microdiscectomy in 2021, new numbness "
            "since the surgery.\nExam: strength 5/5.")
    r = review(note_case(text, cpt="72141"), extractor)
    assert "I" not in r.criteria and "LIM.H" not in r.criteria
    i = next(c for c in r.criteria_results if c.id == "I")
    assert "lumbar spine, not the cervical spine" in i.reason


def test_an_emg_of_another_region_is_not_a_iii(extractor):
    text = ("Neck pain for 2 months.\nEMG/NCS: Impression: active left L5 radiculopathy.")
    r = review(note_case(text, cpt="72141"), extractor)
    assert "A.iii" not in r.criteria and "C" not in r.criteria


def test_a_spinal_diagnosis_in_the_assessment_takes_the_pain_up(extractor):
    text = "CC: low back pain for 6 weeks in a gymnast.\nExam: normal neurologic exam.\nA: Lumbar strain.\nP: rest."
    r = review(note_case(text, age=13), extractor)
    assert "W+.a" in r.criteria


def test_an_event_names_its_side_and_the_exam_that_contradicts_it(extractor):
    text = "HPI: back pain; her left leg feels weak at times.\nExam: Strength 5/5 bilateral lower extremities."
    r = review(note_case(text), extractor)
    weak = next(e for e in r.events if e.code == "motor_weakness" and e.source == "reported")
    assert weak.side == "left" and weak.contradicted_by and "5/5" in weak.contradicted_by[0].text


# --- written for the readings of operations, arthritis and narrated studies ------------------------------

def test_decompression_of_a_hematoma_or_a_nerve_is_not_spine_surgery(extractor):
    for sentence in ("She underwent surgical decompression and evacuation of the hematoma via a flank approach.",
                     "He had emergent decompression of the ulnar nerve at the elbow last year."):
        text = f"HPI: Low back pain for 5 weeks. {sentence}\nExam: Strength 5/5, sensation intact."
        assert "prior_spine_surgery" not in present(extractor, note_case(text)), sentence
    text = "HPI: Urgent decompression of a spinal epidural hematoma at T10 in 2024. Now new leg numbness since May."
    assert "prior_spine_surgery" in present(extractor, note_case(text, cpt="72146"))


def test_joint_pain_slowly_worsening_in_rheumatoid_arthritis_is_not_a_neurologic_sign():
    """'Severity of condition is slowly worsening' in a new arthritis of the hands: the joints, not the nerves."""
    from priorauth.models import Request

    req = Request(cpt_codes=["72141"], patient_age=30, request_date=date(2026, 3, 2), has_standard_written_order=True)
    d = decide(Facts.build([finding("rheumatoid_arthritis"), finding("symptoms_worsening")], None, req))
    assert "W+.c" not in d.criteria and d.decision != "meets_criteria"
    d = decide(Facts.build([finding("rheumatoid_arthritis"), finding("sensory_deficit", exam=True)], None, req))
    assert "W+.c" in d.criteria


def test_rheumatoid_arthritis_with_hand_numbness_and_weakness_on_exam_meets_w_c(extractor):
    text = ("HPI: Long-standing rheumatoid arthritis. Two months of numbness in both hands and dropping objects.\n"
            "Exam: Bilateral grip 4/5, decreased pinprick in both hands, Hoffmann sign positive bilaterally.\n"
            "Assessment: Rheumatoid arthritis with possible atlantoaxial involvement.")
    r = review(note_case(text, cpt="72141", age=61), extractor)
    assert "W+.c" in r.criteria


@pytest.mark.parametrize("sentence", ["The MRI L-spine revealed a large L4-5 herniation.",
                                      "MRI C-spine showed a C5-6 protrusion without cord signal change."])
def test_an_mri_a_course_tells_by_its_region_and_what_it_showed_is_a_prior_study(extractor, sentence):
    """Told in the course that followed the visit, the study is dated by it; undated in the history, its age
    cannot be established (labeling.md) and it is left out."""
    cpt = "72141" if "C-spine" in sentence else "72148"
    course = f"CC: Neck and back pain.\nHX: Two months of pain.\nEXAM: Strength 5/5.\nCOURSE: {sentence}"
    assert "prior_mri_same_region" in present(extractor, note_case(course, cpt=cpt))
    history = f"HPI: Neck and back pain for 2 months. {sentence}\nPlan: follow up."
    assert "prior_mri_same_region" not in present(extractor, note_case(history, cpt=cpt))


def test_a_course_naming_an_earlier_laminectomy_does_not_make_it_the_notes_own():
    from priorauth.extract.qualifiers import DocText, _own_surgery
    from priorauth.models import EvidenceSpan

    text = ("CC: Weakness.\nHX: Progressive leg weakness.\nEXAM: Hip flexors 4/5.\n"
            "COURSE: MRI showed a syrinx and evidence of prior cervical laminectomy at C6-T1. He underwent "
            "laminectomy at T4.")
    dt = DocText.build(doc("d", "2026-03-02", text, "consult"))

    prior = text.index("cervical laminectomy")
    assert not _own_surgery(dt, EvidenceSpan(doc="d", start=prior, end=prior + 20, text="cervical laminectomy"))
    later = text.index("laminectomy at T4")
    assert _own_surgery(dt, EvidenceSpan(doc="d", start=later, end=later + 11, text="laminectomy"))


def test_gait_and_incontinence_put_down_to_hydrocephalus_are_not_myelopathy(extractor):
    text = ("HPI: 78-year-old with a year of trouble with walking, urinary incontinence and memory loss.\n"
            "Exam: Magnetic gait, strength 5/5.\nAssessment: Gait difficulty and incontinence, consistent with "
            "normal pressure hydrocephalus. Plan: lumbar drain trial.")
    r = review(note_case(text, cpt="72141", age=78), extractor)
    assert r.decision != "meets_criteria" and "M" not in r.criteria
    unexplained = text.replace(", consistent with normal pressure hydrocephalus", "")
    assert "M" in review(note_case(unexplained, cpt="72141", age=78), extractor).criteria


ARM_DEFICIT = ("HPI: Low back pain for 3 weeks after gardening. Also neck pain.\n"
               "Exam: Left deltoid 4/5 and biceps 4/5. Decreased pinprick over the left thumb. {legs}\n"
               "Assessment: Back pain, neck pain.")


def test_an_arm_deficit_does_not_serve_a_lumbar_study(extractor):
    r = review(note_case(ARM_DEFICIT.format(legs="Legs: strength not tested."), cpt="72148"), extractor)
    assert not {"A.i", "A.ii"} & set(r.criteria) and r.decision != "meets_criteria"
    cervical = review(note_case(ARM_DEFICIT.format(legs="Legs: strength not tested."), cpt="72141"), extractor)
    assert "A.ii" in cervical.criteria


def test_a_leg_deficit_beside_an_arm_one_still_serves_a_lumbar_study(extractor):
    r = review(note_case(ARM_DEFICIT.format(legs="Left EHL 4/5 and ankle dorsiflexion 4/5."), cpt="72148"), extractor)
    assert "A.ii" in r.criteria


def test_a_later_exam_listing_the_muscles_at_full_strength_contradicts_an_earlier_weakness(extractor):
    first = doc("uc", "2026-01-10", "Urgent care. Low back pain for 3 days after lifting a sofa.\n"
                "Exam: Right great toe extension 4/5, right ankle dorsiflexion 4/5.\nDx: lumbar strain.")
    later = doc("pcp", "2026-02-02", "Follow-up of low back pain, better. Urgent care noted 'R ankle DF 4/5'.\n"
                "Exam: SLR neg B. Strength: hip flexion, knee extension, ankle DF/PF, EHL 5/5 bilaterally, heel/toe walk "
                "normal.\nA: Improving lumbar strain.")
    r = review(packet_case(first, later, when="2026-02-06"), extractor)
    assert r.decision != "meets_criteria" and "A.ii" not in r.criteria


def test_care_tried_years_ago_is_not_part_of_the_current_trial(extractor):
    text = ("HPI: Low back pain since early January, 9 weeks. Physical therapy twice a week since 01/12/2026 with no "
            "change. She says she took ibuprofen once many years ago and it upset her stomach; she takes nothing now.\n"
            "Exam: Strength 5/5, sensation intact.\nA: Axial low back pain, not improving with PT.")
    r = review(note_case(text, when="2026-03-16"), extractor)
    assert r.conservative_therapy is not None and not r.conservative_therapy.inactive
    assert "A.iv" not in r.criteria


@pytest.mark.parametrize("sentence", ["Pain rated 2/5 on the clinic's five-point scale.",
                                      "Pain intensity 4/5 today, 3/5 last week.",
                                      "Rates her back pain 3 out of 5."])
def test_a_pain_rating_out_of_five_is_not_a_strength_grade(extractor, sentence):
    assert "motor_weakness" not in present(extractor, note_case(f"Low back pain for 3 weeks. {sentence}"))


def test_return_precautions_for_any_new_symptoms_are_not_a_relapse(extractor):
    text = ("Neurology follow-up. Multiple sclerosis since 2018, stable on natalizumab. No new symptoms.\n"
            "Exam: Strength 5/5, sensation intact, gait normal.\n"
            "Plan: annual surveillance MRI of the cervical spine per protocol. Return sooner for any new symptoms.")
    r = review(note_case(text, cpt="72141", age=40), extractor)
    assert "G" not in r.criteria and r.decision != "meets_criteria"


@pytest.mark.parametrize("sentence", ["EMG/NCS last week: length-dependent polyneuropathy, no radiculopathy.",
                                      "Nerve conduction study consistent with neuropathy, not radiculopathy."])
def test_an_emg_summary_that_names_radiculopathy_only_to_deny_it_is_not_one(extractor, sentence):
    text = f"Low back pain for 5 weeks, numb feet. {sentence}"
    assert "emg_radiculopathy" not in present(extractor, note_case(text))
    assert "emg_radiculopathy" in present(extractor, note_case("Low back pain. EMG last week showed a left L5 "
                                                                "radiculopathy."))


def test_upper_motor_neuron_signs_the_author_puts_down_to_a_stroke_are_not_myelopathy(extractor):
    text = ("Neck pain for 2 weeks after a long drive. Left thalamic stroke in 2023 with residual right-sided weakness.\n"
            "Exam: Right hyperreflexia and right Babinski present (known, post-stroke). Right grip 4/5, unchanged.\n"
            "Impression: Right UMN signs from the 2023 stroke, stable. Neck strain.")
    r = review(note_case(text, cpt="72141", age=70), extractor)
    assert not {"M", "A.ii", "A.i"} & set(r.criteria) and r.decision != "meets_criteria"


@pytest.mark.parametrize("exam", ["Left EHL 4/5 and decreased pinprick over the left calf, both chronic and unchanged "
                                  "since his 2019 fusion.",
                                  "Left foot dorsiflexion 4/5, his baseline for years."])
def test_a_deficit_called_long_standing_and_unchanged_is_not_new(extractor, exam):
    text = f"HPI: New low back pain for 2 weeks after raking leaves.\nExam: {exam}\nA: Lumbar strain."
    r = review(note_case(text), extractor)
    assert not {"A.i", "A.ii"} & set(r.criteria)
    fresh = review(note_case("HPI: Low back pain for 2 weeks after raking leaves.\nExam: Left EHL 4/5 and decreased "
                             "pinprick over the left calf.\nA: Lumbar strain with L5 weakness."), extractor)
    assert "A.ii" in fresh.criteria


@pytest.mark.parametrize("sentence", ["The MRI from January (01/22/2026, Lakeside Imaging) showed a small C6-7 bulge.",
                                      "Her MRI of 01/22/2026 was read as mild foraminal narrowing.",
                                      "An MRI in January 2026 showed mild spondylosis."])
def test_a_dated_mri_in_ordinary_words_is_a_prior_study(extractor, sentence):
    text = f"Neck pain since December. {sentence} PT for 8 weeks without change."
    assert "prior_mri_same_region" in present(extractor, note_case(text, cpt="72141", when="2026-04-01"))
    other = "Neck pain since December. The MRI from January of the shoulder showed a rotator cuff tear."
    assert "prior_mri_same_region" not in present(extractor, note_case(other, cpt="72141", when="2026-04-01"))


def test_a_deficit_set_beside_her_known_shoulder_disease_by_a_dash_is_explained(extractor):
    text = ("Neck pain for 4 months.\nExam: Strength 5/5 in the arms except left shoulder abduction 4/5 with a painful "
            "arc - her known left rotator cuff tendinopathy.")
    assert "motor_weakness" not in present(extractor, note_case(text, cpt="72141"))


def test_a_prior_mri_dated_by_its_year_alone_is_years_old(extractor):
    text = ("Neck pain since December, 10 weeks. Chiropractic 2x/week since 01/05/2026 and naproxen daily since "
            "01/02/2026 with no improvement. Last MRI of the neck was in 2020, for an earlier episode.\n"
            "Exam: Strength 5/5, reflexes 2+ symmetric.")
    r = review(note_case(text, cpt="72141", when="2026-03-16"), extractor)
    assert "A.iv" in r.criteria and r.decision == "meets_criteria"


def test_an_unticked_checkbox_is_not_a_symptom_and_a_ros_line_keeps_its_system_headers(extractor):
    text = ("CC: low back pain x 5 wks.\nROS: [x] MSK: back pain  [x] Neuro: pt reports leg weakness  [ ] numbness\n"
            "EXAM: Str 5/5 BLE. Sens intact.")
    found = {f.code: f for f in extractor.extract(note_case(text)).findings}
    assert not found["sensory_deficit"].present
    assert found["motor_weakness"].evidence[0].section == "ros"
    assert review(note_case(text), extractor).decision != "meets_criteria"


def test_a_later_exam_naming_the_muscle_at_full_strength_and_sensation_intact_undoes_the_deficit(extractor):
    first = doc("uc", "2026-02-20", "Urgent care. Sharp low back pain into the left leg since yesterday.\n"
                "Exam: L EHL 4/5. Sens dec L dorsum foot.\nDx: acute lumbar radiculopathy.")
    later = doc("pcp", "2026-03-16", "F/u left sciatica, much better.\nExam: EHL 5/5 bilat, ankle DF/PF 5/5. Sens intact "
                "LT/PP both feet.\nA/P: radiculopathy resolving.")
    r = review(packet_case(first, later, when="2026-03-18"), extractor)
    assert not {"A.i", "A.ii"} & set(r.criteria)
    still = doc("pcp", "2026-03-16", "F/u left sciatica.\nExam: EHL 4/5 L, 5/5 R. Sens dec L dorsum foot.\nA/P: L5 "
                "radiculopathy.")
    assert "A.ii" in review(packet_case(first, still, when="2026-03-18"), extractor).criteria


def test_a_differential_closed_by_a_later_note_no_longer_keeps_the_deficit_spinal(extractor):
    first = doc("pcp1", "2026-01-10", "Neck pain x 3 wks. R hand numbness, dropping tools.\nExam: R FDI 4/5, dec LT R "
                "5th digit.\nA: R hand numbness/weakness - r/o C8 radiculopathy vs ulnar neuropathy.")
    later = doc("pcp2", "2026-02-09", "F/u. EMG: R ulnar neuropathy at the elbow. Hand numb + FDI weakness d/t ulnar "
                "neuropathy. Neck still aches.")
    r = review(packet_case(first, later, cpt="72141", when="2026-02-11"), extractor)
    assert not {"A.i", "A.ii"} & set(r.criteria) and r.decision != "meets_criteria"


def test_a_dash_links_symptoms_and_their_cause_unless_the_cause_is_one_side_of_a_differential(extractor):
    text = ("Low back pain for years, heat and acetaminophen.\nExam: magnetic gait. Str 5/5 BLE.\n"
            "A/P: Incontinence + gait trouble - NPH per neurology, awaiting shunt.")
    assert "bowel_bladder_dysfunction" not in present(extractor, note_case(text, age=78))
    open_question = ("Low back pain for 3 weeks.\nExam: L EHL 4/5.\nA: Left leg weakness - stroke vs radiculopathy, "
                     "work-up pending.")
    assert "motor_weakness" in present(extractor, note_case(open_question, age=70))


@pytest.mark.parametrize("sentence", ["Babinski equivocal on the right.", "SLR equivocal at 60 degrees."])
def test_an_equivocal_exam_sign_is_not_indeterminate_imaging(extractor, sentence):
    text = f"Tingling in both legs for 3 weeks.\nExam: Str 5/5 BLE. {sentence}"
    assert "imaging_indeterminate" not in present(extractor, note_case(text))
    assert "imaging_indeterminate" in present(extractor, note_case("Back pain. Lumbar MRI 02/2026: equivocal "
                                                                   "enhancement at L3, indeterminate."))


def test_an_mri_dated_relative_to_its_note_lets_new_findings_since_it_meet_repeat_b(extractor):
    text = ("HPI: Low back and left leg pain since March. The lumbar MRI she had 5 weeks ago showed an L5-S1 protrusion "
            "touching the left S1 root. PT since 04/20 and naproxen daily since 04/15.\nInterval: leg pain worse despite "
            "PT and meds; since Monday her left foot is weak.\nExam: L plantarflexion 3/5, L Achilles absent.\n"
            "A: New left S1 motor deficit since the MRI.\nP: repeat lumbar MRI now; the result decides surgery.")
    r = review(note_case(text, when="2026-06-01"), extractor)
    assert "prior_mri_same_region" in {f.code for f in r.findings}
    assert r.decision == "meets_criteria" and "REPEAT.b" in r.criteria


def test_upper_motor_neuron_signs_do_not_serve_a_lumbar_study(extractor):
    text = ("Chronic mild back ache, no care. Three months of stiff legs and tripping.\nExam: Reflexes 3+ at knees, ankle "
            "clonus, Babinski up bilaterally, Hoffmann positive.\nA: Spastic gait, r/o myelopathy vs MS.\nP: MRI lumbar spine.")
    r = review(note_case(text, cpt="72148"), extractor)
    assert r.decision != "meets_criteria" and "A.ii" not in r.criteria


def test_an_episode_a_letter_retells_from_two_years_ago_is_not_the_current_one(extractor):
    text = ("SPINE CLINIC 02/02/2026\nDear Dr. Lane,\nIn April 2024 he developed left S1 radiculopathy with plantarflexion "
            "weakness (4/5) and an "
            "absent left ankle jerk; EMG in 05/2024 confirmed an acute left S1 radiculopathy. It resolved by late 2024.\n"
            "He returns now with ten days of low back ache after moving house, no leg symptoms.\nOn examination today "
            "plantarflexion is 5/5, ankle jerks are present and symmetric, sensation is intact.\nSincerely, Dr. Roe")
    r = review(packet_case(doc("l", "2026-02-02", text, "letter"), when="2026-02-04"), extractor)
    assert not {"A.i", "A.ii", "A.iii", "C"} & set(r.criteria) and r.decision != "meets_criteria"


def test_an_indeterminate_lung_nodule_named_by_its_lobe_is_not_j(extractor):
    text = ("CT chest: Indeterminate 6 mm solid nodule RUL; follow-up CT in 6 months per Fleischner. Mild thoracic "
            "spondylosis.\nMid-back pain for 3 weeks after rowing.")
    assert "imaging_indeterminate" not in present(extractor, note_case(text, cpt="72146"))


def test_j_needs_the_indeterminate_study_placed_in_the_requested_region(extractor):
    vague = "Mid-back pain for 3 weeks. Pt asks for an MRI 'since the scan found something indeterminate'."
    assert "J" not in review(note_case(vague, cpt="72146"), extractor).criteria
    placed = "Mid-back pain for 3 weeks. Thoracic spine CT: indeterminate sclerotic focus in the T9 body; MRI advised."
    assert "J" in review(note_case(placed, cpt="72146"), extractor).criteria
    other = "Neck pain. Lumbar MRI 02/2026: indeterminate enhancing focus at L3."
    assert "J" not in review(note_case(other, cpt="72141"), extractor).criteria


def test_a_patients_later_report_of_weakness_does_not_outweigh_the_latest_exam(extractor):
    exam = doc("pt", "2026-09-10", "PT daily note. Neck 30% better.\nO: MMT C5-T1 myotomes 5/5 bilat. Grip symmetric. "
               "Sensation intact.")
    call = doc("tel", "2026-09-14", "Telephone encounter. Pt called: 'my hand still feels weak', wants a neck MRI.")
    first = doc("uc", "2026-08-20", "Urgent care. Neck pain x 10 days. R hand feels weak.\nExam: Grip R 4/5.")
    r = review(packet_case(first, exam, call, cpt="72141", when="2026-09-15"), extractor)
    assert not {"A.i", "A.ii"} & set(r.criteria) and r.decision != "meets_criteria"


def test_an_mri_last_fall_is_recent_in_january_and_of_unknown_age_in_march(extractor):
    text = "Low back pain since November. MRI of the lumbar spine last fall showed a mild L4-5 bulge."
    assert "prior_mri_same_region" in present(extractor, note_case(text, when="2026-01-20"))
    assert "prior_mri_same_region" not in present(extractor, note_case(text, when="2026-04-20"))


# --- 8. what was new long ago is not new now -------------------------------------------------------------------

def test_a_metastasis_new_more_than_a_year_ago_is_not_new_now(extractor):
    old = ("Oncologic history: 11/2024 new T7 lesion with epidural extension, treated with SBRT.\n"
           "Interval: feels well, no back pain.\nExam: strength 5/5, sensation intact.\n"
           "Assessment: metastatic breast cancer, stable on therapy.\nPlan: surveillance MRI thoracic spine.")
    r = review(note_case(old, cpt="72146", age=60), extractor)
    assert r.decision == "not_met" and "H" not in r.criteria
    recent = old.replace("11/2024", "01/2026").replace("stable on therapy", "new lesion on bone scan")
    assert "H" in review(note_case(recent, cpt="72146", age=60), extractor).criteria


def test_a_worsening_the_author_calls_perceived_is_not_worsening(extractor):
    text = ("Low back pain for 9 weeks despite 7 weeks of PT and naproxen. His wife feels he is worse; the perceived "
            "worsening reflects a bad night's sleep.\nExam: strength 5/5, sensation intact.")
    assert "symptoms_worsening" not in present(extractor, note_case(text))
    assert "symptoms_worsening" in present(extractor, note_case(text.replace("the perceived worsening reflects",
                                                                              "the worsening despite therapy, not")))


@pytest.mark.parametrize("line", ["Hoffmann neg L, Babinski neg R", "Hoffmann neg R. Toes down.", "Hoffmann neg L\nPlan: PT"])
def test_neg_after_a_sign_and_its_side_negates_it(extractor, line):
    assert "upper_motor_neuron_signs" not in present(extractor, note_case("Neck pain 4 weeks.\nExam: " + line, cpt="72141"))
    ros = "Neck pain 4 weeks.\nROS: neg fever, bowel/bladder sx, saddle anesthesia.\nExam: " + line
    assert not {"bowel_bladder_dysfunction", "saddle_anesthesia"} & set(present(extractor, note_case(ros, cpt="72141")))


def test_a_post_operative_symptom_the_latest_exam_finds_recovered_does_not_make_i(extractor):
    op = doc("op", "2026-01-10", "OPERATIVE REPORT\nIndications: left foot drop (TA 2/5) from an L4-5 extrusion.\n"
             "Procedure: left L4-5 microdiscectomy.", "operative_report")
    plan = "\nToday: no weakness.\nExam: strength 5/5 in both legs including dorsiflexion.\nPlan: routine post-op MRI lumbar."
    for told in ("PMH: L4-5 microdiscectomy 01/10/2026 for L foot drop.",
                 "Problem list carried forward: L foot drop (L5) - pre-op; recovered post-op."):
        r = review(packet_case(op, doc("f", "2026-05-02", "Follow-up.\n" + told + plan), when="2026-05-04"), extractor)
        assert r.decision != "meets_criteria" and "I" not in r.criteria, (told, r.decision, r.criteria)


def test_a_symptom_dated_before_the_surgery_in_a_later_summary_is_pre_operative(extractor):
    text = ("ANNUAL SPINE FOLLOW-UP SUMMARY\nShe first came in 02/2024 with progressive mid-back pain, a T8 sensory level "
            "and leg weakness (4/5). She underwent T7-8 discectomy and fusion on 03/15/2024. Post-operatively the leg "
            "strength returned to 5/5 by 06/2024.\nInterval history (since 03/2025): no new complaints.\n"
            "Exam: strength 5/5, sensation intact, gait normal.\n"
            "Plan: surveillance MRI of the thoracic spine for annual follow-up of the 2024 decompression.")
    r = review(note_case(text, cpt="72146", age=60, when="2026-03-02"), extractor)
    assert r.decision != "meets_criteria" and "I" not in r.criteria, (r.decision, r.criteria)


def test_reasons_an_author_cites_from_someone_elses_order_are_not_findings(extractor):
    text = ("Neck pain for 3 weeks, no arm symptoms.\nExam: strength 5/5, sensation intact, Spurling negative.\n"
            "Plan: the PCP ordered an MRI C-spine citing \"prior EMG radiculopathy\"; I explained this does not apply.")
    r = review(note_case(text, cpt="72141"), extractor)
    assert r.decision != "meets_criteria" and not {"A.iii", "C"} & set(r.criteria), (r.decision, r.criteria)


@pytest.mark.parametrize("text", [
    "24-year-old man, s/p T11-L2 pedicle screw fixation 04/2025 for an L1 burst fracture.\nSubjective: occasional "
    "stiffness after a shift.\nObjective: Full strength. CT 03/2026: L1 fracture healed, no loss of height since 2025.\n"
    "Assessment: Healed L1 burst fracture after fixation, asymptomatic.\nPlan: routine 1-year postoperative MRI lumbar spine.",
])
def test_a_healed_fracture_is_history_not_a_fracture_to_evaluate(extractor, text):
    r = review(note_case(text, age=24), extractor)
    assert r.decision != "meets_criteria" and "D" not in r.criteria, (r.decision, r.criteria)


@pytest.mark.parametrize("text,code", [
    ("Low back pain 8 weeks. Microdiscectomy offered; she declined.", "prior_spine_surgery"),
    ("Low back pain 8 weeks. Offered a microdiscectomy.", "prior_spine_surgery"),
    ("Low back pain 8 weeks. Physical therapy offered.", "physical_therapy"),
    ("Low back pain 8 weeks. Offered physical therapy.", "physical_therapy"),
    ("Low back pain 8 weeks. Foot drop 3 years ago.", "motor_weakness"),
    ("Low back pain 8 weeks. Years ago he had a foot drop.", "motor_weakness"),
])
def test_a_trigger_written_both_before_and_after_its_target_reaches_either(extractor, text, code):
    """context_rules.json writes some triggers twice, forward and backward; both must apply."""
    assert code not in present(extractor, note_case(text))


def test_an_inline_history_header_holds_its_own_line_only(extractor):
    text = ("PMH: hypothyroidism, obesity, anxiety.\nLBP with left calf pain for 5 weeks; the EMG of 06/10 confirms an "
            "active left S1 radiculopathy.\nExam: SLR positive on the left.")
    r = review(note_case(text), extractor)
    assert r.decision == "meets_criteria" and "A.iii" in r.criteria, (r.decision, r.criteria, r.reasons[:2])
    listed = "PMH: hypothyroidism, obesity,\nlow back pain, anxiety.\nExam: normal."
    assert "back_pain" not in present(extractor, note_case(listed))


def test_a_primary_spinal_tumor_irradiated_this_year_is_followed_up_under_h(extractor):
    text = ("PMH: solitary plasmacytoma of C6 s/p RT (completed 04/2026).\nNo new symptoms. Exam normal.\n"
            "A/P: Plasmacytoma - routine surveillance. Ordering the 6-month post-RT MRI cervical spine.")
    r = review(note_case(text, cpt="72141", age=72, when="2026-10-14"), extractor)
    assert r.decision == "meets_criteria" and "H" in r.criteria, (r.decision, r.reasons[:2])


@pytest.mark.parametrize("text,worse", [
    ("Neck pain for 6 weeks on naproxen. She came in for worsening abdominal pain.", False),
    ("Neck pain for 6 weeks on naproxen and PT. Worsening headaches this week.", False),
    ("Neck pain for 6 weeks on naproxen. Two months of worsening balance before the shunt revision.", False),
    ("Neck pain for 6 weeks on naproxen and PT, worsening despite both.", True),
    ("Neck pain for 6 weeks on naproxen. His son feels his walking has gotten worse over the summer.", False),
])
def test_worsening_of_another_body_part_is_not_a_worsening_spine_symptom(extractor, text, worse):
    assert ("symptoms_worsening" in present(extractor, note_case(text, cpt="72141"))) is worse


def test_a_syndrome_the_assessment_puts_to_hydrocephalus_is_not_a_myelopathy(extractor):
    text = ("HPI: He has trouble with walking and balance, with bladder control, and with memory for three years.\n"
            "Exam: strength normal, no Hoffmann sign.\nImaging: brain MRI with enlarged ventricles.\n"
            "ASSESSMENT: The patient has a clinical syndrome that raises the question of normal pressure hydrocephalus.")
    r = review(note_case(text, cpt="72141", age=76), extractor)
    assert r.decision != "meets_criteria" and "M" not in r.criteria, (r.decision, r.criteria)


def test_a_referral_question_the_note_answers_is_not_a_suspicion(extractor):
    text = ("Referred by PCP: \"gait decline, r/o thoracic myelopathy; mid-back pain.\"\n"
            "Exam: strength 5/5, reflexes 2+ symmetric, no Hoffmann, no sensory level.\n"
            "Assessment: normal pressure hydrocephalus with gait apraxia. No myelopathic signs.")
    r = review(note_case(text, cpt="72146", age=76), extractor)
    assert r.decision != "meets_criteria" and "M" not in r.criteria, (r.decision, r.criteria)
    assert any("answered in the same note" in x for x in r.reasons), r.reasons


@pytest.mark.parametrize("line,prior", [
    ("Imaging: MRI L-spine last fall (Open Imaging, October, ordered by her gyn for pelvic pain) - mild L4-5 bulge.", True),
    ("Imaging: MRI L-spine 12/02/2025, ordered by urgent care - mild L4-5 bulge, no stenosis.", True),
    ("Plan: MRI L-spine ordered today.", False),
])
def test_a_study_someone_ordered_months_ago_is_a_prior_study(extractor, line, prior):
    text = "LBP since November, no leg pain. Chiro weekly and meloxicam for 10 weeks, no better.\n" + line
    found = "prior_mri_same_region" in present(extractor, note_case(text, when="2026-01-26"))
    assert found is prior


def test_a_treatment_started_years_ago_is_no_treatment_change(extractor):
    text = ("Dx: relapsing-remitting multiple sclerosis (dx 2019).\nInterval: no relapses since 2021. Started ocrelizumab "
            "01/2022, last infusion 12/2025, tolerating. No new symptoms.\nExam: normal.\n"
            "A/P: RRMS, stable. Surveillance MRI thoracic spine; ordered.")
    r = review(note_case(text, cpt="72157", age=38, when="2026-02-11"), extractor)
    assert r.decision != "meets_criteria" and "G" not in r.criteria, (r.decision, r.criteria)
    switched = text.replace("Started ocrelizumab 01/2022", "Switching to ocrelizumab now").replace(", last infusion 12/2025", "")
    assert "G" in review(note_case(switched, cpt="72157", age=38, when="2026-02-11"), extractor).criteria


def test_a_fall_on_a_post_stroke_baseline_is_trauma_without_a_new_deficit(extractor):
    text = ("79 F slid off her bed onto the floor this AM. Now upper lumbar back pain.\n"
            "PMH: L MCA stroke 2024 with residual R hemiparesis, osteoporosis.\n"
            "Neuro: R arm 3/5, R leg 4/5 with R Babinski - baseline per daughter (unchanged since 2024). L side 5/5.\n"
            "XR L-spine: L1 compression fracture, 25% height loss, osteopenia, most consistent with osteoporotic fracture.")
    r = review(note_case(text, age=79), extractor)
    assert r.decision != "meets_criteria" and not {"D", "F", "A.i", "A.ii"} & set(r.criteria), (r.decision, r.criteria)


@pytest.mark.parametrize("text,code,cpt", [
    ("Back + R leg pain since 03/02/2026.", "back_pain", "72148"),
    ("Low back and left buttock pain for 9 weeks.", "back_pain", "72148"),
    ("Neck/right arm pain for 2 months.", "neck_pain", "72141"),
])
def test_the_spine_and_its_limb_named_together_is_spine_pain(extractor, text, code, cpt):
    assert code in present(extractor, note_case(text, cpt=cpt))


def test_a_surgery_dated_after_its_note_or_still_to_be_chosen_is_planned_not_prior(extractor):
    letter = doc("o", "2026-09-14", "Neck and bilateral arm pain for over a year, failed PT and two injections in 2025. "
                 "We have scheduled a C5-6 ACDF for 10/19/2026. Her only cervical MRI is from 11/2025. I need current "
                 "detail to decide between a two-level fusion and a hybrid construct, and have ordered an MRI of the "
                 "cervical spine for preoperative planning.\nExam: strength 5/5, Hoffmann negative.")
    clearance = doc("c", "2026-09-21", "PRE-OP CLEARANCE\n55 F for C5-6 ACDF 10/19/2026. Neck pain ongoing. "
                    "Assessment: acceptable risk for planned surgery.", "consult_note")
    r = review(packet_case(letter, clearance, cpt="72141", when="2026-09-22"), extractor)
    assert not [f for f in r.findings if f.code == "prior_spine_surgery" and f.present]
    assert r.decision == "meets_criteria" and "U" in r.criteria, (r.decision, r.criteria)


@pytest.mark.parametrize("line", ["A: LBP, 7 wks, no response to OMT + HEP + NSAIDs + heat.", 'In her words: "honestly, no different."',
                                  '"It has not budged."', "The exercises made no difference."])
def test_plain_words_for_no_response_are_no_response(extractor, line):
    text = "LBP 8 weeks. PT twice a week and naproxen for 8 weeks.\n" + line
    assert "no_response_to_treatment" in present(extractor, note_case(text))


@pytest.mark.parametrize("line", ["A: Subjective R leg weakness not reproduced on exam.", "Reported numbness, not confirmed on exam.",
                                  "Weakness of the right leg was not elicited today."])
def test_a_deficit_the_exam_did_not_reproduce_is_not_a_deficit(extractor, line):
    text = "Back pain for 7 weeks after moving.\n" + line
    assert not {"motor_weakness", "sensory_deficit"} & set(present(extractor, note_case(text)))


def test_return_precautions_written_mid_line_are_hypothetical(extractor):
    text = ("LBP flare 3 weeks, improving.\nExam: strength 5/5.\n"
            "Plan: MRI lumbar. Return precautions reviewed: new foot weakness, numbness, bladder sx -> call/ED.")
    assert not {"motor_weakness", "bowel_bladder_dysfunction"} & set(present(extractor, note_case(text)))


def test_an_exam_told_in_a_letters_prose_is_an_exam(extractor):
    text = ("In March 2024 he had severe right sciatica and a right foot drop.\nAt present he describes a low back ache "
            "after long drives, 2/10.\nOn examination his gait is normal. Power is 5/5 throughout both legs, sensation "
            "is intact and reflexes are symmetric.")
    r = review(note_case(text, age=61), extractor)
    assert r.decision != "meets_criteria" and "A.i" not in r.criteria, (r.decision, r.criteria)
    assert any("5/5" in x for x in r.reasons), r.reasons


def test_a_deficit_called_much_improved_is_not_a_new_deficit(extractor):
    text = "Neck pain for 3 months.\nInterval: right hand numbness much improved with PT.\nExam: strength 5/5."
    r = review(note_case(text, cpt="72141"), extractor)
    assert "A.i" not in r.criteria, (r.decision, r.criteria)
    assert "A.i" in review(note_case(text.replace("much improved with PT", "worse this week"), cpt="72141"), extractor).criteria


def test_a_later_specialist_who_does_not_suspect_myelopathy_answers_the_referral(extractor):
    pcp = doc("p", "2026-04-06", "79 F, walking is off x 6 mo, urinary leaks, forgetful.\nExam: strength 5/5, Hoffmann neg.\n"
              "Imp: ? NPH vs cervical spondylotic myelopathy.\nPlan: MRI C-spine to r/o myelopathy (submitted).")
    neuro = doc("n", "2026-04-20", "NEUROLOGY CONSULT\nExam: no Hoffmann, no Babinski, no sensory level.\n"
                "Assessment: probable normal pressure hydrocephalus. No UMN signs; cervical myelopathy is not suspected "
                "clinically.", "consult_note")
    r = review(packet_case(pcp, neuro, cpt="72141", age=79, when="2026-04-22"), extractor)
    assert r.decision != "meets_criteria" and "M" not in r.criteria, (r.decision, r.criteria)


def test_a_later_exam_that_explains_the_weakness_supersedes_an_unexplained_one(extractor):
    pcp = doc("p", "2026-09-02", "Pt 69 F c/o low back pain and R leg weakness x 3 wks. Exam: R hip flexion weak.")
    ortho = doc("o", "2026-09-10", "EXAMINATION: Right hip flexion 4/5, limited by groin pain with give-way, the remainder "
                "of the right leg 5/5, left leg 5/5. Sensation intact.\nASSESSMENT: Severe right hip osteoarthritis; the "
                "weak hip flexion is from the hip joint, not the spine.", "consult_note")
    r = review(packet_case(pcp, ortho, age=69, when="2026-09-11"), extractor)
    assert r.decision != "meets_criteria" and not {"A.i", "A.ii"} & set(r.criteria), (r.decision, r.criteria)
    assert any("limited by groin pain" in x for x in r.reasons), r.reasons


@pytest.mark.parametrize("line", ["Plan: routine 3-month postop MRI C-spine per the myelopathy pathway. No new complaints.",
                                  "Doing well s/p ACDF for cervical spondylotic myelopathy. Plan: routine postop MRI."])
def test_a_myelopathy_named_as_a_pathway_or_a_past_operations_reason_is_no_suspicion(extractor, line):
    text = "3 MONTH POSTOP.\nNo neck pain, no arm pain. Hand function back to normal.\nExam: Str 5/5, Hoffmann neg.\n" + line
    assert "myelopathy_suspected" not in present(extractor, note_case(text, cpt="72141"))


def test_an_emg_the_patient_cites_is_the_packets_known_one_not_the_requested_region(extractor):
    text = ("CC: neck pain x 3 wks, no arm symptoms.\nPMH: HTN. Known lumbar radiculopathy (EMG proven), stable.\n"
            "Exam: UE strength 5/5, sensation intact, Hoffmann neg.\n"
            "P: Pt requesting MRI of the neck because \"I have EMG-proven radiculopathy\" - request submitted.")
    r = review(note_case(text, cpt="72141", age=56), extractor)
    assert r.decision != "meets_criteria" and not {"A.iii", "C"} & set(r.criteria), (r.decision, r.criteria)


def test_subjective_tingling_with_intact_light_touch_and_pinprick_is_no_sensory_deficit(extractor):
    text = ("S: Neck pain with R arm tingling since mid Feb.\nO: Spurling + on R, reproducing tingling to the thumb. "
            "Strength 5/5 C5-T1 bilat. Sensation: subjective tingling R thumb, LT and PP intact. Reflexes 2+ =.")
    r = review(note_case(text, cpt="72141", age=67), extractor)
    assert r.decision != "meets_criteria" and not {"A.i", "A.ii"} & set(r.criteria), (r.decision, r.criteria)
    assert any("LT and PP intact" in x for x in r.reasons), r.reasons


@pytest.mark.parametrize("impression,counts", [
    ("Active denervation in the C6 myotome with paraspinal fibrillations, localizing to the right C6 nerve root.", True),
    ("Findings consistent with a left C7 root lesion, acute.", True),
    ("Normal study; the C6 nerve root was spared and there is no evidence of radiculopathy.", False),
])
def test_an_emg_that_localizes_to_a_root_indicates_radiculopathy(extractor, impression, counts):
    emg = Document(id="emg", type="emg_report", date=date(2026, 2, 20),
                   text=f"ELECTRODIAGNOSTIC REPORT 02/20/2026\nNeedle EMG of the right arm.\nImpression: {impression}")
    visit = doc("v", "2026-02-25", "Neck pain with right arm pain for 5 weeks. EMG reviewed.")
    r = review(packet_case(emg, visit, cpt="72141", when="2026-02-26"), extractor)
    assert ("A.iii" in r.criteria) is counts, (r.decision, r.criteria)


def test_radicular_pain_not_yet_confirmed_by_emg_is_no_emg_finding(extractor):
    text = "Neck pain with right arm radicular pain, not yet electrodiagnostically confirmed; EMG ordered."
    assert "emg_radiculopathy" not in present(extractor, note_case(text, cpt="72141"))


@pytest.mark.parametrize("text,counts", [
    ("Known RRMS. Assessment: new cervical cord symptoms in known MS - likely a new relapse with a C-spine lesion.", False),
    ("Breast cancer in 2020. Her cancer has relapsed with a new spine lesion at T9 on the bone scan.", True),
])
def test_a_spine_lesion_in_a_sentence_about_ms_is_a_plaque(extractor, text, counts):
    assert ("malignancy" in present(extractor, note_case(text, cpt="72156"))) is counts


def test_a_study_list_after_the_mri_names_its_regions_and_date(extractor):
    text = ("MS clinic 11/12/2026.\nRelapsing MS since 2018, on natalizumab, last infusion 10/2026. Last MRI brain + C-spine "
            "+ T-spine {when}: stable, no enhancing lesions.\nInterval: new Lhermitte sign for 3 weeks.\n"
            "Exam: R Hoffmann present, R biceps 3+.")
    old = review(note_case(text.format(when="09/2025"), cpt="72156", when="2026-11-16"), extractor)
    assert not [f for f in old.findings if f.code == "prior_mri_same_region" and f.present]
    recent = review(note_case(text.format(when="09/2026"), cpt="72156", when="2026-11-16"), extractor)
    assert [f for f in recent.findings if f.code == "prior_mri_same_region" and f.present]


@pytest.mark.parametrize("line,indeterminate", [
    ("XR: 20% anterior wedge compression of T8, age-indeterminate; no destructive lesion.", False),
    ("XR: T8 compression deformity of indeterminate age.", False),
    ("CT: 1.5 cm T8 vertebral body lesion, indeterminate; MRI recommended.", True),
])
def test_a_fracture_of_indeterminate_age_is_no_indeterminate_finding(extractor, line, indeterminate):
    found = present(extractor, note_case(f"Mid-back pain for 4 weeks.\n{line}", cpt="72146", age=81))
    assert ("imaging_indeterminate" in found) is indeterminate, found


def test_no_change_in_plan_is_no_lack_of_response(extractor):
    text = "Low back pain for 8 weeks, much better on naproxen.\nPlan: MRI at family request; no change in plan expected."
    assert "no_response_to_treatment" not in present(extractor, note_case(text))


@pytest.mark.parametrize("line,counts", [("Last MRI T-spine: 2023 (outside facility, normal).", False),
                                        ("Last MRI T-spine: 07/2026, normal.", True)])
def test_a_studys_date_after_a_colon_is_its_date(extractor, line, counts):
    text = ("Pain management 09/02/2026. SCS trial 08/10-08/17 with 70% relief; permanent thoracic paddle planned.\n"
            f"Imaging history: {line}")
    r = review(note_case(text, cpt="72146", age=63, when="2026-09-08"), extractor)
    assert bool([f for f in r.findings if f.code == "prior_mri_same_region" and f.present]) is counts


@pytest.mark.parametrize("opening,counts", [("At that time, he had", False), ("Since the operation he has had", True)])
def test_a_sentence_pointing_back_in_time_is_dated_by_the_one_before(extractor, opening, counts):
    text = ("Neurology follow-up 11/20/2026.\nI first saw him on March 3, 2026. "
            f"{opening} a steady deterioration of his gait and new hand clumsiness. "
            "Dr. Ames performed a C4-C6 laminectomy and fusion on June 2, 2026.\nExam: strength 5/5, no Hoffmann.")
    r = review(note_case(text, cpt="72141", age=70, when="2026-11-24"), extractor)
    assert ("I" in r.criteria) is counts, (r.decision, r.criteria)


def test_a_heading_answered_none_negates_it(extractor):
    text = ("Pain clinic 09/02/2026. SCS trial with 70% relief; permanent thoracic leads planned.\n"
            "Last thoracic imaging: none. Lumbar MRI 04/2026 reviewed: stable fusion.")
    r = review(note_case(text, cpt="72146", age=60, when="2026-09-08"), extractor)
    assert not [f for f in r.findings if f.code == "prior_mri_same_region" and f.present]
    assert "P" in r.criteria, (r.decision, r.criteria)


@pytest.mark.parametrize("line,counts", [
    ("Imaging: she had the MRI at the imaging center by her work in early September (L4-5 protrusion).", True),
    ("She had the MRI of her low back done in late August at Summit Imaging; report reviewed.", True),
    ("She had an MRI of the left knee in September.", False),
    ("She had the MRI scheduled for next week.", False),
    ('He says he had an MRI of his back "once, somewhere" but cannot say when.', False),
])
def test_a_study_the_patient_had_is_a_prior_study(extractor, line, counts):
    text = f"Low back pain since June, PT and naproxen without relief.\n{line}\nPlan: MRI lumbar spine."
    r = review(note_case(text, when="2026-11-20"), extractor)
    assert bool([f for f in r.findings if f.code == "prior_mri_same_region" and f.present]) is counts


@pytest.mark.parametrize("text,when", [
    ("Records reviewed:\n- late spring (05/2026) MRI lumbar spine, Valley Imaging: mild L4-5 bulge, no stenosis.",
     "2026-09-20"),
    ("The MRI he had in January (lumbar, 01/28/2026 at Valley Imaging) showed a small L4-5 protrusion.", "2026-05-20"),
    ("Exam unchanged since the 5/2026 MRI, which showed a mild L4-5 bulge.", "2026-09-20"),
])
def test_more_ordinary_ways_of_naming_a_dated_prior_mri(extractor, text, when):
    full = f"Low back pain since March, PT and naproxen since April without change.\n{text}\nPlan: MRI lumbar spine."
    r = review(note_case(full, when=when), extractor)
    assert [f for f in r.findings if f.code == "prior_mri_same_region" and f.present], r.findings


def test_a_report_headed_by_its_facility_and_study_is_a_prior_study(extractor):
    report = doc("mri", "2026-07-28", "VALLEY IMAGING - MRI LUMBAR SPINE WITHOUT CONTRAST\nFindings: small L4-5 protrusion.",
                 "imaging_report")
    visit = doc("v", "2026-09-18", "Low back pain since June, PT 8 weeks and meloxicam daily since June, no change.")
    r = review(packet_case(report, visit, when="2026-09-20"), extractor)
    assert [f for f in r.findings if f.code == "prior_mri_same_region" and f.present]


@pytest.mark.parametrize("text", ["Long hx of on/off low back pain (worse past 2 months). New L foot drop for 10 days.",
                                  "LBP since ~8/20/26 with L calf pain; 4 days of L lateral foot numbness."])
def test_pain_with_a_long_history_and_a_current_flare_is_current(extractor, text):
    assert "back_pain" in present(extractor, note_case(text + "\nExam: L EHL 3/5.", when="2026-10-01"))


def test_a_date_a_finding_is_compared_with_does_not_date_the_finding(extractor):
    text = ("Since 02/09 new R S1 radicular pain with low back pain, 4 months after an L5-S1 microdiscectomy.\n"
            "Exam: R ankle jerk absent (was 1+ 12/2025), R gastroc 4/5.")
    assert "abnormal_reflexes" in present(extractor, note_case(text, when="2026-02-24"))


TWO_TERRITORIES = """
from tests.conftest import note_case
from priorauth.pipeline import review
text = ("Neck and low back pain.\\nExam: weakness of the left deltoid and left EHL 4/5; decreased pinprick left thumb "
        "and left foot.")
r = review(note_case(text, cpt="72141"))
print([q.value for f in r.findings if f.code == "sensory_deficit" for q in f.qualifiers if q.name == "territory"])
"""


def test_a_deficits_territories_read_the_same_under_any_hash_seed():
    """A review must not change from one run to the next: values read into a set come out sorted."""
    import os
    import subprocess
    import sys

    outs = {subprocess.run([sys.executable, "-c", TWO_TERRITORIES], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout.strip() for seed in range(1, 9)}
    assert outs == {"['cervical', 'lumbar']"}, outs
