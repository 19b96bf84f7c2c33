"""Limitations of coverage (LIM.E-K), repeat imaging (REPEAT.a-c) and documentation (DOC.*)."""

from __future__ import annotations

from priorauth.rules.criterion import Criterion, Outcome, met, unmet
from priorauth.rules.facts import Facts
from priorauth.rules.indications import DEFICITS, LUMBAR, i
from priorauth.rules.regions import Study, studies_for

SYMPTOMS = ("back_pain", "neck_pain", "radicular_pain", "symptoms_worsening", "infection_suspected",
            "csf_leak_suspected", "myelopathy_suspected", "saddle_anesthesia") + DEFICITS


def lim_e(f: Facts, s: Study) -> Outcome:
    return met("spinal_cord_stimulator") if f.has("spinal_cord_stimulator") else unmet("no spinal cord stimulator placement")


def lim_f(f: Facts, s: Study) -> Outcome:
    # Applied by the decision step only when no other indication is met for the lumbar study.
    found = f.any("myelopathy_suspected", "demyelinating_disease")
    return met(*found) if found else unmet("no suspected myelopathy or multiple sclerosis")


def lim_g(f: Facts, s: Study) -> Outcome:
    code = "demyelinating_disease"
    if not f.has(code) or f.values(code, "disease") == {"gbs"}:
        return unmet("not a follow-up of multiple sclerosis")
    if f.quals(code, "new_symptoms") or f.has("treatment_change") or f.quals(code, "treatment_change"):
        return unmet("new or changing symptoms or a treatment change are documented")
    routine = f.has("routine_surveillance")
    known = f.quals(code, "status", "confirmed") or f.quals(code, "stable")
    if not (routine or known) or (f.quals(code, "status", "suspected") and not routine):
        return unmet("not a routine MS follow-up")
    return met(code, *f.any("routine_surveillance"), sub="LIM.G",
               text="known MS without new or changing symptoms or a treatment change",
               quals=f.quals(code, "stable") + f.quals(code, "status", "confirmed"))


def lim_h(f: Facts, s: Study) -> Outcome:
    if not f.has("prior_spine_surgery"):
        return unmet("no prior spine surgery")
    if i(f, s).met:
        return unmet("post-operative findings (CSF leak, infection, new or worsening symptoms) are documented")
    return met("prior_spine_surgery", *f.any("routine_surveillance"), sub="LIM.H",
               text="post-operative imaging without a CSF leak, infection, or new or worsening symptoms after the surgery")


def lim_i(f: Facts, s: Study) -> Outcome:
    if s.low_field:
        return met()
    return met("low_field_mri") if f.has("low_field_mri") else unmet("not a low-field MRI")


def lim_j(f: Facts, s: Study) -> Outcome:
    return met("mr_neurography") if f.has("mr_neurography") else unmet("not MR neurography")


def lim_k(f: Facts, s: Study) -> Outcome:
    if not f.has("spina_bifida_occulta"):
        return unmet("no spina bifida occulta")
    if f.has("chiari_or_tethered_cord") and f.any(*SYMPTOMS):
        return unmet("symptomatic with tethered-cord concern")
    return met("spina_bifida_occulta")


NO_LIM = "the documentation does not show this limitation"

LIMITATIONS: tuple[Criterion, ...] = (
    Criterion("LIM.E", "Lumbar MRI for spinal cord stimulator placement", "limitation",
              ("E. MRI of lumbar spine is considered not medically necessary for placement of a spinal cord stimulator (MRI of thoracic spine is considered medically necessary).",),
              lim_e, "a request for thoracic rather than lumbar MRI for SCS placement", regions=LUMBAR),
    Criterion("LIM.F", "Lumbar MRI for suspected myelopathy or MS", "limitation",
              ("F. For evaluation of suspected myelopathy or multiple sclerosis (MS), MRI of the lumbar spine is considered not medically necessary, unless other than the Lumbar spine is being imaged for other reasons that meet the guideline under Indications of Coverage above.",),
              lim_f, "a lumbar indication other than myelopathy or MS", regions=LUMBAR),
    Criterion("LIM.G", "Routine MS follow-up imaging", "limitation",
              ("G. Spinal imaging as a routine follow-up for MS, more frequent than every 1-2 years, is considered not medically necessary, unless there have been new or changing symptoms or changes made in disease modifying treatments.",),
              lim_g, "new or changing symptoms or a change in disease-modifying treatment"),
    Criterion("LIM.H", "Routine post-operative surveillance", "limitation",
              ("H. Routine postoperative surveillance imaging, without clinical symptomatology, is considered not medically necessary.",),
              lim_h, "post-operative symptoms, suspected infection or CSF leak that the imaging would evaluate"),
    Criterion("LIM.I", "Low-field MRI", "limitation",
              ("I. Use of low field MRI for evaluation of the spine is considered experimental, investigational, unproven.",),
              lim_i, "a request for standard (non low-field) MRI"),
    Criterion("LIM.J", "MR neurography", "limitation",
              ("J. Magnetic resonance neurography for diagnosis of peripheral nerve disorders is considered experimental, investigational, and unproven.",),
              lim_j, "a request that is not MR neurography"),
    Criterion("LIM.K", "Asymptomatic spina bifida occulta", "limitation",
              ("K. MRI to evaluate spina bifida occulta is considered not medically necessary unless the patient is symptomatic and there is clinical concern for tethered cord.",),
              lim_k, "symptoms with clinical concern for tethered cord"),
)


def _same_doc(f: Facts, code: str, other: str) -> tuple[str, ...]:
    """`code` present with evidence in a document that also documents `other`."""
    docs = {e.doc for x in f.findings.get(other, []) for e in x.evidence}
    return (code,) if f.has(code) and any(e.doc in docs for x in f.findings[code] for e in x.evidence) else ()


def rep_a(f: Facts, s: Study) -> Outcome:
    code = "prior_mri_same_region"
    for name, text in (("inconclusive", "the prior MRI was inconclusive"),
                       ("followup_recommended", "short-term follow-up imaging was recommended")):
        q = f.quals(code, name)
        if q:
            return met(code, sub="REPEAT.a", text=text, quals=q)
    found = _same_doc(f, "imaging_indeterminate", code) + _same_doc(f, "followup_imaging_recommended", code)
    if found:
        return met(code, *found, sub="REPEAT.a", text="the prior study was inconclusive or follow-up was recommended")
    return unmet("the prior study is not documented as inconclusive, nor is follow-up recommended")


def rep_b(f: Facts, s: Study) -> Outcome:
    q = f.quals("prior_mri_same_region", "worsening_since")
    if q:
        return met("prior_mri_same_region", "symptoms_worsening", sub="REPEAT.b",
                   text="progressive worsening of symptoms since the prior MRI", quals=q)
    q = f.quals("prior_mri_same_region", "new_findings_since")
    if q:
        return met("prior_mri_same_region", *tuple(c for c in DEFICITS if f.on_exam(c)), sub="REPEAT.b",
                   text="new physical exam findings since the prior MRI", quals=q)
    return unmet("no progressive worsening or new physical exam findings since the prior MRI")


def rep_c(f: Facts, s: Study) -> Outcome:
    interval = f.quals("prior_mri_same_region", "interval_surgery")
    post = i(f, s)
    if interval and post.met:
        return met("prior_spine_surgery", *post.codes, sub="REPEAT.c", text="interval surgery with a suspected complication",
                   quals=interval + list(post.qualifiers))
    acute = f.quals("trauma", "acute")
    if acute:
        return met("trauma", sub="REPEAT.c", text="significant new trauma", quals=acute)
    return unmet("no interval surgery with suspected complication or significant new trauma")


REPEAT: tuple[Criterion, ...] = (
    Criterion("REPEAT.a", "Repeat MRI: prior study inconclusive", "repeat",
              ("Requests for repeat MR imaging, after completing MR of the same anatomic site in the past 6 months, will be reviewed on a case-by-case basis.",
               "a) documentation that the prior testing was inconclusive or with short-term follow-up imaging recommended."),
              rep_a, "the most recent imaging report showing an inconclusive result or a recommended short-term follow-up"),
    Criterion("REPEAT.b", "Repeat MRI: progression or new exam findings", "repeat",
              ("b) clinical documentation of progressive worsening of symptoms or new physical exam findings prompting the repeat imaging, and that patient management will be altered by the imaging results.",),
              rep_b, "documentation of progressive worsening or new physical exam findings that will alter management"),
    Criterion("REPEAT.c", "Repeat MRI: interval surgery or new trauma", "repeat",
              ("c) interval surgery (with suspected complication) or significant new trauma to that anatomic region.",),
              rep_c, "documentation of interval surgery with suspected complication or significant new trauma"),
)

DOCUMENTATION: tuple[Criterion, ...] = (
    Criterion("DOC.swo", "Standard written order", "documentation",
              ("• A standard written order (SWO), prescribed by a qualified healthcare provider concerning the member’s diagnosis.",),
              lambda f, s: met() if f.request.has_standard_written_order is not False else unmet("no standard written order accompanies the request"),
              "a standard written order (SWO) signed by the ordering provider"),
    Criterion("DOC.records", "Clinical records", "documentation",
              ("• Medical record information (including continued need/use if applicable) and medical necessity.",),
              lambda f, s: met() if f.has_records else unmet("the packet has no clinical document with text"),
              "clinical notes documenting the medical necessity"),
    Criterion("DOC.coding", "Policy procedure code", "documentation",
              ("• Correct coding for the service that meets all coding guidelines.",),
              lambda f, s: met() if studies_for(f.request.cpt_codes) else unmet("no requested code belongs to this policy"),
              "a CPT code of this policy (72141, 72142, 72146, 72147, 72148, 72149, 72156, 72157, 72158, S8042)"),
)
