"""The finding-code registry: one place that names every concept the project extracts.

Contract codes are those of `shared/spec/finding-codes.md` and are the ones
evaluated. Supporting concepts (``contract=False``) carry qualifiers that some
policy items need (an indeterminate prior study, a routine surveillance plan)
and are never scored. Extractors, rules, prompts and reports all read this table.
Whether past history supports a code is a lexicon flag (`history_supports` in
the guideline's lexicon file), its one source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

Group = Literal["complaint", "red_flag", "conservative", "other", "supporting"]


@dataclass(frozen=True)
class Code:
    code: str
    group: Group
    definition: str
    policy: str
    contract: bool = True
    therapy: Optional[Literal["active", "inactive"]] = None


CODES: tuple[Code, ...] = (
    Code("back_pain", "complaint", "low back, lumbar, thoracic or mid-back pain", "A"),
    Code("neck_pain", "complaint", "neck or cervical pain", "A"),
    Code("radicular_pain", "complaint", "pain radiating into a limb in a nerve-root pattern, sciatica, radiculopathy as a symptom", "A, e"),
    Code("motor_weakness", "red_flag", "new or unexplained motor weakness, foot drop, strength below 5/5 not attributed to peripheral neuropathy", "A red flag a, deficit a"),
    Code("sensory_deficit", "red_flag", "new sensory deficit (pinprick, touch, vibration, temperature) in a dermatomal distribution, not attributed to peripheral neuropathy", "A red flag b, deficit b"),
    Code("upper_motor_neuron_signs", "red_flag", "Lhermitte's, Babinski's or Hoffmann's sign, hyperreflexia, clonus, unexplained bilateral motor weakness", "A deficit c, M, R"),
    Code("abnormal_reflexes", "red_flag", "new abnormal (diminished, absent, asymmetric) deep tendon reflexes, absent Achilles reflex", "A deficit d, S.ii"),
    Code("bowel_bladder_dysfunction", "red_flag", "new bowel or bladder incontinence, retention or dysfunction not due to a bowel or bladder disorder", "A red flag f, deficit e, S.iii"),
    Code("saddle_anesthesia", "red_flag", "saddle or perineal anesthesia or numbness", "S.i"),
    Code("cauda_equina_suspected", "red_flag", "cauda equina syndrome diagnosed or suspected", "A red flag c, S"),
    Code("infection_suspected", "red_flag", "suspected spinal infection (discitis, epidural abscess, osteomyelitis), or fever with back pain and risk factors, elevated ESR/CRP or leukocytosis", "A red flag d, K"),
    Code("ed_visit_radicular_pain", "red_flag", "severe radicular pain that required an emergency department visit", "A red flag e"),
    Code("pediatric_limp", "red_flag", "unexplained limping or refusal to walk in a child", "A red flag h"),
    Code("myelopathy_suspected", "red_flag", "clinical suspicion of myelopathy: hand clumsiness, difficulty grasping, worsening balance or gait, diffuse bilateral hand numbness", "M, R"),
    Code("emg_radiculopathy", "red_flag", "EMG or nerve conduction study indicating radiculopathy", "A.iii, C"),
    Code("physical_therapy", "conservative", "physical therapy in the current episode (active)", "A ***", therapy="active"),
    Code("chiropractic", "conservative", "chiropractic or osteopathic manipulation (active)", "A ***", therapy="active"),
    Code("home_exercise_program", "conservative", "a physician-directed home exercise program (active)", "A ***", therapy="active"),
    Code("medication", "conservative", "analgesics, NSAIDs, muscle relaxants, oral steroids or other medication for the pain (inactive)", "A ***", therapy="inactive"),
    Code("rest_ice_heat", "conservative", "rest, activity modification, ice or heat (inactive)", "A ***", therapy="inactive"),
    Code("injection", "conservative", "epidural steroid, facet or trigger point injection, or acupuncture (inactive)", "A ***", therapy="inactive"),
    Code("no_response_to_treatment", "conservative", "symptoms not improved or not responded to conservative treatment", "A.iv"),
    Code("symptoms_worsening", "conservative", "progression or worsening of symptoms during conservative treatment", "A.v"),
    Code("spondylolisthesis", "other", "spondylolysis or spondylolisthesis, known or suspected", "B"),
    Code("fracture", "other", "vertebral fracture (traumatic, compression or pathologic), on imaging or suspected after trauma", "D, F"),
    Code("trauma", "other", "acute trauma to the spine", "D"),
    Code("inflammatory_spondylitis", "other", "ankylosing spondylitis, spondyloarthropathy, DISH", "E"),
    Code("demyelinating_disease", "other", "multiple sclerosis, transverse myelitis, neuromyelitis optica, ADEM, Guillain-Barre, known or suspected", "G"),
    Code("malignancy", "other", "known or suspected primary spinal tumor, metastatic disease, or a known cancer with new suspicious symptoms", "H"),
    Code("prior_spine_surgery", "other", "prior surgery on the spine", "I, LIM.H"),
    Code("scoliosis", "other", "scoliosis or kyphosis", "O"),
    Code("spinal_cord_stimulator", "other", "planned spinal cord stimulator placement", "P, LIM.E"),
    Code("surgery_planned", "other", "planned spine surgery or intervention (preoperative planning)", "U, F.v, O.i"),
    Code("prior_mri_same_region", "other", "an MRI of the same spinal region within the past 6 months", "REPEAT"),
    Code("low_field_mri", "other", "the request is for low-field MRI", "LIM.I"),
    # Supporting concepts: qualifiers that specific policy items require.
    Code("imaging_indeterminate", "supporting", "prior imaging described as indeterminate, inconclusive or equivocal", "J, REPEAT.a, E.i", contract=False),
    Code("followup_imaging_recommended", "supporting", "a radiologist or clinician recommends short-term follow-up or further imaging", "REPEAT.a, D.iii", contract=False),
    Code("routine_surveillance", "supporting", "imaging requested as routine surveillance or protocol follow-up", "LIM.G, LIM.H", contract=False),
    Code("treatment_change", "supporting", "starting or changing disease-modifying treatment", "G.iv-vi, LIM.G", contract=False),
    Code("csf_leak_suspected", "supporting", "clinical findings suggestive of a CSF leak", "I", contract=False),
    Code("spasticity", "supporting", "spasticity, increased tone or gait abnormality", "R", contract=False),
    Code("syringomyelia", "supporting", "suspected or known syrinx or syringomyelia", "N", contract=False),
    Code("chiari_or_tethered_cord", "supporting", "Arnold-Chiari malformation, tethered cord or spinal dysraphism", "L", contract=False),
    Code("spina_bifida_occulta", "supporting", "spina bifida occulta", "LIM.K", contract=False),
    Code("vertebral_anomaly", "supporting", "congenital vertebral anomaly (hemivertebra, butterfly vertebra, segmentation anomaly)", "Q, V", contract=False),
    Code("craniocervical_abnormality", "supporting", "abnormality of the craniocervical junction", "W", contract=False),
    Code("atlantoaxial_instability", "supporting", "suspected atlantoaxial instability", "W+.b", contract=False),
    Code("rheumatoid_arthritis", "supporting", "rheumatoid arthritis", "W+.c", contract=False),
    Code("anorectal_malformation", "supporting", "anorectal malformation or suspicious sacral dimple", "T", contract=False),
    Code("mr_neurography", "supporting", "MR neurography requested for a peripheral nerve disorder", "LIM.J", contract=False),
    Code("obtunded", "supporting", "obtunded patient", "D note", contract=False),
)

BY_CODE: dict[str, Code] = {c.code: c for c in CODES}
CONTRACT_CODES: frozenset[str] = frozenset(c.code for c in CODES if c.contract)
THERAPY_CODES: dict[str, str] = {c.code: c.therapy for c in CODES if c.therapy}
RED_FLAG_A = ("motor_weakness", "sensory_deficit", "cauda_equina_suspected", "infection_suspected",
              "ed_visit_radicular_pain", "bowel_bladder_dysfunction", "pediatric_limp")
EXAM_DEFICITS = ("motor_weakness", "sensory_deficit", "upper_motor_neuron_signs", "abnormal_reflexes",
                 "bowel_bladder_dysfunction")
