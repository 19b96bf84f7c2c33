"""The fall as a season, numbness called not dermatomal or put down to a nerve once the spine is excluded, studies dated
around a holiday or 'early last October', a study opening a line deep in a note, a plateau that keeps its gains, an
EMG's question, care a label's line says never began, and an indeterminate finding only pointed at. Sentences
written here."""

from __future__ import annotations

from priorauth.pipeline import review
from tests.conftest import dated_doc, note_case, packet_case, present


def test_the_fall_as_a_season_is_no_trauma():
    r = review(note_case("LBP since July, PT and naproxen. Symptoms are the same as in the fall.", when="2026-01-12"))
    assert not present(r, "trauma")
    hurt = review(note_case("LBP since a fall from a ladder yesterday.", when="2026-01-12"))
    assert present(hurt, "trauma")


def test_numbness_called_not_dermatomal_or_a_nerves_once_the_spine_is_excluded():
    exam = ("LBP and R groin pain. Exam: decreased LT over R lateral thigh, ovoid patch, not dermatomal; otherwise "
            "intact.")
    assert not present(review(note_case(exam)), "sensory_deficit")
    text = ("LBP and a numb, burning patch over the R lateral thigh; wears a heavy tool belt. Tinel + medial to the R "
            "ASIS.\nIMP: 1. Meralgia paresthetica R. 2. Mechanical LBP. I do not think the spine explains her "
            "symptoms.")
    r = review(note_case(text))
    assert not present(r, "sensory_deficit") and r.decision != "meets_criteria"


def test_studies_dated_around_a_holiday_or_early_last_month():
    holiday = ("LBP and L leg pain since June. MRI L-spine done right after the 4th of July: L4-5 protrusion. "
               "Naproxen since June, PT 8 weeks, no response.")
    r = review(note_case(holiday, when="2026-11-01"))
    assert present(r, "prior_mri_same_region") and r.decision != "meets_criteria"
    early = ("LBP and L leg pain since July. He had a lumbar MRI early last October at Summit Imaging: mild bulge. "
             "Naproxen since July, PT 8 weeks, no response.")
    r = review(note_case(early, when="2026-01-12"))
    assert present(r, "prior_mri_same_region") and r.decision != "meets_criteria"


def test_a_study_opening_a_line_deep_in_a_note_is_still_a_study():
    text = ("PM&R FOLLOW-UP\nDx: L4-5 protrusion with L L5 radicular pain, slowly worse over the summer months.\n"
            "Hx: onset 6/15 lifting a child. Naproxen since 6/15. PT 8/3-9/28, 16 visits, with a home program; "
            "gabapentin never filled.\nMRI L-spine done 07/06/26: L4-5 L paracentral protrusion. No follow-up imaging "
            "recommended.\nToday: pain unchanged, no response to naproxen/PT.")
    r = review(note_case(text, when="2026-11-01"))
    assert present(r, "prior_mri_same_region") and r.decision != "meets_criteria"


def test_a_plateau_that_keeps_its_gains_is_improvement():
    text = ("LBP since 08/20. PT 08/31-10/30, 16 visits, and naproxen since 08/24. NPRS 7 -> 4. Pt plateaued the "
            "last 2 weeks but retains gains.")
    assert not present(review(note_case(text, when="2026-11-05")), "no_response_to_treatment")


def test_an_emgs_question_is_no_finding():
    emg = dated_doc("e", "EMG REPORT\nReason for study: R arm weakness and hand numbness. Question C5/C6 "
                         "radiculopathy.\nNCS: R median sensory latency prolonged.\nImpression: carpal tunnel "
                         "syndrome.", day="2026-09-01", kind="emg_report")
    r = review(packet_case(emg, cpt="72141", when="2026-09-09"))
    assert not present(r, "emg_radiculopathy") and "A.iii" not in r.criteria


def test_care_a_labels_line_says_never_began():
    text = ("LBP since 3/28 after moving. Naproxen 500 BID since 4/3 (8 wk). No improvement.\nPT: referred 4/3; has "
            "NOT started (waitlist).")
    r = review(note_case(text, when="2026-06-01"))
    assert not present(r, "physical_therapy") and "A.iv" not in r.criteria
    done = review(note_case("LBP since 3/28. Naproxen since 4/3.\nPT: 8 visits since 4/10, no change.", when="2026-06-01"))
    assert present(done, "physical_therapy")


def test_an_indeterminate_finding_only_pointed_at():
    ct = dated_doc("c", "CT CHEST 11/05/2026\nUpper abdomen: 1.8 cm left adrenal nodule, indeterminate on this study.\n"
                        "Bones: no lytic or blastic lesion.", day="2026-11-05", kind="imaging_report")
    note = dated_doc("n", "Mid-back pain x 2 wks after moving furniture, improving. Plan: MRI thoracic spine to follow "
                          "up indeterminate finding on CT.", day="2026-11-12")
    r = review(packet_case(ct, note, cpt="72146", when="2026-11-17"))
    assert "J" not in r.criteria and r.decision != "meets_criteria"
