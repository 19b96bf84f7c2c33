"""hs4-11..hs4-20: family 2 (cause and region) and family 3 (document kind and time)."""

PACKETS = [
# ---------------------------------------------------------------- hs4-11
{"id": "hs4-11", "cpt": ["72141"], "icd": ["M54.2"], "age": 59, "date": "2026-11-17",
 "docs": [("pn-1", "progress_note", "2026-11-16", """DRY CREEK HEALTH CENTER
DOS: 11/16/2026   Pt: 59 yo M   PCP: T. Varga MD

CC: neck pain x 4 wks

HPI: 59 yo M s/p L4-5 fusion 2022 (Dr. Amsel) for L5 radiculopathy - EMG 2021 showed chronic L L5 radiculopathy; legs fine since surgery. Now new neck pain since mid-Oct, no injury, stiff in AM, R trap ache. No arm pain/numbness. No hand clumsiness, no gait change.
Ibuprofen 400 prn x 4 wks - some help. No PT.
CT chest 10/2026 (lung screening): 7 mm RUL nodule, indeterminate, f/u CT 3 mo per radiology.

PMH: tobacco 40 pk-yr, COPD, HTN. PSH: L4-5 PLIF 2022, R knee scope.
Exam: neck ROM dec rot bilat, TTP R trap/levator. Spurling neg bilat. UE str 5/5, sens intact, DTR 2+ sym. Hoffmann neg. Gait nl.

A/P:
1. Neck pain, mechanical, 4 wks. Prior lumbar fusion - lumbar not the issue.
2. Indeterminate lung nodule - repeat CT chest 01/2027.
- MRI C-spine requested (pt concerned d/t prior spine surgery)
- HEP handout, cont ibuprofen
""")],
 "findings": {
   "neck_pain": [("pn-1", "neck pain x 4 wks"), ("pn-1", "Neck pain, mechanical, 4 wks")],
   "prior_spine_surgery": [("pn-1", "s/p L4-5 fusion 2022"), ("pn-1", "L4-5 PLIF 2022")],
   "medication": [("pn-1", "Ibuprofen 400 prn x 4 wks")],
 },
 "distractors": [
   ("emg_radiculopathy", "historical", [("pn-1", "EMG 2021 showed chronic L L5 radiculopathy")]),
   ("radicular_pain", "negated", [("pn-1", "No arm pain/numbness")]),
   ("myelopathy_suspected", "negated", [("pn-1", "No hand clumsiness, no gait change")]),
   ("upper_motor_neuron_signs", "negated", [("pn-1", "Hoffmann neg")]),
   ("physical_therapy", "negated", [("pn-1", "No PT")]),
   ("home_exercise_program", "hypothetical", [("pn-1", "HEP handout")]),
 ],
 "ct": (4, False, True), "decision": "not_met", "criteria": []},

# ---------------------------------------------------------------- hs4-12
{"id": "hs4-12", "cpt": ["72148"], "icd": ["M54.50", "I69.354"], "age": 72, "date": "2026-01-27",
 "docs": [("pn-1", "progress_note", "2026-01-26", """Wheeler County Rural Health Clinic
01/26/2026  72 yo M  Est pt  Accompanied by: daughter

c/o LBP x 3 wks after shoveling snow. Ache across low back, no radiation. Tylenol ES x 2 wks, "helps a little".
Daughter worried L leg "weaker, dragging it" - per pt and daughter this is the same as since his stroke.
PMH: R MCA ischemic stroke 03/2024 w/ residual L hemiparesis (uses quad cane since), A-fib on apixaban, HTN, DM2.

Exam: antalgic, walks w/ quad cane, circumducts L leg (baseline per daughter). Lumbar paraspinal TTP bilat.
Neuro: L UE 4/5, L hip flex 4/5, L DF 4/5 - unchanged from neuro clinic 10/2025. L patellar 3+, L Babinski +. R side 5/5, reflexes 2+. Sens intact.

A/P:
1. Acute mechanical LBP, no red flags.
2. L hemiparesis + L hyperreflexia/Babinski - residual from 2024 R MCA stroke, stable, not new.
- MRI L-spine (daughter requests)
- heat, cont Tylenol, avoid NSAIDs (apixaban)
""")],
 "findings": {
   "back_pain": [("pn-1", "c/o LBP x 3 wks"), ("pn-1", "Acute mechanical LBP")],
   "medication": [("pn-1", "Tylenol ES x 2 wks")],
 },
 "distractors": [
   ("radicular_pain", "negated", [("pn-1", "no radiation")]),
   ("rest_ice_heat", "hypothetical", [("pn-1", "heat, cont Tylenol")]),
 ],
 "ct": (2, False, True), "decision": "not_met", "criteria": []},

# ---------------------------------------------------------------- hs4-13
{"id": "hs4-13", "cpt": ["72148"], "icd": ["M54.16"], "age": 64, "date": "2026-09-24",
 "docs": [("pn-1", "progress_note", "2026-09-01", """Elk River Family Practice   09/01/2026   64 F
c/o L groin + front of thigh pain x 3 wks, some LBP. Hard getting out of truck.
Exam: L hip IR painful? limited by guarding. L quad 4/5 - pain limited? SLR neg. Reflexes not tested.
A: L thigh pain - likely L hip OA. Quad weakness probably pain-limited.
P: XR L hip, meloxicam 15 daily, f/u ortho.
"""),
  ("img-1", "imaging_report", "2026-09-03", """XR HIP LEFT 2 VIEWS   09/03/2026   Elk River Hosp Radiology
Findings: joint spaces preserved, no osteophytes, no fracture. Minimal SI sclerosis.
Impression: No significant L hip osteoarthritis.
"""),
  ("ortho-1", "consult_note", "2026-09-22", """TRI-VALLEY ORTHOPEDICS - Dr. P. Nakamura   09/22/2026
64 F referred for ?L hip OA. Thigh pain now 6 wks, LBP w/ it. Meloxicam 3 wks - no change.
Hip exam: painless log roll, FADIR/FABER neg L, full hip ROM without pain. XR hip unremarkable.
Neuro: L quadriceps 4/5 (reproducible, not pain-limited, no give-way), hip flex 4+/5 L. L patellar reflex absent, R 2+. Dec pinprick L medial shin (L4). Femoral stretch test + L.
Impression: NOT hip - L L4 radiculopathy w/ quad weakness and absent patellar reflex. Hip OA ruled out clinically and on XR.
Plan: MRI L-spine w/o, then spine referral. Cont meloxicam.
""")],
 "findings": {
   "back_pain": [("pn-1", "some LBP"), ("ortho-1", "LBP w/ it")],
   "radicular_pain": [("ortho-1", "L L4 radiculopathy")],
   "motor_weakness": [("ortho-1", "L quadriceps 4/5 (reproducible, not pain-limited, no give-way)")],
   "abnormal_reflexes": [("ortho-1", "L patellar reflex absent, R 2+")],
   "sensory_deficit": [("ortho-1", "Dec pinprick L medial shin (L4)")],
   "medication": [("pn-1", "meloxicam 15 daily"), ("ortho-1", "Meloxicam 3 wks")],
   "no_response_to_treatment": [("ortho-1", "no change")],
 },
 "distractors": [],
 "ct": (3, False, True), "decision": "meets_criteria", "criteria": ["A.i", "A.ii"]},

# ---------------------------------------------------------------- hs4-14
{"id": "hs4-14", "cpt": ["72146"], "icd": ["G95.9", "M54.6"], "age": 63, "date": "2026-08-05",
 "docs": [("rehab-1", "progress_note", "2026-07-08", """CARDIAC REHAB - Mercy Plains  Session 14/36  07/08/2026
63 M s/p NSTEMI 05/2026, PCI LAD. Generalized weakness and fatigue from deconditioning post-MI, improving. Tolerating 20 min treadmill 2.0 mph. Pt c/o mid-back ache between shoulder blades - cardiology aware, not anginal.
"""),
  ("cards-1", "progress_note", "2026-07-20", """Mercy Plains Cardiology - f/u  07/20/26
Mid-back pain evaluated: ECG unchanged, troponin neg x2, stress echo 7/15 no ischemia. Back pain not cardiac. Refer PCP/neuro.
Thigh weakness/myalgias at rehab - likely atorvastatin myopathy, CK 890. Atorva 80 -> rosuvastatin 10.
"""),
  ("neuro-1", "consult_note", "2026-08-04", """PLAINS NEUROLOGY CONSULT  08/04/2026   63 yo M
RFC: mid-back pain + legs "stiff and clumsy" x 5 wks
HPI: band-like thoracic back pain at bra-strap level since ~late June, progressive. Over last 3 wks legs stiff, trips on curbs, can't do treadmill at rehab anymore (was improving). Urinary urgency new x 2 wks. Hands fine.
Exam: MS: alert, fluent. UE: str 5/5, DTR 2+, Hoffmann neg. LE: hip flex 4/5 bilat, DF 4+/5 bilat; tone inc w/ spastic catch; patellar 4+ bilat, ankle 3+ w/ 5-6 beats clonus bilat; Babinski + bilat. Sensory level to pinprick at T8 bilat. Romberg +. Gait spastic, wide-based.
Imp: Subacute thoracic myelopathy, sensory level T8. Not deconditioning or statin myopathy (CK 110 on 8/1 after statin switch; deficits are UMN, distal as well as proximal, and new), not cardiac.
Plan: MRI T-spine w/wo urgent. B12, copper, HIV, RPR, NMO/MOG Ab. Hold off PT.
""")],
 "findings": {
   "back_pain": [("rehab-1", "mid-back ache between shoulder blades"), ("cards-1", "Mid-back pain"), ("neuro-1", "band-like thoracic back pain at bra-strap level")],
   "myelopathy_suspected": [("neuro-1", 'legs "stiff and clumsy" x 5 wks'), ("neuro-1", "Subacute thoracic myelopathy, sensory level T8")],
   "upper_motor_neuron_signs": [("neuro-1", "patellar 4+ bilat, ankle 3+ w/ 5-6 beats clonus bilat; Babinski + bilat")],
   "motor_weakness": [("neuro-1", "hip flex 4/5 bilat, DF 4+/5 bilat")],
   "sensory_deficit": [("neuro-1", "Sensory level to pinprick at T8 bilat")],
   "bowel_bladder_dysfunction": [("neuro-1", "Urinary urgency new x 2 wks")],
 },
 "distractors": [
   ("upper_motor_neuron_signs", "negated", [("neuro-1", "Hoffmann neg")]),
   ("physical_therapy", "hypothetical", [("neuro-1", "Hold off PT")]),
 ],
 "ct": None, "decision": "meets_criteria", "criteria": ["A.i", "A.ii", "M"]},

# ---------------------------------------------------------------- hs4-15
{"id": "hs4-15", "cpt": ["72148"], "icd": ["G91.2", "M54.50"], "age": 78, "date": "2026-05-06",
 "docs": [("neuro-1", "consult_note", "2026-04-15", """Neurology outreach - Sage Flats Hospital   04/15/2026
78 F w/ 8 mo of gait decline ("feet stuck to the floor"), urinary urgency + incontinence, memory slipping.
CT head 3/30: ventriculomegaly out of proportion to atrophy, Evans index 0.36.
Exam: magnetic gait, short steps, en bloc turns. Str 5/5 BLE. Sens intact. DTRs 2+ sym. No sensory level.
Imp: Normal pressure hydrocephalus - triad of gait apraxia, urinary incontinence, cognitive decline.
Plan: high-volume LP tap test 4/22, then NSGY re: VP shunt.
"""),
  ("pn-1", "progress_note", "2026-05-05", """Sage Flats Family Medicine   05/05/2026   78 yo F
F/u. LP tap test 4/22: gait much better x 2 days per daughter (timed walk 24 s -> 15 s). NSGY appt 5/19 for shunt.
Also c/o chronic LBP, aching, "for years", worse with housework. No leg pain. Uses heating pad + acetaminophen prn x 2 yrs.
Incontinence + gait trouble - NPH per neuro, responded to tap.
Exam: lumbar TTP mild, SLR neg. Str 5/5 BLE. Sens intact. DTR 2+. No saddle numbness.
A/P: NPH awaiting shunt eval. Chronic LBP - MRI L-spine ordered to "make sure the back isn't part of the walking problem" before NSGY visit.
""")],
 "findings": {
   "back_pain": [("pn-1", "chronic LBP, aching"), ("pn-1", "Chronic LBP - MRI")],
   "medication": [("pn-1", "acetaminophen prn x 2 yrs")],
   "rest_ice_heat": [("pn-1", "heating pad")],
 },
 "distractors": [
   ("radicular_pain", "negated", [("pn-1", "No leg pain")]),
   ("saddle_anesthesia", "negated", [("pn-1", "No saddle numbness")]),
   ("motor_weakness", "negated", [("pn-1", "Str 5/5 BLE")]),
 ],
 "ct": (104, False, True), "decision": "not_met", "criteria": []},

# ---------------------------------------------------------------- hs4-16
{"id": "hs4-16", "cpt": ["72149"], "icd": ["Z98.890", "M51.16"], "age": 45, "date": "2026-07-15",
 "docs": [("op-1", "operative_report", "2026-06-02", """HIGH DESERT SURGERY CENTER - OPERATIVE REPORT
Date of surgery: 06/02/2026   Surgeon: R. Lindqvist MD   Pt: 45 M
Preop dx: R L4-5 HNP w/ R L5 radiculopathy and progressive R foot drop.
Postop dx: same.
Procedure: R L4-5 hemilaminotomy and microdiscectomy.
Indications: 5 wks R leg pain, R EHL 3/5, TA 4-/5, failed ESI x1 and 6 wks PT/NSAIDs. MRI 5/20/26 large R paracentral extrusion L4-5 compressing R L5 root.
Findings: large sequestered fragment R L4-5, removed; root decompressed, pulsatile at end.
EBL 25 mL. No complications. Dural integrity confirmed.
"""),
  ("pn-1", "progress_note", "2026-07-14", """Lindqvist Spine - post-op visit   07/14/2026   6 wks s/p R L4-5 microdiscectomy
Doing well. R leg pain gone. Mild incisional soreness. Off narcotics, walking 2 mi/day.
Exam: incision healed. R EHL 5/5, TA 5/5 (recovered from 3/5 pre-op). Sens intact. SLR neg.
Plan: routine post-op MRI L-spine w/wo contrast to document decompression/recurrence baseline. Start PT for core. RTC 3 mo.
""")],
 "findings": {
   "prior_spine_surgery": [("op-1", "R L4-5 hemilaminotomy and microdiscectomy"), ("pn-1", "6 wks s/p R L4-5 microdiscectomy")],
 },
 "distractors": [
   ("motor_weakness", "historical", [("op-1", "progressive R foot drop"), ("op-1", "R EHL 3/5, TA 4-/5")]),
   ("radicular_pain", "historical", [("op-1", "5 wks R leg pain")]),
   ("radicular_pain", "negated", [("pn-1", "R leg pain gone")]),
   ("physical_therapy", "historical", [("op-1", "6 wks PT/NSAIDs")]),
   ("injection", "historical", [("op-1", "failed ESI x1")]),
   ("physical_therapy", "hypothetical", [("pn-1", "Start PT for core")]),
 ],
 "ct": None, "decision": "not_met", "criteria": ["LIM.H"]},

# ---------------------------------------------------------------- hs4-17
{"id": "hs4-17", "cpt": ["72158"], "icd": ["M54.16", "M96.1"], "age": 52, "date": "2026-05-13",
 "docs": [("op-1", "operative_report", "2026-02-10", """OPERATIVE NOTE - Basin Regional Med Ctr   02/10/2026
Pt 52 F. Surgeon: A. Cho MD.
Preoperative diagnosis: L S1 radiculopathy, L L5-S1 HNP, failed conservative tx.
Indications: 4 mo L buttock/calf pain, L plantarflexion 4/5, absent L ankle jerk.
Procedure: L L5-S1 laminotomy, discectomy.
Findings: L5-S1 extrusion compressing L S1 root, removed. No CSF leak.
"""),
  ("pn-1", "progress_note", "2026-03-24", """Cho Spine Clinic  03/24/26   6 wk post-op L5-S1 discectomy
L leg pain resolved. Back sore but improving. Neuro: PF 5/5, sens intact. Walking daily.
Plan: HEP, RTC prn.
"""),
  ("tel-1", "telephone_note", "2026-04-21", """PHONE NOTE - Cho Spine Clinic - 04/21/2026 10:52 - RN K. Lutz
Pt called: "pain is back but it's the other leg now" - R leg pain since yesterday, back worse too. No fever, incision fine, no B/B change.
Per Dr. Cho: naproxen 500 bid x 2 wks, resume HEP, appt next avail (5/12). ED if weakness/numbness groin/B/B sx.
"""),
  ("pn-2", "progress_note", "2026-05-12", """Cho Spine Clinic  05/12/26   52 F  unsched visit
3 mo s/p L L5-S1 discectomy. Was pain free until ~4/20. Now NEW R leg pain down lateral calf to top of foot x 3 wks (other side from before surgery), and LBP worse since 4/20. R foot "slaps" on stairs. Naproxen + HEP since 4/21 - no better.
Exam: R EHL 4/5, R TA 4+/5, R heel walk weak. Dec LT/PP R L5 dermatome (dorsum foot). SLR + R 35 deg. L PF 5/5. DTRs 2+ sym. Incision well healed, no drainage, afebrile.
A: New R L5 radiculopathy w/ weakness, post-op (new since surgery, contralateral) - r/o recurrent/contralateral HNP L4-5 or L5-S1.
P: MRI L-spine w/wo contrast.
""")],
 "findings": {
   "back_pain": [("pn-1", "Back sore but improving"), ("pn-2", "LBP worse since 4/20")],
   "radicular_pain": [("tel-1", "R leg pain since yesterday"), ("pn-2", "NEW R leg pain down lateral calf to top of foot x 3 wks"), ("pn-2", "New R L5 radiculopathy")],
   "prior_spine_surgery": [("op-1", "L L5-S1 laminotomy, discectomy"), ("pn-2", "3 mo s/p L L5-S1 discectomy")],
   "motor_weakness": [("pn-2", "R EHL 4/5, R TA 4+/5")],
   "sensory_deficit": [("pn-2", "Dec LT/PP R L5 dermatome (dorsum foot)")],
   "medication": [("tel-1", "naproxen 500 bid x 2 wks"), ("pn-2", "Naproxen")],
   "home_exercise_program": [("pn-2", "HEP since 4/21")],
   "no_response_to_treatment": [("pn-2", "no better")],
 },
 "distractors": [
   ("motor_weakness", "historical", [("op-1", "L plantarflexion 4/5")]),
   ("abnormal_reflexes", "historical", [("op-1", "absent L ankle jerk")]),
   ("radicular_pain", "historical", [("op-1", "4 mo L buttock/calf pain")]),
   ("infection_suspected", "negated", [("pn-2", "no drainage, afebrile"), ("tel-1", "No fever")]),
   ("bowel_bladder_dysfunction", "hypothetical", [("tel-1", "ED if weakness/numbness groin/B/B sx")]),
 ],
 "ct": (3, True, True), "decision": "meets_criteria", "criteria": ["A.i", "A.ii", "I"]},

# ---------------------------------------------------------------- hs4-18
{"id": "hs4-18", "cpt": ["72148"], "icd": ["Z98.1", "M48.062"], "age": 69, "date": "2026-10-21",
 "docs": [("dc-1", "discharge_summary", "2026-08-14", """DISCHARGE SUMMARY - Canyon Ridge Hospital
Admit 08/11/2026  Discharge 08/14/2026   69 yo M
Admission dx: L4-5 stenosis w/ grade 1 spondylolisthesis, neurogenic claudication.
Hospital course: Elective L4-5 TLIF w/ posterior instrumentation 08/11 (Dr. Benavides). Pre-op he had bilat leg pain w/ walking 1 block and bilat EHL 4/5. Post-op leg pain markedly improved, ambulating w/ walker POD1, PT cleared. Foley out POD1, voiding.
Discharge exam: EHL 5-/5 bilat, sens intact, incision c/d/i.
Discharge meds: oxycodone 5 prn x 5d, acetaminophen, docusate.
Return precautions: new weakness, numbness in groin, loss of bladder/bowel control, fever or wound drainage -> call or ED.
"""),
  ("pn-1", "progress_note", "2026-10-20", """Benavides Spine & Neuro   10/20/2026   10 wks s/p L4-5 TLIF
Doing great. Walking 1 mi w/o leg pain. Mild low back soreness end of day. No numbness/weakness, B/B nl.
Exam: str 5/5 BLE, sens intact, DTR 2+ sym, incision healed.
XR L-spine: hardware intact, no lucency. Known L3-4 moderate stenosis (adjacent level, on 5/2026 pre-op MRI), asymptomatic.
Plan: routine post-op MRI L-spine to evaluate fusion level and L3-4 in advance of planned staged L3-4 decompression next spring. RTC after MRI.
""")],
 "findings": {
   "prior_spine_surgery": [("dc-1", "Elective L4-5 TLIF w/ posterior instrumentation 08/11"), ("pn-1", "10 wks s/p L4-5 TLIF")],
   "spondylolisthesis": [("dc-1", "grade 1 spondylolisthesis")],
   "surgery_planned": [("pn-1", "planned staged L3-4 decompression next spring")],
   "back_pain": [("pn-1", "Mild low back soreness end of day")],
 },
 "distractors": [
   ("motor_weakness", "historical", [("dc-1", "bilat EHL 4/5")]),
   ("motor_weakness", "hypothetical", [("dc-1", "new weakness")]),
   ("saddle_anesthesia", "hypothetical", [("dc-1", "numbness in groin")]),
   ("bowel_bladder_dysfunction", "hypothetical", [("dc-1", "loss of bladder/bowel control")]),
   ("motor_weakness", "negated", [("pn-1", "No numbness/weakness")]),
 ],
 "ct": None, "decision": "not_met", "criteria": ["LIM.H"]},

# ---------------------------------------------------------------- hs4-19
{"id": "hs4-19", "cpt": ["72141"], "icd": ["M54.2", "M54.12"], "age": 47, "date": "2026-04-09",
 "docs": [("ime-1", "ime_report", "2026-03-30", """INDEPENDENT MEDICAL RECORDS REVIEW
Claimant: [redacted], 47 M, line worker, Summit Electric Co-op
Reviewer: G. Osei MD, PM&R   Date of review: 03/30/2026
Records reviewed: Summit Occ Health 2023-2025, Ridge Ortho 2023, EMG 06/2023, MRI C-spine 05/2023, PT notes 2023.

Summary of records:
On 04/11/2023 the claimant fell from a bucket truck step. He developed neck pain with R arm pain to the thumb. Exam 05/2023 documented R biceps 4/5 and diminished R biceps reflex. MRI C-spine 05/2023 showed R C5-6 foraminal disc protrusion. EMG 06/2023: acute R C6 radiculopathy. ACDF was offered and declined. He completed 12 wks of PT and a Medrol taper; by 10/2023 arm pain resolved and strength 5/5. Returned to full duty 11/2023.
Occ health 2025: intermittent neck stiffness, full duty, no treatment.

Current (exam 03/30/2026): intermittent neck stiffness after long shifts, no arm pain, no numbness. C-ROM full w/ end-range discomfort. UE str 5/5, sens intact, DTR 2+ sym, Spurling neg, Hoffmann neg.
Opinion: C6 radiculopathy resolved; at MMI. Updated MRI may be obtained at the carrier's discretion for impairment rating.
"""),
  ("pn-1", "progress_note", "2026-04-08", """Summit Occ Health - 04/08/26 - 47 M
Per IME, carrier wants updated C-spine imaging for closure/rating. No new sx. Neck stiff sometimes. Neuro intact.
MRI C-spine w/o ordered for rating.
""")],
 "findings": {
   "neck_pain": [("ime-1", "intermittent neck stiffness after long shifts"), ("pn-1", "Neck stiff sometimes")],
 },
 "distractors": [
   ("radicular_pain", "historical", [("ime-1", "R arm pain to the thumb")]),
   ("motor_weakness", "historical", [("ime-1", "R biceps 4/5")]),
   ("abnormal_reflexes", "historical", [("ime-1", "diminished R biceps reflex")]),
   ("emg_radiculopathy", "historical", [("ime-1", "EMG 06/2023: acute R C6 radiculopathy")]),
   ("trauma", "historical", [("ime-1", "fell from a bucket truck step")]),
   ("physical_therapy", "historical", [("ime-1", "12 wks of PT")]),
   ("medication", "historical", [("ime-1", "Medrol taper")]),
   ("radicular_pain", "negated", [("ime-1", "no arm pain")]),
   ("upper_motor_neuron_signs", "negated", [("ime-1", "Hoffmann neg")]),
 ],
 "ct": None, "decision": "not_met", "criteria": []},

# ---------------------------------------------------------------- hs4-20
{"id": "hs4-20", "cpt": ["72148"], "icd": ["M54.50"], "age": 52, "date": "2026-10-20",
 "docs": [("ltr-1", "letter", "2026-10-16", """GREASEWOOD COMMUNITY HEALTH
Re: request for lumbar MRI, dated October 16, 2026

To the utilization review nurse,

I am writing on behalf of my patient, a 52-year-old ranch hand, whose low back pain began in late July of this year when he was thrown sideways while roping a calf; he did not fall and had no injury other than the pulled back. He was seen here on July 27. Since then he has taken naproxen 500 mg twice daily every day, with cyclobenzaprine at bedtime, and has used ice and then heat. From August 12 through October 2 he attended physical therapy, twelve sessions over seven weeks, and he still does his exercises at home. Despite all of this his pain is no better: it was 7 of 10 in July and it is 7 of 10 now, and he has been unable to return to riding.

He has no leg pain, no numbness, and his strength, reflexes and sensation were normal when I examined him on October 14. He has no bladder or bowel symptoms and no fever.

He did have imaging last fall, a lumbar MRI in October 2025 for a different complaint (right hip pain), which showed mild L4-5 disc bulging only. There has been no spine imaging since. The MRI I am requesting would be his first for this episode.

Sincerely,
L. Tsosie, MD
""")],
 "findings": {
   "back_pain": [("ltr-1", "low back pain began in late July of this year")],
   "medication": [("ltr-1", "naproxen 500 mg twice daily every day, with cyclobenzaprine at bedtime")],
   "rest_ice_heat": [("ltr-1", "ice and then heat")],
   "physical_therapy": [("ltr-1", "physical therapy, twelve sessions over seven weeks")],
   "home_exercise_program": [("ltr-1", "he still does his exercises at home")],
   "no_response_to_treatment": [("ltr-1", "his pain is no better")],
 },
 "distractors": [
   ("radicular_pain", "negated", [("ltr-1", "no leg pain")]),
   ("sensory_deficit", "negated", [("ltr-1", "no numbness")]),
   ("bowel_bladder_dysfunction", "negated", [("ltr-1", "no bladder or bowel symptoms")]),
   ("infection_suspected", "negated", [("ltr-1", "no fever")]),
 ],
 "ct": (11, True, True), "decision": "meets_criteria", "criteria": ["A.iv"]},
]
