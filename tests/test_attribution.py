"""Deficits explained by a cause outside the spine are ruled out and name the cause; focal ones stay (sentences written for these tests)."""

from __future__ import annotations

import pytest

from priorauth.extract.attribution import config, find_attributions
from tests.conftest import note_case


def findings(extractor, text: str, cpt: str = "72148"):
    return extractor.extract(note_case(text, cpt=cpt)).findings


def present(extractor, text: str, cpt: str = "72148") -> set[str]:
    return {f.code for f in findings(extractor, text, cpt) if f.present}


def ruled(extractor, text: str, code: str, cpt: str = "72148") -> list[str]:
    return [f.attributed_to or "" for f in findings(extractor, text, cpt) if f.code == code and not f.present]


# (cause id, a sentence that attributes, the code it rules out)
ATTRIBUTED = [
    ("peripheral_neuropathy", "Low back pain for 2 months. Numbness of both feet due to diabetic peripheral neuropathy.", "sensory_deficit"),
    ("peripheral_neuropathy", "Neck pain. Tingling in the toes, which his long-standing neuropathy explains.", "sensory_deficit"),
    ("peripheral_neuropathy", "Low back pain. Sensation intact apart from reduced vibration at the toes (diabetic).", "sensory_deficit"),
    ("polyneuropathy", "Back pain. Leg weakness 4/5 secondary to Guillain-Barre syndrome, slowly recovering.", "motor_weakness"),
    ("polyneuropathy", "Back pain. Areflexia consistent with her CIDP.", "abnormal_reflexes"),
    ("entrapment_neuropathy", "Neck pain. Numbness of the thumb and index finger from carpal tunnel syndrome.", "sensory_deficit"),
    ("entrapment_neuropathy", "Neck pain. Hand clumsiness attributed to bilateral carpal tunnel syndrome.", "myelopathy_suspected"),
    ("entrapment_neuropathy", "Neck pain. Interossei 4/5 L, ADM 4/5 L, FDI 4/5.\nTelephone: the ulnar neuropathy at the elbow explains the hand weakness.", "motor_weakness"),
    ("entrapment_neuropathy", "Low back pain. R TA 3/5, EHL 3/5, peroneus longus 3/5.\nImpression: a peroneal neuropathy at the fibular head explains the foot drop.", "motor_weakness"),
    ("stroke", "Neck pain. Residual right arm weakness 4/5 after a left MCA stroke.", "motor_weakness"),
    ("stroke", "Neck pain. Positive Babinski on the left, related to his prior CVA.", "upper_motor_neuron_signs"),
    ("stroke", "Low back pain. Urinary urgency since his stroke last year, unchanged.", "bowel_bladder_dysfunction"),
    ("stroke", "Low back pain. Left leg weakness 4/5, explained by an acute right internal capsule infarct on MRI.",
     "motor_weakness"),
    ("infection_elsewhere", "Mid-back pain.\nAssessment: fever 39.1 and WBC 17.2 due to right pyelonephritis.",
     "infection_suspected"),
    ("shoulder", "Neck pain. Weakness of shoulder abduction 4/5 due to a rotator cuff tear.", "motor_weakness"),
    ("shoulder", "Neck pain. Arm weakness consistent with adhesive capsulitis.", "motor_weakness"),
    ("hip_knee", "Low back pain. Hip flexion 4/5 secondary to severe hip osteoarthritis.", "motor_weakness"),
    ("vascular", "Low back pain. Calf pain after two blocks, relieved by standing still, due to PAD (ABI 0.6).", "radicular_pain"),
    ("vascular", "Low back pain. His legs feel weak when he walks, explained by bilateral SFA occlusions.", "motor_weakness"),
    ("systemic", "Low back pain. Weakness in her legs from anemia after the GI bleed.", "motor_weakness"),
    ("myopathy", "Low back pain. Proximal leg weakness 4/5 consistent with statin myopathy.", "motor_weakness"),
    ("systemic", "Low back pain. Generalized weakness since the hospital stay.", "motor_weakness"),
    ("critical_illness", "Low back pain. He has weakness of both legs since his MI and the ICU stay.", "motor_weakness"),
    ("critical_illness", "Low back pain. Little activity, secondary to weakness post MI.", "motor_weakness"),
    ("systemic", "Low back pain. Leg weakness attributed to deconditioning after three weeks in bed.", "motor_weakness"),
    ("hydrocephalus", "Neck pain. Urinary incontinence consistent with normal pressure hydrocephalus.", "bowel_bladder_dysfunction"),
    ("hydrocephalus", "Neck pain. Trouble with walking, which the enlarged ventricles explain.", "myelopathy_suspected"),
    ("hydrocephalus", "Low back pain. Impression: normal pressure hydrocephalus, with the classic triad of gait apraxia, urinary incontinence and cognitive decline.", "bowel_bladder_dysfunction"),
    ("myopathy", "Neck pain. Proximal arm weakness, concern for myelopathy, fully explained by her polymyositis.", "myelopathy_suspected"),
    ("visceral", "Low back ache for 3 weeks, which I feel is referred from constipation.", "back_pain"),
    ("visceral", "Neck pain and headache for 2 days, consistent with a viral syndrome.", "neck_pain"),
    ("zoster", "Mid-back pain wrapping to the right chest; numbness in a band, secondary to shingles.", "sensory_deficit"),
    ("zoster", "Low back and right buttock pain for 10 days, due to herpes zoster (vesicles in the right S1 band).",
     "back_pain"),
    ("urologic", "Low back pain. Urinary retention due to BPH, on tamsulosin.", "bowel_bladder_dysfunction"),
    ("medication_effect", "Low back pain. Retention since starting oxybutynin, secondary to the oxybutynin.",
     "bowel_bladder_dysfunction"),
    ("urologic", "Low back pain. Incontinence explained by stress incontinence after childbirth.", "bowel_bladder_dysfunction"),
    ("pain_limited", "Low back pain. Hip flexion 4/5, limited by pain.", "motor_weakness"),
    ("pain_limited", "Low back pain. Give-way weakness of the left quadriceps.", "motor_weakness"),
    ("pain_limited", "Low back pain. When the pain is very bad, she has some subtle leg weakness.", "motor_weakness"),
    ("pain_limited", "Low back pain. Strength testing difficult due to the fact that the patient has a lot of pain, 4/5 throughout.", "motor_weakness"),
    ("tendon", "Low back pain. L ankle jerk absent, due to his L Achilles tendon repair in 2021.", "abnormal_reflexes"),
    ("plexopathy", "Low back pain. R quadriceps 4/5 from diabetic amyotrophy of the R thigh.", "motor_weakness"),
    ("bowel_disorder", "Low back pain. Fecal urgency and incontinence due to C. difficile colitis.", "bowel_bladder_dysfunction"),
    ("pudendal", "Low back ache. Perineal numbness after long rides, from pudendal nerve compression by the saddle.",
     "saddle_anesthesia"),
]


@pytest.mark.parametrize("cause,text,code", ATTRIBUTED, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(ATTRIBUTED)])
def test_each_cause_rules_the_deficit_out_and_names_itself(extractor, cause, text, code):
    cpt = "72141" if text.startswith("Neck") else "72148"
    assert code not in present(extractor, text, cpt)
    label = next(c.label for c in config().data.causes if c.id == cause)
    causes = ruled(extractor, text, code, cpt)
    assert causes and any(label in c for c in causes), causes


def test_every_cause_in_the_data_is_tested():
    assert {c.id for c in config().data.causes} == {c for c, _, _ in ATTRIBUTED}


@pytest.mark.parametrize("text", [
    "Low back pain for 8 weeks despite PT. UTI last month, treated with nitrofurantoin.",
    "Low back pain for 8 weeks. Kidney stone ruled out on CT.",
    "Low back pain for 8 weeks, not from constipation: bowels are regular.",
    "Low back pain for 8 weeks. Seen in the ED for RLQ pain - normal appendix, small ovarian cyst.",
    "Low back pain for 8 weeks. UA today: 0-2 WBC - UTI resolved.",
])
def test_back_pain_beside_an_unlinked_or_excluded_organ_cause_stays(extractor, text):
    assert "back_pain" in present(extractor, text)


def test_neuropathy_keeps_its_own_assertion(extractor):
    f = [f for f in findings(extractor, "Back pain. Numbness in both feet due to diabetic neuropathy.") if f.code == "sensory_deficit"]
    assert [x.reason for x in f] == ["attributed_to_neuropathy"]
    f = [f for f in findings(extractor, "Back pain. Weakness of the arm due to a rotator cuff tear.") if f.code == "motor_weakness"]
    assert [x.reason for x in f] == ["attributed_to_other_cause"]


@pytest.mark.parametrize("text", [
    "Back pain. Numbness in the left foot, not due to his neuropathy.",
    "Back pain. Foot numbness, unlikely to be from neuropathy.",
    "Back pain. Leg weakness, radiculopathy versus diabetic neuropathy.",
    "Back pain. History of diabetic neuropathy. Numbness in the right foot.",  # a diagnosis is no attribution
])
def test_negated_or_differential_or_unlinked_cause_does_not_attribute(extractor, text):
    assert present(extractor, text) & {"sensory_deficit", "motor_weakness"}


def test_assessment_attributes_across_sentences(extractor):
    text = ("HPI: Low back pain for 3 months. She reports numbness of both feet.\n"
            "Exam: Decreased light touch over both feet to the ankles.\n"
            "Assessment: numbness in both feet due to diabetic peripheral neuropathy.")
    assert "sensory_deficit" not in present(extractor, text)
    assert len([f for f in findings(extractor, text) if f.code == "sensory_deficit" and not f.present][0].evidence) == 3


def test_focal_deficit_stays_when_the_cause_explains_something_else(extractor):
    text = ("HPI: Low back pain radiating down the left leg for 2 months.\n"
            "Exam: Stocking sensory loss in both feet. Decreased pinprick over the left L5 dermatome. Left EHL 4/5.\n"
            "Assessment: stocking sensory loss consistent with diabetic neuropathy.")
    fs = findings(extractor, text)
    kept = [f for f in fs if f.code == "sensory_deficit" and f.present]
    assert kept and all("L5" in s.text or "left" in s.text.lower() for s in kept[0].evidence)
    assert "motor_weakness" in present(extractor, text)  # unilateral, and the neuropathy is named for the sensory loss only


def test_region_cause_reaches_only_its_region(extractor):
    text = ("Neck pain for 8 weeks. Right hand numbness from carpal tunnel syndrome.\n"
            "Exam: decreased sensation in the right thumb. Decreased sensation over the lateral right arm in a C5 dermatome.")
    f = [f for f in findings(extractor, text, "72141") if f.code == "sensory_deficit" and f.present]
    assert f and [s.text for s in f[0].evidence] == ["Decreased sensation over the lateral right arm in a C5 dermatome"[:len(f[0].evidence[0].text)]]


def test_stroke_explains_its_own_side_only(extractor):
    text = ("Neck pain. Right-sided weakness after a left hemispheric stroke.\n"
            "Exam: right grip 4/5. Left grip 3/5, new since last month.")
    f = [f for f in findings(extractor, text, "72141") if f.code == "motor_weakness" and f.present]
    assert f and all("Left" in s.text or "left" in s.text for s in f[0].evidence)


@pytest.mark.parametrize("text", [
    "Low back pain. Reflexes: DTRs 1+ and symmetric throughout.",
    "Low back pain. Hyporeflexic diffusely.",
    "Low back pain. Reflexes diminished symmetrically in all extremities.",
])
def test_diffuse_symmetric_hyporeflexia_is_not_abnormal_reflexes(extractor, text):
    assert "abnormal_reflexes" not in present(extractor, text)


@pytest.mark.parametrize("text", [
    "Low back pain. Left Achilles reflex absent, right 2+.",
    "Low back pain. Achilles reflexes absent bilaterally.",
    "Low back pain. Reflexes 2+ and symmetric except a diminished left ankle jerk.",
])
def test_focal_reflex_changes_stay(extractor, text):
    assert "abnormal_reflexes" in present(extractor, text)


def test_attribution_finds_the_clause():
    text = "Numbness in both feet due to diabetic neuropathy; new left foot drop."
    (a,) = find_attributions(text)
    assert a.cause.id == "peripheral_neuropathy" and text[a.start:a.end].startswith("Numbness")
    assert "foot drop" not in text[a.start:a.end]


def test_a_cause_named_with_a_body_part_explains_deficits_of_that_part(extractor):
    text = ("Low back pain. She has some numbness in the bottom of her left foot.\n"
            "Peripheral neuropathy of her left foot is most likely from her chemotherapy.")
    assert ruled(extractor, text, "sensory_deficit") == ["peripheral neuropathy"]
    other_side = "Low back pain. Numbness of the right foot. Peripheral neuropathy of her left foot."
    assert "sensory_deficit" in present(extractor, other_side)
    dermatomal = "Low back pain. Numbness of the left foot in an L5 dermatome. Peripheral neuropathy of her left foot."
    assert "sensory_deficit" in present(extractor, dermatomal)


def test_an_entrapment_explains_every_deficit_of_its_region_in_its_own_note(extractor):
    text = ("Low back pain improving with PT.\nExam: Left ankle dorsiflexion 3/5. Sensation reduced over the dorsum of "
            "the left foot. Tinel positive at the fibular head.\n"
            "Impression: The foot drop is fully explained by a left peroneal neuropathy at the fibular head.")
    assert not present(extractor, text) & {"motor_weakness", "sensory_deficit"}
    kept = text.replace("Sensation reduced over the dorsum of the left foot", "Sensation reduced in the left L5 dermatome")
    assert "sensory_deficit" in present(extractor, kept)


def test_a_deficits_own_side_decides_not_the_lesions_side_in_the_same_sentence(extractor):
    text = ("Low back pain for 3 weeks. He had a left MCA stroke in 2024 and has since walked with a cane because of "
            "residual right-sided weakness.\nAssessment: right hemiparesis from the stroke, unchanged.")
    assert "motor_weakness" not in present(extractor, text)
    other = text.replace("residual right-sided weakness", "new left-sided weakness")
    assert "motor_weakness" in present(extractor, other)


@pytest.mark.parametrize("text,code", [
    ("Neck pain 4 weeks.\nExam: R biceps/triceps 3+ with spread (post-stroke, unchanged per neuro notes), L 2+.",
     "upper_motor_neuron_signs"),
    ("Neck pain 3 weeks.\nNeuro: R biceps/triceps reflexes 3+ vs 2+ L (unchanged post-stroke).", "upper_motor_neuron_signs"),
    ("Low back pain.\nExam: left ankle dorsiflexion 2/5. Numbness of the dorsum of the left foot.\n"
     "Impression: The foot drop and foot numbness are fully explained by the peroneal lesion.", "motor_weakness"),
])
def test_a_cause_in_parentheses_or_named_as_a_nerve_lesion_explains(extractor, text, code):
    assert code not in present(extractor, text, "72141" if text.startswith("Neck") else "72148")


def test_a_joint_explains_weakness_on_its_own_side_only(extractor):
    text = ("Low back pain with right leg pain.\nPSH: Post left hip arthroplasty.\n"
            "Exam: grade weakness of her right hip flexors, as compared to the left.")
    assert "motor_weakness" in present(extractor, text)
    same = text.replace("right hip flexors", "left hip flexors").replace("compared to the left", "compared to the right")
    assert "motor_weakness" not in present(extractor, same)


@pytest.mark.parametrize("phrase", ["residua of", "sequelae of", "late effects of"])
def test_residua_or_sequelae_of_a_cause_explain_the_deficits(extractor, phrase):
    text = ("Neck pain for three weeks after painting a ceiling.\n"
            "Exam: right grip 4/5, right triceps reflex 3+, right Hoffmann present.\n"
            f"Impression: right arm weakness, hyperreflexia and Hoffmann sign are {phrase} his 2023 left hemispheric stroke, unchanged.")
    found = present(extractor, text, "72141")
    assert not {"motor_weakness", "upper_motor_neuron_signs"} & found, found


def test_a_deficit_the_author_says_is_a_nerve_palsy_is_explained_but_not_one_far_from_the_copula(extractor):
    said = ("Low back pain for 6 weeks.\nExam: L ankle dorsiflexion 4/5, EHL 4/5, numb dorsum of the L foot.\n"
            "A: the foot drop is a common peroneal (fibular) nerve palsy at the knee, not from his back.")
    assert "motor_weakness" not in present(extractor, said)
    far = ("Low back pain for 6 weeks.\nExam: L ankle dorsiflexion 4/5, EHL 4/5.\n"
           "A: the foot drop is a new and worrying finding in a man whose right peroneal nerve palsy healed years ago.")
    assert "motor_weakness" in present(extractor, far)


@pytest.mark.parametrize("impression,explained", [
    ("Right common peroneal neuropathy at the fibular head, consistent with compression. No evidence of L5 radiculopathy.",
     True),
    ("Acute right L5 radiculopathy. Incidental mild right peroneal neuropathy at the fibular head.", False),
    ("Right L5 radiculopathy versus peroneal neuropathy; no plexopathy.", False),
])
def test_an_emg_that_rules_the_spine_out_explains_its_regions_deficits_across_the_packet(extractor, impression, explained):
    from datetime import date

    from priorauth.models import Document
    from priorauth.pipeline import review
    from tests.conftest import packet_case

    visit = Document(id="v", type="progress_note", date=date(2026, 2, 10),
                     text="Low back ache for years. New right foot drop for 2 weeks.\nExam: R ankle DF 2/5, EHL 2/5, "
                          "numb dorsum of the R foot.\nPlan: EMG.")
    emg = Document(id="e", type="emg_report", date=date(2026, 2, 20), text=f"EMG/NCS right leg.\nImpression: {impression}")
    r = review(packet_case(visit, emg, when="2026-02-24"), extractor)
    weak = [f for f in r.findings if f.code == "motor_weakness"]
    assert (not weak) is explained, (r.decision, [f.evidence[0].text for f in weak])


@pytest.mark.parametrize("line,suspected", [
    ("Mother is worried about a spinal infection like her cousin had.", False),
    ("Pt concerned about cancer; no weight loss.", False),
    ("I am concerned about an epidural abscess given fever 39 and ESR 88.", True),
])
def test_a_patients_or_familys_worry_is_no_suspicion(extractor, line, suspected):
    found = present(extractor, f"Mid-back pain for 2 weeks. {line}", "72146")
    assert bool({"infection_suspected", "malignancy"} & found) is suspected, found


@pytest.mark.parametrize("ct,explained", [("CT abdomen: right perinephric stranding, no abscess; spine unremarkable.", True),
                                         ("CT abdomen: right perinephric stranding; L2-L3 endplate erosion.", False)])
def test_a_summary_that_clears_the_spine_puts_its_fever_down_to_the_infection_it_names(extractor, ct, explained):
    text = ("DISCHARGE SUMMARY\nPrincipal diagnosis: acute pyelonephritis, right.\nHPI: right flank and low back pain, "
            f"fever 39.0, dysuria. WBC 16.8, CRP 120.\n{ct}\nTreated with ceftriaxone; afebrile since day 2.")
    found = present(extractor, text)
    assert ("infection_suspected" not in found) is explained, found


def test_a_deficit_the_author_says_cannot_be_explained_by_the_neuropathy_stays(extractor):
    text = ("Known diabetic polyneuropathy with burning in both soles.\nLow back pain with left leg pain for 5 weeks.\n"
            "Exam: pinprick is clearly decreased on the outer border of the left foot, S1 territory, which cannot be explained "
            "by the neuropathy because it is one-sided; the left ankle reflex is now absent.")
    found = present(extractor, text)
    assert {"sensory_deficit", "abnormal_reflexes"} <= found, found
