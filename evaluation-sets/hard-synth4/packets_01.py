"""hs4-01..hs4-10: family 1 (when and by whom) and the start of family 2 (cause and region)."""

PACKETS = [
# ---------------------------------------------------------------- hs4-01
{"id": "hs4-01", "cpt": ["72148"], "icd": ["M54.50"], "age": 38, "date": "2026-04-15",
 "docs": [("pn-1", "progress_note", "2026-04-14", """PINE HOLLOW RURAL HEALTH CLINIC
Visit date: 04/14/2026   Provider: J. Okafor, FNP-C
Pt: 38 y/o M   Visit type: [ ] New  [x] Est  [ ] Wk comp

CC: low back pain, L leg "gives out"

HPI: 38 yo M logger c/o LBP x 4 wks after splitting wood. Pt states L leg "gives out" on stairs a couple times. Pain 4/5 today on clinic 0-5 face scale, 5/5 at worst. Started PT 3/24, has been 2x/wk x3 wks - "helping some". Taking ibuprofen 600 TID x4 wks. Denies saddle numbness, denies bowel/bladder change. No fever.

ROS: [x] MSK: back pain  [x] Neuro: pt reports leg weakness  [ ] numbness
PMH: HTN. PSH: appy 2009.
Meds: lisinopril 10 daily, ibuprofen 600 TID.

EXAM:
Gen: NAD, ambulates w/o device
Back: TTP L4-S1 paraspinals, ROM limited flex
SLR: neg bilat
Neuro: Str 5/5 BLE all groups. L hip flexion give-way w/ pain, full w/ encouragement. Heel/toe walk nl.
Sens: intact LT BLE. DTRs 2+ sym patellar/achilles.
Waddell 3/5 (overreaction, superficial tenderness, distraction SLR)

A/P:
1. Acute LBP, mechanical, improving some w/ PT. No objective neuro deficit.
 - cont PT x3 more wks, cont ibuprofen
 - pt requesting MRI "to see whats wrong" - MRI L-spine ordered per pt request
 - RTC 3 wks
""")],
 "findings": {
   "back_pain": [("pn-1", "low back pain"), ("pn-1", "c/o LBP x 4 wks"), ("pn-1", "Acute LBP, mechanical")],
   "physical_therapy": [("pn-1", "Started PT 3/24, has been 2x/wk x3 wks")],
   "medication": [("pn-1", "Taking ibuprofen 600 TID x4 wks")],
 },
 "distractors": [
   ("motor_weakness", "negated", [("pn-1", "Str 5/5 BLE all groups"), ("pn-1", "No objective neuro deficit")]),
   ("sensory_deficit", "negated", [("pn-1", "intact LT BLE")]),
   ("saddle_anesthesia", "negated", [("pn-1", "Denies saddle numbness")]),
   ("bowel_bladder_dysfunction", "negated", [("pn-1", "denies bowel/bladder change")]),
   ("infection_suspected", "negated", [("pn-1", "No fever")]),
 ],
 "ct": (4, True, True), "decision": "not_met", "criteria": []},

# ---------------------------------------------------------------- hs4-02
{"id": "hs4-02", "cpt": ["72148"], "icd": ["M54.17"], "age": 61, "date": "2026-05-20",
 "docs": [("pt-1", "physical_therapy_note", "2026-05-12", """***FAX*** 05/12/2026 09:14 FROM: RIVERBEND PHYSICAL THERAPY  PG 1/2
PT PROGRESS NOTE / RE-EVAL
Dx: lumbar radiculopathy   Referring: Dr. Haldane, FM
Start of care: 03/16/2026   Visits: 15   Freq: 2x/wk

S: Pt reports "not getting better". Still has R buttock pain down the back of the thigh to the calf, worse sitting in the tractor cab. HEP done most days.
O: Lumbar flex 40% limited by leg sx. Centralization not achieved w/ repeated ext. SLR + R at 40 deg. MMT: grossly 5/5 BLE. LT intact.
ODI: 46% at eval -> 48% today.
A: 8 wks skilled PT w/ manual tx, core stab, nerve glides, HEP. No functional gains, goals not met. Plateau.
P: D/C from PT, return to MD, recommend imaging.
"""),
  ("pn-1", "progress_note", "2026-05-19", """HALDANE FAMILY PRACTICE - Cedar Bluff
DOS 05/19/26  61 yo M farmer

f/u R leg pain. Onset ~3/1/26, no injury. PT 3/16-5/12 (8 wks, 15 visits) - per PT re-eval not getting better, ODI worse. Meloxicam 15 mg daily since 3/2, taking it daily (~11 wks). Offered gabapentin 4/14 - pt declined, worried about drowsiness on equipment. Ice/heat at home prn.
Back pain 5/10, leg pain 7/10. No saddle anesthesia. Voiding nl. No wt loss, no fevers.

Exam: lumbar TTP R, SLR + R 40 deg reproduces calf pain. Str 5/5 BLE. Sens intact. DTR 2+ sym knees/ankles.

Imp: Lumbar radiculopathy, L5 vs S1, persistent despite 8 wks of PT and NSAIDs.
Plan: MRI L-spine w/o. If disc, refer ESI. Cont meloxicam.
""")],
 "findings": {
   "back_pain": [("pn-1", "Back pain 5/10")],
   "radicular_pain": [("pt-1", "R buttock pain down the back of the thigh to the calf"), ("pn-1", "f/u R leg pain"), ("pn-1", "Lumbar radiculopathy, L5 vs S1")],
   "physical_therapy": [("pt-1", "8 wks skilled PT w/ manual tx, core stab, nerve glides, HEP"), ("pn-1", "PT 3/16-5/12 (8 wks, 15 visits)")],
   "home_exercise_program": [("pt-1", "HEP done most days")],
   "medication": [("pn-1", "Meloxicam 15 mg daily since 3/2, taking it daily (~11 wks)"), ("pn-1", "NSAIDs")],
   "rest_ice_heat": [("pn-1", "Ice/heat at home prn")],
   "no_response_to_treatment": [("pt-1", 'Pt reports "not getting better"'), ("pt-1", "No functional gains, goals not met. Plateau."), ("pn-1", "persistent despite 8 wks of PT and NSAIDs")],
 },
 "distractors": [
   ("motor_weakness", "negated", [("pn-1", "Str 5/5 BLE")]),
   ("saddle_anesthesia", "negated", [("pn-1", "No saddle anesthesia")]),
   ("injection", "hypothetical", [("pn-1", "refer ESI")]),
 ],
 "ct": (11, True, True), "decision": "meets_criteria", "criteria": ["A.iv"]},

# ---------------------------------------------------------------- hs4-03
{"id": "hs4-03", "cpt": ["72148"], "icd": ["M54.16"], "age": 67, "date": "2026-06-09",
 "docs": [("pn-1", "progress_note", "2026-06-08", """Sawtooth Valley Clinic   Pt: 67 F   DOS: 06/08/2026   Seen by: M. Ruiz PA-C

CC: LBP w/ L leg pain x 9 wks

HPI: 67 yo F h/o CKD 3b, h/o L foot drop 2018 from L4-5 HNP - treated conservatively, resolved fully by 2019. Now LBP radiating to L lateral thigh since early April. Did PT 2x/wk x 8 wks (4/6 - 6/1), HEP daily. NSAIDs contraindicated d/t CKD (eGFR 34) - not given. Offered tizanidine + acetaminophen 4/6, pt declined meds ("I don't like pills"). No injections. Says pain "about the same".
Denies B/B sx, no saddle numbness.

PMH: CKD 3b, HTN, hypothyroid. PSH: TAH.
Meds: amlodipine, levothyroxine. No analgesics.

Exam: Gait nl, heel walk nl bilat. Str 5/5 BLE incl EHL/TA. SLR neg R, equivocal L. Sens intact. DTR 2+ sym.

A/P:
- Lumbar radicular pain L, no response to 8 wks PT.
- H/o L foot drop (2018) - resolved, no current weakness.
- MRI L-spine ordered.
- Again discussed meds, still declines.
""")],
 "findings": {
   "back_pain": [("pn-1", "LBP w/ L leg pain x 9 wks"), ("pn-1", "Now LBP radiating")],
   "radicular_pain": [("pn-1", "radiating to L lateral thigh since early April"), ("pn-1", "Lumbar radicular pain L")],
   "physical_therapy": [("pn-1", "Did PT 2x/wk x 8 wks (4/6 - 6/1)")],
   "home_exercise_program": [("pn-1", "HEP daily")],
   "no_response_to_treatment": [("pn-1", 'pain "about the same"'), ("pn-1", "no response to 8 wks PT")],
 },
 "distractors": [
   ("motor_weakness", "historical", [("pn-1", "h/o L foot drop 2018"), ("pn-1", "H/o L foot drop (2018) - resolved")]),
   ("motor_weakness", "negated", [("pn-1", "Str 5/5 BLE incl EHL/TA"), ("pn-1", "no current weakness")]),
   ("medication", "negated", [("pn-1", "NSAIDs contraindicated d/t CKD (eGFR 34) - not given"), ("pn-1", "pt declined meds")]),
   ("injection", "negated", [("pn-1", "No injections")]),
   ("bowel_bladder_dysfunction", "negated", [("pn-1", "Denies B/B sx")]),
 ],
 "ct": (8, True, False), "decision": "not_met", "criteria": []},

# ---------------------------------------------------------------- hs4-04
{"id": "hs4-04", "cpt": ["72141"], "icd": ["M54.12"], "age": 49, "date": "2026-07-22",
 "docs": [("chiro-1", "chiropractic_note", "2026-06-23", """NORTHFORK CHIROPRACTIC  - daily note
06/23/2026   Pt 49 M
S: neck pain and R arm ache x 2 wks, lifting hay bales. Arm "feels weak" per pt.
O: C-ROM dec R rot/lat flex. Spurling + R (arm). UE myotomes 5/5 bilat. Biceps/triceps DTR 2+ =.
A: cervical segmental dysfunction C5-6, C-spine strain
P: diversified adj C5-T1, e-stim, ice. Tx 3x/wk x 2 wks then re-eval.
"""),
  ("chiro-2", "chiropractic_note", "2026-07-10", """NORTHFORK CHIROPRACTIC  - re-eval
07/10/2026   Pt 49 M   visit #8
S: pt says arm worse, now can't lift coffee pot w/ R, numb R thumb/index.
O: Spurling + R. R biceps 4/5, R wrist ext 4/5. Biceps DTR dec R (1+), L 2+. Dec pinprick R C6 dermatome.
A: worsening R C6 radiculopathy despite care. Refer back to PCP.
"""),
  ("pn-1", "progress_note", "2026-07-21", """Eastfork Medical Clinic - PCP visit 07/21/26
49 yo M. Neck pain R arm pain/numbness since 6/9. Chiro x 8 visits - worse. Naproxen 500 bid since 6/12, heat, no help.
Exam today: R deltoid 5/5, R biceps 4-/5, R wrist extensors 4/5, grip 5/5. R brachioradialis + biceps reflex 1+, L 2+. Pinprick dec R lat forearm/thumb. Hoffmann neg bilat. Gait nl.
No DM. No neuropathy hx.
A: R C6 radiculopathy w/ progressive motor deficit (worse than chiro note of 6/23 which documented 5/5).
P: MRI C-spine w/o (ordered today). Spine surgery referral. Medrol dosepak.
""")],
 "findings": {
   "neck_pain": [("chiro-1", "neck pain and R arm ache x 2 wks"), ("pn-1", "Neck pain R arm pain/numbness since 6/9")],
   "radicular_pain": [("chiro-2", "worsening R C6 radiculopathy despite care"), ("pn-1", "R C6 radiculopathy w/ progressive motor deficit")],
   "motor_weakness": [("chiro-2", "R biceps 4/5, R wrist ext 4/5"), ("pn-1", "R biceps 4-/5, R wrist extensors 4/5")],
   "sensory_deficit": [("chiro-2", "Dec pinprick R C6 dermatome"), ("pn-1", "Pinprick dec R lat forearm/thumb")],
   "abnormal_reflexes": [("chiro-2", "Biceps DTR dec R (1+), L 2+"), ("pn-1", "R brachioradialis + biceps reflex 1+, L 2+")],
   "chiropractic": [("chiro-1", "diversified adj C5-T1"), ("pn-1", "Chiro x 8 visits")],
   "medication": [("pn-1", "Naproxen 500 bid since 6/12")],
   "rest_ice_heat": [("chiro-1", "ice"), ("pn-1", "heat")],
   "symptoms_worsening": [("chiro-2", "pt says arm worse"), ("pn-1", "Chiro x 8 visits - worse")],
   "no_response_to_treatment": [("pn-1", "no help")],
 },
 "distractors": [
   ("motor_weakness", "negated", [("chiro-1", "UE myotomes 5/5 bilat")]),
   ("upper_motor_neuron_signs", "negated", [("pn-1", "Hoffmann neg bilat")]),
   ("medication", "hypothetical", [("pn-1", "Medrol dosepak")]),
 ],
 "ct": (5, True, True), "decision": "meets_criteria", "criteria": ["A.i", "A.ii", "A.v"]},

# ---------------------------------------------------------------- hs4-05
{"id": "hs4-05", "cpt": ["72148"], "icd": ["M54.16"], "age": 44, "date": "2026-03-18",
 "docs": [("uc-1", "urgent_care_note", "2026-02-23", """QUICKCARE URGENT CARE - Miller's Ford
02/23/2026 19:40   44 yo F
CC: back pain, R leg numb
HPI: bent over to pick up toddler 2 days ago, sharp LBP -> R leg. Tingling R foot.
Exam: lumbar spasm. SLR + R 30 deg. R EHL 4/5, R ankle DF 5-/5. Sens dec R dorsum foot. DTR 2+.
Dx: acute lumbar radiculopathy R
Rx: ibuprofen 800 tid, cyclobenzaprine 5 qhs x 10d. F/u PCP 1-2 wks. ED if B/B sx.
"""),
  ("pn-1", "progress_note", "2026-03-03", """Miller's Ford Family Medicine   03/03/26   44F
F/u UC visit for LBP/R sciatica. Better ~50%. Still tingling R foot at times.
Exam: Str R EHL 4+/5, otherwise 5/5. Sens mildly dec R foot dorsum. SLR + R 50 deg.
A/P: R L5 radiculopathy, improving. Cont ibuprofen. Start PT. RTC 2 wks.
"""),
  ("pn-2", "progress_note", "2026-03-17", """Miller's Ford Family Medicine   03/17/26   44F
F/u R sciatica. PT not started yet (insurance auth pending). Pain 2/10 back, leg tingling gone most days. Still on ibuprofen prn.
Pt asks for MRI "to make sure nothing is pinched" - husband's cousin needed surgery.
Exam: Heel/toe walk nl. EHL 5/5 bilat, ankle DF/PF 5/5. Sens intact LT/PP both feet. SLR neg bilat. DTR 2+ =.
A/P: R L5 radiculopathy - resolving, weakness resolved. Discussed MRI; pt insists, order placed MRI L-spine. Start PT when approved.
""")],
 "findings": {
   "back_pain": [("uc-1", "back pain, R leg numb"), ("pn-2", "Pain 2/10 back")],
   "radicular_pain": [("uc-1", "sharp LBP -> R leg"), ("pn-2", "F/u R sciatica"), ("pn-2", "R L5 radiculopathy - resolving")],
   "medication": [("uc-1", "ibuprofen 800 tid, cyclobenzaprine 5 qhs x 10d"), ("pn-2", "Still on ibuprofen prn")],
 },
 "distractors": [
   ("motor_weakness", "historical", [("uc-1", "R EHL 4/5, R ankle DF 5-/5"), ("pn-1", "Str R EHL 4+/5")]),
   ("motor_weakness", "negated", [("pn-2", "EHL 5/5 bilat, ankle DF/PF 5/5"), ("pn-2", "weakness resolved")]),
   ("sensory_deficit", "historical", [("uc-1", "Sens dec R dorsum foot"), ("pn-1", "Sens mildly dec R foot dorsum")]),
   ("sensory_deficit", "negated", [("pn-2", "Sens intact LT/PP both feet")]),
   ("physical_therapy", "negated", [("pn-2", "PT not started yet")]),
   ("physical_therapy", "hypothetical", [("pn-1", "Start PT"), ("pn-2", "Start PT when approved")]),
   ("prior_spine_surgery", "other_patient_context", [("pn-2", "husband's cousin needed surgery")]),
 ],
 "ct": (3, False, True), "decision": "not_met", "criteria": []},

# ---------------------------------------------------------------- hs4-06
{"id": "hs4-06", "cpt": ["72141"], "icd": ["G35"], "age": 42, "date": "2026-09-02",
 "docs": [("neuro-1", "consult_note", "2026-08-27", """HIGH PLAINS NEUROLOGY - outreach clinic (Tuesdays)
Date: 08/27/2026   Pt: 42 yo F   Referring: Wagon Creek RHC

Reason: yearly MS f/u, MRI C-spine per protocol

Hx: RRMS dx 2017. Last relapse 03/2023 - R leg numbness + Lhermitte's, tx IV solumedrol, resolved by 5/2023. On ocrelizumab since 2023, last infusion 07/2026, tolerating. No new sx since 2023 relapse. Denies new numbness, weakness, vision change, bladder sx. Occasional neck stiffness after gardening, same as always.
Last MRI brain + C-spine 09/2025: stable, no new or enhancing lesions.

Exam: MS: A&O x3, speech nl. CN II-XII intact. Str 5/5 x4. Sens: mild dec vibration R great toe (old, unchanged since 2023). DTR 3+ knees sym (baseline). Toes downgoing. Gait nl, tandem ok.
EDSS 1.5 (unchanged).

A: RRMS, clinically and radiologically stable on ocrelizumab. No relapse since 2023.
P: cont ocrelizumab. Annual MRI brain and C-spine w/wo for DMT monitoring. RTC 6 mo.
""")],
 "findings": {
   "demyelinating_disease": [("neuro-1", "RRMS dx 2017"), ("neuro-1", "RRMS, clinically and radiologically stable on ocrelizumab")],
 },
 "distractors": [
   ("sensory_deficit", "historical", [("neuro-1", "R leg numbness + Lhermitte's"), ("neuro-1", "mild dec vibration R great toe (old, unchanged since 2023)")]),
   ("upper_motor_neuron_signs", "historical", [("neuro-1", "Lhermitte's")]),
   ("sensory_deficit", "negated", [("neuro-1", "Denies new numbness")]),
   ("motor_weakness", "negated", [("neuro-1", "Str 5/5 x4")]),
   ("upper_motor_neuron_signs", "historical", [("neuro-1", "DTR 3+ knees sym (baseline)")]),
   ("bowel_bladder_dysfunction", "negated", [("neuro-1", "bladder sx")]),
 ],
 "ct": None, "decision": "not_met", "criteria": ["LIM.G"]},

# ---------------------------------------------------------------- hs4-07
{"id": "hs4-07", "cpt": ["72148"], "icd": ["M54.17", "M21.372"], "age": 57, "date": "2026-10-06",
 "docs": [("pn-1", "progress_note", "2026-09-21", """Big Sandy Rural Health   09/21/2026   57 yo M  (walk-in)
c/o L foot "slapping" x 10 days + LBP. Crossed legs a lot on long haul drive? (truck driver). No trauma.
Exam: L TA 3/5, EHL 3/5, L ankle eversion 4/5, inversion 4/5. Sens dec L dorsum foot. Tinel at fib head neg. DTR 2+ knees, ankle 2+ =. LBP w/ flexion.
A: L foot drop - r/o L5 radiculopathy vs common peroneal neuropathy at fibular head.
P: EMG/NCS ordered, AFO, naproxen 500 bid. Avoid leg crossing.
"""),
  ("emg-1", "emg_report", "2026-10-01", """TRI-COUNTY NEURODIAGNOSTICS  EMG/NCS REPORT  10/01/2026
Pt 57 M. Indication: L foot drop, ? peroneal neuropathy vs L5 radic.
NCS: L peroneal motor to EDB amplitude 2.8 mV (R 5.9), NO conduction block or slowing across fibular head. L superficial peroneal and sural SNAPs normal and symmetric.
EMG: Fibs/PSWs L TA, L EHL, L tibialis posterior and L gluteus medius; L lumbar paraspinals L5 level with fibs. Short-duration MUAPs absent. Medial gastroc nl.
IMPRESSION: Electrodiagnostic evidence of an acute L L5 radiculopathy. No evidence of L peroneal mononeuropathy at the fibular head. No polyneuropathy.
"""),
  ("pn-2", "progress_note", "2026-10-05", """Big Sandy Rural Health  10/05/2026  f/u foot drop
EMG reviewed: acute L5 radiculopathy, peroneal neuropathy excluded. Foot drop same, TA 3/5. LBP cont. Naproxen 2 wks, no better.
Plan: MRI L-spine w/o - urgent. Neurosurg referral.
""")],
 "findings": {
   "back_pain": [("pn-1", "LBP"), ("pn-2", "LBP cont")],
   "motor_weakness": [("pn-1", "L TA 3/5, EHL 3/5"), ("pn-2", "Foot drop same, TA 3/5")],
   "sensory_deficit": [("pn-1", "Sens dec L dorsum foot")],
   "emg_radiculopathy": [("emg-1", "Electrodiagnostic evidence of an acute L L5 radiculopathy"), ("pn-2", "acute L5 radiculopathy")],
   "medication": [("pn-1", "naproxen 500 bid"), ("pn-2", "Naproxen 2 wks")],
   "no_response_to_treatment": [("pn-2", "no better")],
 },
 "distractors": [
   ("radicular_pain", "hypothetical", [("pn-1", "r/o L5 radiculopathy vs common peroneal neuropathy")]),
 ],
 "ct": (2, False, True), "decision": "meets_criteria", "criteria": ["A.i", "A.ii", "A.iii", "C"]},

# ---------------------------------------------------------------- hs4-08
{"id": "hs4-08", "cpt": ["72141"], "icd": ["M54.2", "G56.21"], "age": 53, "date": "2026-02-11",
 "docs": [("pn-1", "progress_note", "2026-01-14", """Cottonwood Family Clinic   01/14/26   53M mechanic
c/o neck pain x 3 wks + L hand numb (ring/small fingers), dropping wrenches.
[x] neck pain [x] hand numbness [ ] bowel/bladder [ ] gait change
Exam: neck TTP L trap, ROM ok. Spurling neg. L intrinsics 4/5, L FDI 4/5, grip 4+/5. Dec LT L 4th/5th digits (split ring finger). Tinel + L cubital tunnel. Hoffmann neg. Gait nl.
A: 1. neck strain 2. L hand numbness/weakness - r/o C8 radiculopathy vs ulnar neuropathy at elbow
P: ibuprofen, EMG/NCS, elbow pad
"""),
  ("emg-1", "emg_report", "2026-02-02", """NCS/EMG - Valley Regional Hosp Neurodiagnostics  02/02/2026
Hx: L hand numbness 4th/5th, weak grip.
NCS: L ulnar motor (ADM) conduction velocity across elbow 36 m/s (forearm 58 m/s), amplitude drop 35% across elbow. L ulnar SNAP reduced. L dorsal ulnar cutaneous SNAP reduced. Median studies normal.
EMG: L FDI and ADM with fibs, reduced recruitment. L APB, EIP, triceps, C7-T1 paraspinals normal.
Impression: L ulnar neuropathy at the elbow, moderate, with axonal features. No electrodiagnostic evidence of cervical radiculopathy.
"""),
  ("pn-2", "progress_note", "2026-02-10", """Cottonwood Family Clinic   02/10/26   53M
F/u. EMG: L cubital tunnel (ulnar neuropathy at elbow), no cervical radic. Hand numb + FDI weakness d/t ulnar neuropathy. Neck still aches some, ibuprofen x 4 wks helps a little. No PT yet.
Plan: ortho hand referral for cubital tunnel release. Pt wants neck MRI "since I'm here" - MRI C-spine ordered, sent for auth.
""")],
 "findings": {
   "neck_pain": [("pn-1", "neck pain x 3 wks"), ("pn-2", "Neck still aches some")],
   "medication": [("pn-1", "ibuprofen"), ("pn-2", "ibuprofen x 4 wks")],
 },
 "distractors": [
   ("radicular_pain", "hypothetical", [("pn-1", "r/o C8 radiculopathy")]),
   ("emg_radiculopathy", "negated", [("emg-1", "No electrodiagnostic evidence of cervical radiculopathy"), ("pn-2", "no cervical radic")]),
   ("upper_motor_neuron_signs", "negated", [("pn-1", "Hoffmann neg")]),
   ("physical_therapy", "negated", [("pn-2", "No PT yet")]),
 ],
 "ct": (4, False, True), "decision": "not_met", "criteria": []},

# ---------------------------------------------------------------- hs4-09
{"id": "hs4-09", "cpt": ["72148"], "icd": ["M54.50", "E11.42"], "age": 66, "date": "2026-08-25",
 "docs": [("pn-1", "progress_note", "2026-08-24", """PRAIRIE VIEW MEDICAL - chronic care + acute
08/24/2026   66 yo M, T2DM x 20 yrs w/ peripheral neuropathy

CC: low back pain since June, no better
HPI: LBP began ~6/8/26 moving irrigation pipe, axial, across belt line. No leg radiation. Has done 9 wks of PT (6/15-8/17, 2x/wk) + HEP. Taking acetaminophen 1 g tid + diclofenac gel since 6/10. Heating pad. Pain 7/10 -> 7/10, "nothing has touched it". Sleeping in recliner.
Chronic numb feet both sides "for years" (DPN), unchanged.
Denies bowel/bladder change, no saddle numbness. No fever, no wt loss.

Exam: lumbar paraspinal spasm, flexion 30 deg. SLR neg bilat. Str 5/5 BLE. Stocking loss to mid-shin bilat to monofilament and vibration, sym. Ankle jerks absent bilat, knees 1+ sym.
Labs: A1c 7.9.

A/P:
1. Subacute/chronic LBP - failed 9 wks PT/HEP + meds, no improvement.
2. T2DM w/ diabetic peripheral neuropathy - stocking sensory loss and absent ankle jerks are from his DPN, stable, not spinal.
- MRI L-spine w/o contrast
- cont acetaminophen/diclofenac gel
""")],
 "findings": {
   "back_pain": [("pn-1", "low back pain since June, no better"), ("pn-1", "Subacute/chronic LBP")],
   "physical_therapy": [("pn-1", "9 wks of PT (6/15-8/17, 2x/wk)")],
   "home_exercise_program": [("pn-1", "HEP")],
   "medication": [("pn-1", "acetaminophen 1 g tid + diclofenac gel since 6/10")],
   "rest_ice_heat": [("pn-1", "Heating pad")],
   "no_response_to_treatment": [("pn-1", '"nothing has touched it"'), ("pn-1", "failed 9 wks PT/HEP + meds, no improvement")],
 },
 "distractors": [
   ("radicular_pain", "negated", [("pn-1", "No leg radiation")]),
   ("bowel_bladder_dysfunction", "negated", [("pn-1", "Denies bowel/bladder change")]),
 ],
 "ct": (10, True, True), "decision": "meets_criteria", "criteria": ["A.iv"]},

# ---------------------------------------------------------------- hs4-10
{"id": "hs4-10", "cpt": ["72148"], "icd": ["M54.16"], "age": 50, "date": "2026-11-10",
 "docs": [("pn-1", "progress_note", "2026-11-09", """Lone Pine Family Health  DOS 11/09/2026   Pt 50 F (school bus driver)

Subj: LBP + L calf/foot pain x 5 wks, burning, worse driving. Prednisone taper 10/12 - helped 3 days then back. Gabapentin 300 tid x 3 wks, "takes the edge off". No PT (rural, 60 mi to nearest PT).
NCS/EMG done 11/03 at St. Luke's (report attached): chronic L S1 radiculopathy w/ active denervation in L med gastroc + L S1 paraspinals; also mild sensory axonal polyneuropathy (prediabetes).
Exam: LBP w/ flex. SLR + L 45. Str 5/5. L ankle jerk 1+, R 2+. Sens: mildly dec vibration toes bilat.
A: L S1 radiculopathy confirmed on EMG. Mild polyneuropathy, separate issue.
P: MRI L-spine, then spine consult. Cont gabapentin.
"""),
  ("emg-1", "emg_report", "2026-11-03", """ST. LUKE'S REGIONAL - ELECTRODIAGNOSTIC LAB   11/03/2026
Indication: L leg pain, ?radiculopathy vs neuropathy.
NCS: sural SNAPs mildly low bilat, sym. Peroneal/tibial motor nl. L H-reflex absent, R 31 ms.
EMG: L med gastroc, L biceps femoris short head, L S1 paraspinals: 2+ fibs, large MUAPs. L5 muscles normal.
Impression: 1) Chronic L S1 radiculopathy with ongoing denervation. 2) Mild length-dependent sensory axonal polyneuropathy.
""")],
 "findings": {
   "back_pain": [("pn-1", "LBP + L calf/foot pain x 5 wks")],
   "radicular_pain": [("pn-1", "L calf/foot pain x 5 wks, burning"), ("pn-1", "L S1 radiculopathy confirmed on EMG")],
   "emg_radiculopathy": [("emg-1", "Chronic L S1 radiculopathy with ongoing denervation"), ("pn-1", "chronic L S1 radiculopathy w/ active denervation")],
   "abnormal_reflexes": [("pn-1", "L ankle jerk 1+, R 2+")],
   "medication": [("pn-1", "Prednisone taper 10/12"), ("pn-1", "Gabapentin 300 tid x 3 wks")],
 },
 "distractors": [
   ("physical_therapy", "negated", [("pn-1", "No PT")]),
 ],
 "ct": (4, False, True), "decision": "meets_criteria", "criteria": ["A.ii", "A.iii", "C"]},
]
