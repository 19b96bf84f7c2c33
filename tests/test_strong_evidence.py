"""The approval threshold (rules/strength.py), tested both ways: strong evidence approves, weak evidence routes."""

from __future__ import annotations

from datetime import date

import pytest

from priorauth.models import Case, Document, EvidenceSpan, Finding, Qualifier, Request
from priorauth.pipeline import review
from priorauth.rules.decide import decide
from priorauth.rules.facts import Facts
from priorauth.rules.strength import WEAK_QUALIFIERS, weakness
from tests.conftest import finding, therapy

REQ = Request(cpt_codes=["72148"], patient_age=50, request_date=date(2026, 3, 2), has_standard_written_order=True)
SPAN = EvidenceSpan(doc="b", start=10, end=29, text="strength 5/5 throughout")


def contradicted():
    return Qualifier(name="contradicted", value="2026-03-01", evidence=[SPAN])


def test_strong_finding_passes_the_threshold():
    assert weakness(finding("motor_weakness", exam=True)) is None
    assert weakness(finding("physical_therapy")) is None  # care is judged by its summary, not here


@pytest.mark.parametrize("f,words", [
    (finding("motor_weakness", exam=True, qualifiers=[contradicted()]), "weakness found on an earlier exam; the 03/01/2026 exam documents"),
    (finding("bowel_bladder_dysfunction", qualifiers=[Qualifier(name="templated_ros", value=True)]), "templated review of systems"),
    (finding("sensory_deficit", qualifiers=[Qualifier(name="before_surgery", value=True)]), "only before the spine surgery"),
    (finding("motor_weakness", uncertain=True), "uncertain"),
    (Finding(code="motor_weakness", evidence=[EvidenceSpan(doc="n", start=0, end=1, text="x", alignment="fuzzy")]), "approximate"),
])
def test_weak_findings_say_why(f, words):
    assert words in weakness(f)


def test_every_weak_qualifier_is_in_the_vocabulary():
    from priorauth.extract.qualifiers import vocabulary

    assert set(WEAK_QUALIFIERS) <= set(vocabulary().vocab.any_code)


def test_contradicted_red_flag_routes_with_the_specific_reason():
    fs = [finding("back_pain"), finding("motor_weakness", exam=True, qualifiers=[contradicted()])]
    d = decide(Facts.build(fs, None, REQ))
    assert (d.decision, d.criteria) == ("not_met", [])
    assert any("weakness found on an earlier exam; the 03/01/2026 exam documents 'strength 5/5 throughout'" in r for r in d.reasons)
    a_i = next(r for r in d.results if r.id == "A.i")
    assert a_i.status == "not_met" and a_i.weak_evidence and "exam documents" in a_i.reason


def test_same_packet_without_the_contradiction_approves():
    fs = [finding("back_pain"), finding("motor_weakness", exam=True)]
    d = decide(Facts.build(fs, None, REQ))
    assert (d.decision, d.criteria) == ("meets_criteria", ["A.i", "A.ii"])


def test_ros_only_red_flag_routes_but_another_strong_item_still_approves():
    ros = Qualifier(name="templated_ros", value=True)
    fs = [finding("back_pain"), finding("bowel_bladder_dysfunction", qualifiers=[ros])]
    assert decide(Facts.build(fs, None, REQ)).decision == "not_met"
    trial = [finding(c) for c in ("physical_therapy", "medication", "no_response_to_treatment")]
    d = decide(Facts.build(fs + trial, therapy(8), REQ))
    assert (d.decision, d.criteria) == ("meets_criteria", ["A.iv"])


def test_weak_evidence_never_turns_a_route_into_an_approval():
    fs = [finding("back_pain", qualifiers=[Qualifier(name="templated_ros", value=True)])]
    assert decide(Facts.build(fs, None, REQ)).decision == "not_met"


def packet(first: str, second: str) -> Case:
    return Case(id="t", request=REQ, documents=[
        Document(id="a", type="progress_note", date=date(2026, 1, 20), text=first),
        Document(id="b", type="progress_note", date=date(2026, 3, 1), text=second)])


def test_deficit_on_one_exam_and_normal_strength_later_routes_end_to_end(extractor):
    first = "Low back pain for two weeks.\nExam: right ankle dorsiflexion 4/5."
    second = "Back pain follow-up.\nExam: strength 5/5 throughout. Sensation intact."
    r = review(packet(first, second), extractor)
    assert r.decision == "not_met" and r.action == "route_to_clinician"
    assert any("the 03/01/2026 exam documents" in x for x in r.reasons)


def test_deficit_found_after_an_earlier_normal_exam_still_approves(extractor):
    first = "Back pain follow-up.\nExam: strength 5/5 throughout. Sensation intact."
    second = "Low back pain, now with a new right foot drop.\nExam: right ankle dorsiflexion 3/5."
    r = review(packet(first, second), extractor)
    assert r.decision == "meets_criteria" and "A.ii" in r.criteria


def test_red_flag_only_in_review_of_systems_routes(extractor):
    text = ("HPI: low back pain for three weeks after lifting.\n"
            "ROS: Positive for urinary incontinence. All other systems negative.\n"
            "Exam: strength 5/5, reflexes symmetric.")
    r = review(Case(id="t", request=REQ, documents=[Document(id="n", date=date(2026, 3, 1), text=text)]), extractor)
    assert r.decision == "not_met"
    assert any("templated review of systems" in x for x in r.reasons)


def test_a_sign_whose_own_words_read_normal_cannot_approve():
    from priorauth.extract.qualifiers import qualify

    text = "Neck pain radiating to the left shoulder.\nExam: reflexes 2+ symmetric. Babinski, toes are downgoing."
    doc = Document(id="n", date=date(2026, 3, 1), text=text)
    at = text.index("Babinski")
    sign = Finding(code="upper_motor_neuron_signs", exam=True,
                   evidence=[EvidenceSpan(doc="n", start=at, end=at + 8, text="Babinski")])
    pain = Finding(code="neck_pain", evidence=[EvidenceSpan(doc="n", start=0, end=9, text="Neck pain")])
    cervical = REQ.model_copy(update={"cpt_codes": ["72141"]})  # upper motor neuron signs serve a cervical study
    fs = qualify([doc], [pain, sign], cervical)
    q = next(x for x in fs[1].qualifiers if x.name == "contradicted")
    assert q.value == "same_sentence" and q.evidence[0].text == "toes are downgoing"
    d = decide(Facts.build(fs, None, cervical))
    assert d.decision == "not_met"
    assert any("contradicted in the same exam ('toes are downgoing')" in x for x in d.reasons)


def test_a_later_templated_review_of_systems_does_not_contradict_an_exam(extractor):
    first = "Low back pain for two weeks.\nExam: right ankle dorsiflexion 4/5."
    second = "Back pain follow-up, phone visit.\nROS: Denies weakness, numbness, fever."
    r = review(packet(first, second), extractor)
    weak = next(f for f in r.findings if f.code == "motor_weakness")
    assert not any(q.name == "contradicted" for q in weak.qualifiers)


def test_deficits_with_guillain_barre_documented_route():
    gbs = finding("demyelinating_disease", qualifiers=[Qualifier(name="disease", value="gbs")])
    fs = [finding("back_pain"), finding("motor_weakness", exam=True), gbs]
    d = decide(Facts.build(fs, None, REQ))
    assert d.decision == "not_met"
    assert any("Guillain-Barre syndrome, a polyneuropathy" in r for r in d.reasons)
    ms = finding("demyelinating_disease", qualifiers=[Qualifier(name="disease", value="ms")])
    # MS explains nothing the way GBS does; for a lumbar study, a deficit with no side is MS's own sign (LIM.F)
    assert decide(Facts.build(fs[:2] + [ms], None, REQ)).criteria == ["LIM.F"]


def test_an_approval_on_other_grounds_still_shows_which_criterion_was_weak():
    ros = Qualifier(name="templated_ros", value=True)
    fs = [finding("back_pain"), finding("bowel_bladder_dysfunction", qualifiers=[ros])]
    fs += [finding(c) for c in ("physical_therapy", "medication", "no_response_to_treatment")]
    d = decide(Facts.build(fs, therapy(8), REQ))
    assert d.decision == "meets_criteria"
    a_i = next(r for r in d.results if r.id == "A.i")
    assert a_i.status == "not_met" and "templated review of systems" in a_i.reason


def test_a_surgerys_new_symptom_that_a_later_exam_contradicts_does_not_carry_i(extractor):
    def note(i: str, when: str, text: str) -> Document:
        return Document(id=i, type="progress_note", date=date.fromisoformat(when), text=text)
    phone = note("a", "2026-03-01", "Phone note: s/p L4-5 microdiscectomy 01/10/2026. Since the surgery she reports a new "
                 "left foot drop. Will see in clinic.")
    clinic = note("b", "2026-04-20", "Clinic. s/p L4-5 microdiscectomy 01/10/2026.\nExam: strength 5/5 in both legs "
                  "including dorsiflexion and EHL.\nPlan: MRI lumbar spine.")
    r = review(Case(id="t", request=REQ.model_copy(update={"request_date": date(2026, 4, 22)}), documents=[phone, clinic]),
               extractor)
    assert r.decision != "meets_criteria" and "I" not in r.criteria
    assert any("04/20/2026 exam documents" in x for x in r.reasons), r.reasons
