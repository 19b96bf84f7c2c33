"""Leg symptoms an arterial disease explains; pulses, rest and roofing that are not what they seem; numbness the
exam line itself calls subjective; dates written as words ('since the Fourth of July', 'the first week of March',
'9/14 -> 11/2', 'done this past June'); a worsening's length that does not date the episode; an EMG that says what
the root suffers. Sentences written here."""

from __future__ import annotations

from datetime import date

from priorauth.extract.dates import find_durations, parse_date
from priorauth.pipeline import review
from tests.conftest import dated_doc as doc
from tests.conftest import note_case, packet_case
from tests.conftest import present as _present
from tests.conftest import ruled as _ruled





def test_arterial_disease_named_as_the_cause_explains_leg_weakness_with_walking():
    pcp = doc("pcp", "Low back ache and both calves cramp after one block; his legs give out and feel weak when he walks. "
                     "Exam: strength normal at rest. Plan: MRI L-spine, ABI.")
    vasc = doc("vasc", "ABI 0.48 R, 0.55 L. The exertional leg weakness and calf pain are explained by his peripheral "
                       "arterial disease, with bilateral SFA occlusions.", "2026-03-04", "letter")
    r = review(packet_case(pcp, vasc, when="2026-03-05"))
    assert not _present(r, "motor_weakness")
    assert {f.attributed_to for f in _ruled(r, "motor_weakness")} == {"peripheral arterial disease"}
    assert r.decision != "meets_criteria"


def test_a_vascular_differential_alone_explains_nothing():
    text = ("Low back pain and L leg weakness for 3 weeks. Exam: L EHL 4/5, L ankle DF 4/5. "
            "A: L5 radiculopathy; vascular claudication less likely, pulses good.")
    r = review(note_case(text))
    assert _present(r, "motor_weakness")


def test_posterior_tibial_pulses_and_rest_are_not_care():
    text = ("Back pain for 2 months. Exam: DP/PT pulses 2+ bilaterally, PT pulses palpable. Pain present at rest "
            "and with rest pain at night.")
    r = review(note_case(text))
    assert not _present(r, "physical_therapy") and not _present(r, "rest_ice_heat")
    care = review(note_case("Back pain for 2 months. PT twice weekly since January, bed rest for 3 days, heat."))
    assert _present(care, "physical_therapy") and _present(care, "rest_ice_heat")


def test_str_5_of_5_contradicts_legs_that_go_weak():
    text = ("Low back pain for 8 weeks. Legs 'go weak' after walking two blocks.\n"
            "Exam: Str 5/5 throughout BLE. Sensation intact.")
    r = review(note_case(text))
    weak = _present(r, "motor_weakness")
    assert weak and any(q.name == "contradicted" for f in weak for q in f.qualifiers)
    assert r.decision != "meets_criteria"


def test_numbness_the_exam_line_calls_subjective_is_contradicted_by_intact_pinprick():
    text = ("Neck pain for 5 weeks. She says the outside of the R arm feels numb.\n"
            "Exam: Sensation: subjective lateral arm numbness but pinprick and light touch intact C5-T1.")
    r = review(note_case(text, cpt="72141"))
    numb = _present(r, "sensory_deficit")
    assert numb and any(q.name == "contradicted" for f in numb for q in f.qualifiers)
    assert "reported by the patient" in " ".join(r.reasons)
    found = ("Neck pain for 5 weeks.\nExam: Sensation: decreased pinprick over the lateral R arm, C5; "
             "light touch intact elsewhere.")
    numb = _present(review(note_case(found, cpt="72141")), "sensory_deficit")
    assert numb and not any(q.name == "contradicted" for f in numb for q in f.qualifiers)


def test_roofing_shingles_are_no_herpes_zoster():
    text = "Low back pain since carrying bundles of shingles up a ladder on 2/10. Weakness L EHL 4/5."
    r = review(note_case(text))
    assert not [f for f in r.ruled_out if f.attributed_to == "herpes zoster"]
    assert _present(r, "back_pain")
    zoster = review(note_case("Thoracic pain for 10 days, R T8 band. A: thoracic pain due to shingles, R T8.", cpt="72146"))
    assert {f.attributed_to for f in _ruled(zoster, "back_pain")} == {"herpes zoster"}


def test_dates_written_in_words_and_arrows():
    ref = date(2026, 9, 8)
    assert parse_date("fourth of July", ref) == date(2026, 7, 4)
    assert parse_date("first week of March", ref) == date(2026, 3, 4)
    assert parse_date("twenty-first of March 2025", ref) == date(2025, 3, 21)
    text = "Chiro 2x/wk 6/14 -> 8/2, and naproxen since that same first week of June."
    spans = {text[d.start:d.end]: d for d in find_durations(text, 0, ref)}
    assert spans["6/14 -> 8/2"].days == (date(2026, 8, 2) - date(2026, 6, 14)).days
    since = next(d for t, d in spans.items() if t.startswith("since that same first week of June"))
    assert since.began == date(2026, 6, 4)


def test_care_since_a_holiday_lasts_until_the_letter():
    text = ("I am writing for Mr. K. He hurt his lower back lifting a hay bale at the end of June. He has seen the "
            "physical therapist twice weekly since the Fourth of July and taken ibuprofen since the same week. "
            "None of it has helped; the ache in his lower back still wakes him and he is no better. Strength, feeling and reflexes are normal.")
    r = review(note_case(text, when="2026-09-08"))
    assert r.conservative_therapy.weeks >= 8
    assert "A.iv" in r.criteria


def test_a_study_done_this_past_month_is_a_prior_mri():
    text = ("Low back pain with L leg pain since April. MRI lumbar spine done this past June at the imaging center: "
            "L5-S1 protrusion. PT 10 weeks, meloxicam, heat, no better. Exam unchanged. Plan: repeat MRI.")
    r = review(note_case(text, when="2026-11-16"))
    prior = _present(r, "prior_mri_same_region")
    assert prior and prior[0].mention_date and (prior[0].mention_date.year, prior[0].mention_date.month) == (2026, 6)
    assert r.decision != "meets_criteria"


def test_a_study_done_the_following_week_dates_by_its_parenthesis():
    text = ("Neck and L arm pain, seen 09/08/2026. MRI C-spine was done the following week (September 2026): "
            "C6-7 protrusion. Now the arm pain is worse, 8/10 from 5/10.")
    r = review(note_case(text, cpt="72141", when="2026-11-10"))
    assert _present(r, "prior_mri_same_region")


def test_a_worsening_length_does_not_date_the_episode():
    text = ("Neck pain with L arm pain, first seen here 09/08/2026. Treated with PT since 09/21. "
            "Now the L arm pain is worse, and for 2 weeks he cannot push open a heavy door.")
    r = review(note_case(text, cpt="72141", when="2026-11-10"))
    assert _present(r, "neck_pain"), "the neck pain of September is this episode's"


def test_an_emg_that_says_what_the_root_suffers():
    emg = doc("emg", "NERVE CONDUCTION AND NEEDLE EXAMINATION\nSummary: Abnormal study. Findings reflect subacute "
                     "involvement of the left S1 root with ongoing denervation.", "2026-03-01", "emg_report")
    clinic = doc("clinic", "Low back pain with L leg pain for 5 weeks. A: L S1 radicular pain with electrodiagnostic "
                           "confirmation. P: MRI L-spine.")
    r = review(packet_case(emg, clinic, when="2026-03-03"))
    assert _present(r, "emg_radiculopathy")
    assert "A.iii" in r.criteria
    spared = doc("emg", "NERVE CONDUCTION STUDY\nSummary: Normal study. No involvement of the left S1 root.",
                 "2026-03-01", "emg_report")
    assert not _present(review(packet_case(spared, doc("clinic", "Low back pain for 5 weeks."), when="2026-03-03")),
                        "emg_radiculopathy")


def test_the_l_of_l_spine_gives_an_event_no_side():
    text = "Exam: MRI L-spine reviewed. Weakness 4/5 of hip flexion bilaterally, L-S junction tender."
    r = review(note_case(text))
    sides = {e.side for e in r.events if e.code == "motor_weakness"}
    assert "left" not in sides
    one = review(note_case("Exam: L EHL 4/5."))
    assert {e.side for e in one.events if e.code == "motor_weakness"} == {"left"}
