"""Limitations of coverage (LIM.E-K), repeat imaging (REPEAT.a-c) and the standard written order (DOC.swo) of the MRI-spine guideline."""

from __future__ import annotations

from priorauth.rules.catalog import register_predicates
from priorauth.rules.criterion import Outcome, met, unmet
from priorauth.rules.facts import Facts
from priorauth.guidelines import Study
from priorauth.guidelines.wps_mri_spine.indications import DEFICITS, i, other_region

SYMPTOMS = ("back_pain", "neck_pain", "radicular_pain", "symptoms_worsening", "infection_suspected",
            "csf_leak_suspected", "myelopathy_suspected", "saddle_anesthesia") + DEFICITS


def lim_e(f: Facts, s: Study) -> Outcome:
    return met("spinal_cord_stimulator") if f.has("spinal_cord_stimulator") else unmet("no spinal cord stimulator placement")


def lim_f(f: Facts, s: Study) -> Outcome:
    # Applied by the decision step only when no other indication is met for the lumbar study.
    ms = () if f.values("demyelinating_disease", "disease") == {"gbs"} else ("demyelinating_disease",)  # GBS is no MS
    found = f.any("myelopathy_suspected", *ms)
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
    if other_region(f, "prior_spine_surgery", s):
        return unmet("the spine surgery was of another region: this study is not its post-operative imaging")
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


def doc_swo(f: Facts, s: Study) -> Outcome:
    return met() if f.request.has_standard_written_order is not False else unmet("no standard written order accompanies the request")


# The criteria themselves are data: guidelines/wps_mri_spine/criteria.json, keyed by these ids.
register_predicates({"LIM.E": lim_e, "LIM.F": lim_f, "LIM.G": lim_g, "LIM.H": lim_h, "LIM.I": lim_i, "LIM.J": lim_j,
                     "LIM.K": lim_k, "REPEAT.a": rep_a, "REPEAT.b": rep_b, "REPEAT.c": rep_c,
                     "DOC.swo": doc_swo})
