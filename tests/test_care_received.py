"""Care received, not planned; durations and response as real notes write them (sentences written for these tests)."""

from __future__ import annotations

from datetime import date

import pytest

from priorauth.extract.care import improvements
from priorauth.extract.dates import find_durations
from priorauth.models import Document
from tests.conftest import note_case


def therapy_codes(extractor, text: str, when: str = "2026-03-02") -> dict[str, str | None]:
    """Each therapy code found, with the assertion that ruled it out (None when received)."""
    out: dict[str, str | None] = {}
    for f in extractor.extract(note_case(text, when=when)).findings:
        if f.code in ("physical_therapy", "chiropractic", "medication", "injection", "home_exercise_program", "rest_ice_heat"):
            if f.present or f.code not in out:
                out[f.code] = f.reason
    return out


@pytest.mark.parametrize("text,code", [
    ("Low back pain for 8 weeks. I recommended physical therapy twice a week.", "physical_therapy"),
    ("Low back pain for 8 weeks. Physical therapy was suggested.", "physical_therapy"),
    ("Low back pain for 8 weeks. She was referred to physical therapy.", "physical_therapy"),
    ("Low back pain for 8 weeks. He will start chiropractic care next week.", "chiropractic"),
    ("Low back pain for 8 weeks.\nPlan: PT 2x/week for 6 weeks.", "physical_therapy"),
    ("Low back pain for 8 weeks. We discussed physical therapy and injections.", "physical_therapy"),
    ("Low back pain for 8 weeks. A prescription for PT was given today.", "physical_therapy"),
    ("Low back pain for 8 weeks. Options include physical therapy, continued NSAIDs or an epidural injection.", "injection"),
    ("Low back pain for 8 weeks. She would benefit from skilled physical therapy.", "physical_therapy"),
    ("Low back pain for 8 weeks. ED course: discharged home with a prescription for naproxen.", "medication"),
    ("Low back pain for 8 weeks. Follow up with physical therapy next week.", "physical_therapy"),
    ("Low back pain for 8 weeks.\nPlan: she will continue walking daily, revisit medication options at the next visit.",
     "medication"),
    ("Low back pain for 8 weeks. Gave him a handout on medication choices.", "medication"),
])
def test_planned_care_is_hypothetical(extractor, text, code):
    assert therapy_codes(extractor, text).get(code) == "hypothetical"


@pytest.mark.parametrize("text,code", [
    ("Low back pain for 8 weeks. She has completed 6 weeks of physical therapy.", "physical_therapy"),
    ("Low back pain for 8 weeks. He will continue physical therapy twice a week.", "physical_therapy"),
    ("Low back pain for 8 weeks.\nPlan: continue ibuprofen 600 mg TID.", "medication"),
    ("Low back pain for 8 weeks. Chiropractic care since 1/10/2026 has not helped.", "chiropractic"),
    ("Low back pain for 8 weeks. In the ED she was given ketorolac 30 mg IM.", "medication"),
    ("Low back pain for 8 weeks.\nAssessment and plan: her facet joints were denervated 6 weeks ago.", "injection"),
])
def test_received_care_counts(extractor, text, code):
    assert therapy_codes(extractor, text)[code] is None


@pytest.mark.parametrize("text,code", [
    ("Low back pain for 8 weeks. Allergies: ibuprofen (hives).", "medication"),
    ("Low back pain for 8 weeks. The pain is relieved by rest and lying flat.", "rest_ice_heat"),
    ("Low back pain for 8 weeks. Labs: PT of 13.5, INR 1.0.", "physical_therapy"),
])
def test_what_is_no_treatment_at_all(extractor, text, code):
    assert code not in therapy_codes(extractor, text)


def test_dated_start_against_the_visit_date(extractor):
    text = "Low back pain since December. She began chiropractic care 1/5/2026, three visits a week, without relief."
    ct = extractor.extract(note_case(text, when="2026-03-02")).conservative_therapy
    chiro = {c.kind: c for c in ct.components}["chiropractic"]
    assert chiro.start == date(2026, 1, 5) and ct.weeks == 8  # 56 days to the visit


@pytest.mark.parametrize("phrase,weeks", [
    ("back pain for about two years", 104),
    ("back pain for close to a year", 48),   # read low: 12 months of 4 weeks
    ("pain for almost 1 year", 48),
    ("several months of physical therapy", 12),
    ("back pain for approximately 3 months", 12),
    ("approximately 6 weeks of PT", 6),
])
def test_duration_phrases(phrase, weeks):
    (d,) = find_durations(phrase, 0, date(2026, 3, 2))
    assert round(d.days / 7) == weeks


def test_no_documented_duration_is_unknown_not_zero(extractor):
    ct = extractor.extract(note_case("Low back pain. She takes naproxen 500 mg twice daily.")).conservative_therapy
    assert ct is not None and ct.weeks is None and ct.inactive and not ct.active


@pytest.mark.parametrize("text,improved", [
    ("Pain is much better with PT.", True),
    ("She reports she is 30% improved.", True),
    ("Her pain has largely settled.", True),
    ("Significantly improved with physical therapy.", True),
    ("No improvement with PT.", False),
    ("PT helped initially but the pain returned.", False),
    ("Pain is not better.", False),
    ("We hope the pain will be better.", False),
    ("Pain improved to 6/10 after morphine.", False),
])
def test_improvement_phrases(text, improved):
    assert bool(improvements("n", text)) is improved


@pytest.mark.parametrize("text,improved", [
    ("The 2023 radiculopathy resolved completely and is not part of this claim.", False),
    ("After the 04/2022 injections she was much better.", False),
    ("Since the 10/2025 injection she is much better.", True),
    ("She is much better this month.", True),
])
def test_an_earlier_episodes_improvement_is_not_this_ones(text, improved):
    assert bool(improvements("n", text, date(2026, 1, 15))) is improved


@pytest.mark.parametrize("text,improved", [
    ("A: steady progress toward goals, pain 3/10 (from 7/10).", True),
    ("Leg pain now 3/10, was 7-8/10 in June.", True),
    ("Outcome: NPRS 8/10 -> 4/10; ODI 52% -> 30%.", True),
    ("She says she is 'not getting better' - but she is about half better on questioning.", True),
    ("Pain 6/10 -> 5/10.", False),
    ("PT helped at first but the pain came back.", False),
])
def test_improvement_told_by_scores_and_plain_words(text, improved):
    assert bool(improvements("n", text)) is improved


def test_improvement_is_not_no_response(extractor):
    text = ("Low back pain for 10 weeks. Completed 6 weeks of PT and takes naproxen; at first no improvement. "
            "Today she is much better, about 30% improved.")
    e = extractor.extract(note_case(text))
    assert e.conservative_therapy.response == "improved"
    assert "no_response_to_treatment" not in {f.code for f in e.findings if f.present}


def test_later_failure_outweighs_earlier_improvement(extractor):
    text = ("Low back pain for 10 weeks. Pain was much better after the first PT visits. "
            "Now, after 8 weeks of PT and naproxen, no relief.")
    e = extractor.extract(note_case(text))
    assert e.conservative_therapy.response == "no_response"
    assert "no_response_to_treatment" in {f.code for f in e.findings if f.present}


def test_operative_report_describes_what_was_done(extractor):
    text = ("OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: L4-5 spondylolisthesis.\n"
            "INDICATIONS: Back and leg pain despite 6 months of care. The patient elected to proceed with an L4-5 fusion.\n"
            "PROCEDURE PERFORMED: L4-5 posterior lumbar fusion.")
    codes = {f.code for f in extractor.extract(note_case(text)).findings if f.present}
    assert "prior_spine_surgery" in codes and "surgery_planned" not in codes


def test_operative_report_can_still_name_a_staged_surgery(extractor):
    text = ("OPERATIVE REPORT\nPROCEDURE PERFORMED: L4-5 laminectomy.\n"
            "The patient will undergo a posterior fusion at a later date.")
    codes = {f.code for f in extractor.extract(note_case(text)).findings if f.present}
    assert "surgery_planned" in codes


def test_clinic_note_plan_is_still_planned(extractor):
    text = "Low back pain for 3 months. He elected to proceed with an L4-5 fusion next month."
    codes = {f.code for f in extractor.extract(note_case(text)).findings if f.present}
    assert "surgery_planned" in codes and "prior_spine_surgery" not in codes


def test_operative_report_is_recognised_by_type_or_header():
    from priorauth.extract.care import is_operative_report

    assert is_operative_report(Document(id="x", type="operative_report", text="Fusion."))
    assert is_operative_report(Document(id="x", text="POSTOPERATIVE DIAGNOSIS: stenosis."))
    assert not is_operative_report(Document(id="x", text="HPI: back pain. Plan: fusion."))


def test_operative_reports_preoperative_mri_is_a_recent_prior_study(extractor):
    from priorauth.models import Case, Document, Request

    def prior(doc_type: str, text: str) -> bool:
        c = Case(id="x", request=Request(cpt_codes=["72148"], request_date=date(2026, 3, 2)),
                 documents=[Document(id="n", type=doc_type, date=date(2026, 3, 1), text=text)])
        return "prior_mri_same_region" in {f.code for f in extractor.extract(c).findings if f.present}

    op = ("PREOPERATIVE DIAGNOSIS: L3-4 foraminal disc herniation.\n"
          "INDICATIONS: An MRI of the lumbar spine has demonstrated a mass in the left L3 foramen.")
    assert prior("operative_report", op)
    assert not prior("progress_note", "Low back pain. An MRI of the lumbar spine has demonstrated a disc herniation.")


def test_since_a_bare_year_reads_low_on_the_notes_own_clock(extractor):
    # a transcription written in 2019 and filed in 2026: "since 2018" runs from the end of 2018 to the note's latest date
    text = ("Neck pain for years. He has had cervical epidural injections from Dr. Q since 2018. "
            "Cervical x-rays of 04/12/2019 show spondylosis.")
    ct = extractor.extract(note_case(text, when="2026-03-02")).conservative_therapy
    assert ct.weeks == 15  # 2018-12-31 to 2019-04-12 is 102 days
    inj = {c.kind: c for c in ct.components}["injection"]
    assert inj.end == date(2026, 3, 2) and inj.within_6_months  # moved onto the document's timeline


def test_old_clock_needs_a_date_other_than_the_durations_own(extractor):
    # the only date is the start itself: the note's timeline cannot be set apart from it, the document date stays
    text = "Low back pain. She has done physical therapy since 01/05/2025 with naproxen."
    ct = extractor.extract(note_case(text, when="2026-03-02")).conservative_therapy
    assert ct.weeks == 60


def test_dated_start_written_before_its_verb(extractor):
    text = ("Low back pain after a lift at work. On March 2, 2021, she came under the care of a chiropractic clinic, three visits a week. "
            "Date of examination: June 29, 2021.")
    ct = extractor.extract(note_case(text, when="2026-03-02")).conservative_therapy
    assert ct.active and ct.weeks == 17  # 119 days on the note's own clock


def test_two_dated_occasions_span_their_interval():
    (d,) = find_durations("nerve ablation done in January 2024 and again in March 2024", 0, date(2026, 3, 2))
    assert d.began == date(2024, 1, 15) and d.ended == date(2024, 3, 15)


@pytest.mark.parametrize("text,weeks", [
    # a titration schedule written in the plan is prescribed from today, not care received
    ("Mid back pain on gabapentin 100 mg daily.\nRecommendations: 1. Increase gabapentin to 300 mg per day x 1 week, "
     "then 300 mg twice daily.", None),
    ("Low back pain for 8 weeks.\nPlan: continue physical therapy x 4 more weeks.", None),
    # the same section still reports care already received
    ("Low back pain for 8 weeks.\nPlan: continue physical therapy, which she has attended for 6 weeks.", 6),
])
def test_plan_schedule_is_not_a_received_duration(extractor, text, weeks):
    assert extractor.extract(note_case(text)).conservative_therapy.weeks == weeks


@pytest.mark.parametrize("text", [
    "Chronic low back pain. Plan: he says the pain is well controlled by minimizing his activity.",
    "Low back pain since a fall. She has been restricting her activity and using ice.",
    "Low back pain after lifting. He was placed on restricted duty at work.",
])
def test_activity_modification_is_received_rest(extractor, text):
    assert therapy_codes(extractor, text).get("rest_ice_heat", "missing") is None


def test_pain_that_limits_activity_is_no_treatment(extractor):
    assert "rest_ice_heat" not in therapy_codes(extractor, "Low back pain limits her activities and sleep.")


@pytest.mark.parametrize("text,counted", [
    ("Low back pain. She is on multiple medications currently.", False),
    ("Low back pain.\nImpression: 1. Hypertension: continue the same medication.", False),
    ("Low back pain. He takes several other pain medications daily.", True),
    ("Low back pain. She has been treated with medications without relief.", True),
])
def test_a_generic_reference_to_the_regimen_is_no_pain_care(extractor, text, counted):
    assert ("medication" in therapy_codes(extractor, text)) is counted


@pytest.mark.parametrize("text,weeks", [
    ("Low back pain radiating to the leg. She had a caudal epidural injection. This was done five weeks ago.", 5),
    ("Low back pain. He had a lumbar radiofrequency ablation. The patient states that this occurred in November 2025 "
     "and again in January 2026.", 9),
    ("Low back pain. She was treated with naproxen with partial relief. She continued to report pain over the next "
     "3 months.", 12),
    # a next sentence that does not refer back, or names care of its own, does not date the care before it
    ("Low back pain. She had a caudal epidural injection. The MRI was done five weeks ago.", None),
    ("Low back pain. She had a caudal epidural injection. It was followed by ibuprofen for two weeks.", 2),
])
def test_the_next_sentence_can_date_the_care_just_named(extractor, text, weeks):
    ct = extractor.extract(note_case(text)).conservative_therapy
    assert ct.weeks == weeks
    if weeks == 2:  # the two weeks are the ibuprofen's, not the injection's
        assert {c.kind: c.weeks for c in ct.components}["injection"] is None


PROCEDURE_NOTE = ("PROCEDURE: Right L4-L5 interlaminar epidural steroid injection under fluoroscopy.\n"
                  "INDICATIONS: Low back pain radiating to the right calf.{history}\n"
                  "DESCRIPTION OF PROCEDURE: The needle was advanced to the epidural space and 80 mg of "
                  "methylprednisolone was injected. She tolerated the procedure well.")


@pytest.mark.parametrize("history,weeks", [
    ("", 0),  # the procedure reported is done today: 0 weeks of injections so far
    (" She has had two epidural injections in the past with brief relief.", None),  # earlier ones, undated
    (" She had an epidural injection 6 weeks ago with brief relief.", 6),
])
def test_procedure_report_dates_its_own_procedure(extractor, history, weeks):
    case = note_case(PROCEDURE_NOTE.format(history=history))
    case.documents[0].type = "operative_report"
    assert extractor.extract(case).conservative_therapy.weeks == weeks


@pytest.mark.parametrize("text,weeks", [
    ("Back pain for 2 days. ED course: she received ketorolac and ondansetron at 14:20 with relief.", 0),
    ("Back pain for 2 days. In the ED he was given morphine 4 mg IV at 9 p.m.", 0),
    ("Back pain for 2 days. She takes ibuprofen at bedtime.", None),
])
def test_dose_given_at_a_clock_time_is_care_of_this_day(extractor, text, weeks):
    assert extractor.extract(note_case(text)).conservative_therapy.weeks == weeks


@pytest.mark.parametrize("text,weeks", [
    ("Low back pain with an L2 compression fracture. She was treated conservatively over several months without relief.", 12),
    ("Low back pain. Conservative management for 8 weeks has not helped.", 8),
    ("Low back pain. He has not exhausted conservative measures for 6 weeks.", None),
    ("Low back pain. We recommended conservative treatment for 6 weeks.", None),
    ("Low back pain. She was treated conservatively from 03/2019 to 06/2019.", None),  # ended over six months ago
    ("Low back pain. A prior conservative course 8 months ago was for a separate, resolved episode.", None),
])
def test_care_named_without_its_kind_sets_weeks_only(extractor, text, weeks):
    ct = extractor.extract(note_case(text)).conservative_therapy
    assert (ct.weeks if ct else None) == weeks
    if weeks is not None:
        assert not ct.active and not ct.inactive and ct.general_evidence
        assert all(e.text == text[e.start:e.end] for e in ct.general_evidence)


@pytest.mark.parametrize("text,code,reason", [
    ("Chronic low back pain.\nPlan: his pain is well controlled by minimizing his activity.", "rest_ice_heat", None),
    ("Low back pain for 8 weeks. Her pain will be managed with physical therapy.", "physical_therapy", "hypothetical"),
])
def test_controlled_by_is_received_but_will_be_managed_is_planned(extractor, text, code, reason):
    assert therapy_codes(extractor, text).get(code, "missing") == reason


def test_continuing_to_work_does_not_date_the_care(extractor):
    text = "Low back pain. She was given ibuprofen in the clinic. She continued to work full duty for 2 years."
    assert extractor.extract(note_case(text)).conservative_therapy.weeks is None


def test_an_injection_outside_the_procedure_title_is_not_dated_today(extractor):
    text = ("PROCEDURE: L4-L5 laminectomy.\nINDICATIONS: Low back pain and leg pain. She has tried physical therapy.\n"
            "DESCRIPTION OF PROCEDURE: The wound was closed and a local anesthetic injection was given.")
    case = note_case(text)
    case.documents[0].type = "operative_report"
    assert extractor.extract(case).conservative_therapy.weeks is None


def test_care_named_without_its_kind_is_care_for_the_response(extractor):
    text = "Low back pain from an L3 compression fracture. She was treated conservatively but did not improve."
    codes = {f.code for f in extractor.extract(note_case(text)).findings if f.present}
    assert "no_response_to_treatment" in codes


@pytest.mark.parametrize("line", [
    "Meds:\n acetaminophen - says she does not believe in it; has not taken any\n",
    "Medication list:\n - lidocaine patch: prescribed in January, never picked up (cost)\n",
    "Medication reconciliation:\n gabapentin 300 mg - never filled\n",
    "Lidocaine patch prescribed on 02/16, never picked up.\n",
])
def test_a_drug_never_taken_is_not_care_received(extractor, line):
    text = "Low back pain for 9 weeks.\n" + line + "Exam: strength 5/5."
    fs = extractor.extract(note_case(text)).findings
    assert not [f for f in fs if f.code == "medication" and f.present], [f.evidence[0].text for f in fs if f.present]


@pytest.mark.parametrize("line", ["Meds: warfarin, metoprolol. NSAIDs avoided (on warfarin).",
                                  "He cannot take ibuprofen or naproxen because of his stage 4 CKD.",
                                  "She is unable to take NSAIDs since her GI bleed."])
def test_a_drug_avoided_or_that_cannot_be_taken_is_not_care_received(extractor, line):
    text = f"Low back pain for 9 weeks, PT for 8 weeks with no improvement.\n{line}\nExam: strength 5/5."
    assert therapy_codes(extractor, text).get("medication", "not found") is not None


def test_care_taken_beside_a_drug_avoided_stays_received(extractor):
    text = "Low back pain for 9 weeks.\nMeds: Acetaminophen prn (NSAIDs avoided - on warfarin)."
    assert therapy_codes(extractor, text).get("medication", "missing") is None


@pytest.mark.parametrize("line", ["PT referred in August - never went (cost).",
                                  "Physical therapy was ordered, but she cancelled her initial evaluation twice.",
                                  "Referred to chiropractic; he did not go.",
                                  "PT never happened - no transportation, and the referral expired."])
def test_care_that_never_began_is_not_received(extractor, line):
    codes = therapy_codes(extractor, f"Low back pain for 12 weeks. {line} Naproxen daily since August.")
    assert not [k for k, v in codes.items() if v is None and k in ("physical_therapy", "chiropractic")], codes


def test_a_prescription_never_filled_is_not_care_received(extractor):
    text = ("Low back pain for 7 weeks. Her family physician prescribed celecoxib 200 mg daily on 08/02/2026 but she "
            "never filled it because her sister had a stomach bleed on it. PT for 6 weeks.")
    assert therapy_codes(extractor, text).get("medication", "not found") is not None


@pytest.mark.parametrize("line", ["PT 8 weeks, never went back after the insurance ran out.",
                                  "Completed physical therapy and did not go back once discharged."])
def test_care_had_and_then_stopped_stays_received(extractor, line):
    codes = therapy_codes(extractor, f"Low back pain for 12 weeks. {line}")
    assert codes.get("physical_therapy", "missing") is None, codes


def test_care_tried_among_several_options_stays_received(extractor):
    text = "Low back pain for 9 weeks. She has tried naproxen and two other medication options without relief."
    assert therapy_codes(extractor, text).get("medication", "missing") is None


def test_a_listed_drug_taken_stays_care_received(extractor):
    text = "Low back pain for 9 weeks.\nMeds:\n naproxen 500 mg BID - taking since January, helps a little\nExam: normal."
    assert [f for f in extractor.extract(note_case(text)).findings if f.code == "medication" and f.present]


def test_undated_care_in_a_paragraph_narrating_an_old_episode_is_that_episodes_care(extractor):
    from priorauth.pipeline import review

    text = ("In March 2024 he developed a left S1 radiculopathy; EMG in 04/2024 confirmed it. He failed 8 weeks of "
            "physical therapy and naproxen, and declined surgery.\n"
            "He returns now with two weeks of low back ache after gardening, no leg symptoms.\n"
            "Exam: strength 5/5, reflexes symmetric.")
    case = note_case(text, when="2026-01-15")
    r = review(case, extractor)
    pt = [c for c in r.conservative_therapy.components if c.kind == "physical_therapy"]
    assert pt and pt[0].within_6_months is False and pt[0].end and pt[0].end.year == 2024, pt
    assert "A.iv" not in r.criteria
    recent = text.replace("In March 2024", "In October 2025").replace("04/2024", "11/2025")
    pt = [c for c in review(note_case(recent, when="2026-01-15"), extractor).conservative_therapy.components
          if c.kind == "physical_therapy"]
    assert pt and pt[0].within_6_months is True


def test_a_bare_length_right_after_the_care_measures_it(extractor):
    from priorauth.pipeline import review

    r = review(note_case("Neck pain 10 weeks. PT 6 weeks and naproxen 8 weeks, no improvement.", cpt="72141"), extractor)
    weeks = {c.kind: c.weeks for c in r.conservative_therapy.components}
    assert weeks == {"physical_therapy": 6.0, "medication": 8.0}, weeks
    assert r.decision == "meets_criteria" and "A.iv" in r.criteria


@pytest.mark.parametrize("line,approved", [("NSAIDs.", False), ("NSAIDs daily since January.", True),
                                          ("Ibuprofen helps a little.", True)])
def test_care_only_named_is_too_little_to_approve_a_trial_on(extractor, line, approved):
    from priorauth.pipeline import review

    text = f"Low back pain since January. PT twice weekly for 8 weeks, no better.\n{line}\nExam: strength 5/5."
    r = review(note_case(text), extractor)
    assert (r.decision == "meets_criteria") is approved, (r.decision, r.reasons[:2])
    if not approved:
        assert any("only named ('NSAIDs')" in x for x in r.reasons), r.reasons


@pytest.mark.parametrize("line,received", [("Chiro 2x/wk since 01/05.", True), ("Chiro not covered by her plan.", False),
                                          ("PT was denied by insurance.", False)])
def test_chiro_is_chiropractic_and_care_not_covered_was_not_had(extractor, line, received):
    codes = therapy_codes(extractor, f"Low back pain for 10 weeks. {line}")
    kind = "chiropractic" if "Chiro" in line else "physical_therapy"
    assert (codes.get(kind, "not found") is None) is received, codes


@pytest.mark.parametrize("line,no_response", [
    ("Outcome: pain 6/10 -> 6/10; she is the same as day one.", True),
    ("She says honestly none of it has made a dent.", True),
    ("Pt has not progressed; subjective and objective measures unchanged at 7 weeks.", True),
    ("Not getting anywhere per pt.", True),
    ("Pain 7/10 -> 3/10.", False),
    ("Her weakness has not progressed.", False),
])
def test_more_ways_to_say_care_did_not_help(extractor, line, no_response):
    text = f"Low back pain for 9 weeks. PT twice weekly and naproxen daily for 8 weeks. {line}"
    found = {f.code for f in extractor.extract(note_case(text)).findings if f.present}
    assert ("no_response_to_treatment" in found) is no_response, found


@pytest.mark.parametrize("later,weeks", [
    ("Follow-up 03/02/2026. Has done the home exercises twice daily since last visit; still taking celecoxib daily. "
     "Pain unchanged, no improvement.", 8),
    ("Follow-up 03/02/2026. Pain unchanged, no improvement.", None),
])
def test_care_a_later_note_says_is_still_going_on_began_at_the_earlier_note(extractor, later, weeks):
    from priorauth.models import Document
    from tests.conftest import packet_case

    first = Document(id="a", type="progress_note", date=date(2026, 1, 5),
                     text="Low back pain for 1 week.\nPlan: start celecoxib 200 mg daily; home exercise program handout, "
                          "to do twice daily.")
    second = Document(id="b", type="progress_note", date=date(2026, 3, 2), text=later)
    t = extractor.extract(packet_case(first, second, when="2026-03-03")).conservative_therapy
    assert (t.weeks if t else None) == weeks, t


def test_flex_distraction_is_chiropractic(extractor):
    assert therapy_codes(extractor, "Low back pain for 9 weeks. Flex-distraction adjustments 2x/wk since 01/05.")


def test_a_later_note_that_says_care_never_began_undoes_an_earlier_claim(extractor):
    from priorauth.models import Document
    from tests.conftest import packet_case

    visit = Document(id="v", type="progress_note", date=date(2026, 2, 20),
                     text="Low back pain since early January. Ibuprofen 800 mg TID since 01/08. Pt reports he has been "
                          "doing PT. Not getting better.")
    call = Document(id="t", type="telephone_note", date=date(2026, 3, 1),
                    text="Checked referral: Lakeview PT states the patient never scheduled, 0 visits.")
    t = extractor.extract(packet_case(visit, call, when="2026-03-02")).conservative_therapy
    assert t is not None and not t.active, t


@pytest.mark.parametrize("text,days", [("physio 15/09/2026 to 03/11/2026, 6 sessions", 49), ("PT 09/15/2026 to 11/03/2026", 49),
                                      ("since 25/08/2026", 79)])
def test_dates_written_day_first_are_read_when_only_that_reading_works(text, days):
    found = [d for d in find_durations(text, 0, date(2026, 11, 12)) if d.days]
    assert found and found[0].days == days, found


def test_physio_is_physical_therapy(extractor):
    assert therapy_codes(extractor, "Low back pain for 10 weeks. She completed a course of physio, 9 sessions.") \
        .get("physical_therapy", "missing") is None
