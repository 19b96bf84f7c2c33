"""hs4-21..hs4-30: prior MRIs phrased in ordinary ways, limitation scopes (family 4), documentation."""

PACKETS = [
# ---------------------------------------------------------------- hs4-21
{"id": "hs4-21", "cpt": ["72148"], "icd": ["M54.41"], "age": 55, "date": "2026-07-28",
 "docs": [("pn-1", "progress_note", "2026-07-27", """JUNIPER GAP MEDICAL CLINIC
DOS 07/27/2026 | 55 yo M | f/u back
--------------------------------------------------
HPI (copied fwd from 06/15, updated): LBP + R sciatica since 01/2026. PT 2x/wk 3/2-4/27 (8 wks) and ibuprofen 800 tid + cyclobenzaprine qhs since 01/12, heat. Not better, pain 6-7/10 unchanged.
The MRI from March (03/19/26, Basin Imaging) showed L4-5 broad disc bulge w/ mild R foraminal narrowing, no nerve root compression.
Today: same R buttock/posterior thigh pain, nothing new. No weakness, no numbness, B/B nl. Wife wants him to "get another MRI since nothing is working."
Exam: SLR + R 60 deg (thigh). Str 5/5 BLE, sens intact, DTR 2+ sym. Unchanged from prior visits.
--------------------------------------------------
A/P: chronic LBP w/ R sciatica, failed conservative tx. Exam unchanged.
[x] Repeat MRI L-spine requested   [ ] Neurosurg referral   [x] ESI referral
""")],
 "findings": {
   "back_pain": [("pn-1", "LBP + R sciatica since 01/2026"), ("pn-1", "chronic LBP w/ R sciatica")],
   "radicular_pain": [("pn-1", "R sciatica since 01/2026"), ("pn-1", "same R buttock/posterior thigh pain")],
   "physical_therapy": [("pn-1", "PT 2x/wk 3/2-4/27 (8 wks)")],
   "medication": [("pn-1", "ibuprofen 800 tid + cyclobenzaprine qhs since 01/12")],
   "rest_ice_heat": [("pn-1", "heat")],
   "no_response_to_treatment": [("pn-1", "Not better, pain 6-7/10 unchanged"), ("pn-1", "failed conservative tx")],
   "prior_mri_same_region": [("pn-1", "The MRI from March (03/19/26, Basin Imaging)")],
 },
 "distractors": [
   ("motor_weakness", "negated", [("pn-1", "No weakness")]),
   ("sensory_deficit", "negated", [("pn-1", "no numbness")]),
   ("injection", "hypothetical", [("pn-1", "ESI referral")]),
 ],
 "ct": (28, True, True), "decision": "not_met", "criteria": []},

# ---------------------------------------------------------------- hs4-22
{"id": "hs4-22", "cpt": ["72141"], "icd": ["M54.12"], "age": 46, "date": "2026-03-11",
 "docs": [("pn-1", "progress_note", "2026-03-10", """MESA VERDE RURAL HEALTH - ACUTE VISIT (EHR template v3)
Date: 03/10/2026   Pt: 46 yo F   Occupation: rural mail carrier

Chief complaint: [x] neck pain  [x] arm pain  [ ] headache  [ ] injury
Onset: ~3 wks   Side: [ ] L [x] R   Radiation: [x] yes - R posterior arm to middle finger
Numbness/tingling: [x] yes - R middle finger   Weakness: [x] yes - "can't push the mailbox door open w/ R"
Bowel/bladder change: [ ] yes [x] no     Gait change: [ ] yes [x] no
Tx tried: [x] OTC NSAID (ibuprofen x 2 wks)  [ ] PT  [ ] chiro  [ ] injection

Exam:
 Neck: [x] dec ROM  [x] Spurling + R
 Motor: R triceps 4/5, R wrist flexion 4/5, R finger ext 4+/5; L 5/5 throughout
 Reflexes: R triceps absent, L triceps 2+; biceps/BR 2+ sym; Hoffmann neg bilat
 Sensation: dec LT + PP R middle finger (C7)
 Gait: nl, tandem nl

Imaging: [x] none prior - no prior MRI of the neck. XR C-spine today: C6-7 disc space narrowing, foraminal osteophyte R C6-7.

A/P: R C7 radiculopathy w/ objective triceps weakness and absent triceps reflex.
 - MRI C-spine w/o ordered today
 - prednisone 40 mg x 5d, cont ibuprofen
 - PT referral after MRI
 - RTC 2 wks / sooner if worse
""")],
 "findings": {
   "neck_pain": [("pn-1", "[x] neck pain")],
   "radicular_pain": [("pn-1", "R posterior arm to middle finger"), ("pn-1", "R C7 radiculopathy")],
   "motor_weakness": [("pn-1", "R triceps 4/5, R wrist flexion 4/5, R finger ext 4+/5")],
   "abnormal_reflexes": [("pn-1", "R triceps absent, L triceps 2+")],
   "sensory_deficit": [("pn-1", "dec LT + PP R middle finger (C7)")],
   "medication": [("pn-1", "ibuprofen x 2 wks")],
 },
 "distractors": [
   ("prior_mri_same_region", "negated", [("pn-1", "no prior MRI of the neck")]),
   ("upper_motor_neuron_signs", "negated", [("pn-1", "Hoffmann neg bilat")]),
   ("physical_therapy", "hypothetical", [("pn-1", "PT referral after MRI")]),
 ],
 "ct": (2, False, True), "decision": "meets_criteria", "criteria": ["A.i", "A.ii"]},

# ---------------------------------------------------------------- hs4-23
{"id": "hs4-23", "cpt": ["72148"], "icd": ["M51.16", "M21.371"], "age": 41, "date": "2026-06-17",
 "docs": [("pn-1", "progress_note", "2026-06-16", """Copper Hills Spine & Pain - Dr. E. Marchetti   06/16/2026
41 yo M, f/u R L5 radiculopathy.
Hx: LBP + R leg pain since 4/2026. The lumbar MRI he had last month showed a R paracentral L4-5 protrusion contacting the traversing R L5 root, no frank compression. Plan then was conservative: PT started 5/20 (2x/wk), medrol dosepak 5/14 then gabapentin 300 tid.
Interval: leg pain WORSE despite PT/meds, and since Friday (4 days) R foot slapping, tripping over his toe.
Exam: R EHL 2/5, R TA 3/5, R evertors 4/5. Heel walk not possible R. Dec sens R dorsum foot/1st web space. SLR + R 30 deg. DTRs 2+ sym. Saddle sensation intact, rectal tone not tested - denies B/B sx.
A: New R foot drop (acute L5 motor deficit) - new since the MRI; likely fragment migration/enlarging herniation.
P: repeat MRI L-spine now - result will decide urgent microdiscectomy vs continued conservative care. Hold PT.
""")],
 "findings": {
   "back_pain": [("pn-1", "LBP + R leg pain since 4/2026")],
   "radicular_pain": [("pn-1", "R L5 radiculopathy"), ("pn-1", "leg pain WORSE despite PT/meds")],
   "motor_weakness": [("pn-1", "R foot slapping"), ("pn-1", "R EHL 2/5, R TA 3/5, R evertors 4/5"), ("pn-1", "New R foot drop")],
   "sensory_deficit": [("pn-1", "Dec sens R dorsum foot/1st web space")],
   "physical_therapy": [("pn-1", "PT started 5/20 (2x/wk)")],
   "medication": [("pn-1", "medrol dosepak 5/14 then gabapentin 300 tid")],
   "symptoms_worsening": [("pn-1", "leg pain WORSE despite PT/meds")],
   "prior_mri_same_region": [("pn-1", "The lumbar MRI he had last month")],
 },
 "distractors": [
   ("saddle_anesthesia", "negated", [("pn-1", "Saddle sensation intact")]),
   ("bowel_bladder_dysfunction", "negated", [("pn-1", "denies B/B sx")]),
   ("surgery_planned", "hypothetical", [("pn-1", "urgent microdiscectomy")]),
 ],
 "ct": (4, True, True), "decision": "meets_criteria", "criteria": ["A.i", "A.ii", "A.v", "REPEAT.b"]},

# ---------------------------------------------------------------- hs4-24
{"id": "hs4-24", "cpt": ["72148"], "icd": ["M54.50"], "age": 58, "date": "2026-10-27",
 "docs": [("img-1", "imaging_report", "2026-09-29", """ARROYO COUNTY HOSPITAL - RADIOLOGY
EXAM: MRI LUMBAR SPINE WITHOUT CONTRAST   DATE: 09/29/2026
HISTORY: chronic low back pain, failed conservative care.
TECHNIQUE: Sagittal T1/T2/STIR obtained. Axial sequences not obtained - patient unable to tolerate (claustrophobia), exam terminated.
FINDINGS: Sagittal images severely degraded by motion. Alignment grossly maintained. Disc levels cannot be assessed for canal or foraminal stenosis.
IMPRESSION: Non-diagnostic, incomplete examination due to motion and early termination. Recommend repeat MRI with anxiolysis/sedation or open-bore unit.
"""),
  ("pt-1", "physical_therapy_note", "2026-09-18", """Arroyo Rehab Svcs - PT DISCHARGE SUMMARY 09/18/26
Dx LBP. SOC 07/24/26, 14 visits over 8 wks. Tx: lumbar stab, McKenzie, manual, HEP.
Outcome: ODI 44% -> 44%. Pain NPRS 6 -> 6. No improvement, goals unmet. D/C to MD.
"""),
  ("pn-1", "progress_note", "2026-10-26", """Arroyo Family Clinic   10/26/2026   58 yo F
F/u LBP since ~07/2026. PT 8 wks (7/24-9/18) - zero improvement per PT d/c. Naproxen 500 bid since 7/10 + tramadol prn, ice/heat. Pain 6/10, unchanged. No leg sx, neuro exam nl.
MRI 9/29 was non-diagnostic (she panicked, exam stopped, motion). Radiology recommended repeat w/ sedation.
P: repeat MRI L-spine w/o, lorazepam 1 mg pre-procedure, open MRI if available.
""")],
 "findings": {
   "back_pain": [("img-1", "chronic low back pain"), ("pt-1", "Dx LBP"), ("pn-1", "F/u LBP since ~07/2026")],
   "physical_therapy": [("pt-1", "14 visits over 8 wks"), ("pn-1", "PT 8 wks (7/24-9/18)")],
   "home_exercise_program": [("pt-1", "HEP")],
   "medication": [("pn-1", "Naproxen 500 bid since 7/10 + tramadol prn")],
   "rest_ice_heat": [("pn-1", "ice/heat")],
   "no_response_to_treatment": [("pt-1", "No improvement, goals unmet"), ("pn-1", "zero improvement per PT d/c"), ("pn-1", "Pain 6/10, unchanged")],
   "prior_mri_same_region": [("img-1", "MRI LUMBAR SPINE WITHOUT CONTRAST   DATE: 09/29/2026"), ("pn-1", "MRI 9/29 was non-diagnostic")],
 },
 "distractors": [
   ("radicular_pain", "negated", [("pn-1", "No leg sx")]),
 ],
 "ct": (15, True, True), "decision": "meets_criteria", "criteria": ["A.iv", "REPEAT.a"]},

# ---------------------------------------------------------------- hs4-25
{"id": "hs4-25", "cpt": ["72148"], "icd": ["R20.2", "R29.2"], "age": 36, "date": "2026-02-18",
 "docs": [("pn-1", "progress_note", "2026-02-17", """Twin Buttes Health Clinic   02/17/2026   36 yo F
c/o tingling both legs x 3 wks, started in feet, now up to the waist. Electric shock down back when bending neck forward. Legs feel heavy after a few blocks. Vision in L eye blurry for a week last fall, resolved on its own.
No back pain. No trauma.
Exam: MS: A&Ox3. Str 5/5 BLE. Vibration dec both feet to ankles. Patellar 3+ bilat, crossed adductors +, 3 beats clonus R ankle. Babinski equivocal R. Hoffmann + L. Lhermitte +. Gait: mild unsteady tandem.
A: r/o MS vs cervical/thoracic myelopathy - UMN findings, Lhermitte, prior probable optic neuritis.
P: MRI lumbar spine w/o (ordered), neuro referral (6 wk wait), B12/TSH.
""")],
 "findings": {
   "demyelinating_disease": [("pn-1", "r/o MS")],
   "myelopathy_suspected": [("pn-1", "cervical/thoracic myelopathy"), ("pn-1", "mild unsteady tandem")],
   "upper_motor_neuron_signs": [("pn-1", "Patellar 3+ bilat, crossed adductors +, 3 beats clonus R ankle"), ("pn-1", "Hoffmann + L"), ("pn-1", "Lhermitte +")],
 },
 "distractors": [
   ("back_pain", "negated", [("pn-1", "No back pain")]),
   ("trauma", "negated", [("pn-1", "No trauma")]),
   ("motor_weakness", "negated", [("pn-1", "Str 5/5 BLE")]),
 ],
 "ct": None, "decision": "not_met", "criteria": ["LIM.F"]},

# ---------------------------------------------------------------- hs4-26
{"id": "hs4-26", "cpt": ["72148"], "icd": ["M54.17", "M21.372", "G95.9"], "age": 68, "date": "2026-12-01",
 "docs": [("ns-1", "consult_note", "2026-11-30", """PANHANDLE NEUROSURGERY - new pt consult   11/30/2026
68 yo M retired welder, referred by Two Rivers RHC.
Two problems:
(1) LBP + L leg pain x 6 wks, L foot drop x 10 days. Tripping, L toe catches.
(2) ~1 yr of hand clumsiness (buttons, dropping keys), mild imbalance.
Exam:
 LE: L TA 2/5, L EHL 2/5, L evertors 3/5, L hip abd 4/5; R 5/5. Dec PP L dorsum foot and lateral calf. L ankle jerk 2+, patellar 3+ bilat.
 UE: intrinsics 4+/5 bilat, Hoffmann + bilat, grip release slow.
 Gait: L steppage, mildly wide-based.
Imp:
 1. Acute L L5 radiculopathy w/ dense L foot drop - lumbar compressive lesion until proven otherwise.
 2. Suspected cervical spondylotic myelopathy (tandem stenosis?).
Plan:
 - MRI L-spine w/o - urgent, for the foot drop (this request).
 - MRI C-spine w/o for suspected myelopathy - separate order.
 - Naproxen since 10/20 per PCP - not helping.
""")],
 "findings": {
   "back_pain": [("ns-1", "LBP + L leg pain x 6 wks")],
   "radicular_pain": [("ns-1", "Acute L L5 radiculopathy")],
   "motor_weakness": [("ns-1", "L foot drop x 10 days"), ("ns-1", "L TA 2/5, L EHL 2/5, L evertors 3/5, L hip abd 4/5")],
   "sensory_deficit": [("ns-1", "Dec PP L dorsum foot and lateral calf")],
   "myelopathy_suspected": [("ns-1", "hand clumsiness"), ("ns-1", "Suspected cervical spondylotic myelopathy")],
   "upper_motor_neuron_signs": [("ns-1", "Hoffmann + bilat"), ("ns-1", "patellar 3+ bilat")],
   "medication": [("ns-1", "Naproxen since 10/20")],
   "no_response_to_treatment": [("ns-1", "not helping")],
 },
 "distractors": [],
 "ct": (5, False, True), "decision": "meets_criteria", "criteria": ["A.i", "A.ii"]},

# ---------------------------------------------------------------- hs4-27
{"id": "hs4-27", "cpt": ["72148"], "icd": ["Z98.1"], "age": 61, "date": "2026-06-10",
 "docs": [("pn-1", "progress_note", "2026-06-09", """RED MESA ORTHO & SPINE - ANNUAL POST-FUSION F/U
DOS: 06/09/2026   61 yo F   s/p L4-S1 PLIF 04/02/2024

HPI [carried forward from 03/12/2024 pre-op visit]: 59 yo F w/ severe LBP + R leg pain, R EHL 4/5, numb R foot, failed 6 mo PT, meds, 2 ESIs. Neurogenic claudication 1/2 block.

Interval hx 06/09/2026: Doing well. No leg pain, walks 2 mi. Occasional LBP after gardening, same as last yr. No numbness/weakness. No B/B change. No fevers.

Exam today: incision healed. Str 5/5 BLE (EHL 5/5 bilat). Sens intact. DTR 2+ sym. SLR neg.
XR today: solid fusion L4-S1, hardware intact.

A/P: 2 yrs s/p L4-S1 PLIF, asymptomatic.
 [x] Routine surveillance MRI L-spine (annual post-fusion protocol)
 [ ] PT   [ ] meds
 RTC 1 yr
""")],
 "findings": {
   "prior_spine_surgery": [("pn-1", "s/p L4-S1 PLIF 04/02/2024"), ("pn-1", "2 yrs s/p L4-S1 PLIF")],
   "back_pain": [("pn-1", "Occasional LBP after gardening")],
 },
 "distractors": [
   ("motor_weakness", "historical", [("pn-1", "R EHL 4/5")]),
   ("sensory_deficit", "historical", [("pn-1", "numb R foot")]),
   ("radicular_pain", "historical", [("pn-1", "severe LBP + R leg pain")]),
   ("physical_therapy", "historical", [("pn-1", "failed 6 mo PT")]),
   ("injection", "historical", [("pn-1", "2 ESIs")]),
   ("motor_weakness", "negated", [("pn-1", "No numbness/weakness"), ("pn-1", "Str 5/5 BLE (EHL 5/5 bilat)")]),
   ("radicular_pain", "negated", [("pn-1", "No leg pain")]),
   ("infection_suspected", "negated", [("pn-1", "No fevers")]),
 ],
 "ct": None, "decision": "not_met", "criteria": ["LIM.H"]},

# ---------------------------------------------------------------- hs4-28
{"id": "hs4-28", "cpt": ["72146"], "icd": ["C50.911", "M54.6"], "age": 58, "date": "2026-09-15",
 "docs": [("onc-1", "progress_note", "2026-03-10", """Hi-Line Cancer Center (outreach) - survivorship visit 03/10/2026
58 F, L breast IDC stage IIA (ER+/PR+/HER2-) 2021, s/p lumpectomy + SLNB, XRT, on anastrozole.
Routine surveillance. No complaints. No bone pain. Exam NED. Mammo 1/2026 neg.
P: cont anastrozole, RTC 6 mo.
"""),
  ("onc-2", "progress_note", "2026-09-14", """Hi-Line Cancer Center (outreach)   09/14/2026
58 F h/o L breast CA 2021 on anastrozole.
NEW: mid-back pain x 6 wks, T7-8 area, constant, wakes her at night, worse lying flat. Ibuprofen 600 tid x 4 wks, no relief. Chiro x 3 visits made it worse. No trauma.
Exam: point tenderness T7-T8 spinous processes. Neuro: str 5/5, sens intact, DTR 2+, no clonus.
Labs 9/10: alk phos 188 (was 82 in 3/2026), Ca 10.4.
A: New thoracic back pain w/ night pain and rising alk phos in pt w/ breast CA hx - concern for osseous metastasis.
P: MRI T-spine w/wo, bone scan. Hold chiro.
""")],
 "findings": {
   "back_pain": [("onc-2", "mid-back pain x 6 wks, T7-8 area"), ("onc-2", "New thoracic back pain w/ night pain")],
   "malignancy": [("onc-2", "concern for osseous metastasis"), ("onc-2", "h/o L breast CA 2021")],
   "medication": [("onc-2", "Ibuprofen 600 tid x 4 wks")],
   "chiropractic": [("onc-2", "Chiro x 3 visits")],
   "no_response_to_treatment": [("onc-2", "no relief")],
   "symptoms_worsening": [("onc-2", "made it worse")],
 },
 "distractors": [
   ("trauma", "negated", [("onc-2", "No trauma")]),
   ("upper_motor_neuron_signs", "negated", [("onc-2", "no clonus")]),
 ],
 "ct": (4, True, True), "decision": "meets_criteria", "criteria": ["A.v", "H"]},

# ---------------------------------------------------------------- hs4-29
{"id": "hs4-29", "cpt": ["72131"], "icd": ["M54.16", "M21.371"], "age": 74, "date": "2026-04-21",
 "docs": [("pn-1", "progress_note", "2026-04-20", """Ridgeline Family Med   04/20/2026   74 yo M
c/o LBP + R leg pain x 5 wks, R foot weak x 1 wk. Tylenol + lidocaine patch x 4 wks.
PMH: CHB s/p dual-chamber pacemaker 2019 (non-MR-conditional leads), CAD, CKD 3.
Exam: R EHL 3/5, R TA 4/5. Dec LT R dorsum foot. R ankle jerk 2+, L 2+.
A: R L5 radiculopathy w/ new foot weakness. MRI contraindicated (legacy pacemaker leads, per cardiology).
P: CT L-spine w/o contrast ordered instead of MRI. Spine referral.
""")],
 "findings": {
   "back_pain": [("pn-1", "LBP + R leg pain x 5 wks")],
   "radicular_pain": [("pn-1", "R L5 radiculopathy")],
   "motor_weakness": [("pn-1", "R foot weak x 1 wk"), ("pn-1", "R EHL 3/5, R TA 4/5")],
   "sensory_deficit": [("pn-1", "Dec LT R dorsum foot")],
   "medication": [("pn-1", "Tylenol + lidocaine patch x 4 wks")],
 },
 "distractors": [],
 "ct": (4, False, True), "decision": "incomplete", "criteria": ["DOC.coding"]},

# ---------------------------------------------------------------- hs4-30
{"id": "hs4-30", "cpt": ["72141"], "icd": ["M54.12"], "age": 51, "date": "2026-08-12", "swo": False,
 "docs": [("fax-1", "letter", "2026-08-11", """FAX COVER - SILVER SPRINGS RHC   08/11/2026 15:02   PAGES: 2 (incl cover)
TO: Utilization Mgmt   RE: MRI C-spine prior auth
Clinic note attached. Signed order to follow once Dr. signs (provider out until 8/14).
"""),
  ("pn-1", "progress_note", "2026-08-10", """SILVER SPRINGS RHC   08/10/2026   51 yo M
c/o neck pain + L arm pain to thumb x 4 wks, numb L thumb. Weak L arm lifting feed sacks.
Exam: L biceps 4/5, L wrist ext 4/5. L biceps + BR reflex trace, R 2+. Dec PP L thumb/lat forearm. Spurling + L. Hoffmann neg.
A: L C6 radiculopathy with motor deficit.
P: MRI C-spine w/o. Meloxicam 15 daily (started 7/20). Spine referral.
""")],
 "findings": {
   "neck_pain": [("pn-1", "neck pain + L arm pain to thumb x 4 wks")],
   "radicular_pain": [("pn-1", "L arm pain to thumb"), ("pn-1", "L C6 radiculopathy")],
   "motor_weakness": [("pn-1", "L biceps 4/5, L wrist ext 4/5")],
   "abnormal_reflexes": [("pn-1", "L biceps + BR reflex trace, R 2+")],
   "sensory_deficit": [("pn-1", "Dec PP L thumb/lat forearm")],
   "medication": [("pn-1", "Meloxicam 15 daily (started 7/20)")],
 },
 "distractors": [
   ("upper_motor_neuron_signs", "negated", [("pn-1", "Hoffmann neg")]),
 ],
 "ct": (3, False, True), "decision": "incomplete", "criteria": ["DOC.swo"]},
]
