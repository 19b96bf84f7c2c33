"""A records review's dated items; a peripheral nerve's territory; one leg's deficit for a neck study; comparisons and
arteries that name a stroke's side; differentials that run on; an operation that is healing; words of return, diaries,
quotes and idioms; studies dated back, needed or years old; a note's clock not set by a date it tells as past.
Sentences written here."""

from __future__ import annotations


from priorauth.pipeline import review
from tests.conftest import dated_doc as doc
from tests.conftest import note_case, packet_case
from tests.conftest import present as _present




def test_a_records_reviews_dated_items_are_weighed_by_their_own_dates():
    ime = doc("ime", "INDEPENDENT MEDICAL EXAMINATION AND RECORDS REVIEW\nRecords reviewed:\n"
                     "- 11/02/2025 urgent care: low back pain after lifting; exam L EHL 4/5, decreased sensation L foot.\n"
                     "- 12/20/2025 PCP: L EHL now 5/5, sensation normal; leg symptoms gone.\n"
                     "Current examination 02/25/2026: LBP 3/10. Strength 5/5 throughout, sensation intact.",
              "2026-02-25", "ime_report")
    r = review(packet_case(ime, when="2026-03-02"))
    weak = _present(r, "motor_weakness")
    assert not weak or any(q.name == "contradicted" for f in weak for q in f.qualifiers)
    assert r.decision != "meets_criteria"


def test_numbness_in_a_peripheral_nerves_territory_is_not_dermatomal():
    text = ("Low back ache. R lateral thigh burning.\nExam: Decreased light touch over the R anterolateral thigh in the "
            "lateral femoral cutaneous nerve territory; L2-S1 dermatomes otherwise intact.")
    assert not _present(review(note_case(text)), "sensory_deficit")


def test_a_document_that_rules_the_root_out_names_its_entrapment_as_the_account():
    text = ("Low back ache, mild. R thigh burning and numbness.\nImpression: R meralgia paresthetica for the thigh "
            "burning and numbness. Nothing here suggests radiculopathy.")
    r = review(note_case(text))
    assert not _present(r, "sensory_deficit")


def test_one_legs_root_deficit_does_not_serve_a_neck_study():
    text = ("Neck pain for 4 weeks after painting a ceiling. No arm symptoms. Chronic L foot numbness since a 2019 "
            "L4-5 discectomy.\nExam: decreased pinprick over the L dorsal foot; arms normal.")
    r = review(note_case(text, cpt="72141"))
    assert "A.i" not in r.criteria and "A.ii" not in r.criteria
    lumbar = review(note_case("Low back pain 4 weeks.\nExam: decreased pinprick over the L dorsal foot, L5."))
    assert "A.ii" in lumbar.criteria


def test_to_ed_for_is_a_return_precaution():
    text = ("LBP x 4 wks. Strength 5/5. A/P: lumbar strain. MRI ordered at pt request. To ED for saddle numbness or "
            "urinary retention.")
    r = review(note_case(text))
    assert not _present(r, "saddle_anesthesia") and not _present(r, "bowel_bladder_dysfunction")


def test_an_operation_that_is_healing_was_done():
    text = ("58M s/p L4-5 fusion 08/11. NEW since surgery: neck pain.\nA/P: 1. Lumbar fusion healing well. "
            "2. Cervical strain. MRI cervical spine requested.")
    r = review(note_case(text, cpt="72141"))
    assert not _present(r, "surgery_planned")
    assert "U" not in r.criteria


def test_a_pain_diary_score_is_no_strength_grade():
    text = "LBP. Exam: hip flexion, EHL 5/5 bilat. Pain diary: 2/5 most days, 3/5 after double shifts."
    assert not _present(review(note_case(text)), "motor_weakness")


def test_a_foot_drop_dated_only_by_years_long_past_is_an_earlier_episode():
    text = ("Chronic axial LBP 11 wks, failed PT.\nHx: 2022 L foot drop from L4-5 disc, managed nonoperatively, fully "
            "recovered by early 2023 - walks and runs normally since.")
    r = review(note_case(text, when="2026-06-01"))
    assert "A.i" not in r.criteria and "A.ii" not in r.criteria


def test_quoted_words_on_an_exam_line_are_the_patients():
    text = ('Neck pain 9 wks. Says R arm "feels weak".\nExam: Strength 5/5 bilat deltoid, biceps, triceps, grip - pt '
            'surprised "I thought that side was weaker".')
    r = review(note_case(text, cpt="72141"))
    assert "A.i" not in r.criteria and "A.ii" not in r.criteria


def test_a_cancelled_evaluation_is_no_therapy_had():
    call = doc("call", "Call from Riverbend PT: patient cancelled her evaluation on 01/06 and again on 01/15; no visits "
                       "have taken place.", "2026-01-20", "telephone_note")
    clinic = doc("clinic", "LBP now 7 wks. Acetaminophen 1 g TID since 01/10, no help at all. Strength 5/5.", "2026-03-01")
    r = review(packet_case(call, clinic, when="2026-03-02"))
    assert not _present(r, "physical_therapy")


def test_a_strokes_artery_names_its_side_and_a_comparison_names_none():
    text = ("Low back pain for 5 weeks. On my examination the right leg is weaker than the left (hip flexion and ankle "
            "dorsiflexion 4/5). These findings are unchanged since his left middle cerebral artery infarct, and I "
            "believe they are the residual hemiparesis from that stroke.")
    r = review(note_case(text))
    assert not _present(r, "motor_weakness")


def test_a_cause_that_runs_on_into_a_differential_explains_nothing():
    uc = doc("uc", "LBP x 2 wks. Exam: R ankle DF 3/5.\nImp: R foot drop - peroneal nerve palsy from leg crossing vs L5 "
                   "radiculopathy.", "2026-03-01")
    r = review(packet_case(uc, when="2026-03-02"))
    assert _present(r, "motor_weakness")


def test_studies_dated_back_needed_or_years_old():
    back = ("Back ache and leg pain with walking. 8 weeks of PT and gabapentin, no better.\nHer most recent lumbar MRI "
            "was done back in March of this year (severe L4-5 stenosis). Plan: L4-5 laminectomy scheduled for January; "
            "updated MRI lumbar spine for operative planning.")
    r = review(note_case(back, when="2026-11-24"))
    assert not _present(r, "prior_mri_same_region")
    needed = ("R C7 radicular pain 5 months. He elects to proceed with R C6-7 ACDF; surgery scheduled 12/03/2026. Preoperative MRI cervical spine needed for operative "
              "planning, last MRI > 1 year old.")
    r = review(note_case(needed, cpt="72141", when="2026-11-02"))
    assert not _present(r, "prior_mri_same_region")
    assert "U" in r.criteria


def test_a_date_the_note_tells_as_past_sets_no_clock():
    text = ("Neck pain since early July. PT since 7/21 twice weekly and weekly acupuncture since 8/4. Still 6/10, "
            "unchanged. Cervical MRI last year after a fall (08/2025) was unremarkable.")
    r = review(note_case(text, cpt="72141", when="2026-10-02"))
    assert r.conservative_therapy.weeks >= 9


def test_worse_leg_pain_is_a_worsening_and_a_new_person_no_new_symptom():
    text = ("Seen 9/21 for L LBP and leg pain. PT since 9/28 and ibuprofen. Over the past 8 days worse leg pain now "
            "going to the big toe.")
    r = review(note_case(text, when="2026-10-19"))
    assert _present(r, "symptoms_worsening") and _present(r, "back_pain")
    post = ('10 wks s/p T12 kyphoplasty. "I feel like a new person." Thoracolumbar pain 1/10. No new pain. '
            "Plan: routine post-procedure MRI thoracic spine.")
    assert "I" not in review(note_case(post, cpt="72146")).criteria
