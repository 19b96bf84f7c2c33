"""The policy's own words for each sub-item a criterion can name as met.

A met criterion cites its heading and, through this table, the numbered item
that was met; every quote is located in the vendored guideline at import, so
a typo fails loudly.
"""

from __future__ import annotations

from typing import Optional

from priorauth.models import Citation
from priorauth.rules.policy import cite

QUOTES: dict[str, str] = {
    "A.i": "i. a “red flag” indication listed below",
    "A.ii": "ii. new or worsening neurologic deficits*",
    "A.iii": "iii. Electromyography or nerve conduction studies (EMG/NCV) are indicative of radiculopathy.",
    "A.v": "v. Progression or worsening of symptoms during a trial of conservative treatment.",
    "B.a": "a) adult patient and alternate imaging (plain films, Bone scan, CT) is indeterminate or additional information needed.",
    "B.b": "b) pediatric population when alternate imaging is inconclusive and additional imaging would alter management.",
    "D.i": "i. Pathologic fractures",
    "D.ii": "ii. Complex fractures",
    "D.iii": "iii. Findings from x-rays or CT require further evaluation.",
    "D.note.a": "NOTE: In the setting of acute trauma, preceding plain films or CT are not required with EITHER a) associated neurologic deficits; OR b) obtunded patient and spinal or nerve root injury suspected.",
    "D.note.b": "NOTE: In the setting of acute trauma, preceding plain films or CT are not required with EITHER a) associated neurologic deficits; OR b) obtunded patient and spinal or nerve root injury suspected.",
    "E.i": "i. plain films are not diagnostic, or are equivocal OR",
    "E.ii": "ii. new neurologic symptoms or with a patient who cannot be optimally evaluated clinically.",
    "F.i": "i. MRI needed to help distinguish osteoporotic, benign fracture from metastatic/myelomatous disease",
    "F.ii": "ii. with new focal neurologic deficit",
    "F.iii": "iii. to determine the position of fracture fragments.",
    "F.iv": "iv. to assess union of the fracture when delayed or nonunion is suspected (CT is typically preferable).",
    "F.v": "v. prior to surgery/intervention/vertebral augmentation, when the MRI results may change treatment plan.",
    "G.i": "i. with findings suggestive of MS on recent brain MRI, and prior spinal imaging has not yet been completed.",
    "G.ii": "ii. high clinical suspicion of MS, but the brain MRI results are inconclusive/indeterminate.",
    "G.iii": "iii. MS is either known or suspected, and there are new or changing symptoms suggesting spinal cord involvement.",
    "G.v": "v. prior to changing disease modification treatments, to establish a new baseline.",
    "G.vii": "vii. clinical symptoms suggestive of either transverse myelitis or neuromyelitis optica.",
    "G.viii": "viii. suspected or known pediatric demyelinating disease, to include acute disseminated encephalomyelitis.",
    "G.ix": "ix. Clinical suspicion of Guillain-Barre Syndrome with non-diagnostic CSF studies and EMG/Nerve Conduction studies.",
    "H.primary.staging": "For primary spinal tumor, for initial staging, or repeat exams with either:",
    "H.primary.i": "i. follow-up within one year of active treatment, or for surveillance as suggested by NCCN.",
    "H.primary.ii": "ii. known tumor and new focal neurologic deficit or new signs/symptoms (increasing pain, lab/other CT/x-ray/bone scan findings) suggesting disease progression.",
    "H.metastatic.i": "i. new focal neurologic deficit or new signs/symptoms (increasing pain,) OR",
    "H.metastatic.ii": "ii. lab/other CT/x-ray/bone scan findings suggesting disease progression OR",
    "H.metastatic.iii": "iii. evidence of metastasis on bone scan or other imaging, and further clarification needed, OR",
    "H.metastatic.iv": "iv. known malignancy with new signs/symptoms suggesting metastatic disease, OR",
    "H.metastatic.v": "v. for evaluation of suspected drop metastases or of leptomeningeal carcinomatosis.",
    "I.csf_leak": "I. Post-Operative spinal disorders---For clinical findings suggestive of CSF leak, or suspected post op infection, or for new or worsening symptoms/neurologic deficits after surgery.",
    "O.i": "i. needed for preoperative planning.",
    "O.ii": "ii. with suspected underlying cord abnormalities (syrinx, diastematomyelia, tethered cord) or tumors, to include convex left thoracic curve, greater than 30-degree kyphosis.",
    "O.iii": "iii. with associated new or unexplained neurologic deficit.",
    "O.iv": "iv. child less than 10 years old with congenital or juvenile idiopathic scoliosis.",
    "T.a": "a) suspicious pediatric sacral dimples (i.e., deep or multiple dimples, at or above superior gluteal crease, larger than 5mm, or with associated cutaneous markers) if > 3 months old, OR",
    "T.b": "b) if less than 3 months old, ultrasound is the preferred imaging, and MRI lumbar is deemed medically necessary only if the ultrasound is indeterminate/inconclusive.",
    "REPEAT.a": "a) documentation that the prior testing was inconclusive or with short-term follow-up imaging recommended.",
    "REPEAT.b": "b) clinical documentation of progressive worsening of symptoms or new physical exam findings prompting the repeat imaging, and that patient management will be altered by the imaging results.",
    "REPEAT.c": "c) interval surgery (with suspected complication) or significant new trauma to that anatomic region.",
}
QUOTES["I.infection"] = QUOTES["I.new_symptoms"] = QUOTES["I.csf_leak"]

CITATIONS: dict[str, Citation] = {k: cite(v) for k, v in QUOTES.items()}


def subitem_citation(subitem: Optional[str]) -> Optional[Citation]:
    """The policy words of a met sub-item, when the table has them."""
    return CITATIONS.get(subitem or "")
