"""A document that tells its own surgery: the complaints before it are its indications, not post-operative symptoms.

Sentences written for these tests. Two kinds of document tell a surgery as their own whatever their dates say: a
report or discharge summary that names it under its operation header, and a note (a case history) that narrates it in
its course after the visit it records. In both, a post-operative symptom must be told after the surgery and called new
or worse (labeling.md I and LIM.H); what the patient still has the day after is the state the surgery left.
"""

from __future__ import annotations

from datetime import date

from priorauth.models import Document
from priorauth.pipeline import review
from tests.conftest import packet_case


def doc(text: str, kind: str, when: str = "2026-03-02") -> Document:
    return Document(id="d", type=kind, date=date.fromisoformat(when), text=text)


DISCHARGE = ("DISCHARGE SUMMARY\nADMITTING DIAGNOSIS: Left C6-C7 disc herniation.\n"
             "OPERATION: On 04/11/09, anterior cervical discectomy and fusion at C6-C7.\n"
             "HISTORY: This 52-year-old man had neck pain for a year and more recently developed numbness and tingling "
             "into the left index finger. Physical therapy gave little relief.\n"
             "HOSPITAL COURSE: The procedure went without difficulty. {after}\n"
             "He will follow up in two weeks with x-rays.")


def test_the_operation_a_discharge_summary_names_is_its_own_even_when_dated_years_back(extractor):
    """The 2009 date beside the operation header would make it a remote surgery: the header says it is this stay's."""
    text = DISCHARGE.format(after="On the first postoperative day he was walking and eating.")
    r = review(packet_case(doc(text, "discharge_summary"), cpt="72141", when="2026-03-06"), extractor)
    assert r.decision == "not_met" and "I" not in r.criteria
    assert "LIM.H" in r.criteria


def test_what_the_patient_still_has_after_the_surgery_of_that_stay_is_not_new(extractor):
    text = DISCHARGE.format(after="He has done well postoperatively with a sensation of left arm pain and numbness "
                                  "in his fingers.")
    r = review(packet_case(doc(text, "discharge_summary"), cpt="72141", when="2026-03-06"), extractor)
    assert "I" not in r.criteria and r.decision == "not_met"


def test_a_deficit_called_new_after_the_surgery_of_that_stay_still_counts(extractor):
    text = DISCHARGE.format(after="On the second postoperative day he developed new weakness of the left triceps, "
                                  "graded 3/5, and new numbness of the left hand.")
    r = review(packet_case(doc(text, "discharge_summary"), cpt="72141", when="2026-03-06"), extractor)
    assert "I" in r.criteria


CASE_HISTORY = ("CC: Low back pain with weakness of both legs.\n"
                "HX: This 70 y/o man had ten days of progressively worsening low back pain radiating down both legs, "
                "and by the end of the week he had great difficulty walking because of leg weakness.\n"
                "EXAM: Hip flexors 4-/4-, tibialis anterior 3/3. Achilles reflexes absent.\n"
                "COURSE: Lumbar MRI showed a large L3-4 disc herniation. He underwent L3-4 laminectomy and discectomy"
                " and subsequently improved.{after}")


def test_a_surgery_a_case_history_narrates_in_its_course_came_after_its_complaints(extractor):
    r = review(packet_case(doc(CASE_HISTORY.format(after=""), "consult"), when="2026-03-09"), extractor)
    assert "I" not in r.criteria and r.decision == "not_met"


def test_what_the_course_tells_after_that_surgery_followed_it(extractor):
    after = " Three months later he returned with new right foot drop; ankle dorsiflexion was 2/5."
    r = review(packet_case(doc(CASE_HISTORY.format(after=after), "consult"), when="2026-03-09"), extractor)
    assert "I" in r.criteria


def test_a_course_is_not_an_exam():
    """A case history's course narrates what followed; its words are not findings of the visit's exam."""
    from priorauth.extract.qualifiers import DocText

    text = CASE_HISTORY.format(after="")
    dt = DocText.build(doc(text, "consult"))
    assert dt.section(text.index("laminectomy")) == "treatment"
    assert dt.section(text.index("Hip flexors")) == "exam"
