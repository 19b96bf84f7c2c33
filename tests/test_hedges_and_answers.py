"""Hedges and answers: a red flag called unlikely, doubted, considered and excluded or answered no; a suspicion the
same note raises and answers by name; an option raised for the future; care that starts next week; a dash that opens
a suspicion after a negated phrase; stress incontinence; and dropping things put down to carpal tunnel. Sentences
written here."""

from __future__ import annotations

from priorauth.pipeline import review
from tests.conftest import dated_doc, note_case, packet_case, present


def test_an_infection_called_unlikely_raises_no_suspicion():
    text = ("Fever 38.6 and body aches 2 days with a low back ache; influenza B positive. Neuro normal. Assessment: "
            "influenza with myalgic back pain; spinal infection unlikely, no risk factors.")
    r = review(note_case(text, when="2026-02-19"))
    assert "K" not in r.criteria and r.decision != "meets_criteria"


def test_a_suspicion_the_note_raises_and_excludes_by_name():
    text = ("Spine clinic. Referral question (? discitis) addressed: ESR 8, CRP 2, afebrile. Discitis considered and "
            "excluded. Dx: lumbar strain.")
    r = review(note_case(text, when="2026-02-17"))
    assert "A.i" not in r.criteria and "K" not in r.criteria


def test_an_absent_fever_does_not_answer_a_suspected_abscess():
    """A guard: the suspicion stands when only a sign is absent."""
    text = ("ED: IV drug use, focal midline T12 tenderness, CRP 19, ESR 96, no other source - suspected vertebral "
            "osteomyelitis vs epidural abscess. Afebrile here. MRI T/L-spine w/wo.")
    r = review(note_case(text, cpt="72157", when="2026-02-17"))
    assert present(r, "infection_suspected") and r.decision == "meets_criteria"


def test_a_referrals_question_answered_no_in_the_consult():
    letter = dated_doc("l", "Low back pain and R sciatica 2 weeks. Tingling 'down there' once - ? cauda equina, please "
                       "assess.", "2026-02-06", kind="letter")
    consult = dated_doc("c", "Referral question re CES answered: no. Single brief episode, not recurred; perianal "
                        "sensation intact, tone normal. Impression: R S1 radicular pain.", "2026-02-11", kind="consult_note")
    r = review(packet_case(letter, consult, when="2026-02-12"))
    assert "A.i" not in r.criteria


def test_doubt_negates_what_follows_and_doubted_what_precedes():
    text = ("Balance worse 6 months, numb feet; B12 low, vibration absent at toes, Hoffmann negative. Assessment: "
            "sensory ataxia from B12 deficiency; doubt cervical myelopathy.")
    assert "M" not in review(note_case(text, cpt="72141", age=72, when="2026-03-09")).criteria
    text = ("MS clinic. RRMS on ocrelizumab, no relapse since 2021. Today no new symptoms, exam stable; relapse doubted. "
            "Routine C-spine MRI (last one 10 months ago).")
    assert "G" not in review(note_case(text, cpt="72141", when="2026-03-11")).criteria


def test_a_pathologic_fracture_called_unlikely_is_not_pathologic():
    text = ("Osteoporosis; L1 compression fracture on x-ray 5 weeks ago after bending. Pathologic fracture unlikely: no "
            "cancer history, SPEP normal. Pain improving on acetaminophen; neuro normal. Family requests MRI.")
    r = review(note_case(text, age=80, when="2026-02-26"))
    assert "D" not in r.criteria
    assert not any(q.name == "pathologic" for f in present(r, "fracture") for q in f.qualifiers)


def test_a_stimulator_raised_as_a_future_option_is_not_planned():
    text = ("CRPS of the L foot since 2025. Spinal cord stimulation was raised as a future option; she is not "
            "interested. Thoracic MRI ordered in case she changes her mind.")
    assert "P" not in review(note_case(text, cpt="72146", when="2026-07-16")).criteria


def test_care_that_starts_next_week_is_not_had():
    text = ("LBP w/ R sciatica since mid-Feb, worsening. Nothing taken for it; PT starts next week, ibuprofen advised "
            "by phone. Exam: SLR R + 35 deg, strength/sensation/reflexes normal.")
    assert "A.v" not in review(note_case(text, when="2026-03-24")).criteria


def test_stress_incontinence_is_no_cauda_equina_sign():
    text = ("LBP 3 weeks. Leakage of urine with coughing for 6 years, unchanged, managed by urogynecology as stress "
            "urinary incontinence. No saddle numbness, reflexes symmetric.")
    r = review(note_case(text, age=66, when="2026-02-23"))
    assert not present(r, "bowel_bladder_dysfunction") and "A.i" not in r.criteria


def test_dropping_things_explained_by_carpal_tunnel():
    text = ("Numb hands at night, both sides; drops things now and then. Exam: Phalen and Tinel + bilaterally, Hoffmann "
            "neg, reflexes 2+ symmetric. Sx explained by the bilateral CTS on EMG.")
    assert "M" not in review(note_case(text, cpt="72141", when="2026-05-21")).criteria


def test_a_grade_that_was_before_the_operation_is_no_weakness_today():
    text = ("3 months after L5-S1 microdiscectomy. Doing well, leg pain resolved, back a little stiff. Exam: strength "
            "5/5 bilat LE including plantarflexion (was 3/5 pre-op). Sensation intact.")
    r = review(note_case(text, when="2026-09-08"))
    assert not present(r, "motor_weakness") and "A.ii" not in r.criteria


def test_exertional_symptoms_ischemic_in_origin():
    text = ("Calf pain with walking 1 block, relieved standing still; low back aching 2 wks. Legs feel weak and feet "
            "numb after walking. Exam at rest: strength 5/5, sensation intact. ABI 0.6. Impression: PAD; the "
            "exertional leg weakness and foot numbness are ischemic in origin.")
    assert "A.i" not in review(note_case(text, age=71, when="2026-02-20")).criteria


def test_rest_she_cannot_take_is_no_care():
    text = ("LBP since April. PT 8 wks completed (4/10-6/5), no improvement. She declined all medications "
            "(breastfeeding) and has not used heat or ice ('I have a baby, I can\'t rest').")
    r = review(note_case(text, age=29, when="2026-06-11"))
    assert not any(c.kind == "rest_ice_heat" for c in r.conservative_therapy.components) and "A.iv" not in r.criteria


def test_a_deficit_recorded_earlier_and_not_present_today():
    chiro = dated_doc("c", "LBP with L leg pain, tingling top of L foot. Exam: decreased sensation L L5 dermatome.",
                      "2026-01-20", kind="chiropractic_note")
    neuro = dated_doc("n", "Formal sensory exam today normal in all lower limb dermatomes; the L5 sensory loss recorded by "
                      "the chiropractor in January is not present today. Tingling has stopped. Strength 5/5.",
                      "2026-02-16", kind="consult_note")
    assert "A.ii" not in review(packet_case(chiro, neuro, when="2026-02-18")).criteria


def test_grades_footnoted_as_effort_dependent():
    text = ("LBP x3wk, rad to L post thigh.\nNeuro: L2 5/5 | L3 5/5 | L4 4/5* | L5 4/5* | S1 5/5\n*effort-dependent, "
            "full power on 2nd attempt.\nDTR 2+ sym.")
    r = review(note_case(text, when="2026-03-11"))
    assert not present(r, "motor_weakness") and "A.ii" not in r.criteria


def test_a_non_dermatomal_sensory_exam_answers_reported_numbness():
    text = ("LBP 3 wks, c/o L leg numb.\nExam: Sens: decreased over the whole L leg, circumferential, non-dermatomal. "
            "Strength 5/5.")
    r = review(note_case(text, when="2026-03-11"))
    assert "A.i" not in r.criteria and any("non-dermatomal" in x for x in r.reasons)
