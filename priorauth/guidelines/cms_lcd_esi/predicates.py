"""Predicates of LCD L39240 (epidural steroid injections), registered by criterion id; read as labeling-esi.md says.

Each is a pure function of (Facts, Study). Sessions are the `prior_esi`
findings (sessions.py reads them, one per day); the plan is `esi_plan`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Optional

from priorauth.guidelines import Study
from priorauth.guidelines.cms_lcd_esi.sessions import same_scale
from priorauth.models import Finding, Qualifier
from priorauth.rules.catalog import register_predicates
from priorauth.rules.criterion import Outcome, met, unmet
from priorauth.rules.facts import Facts

DIAGNOSES = ("radicular_pain", "post_laminectomy_syndrome", "herpes_zoster")
CONTRAINDICATIONS = ("spinal_infection", "systemic_infection", "cord_compression", "cauda_equina_suspected", "malignancy")
CARE_ACTIVE = ("physical_therapy", "chiropractic", "home_exercise_program", "cognitive_behavioral_therapy")
YEAR = timedelta(days=365)


def _day(f: Facts) -> Optional[date]:
    return f.request.service_date or f.request.request_date


def sessions(f: Facts, s: Study) -> list[Finding]:
    """Earlier dated sessions of this study's region (an unknown region counts as this one), oldest first."""
    out = [x for x in f.findings.get("prior_esi", []) if f.value_of(x, "date")
           and (f.value_of(x, "region") in (None, "", s.region) or s.region is None)]
    return sorted(out, key=lambda x: f.value_of(x, "date") or "")


def recent(f: Facts, s: Study) -> list[Finding]:
    """Sessions in the rolling 12 months before the date of service (every session when no date is known)."""
    day = _day(f)
    if day is None:
        return sessions(f, s)
    return [x for x in sessions(f, s) if day - YEAR < date.fromisoformat(f.value_of(x, "date") or "1900-01-01") <= day]


def plan(f: Facts, name: str) -> list[Qualifier]:
    return [q for x in f.findings.get("esi_plan", []) for q in x.qualifiers if q.name == name]


def _plan_met(f: Facts, name: str, text: str) -> Outcome:
    qs = plan(f, name)
    return met("esi_plan", text=f"{text}: {qs[0].value}", quals=qs) if qs else unmet(f"no {text} in the plan")


def diagnosis(f: Facts) -> tuple[str, ...]:
    return f.any(*DIAGNOSES)


def ind1_core(f: Facts, s: Study) -> Outcome:
    """IND.1 without IND.9: diagnosis with exam and concordant imaging, severity with a scale, duration and care."""
    dx = diagnosis(f)
    problems = []
    if not dx:
        problems.append("no radicular pain, neurogenic claudication, post-laminectomy syndrome or acute herpes zoster is documented")
    zoster = dx == ("herpes_zoster",) or (f.has("herpes_zoster") and not f.has("radicular_pain"))
    if not f.has("imaging_concordant"):
        problems.append("no concordant MRI, CT or CT myelogram result is documented")
    elif f.has("imaging_discordant"):
        problems.append("the imaging names only the side opposite the symptoms, and no one calls it concordant")
    if not f.has("functional_impact"):
        problems.append("the impact of the pain on function or quality of life is not documented")
    if not f.has("pain_scale"):
        problems.append("no baseline pain or function scale is recorded")
    t = f.therapy
    if zoster and not (f.has("no_response_to_treatment") or (t and t.response in ("no_response", "worsening"))):
        problems.append("acute herpes zoster pain refractory to conservative management is not documented")
    if not zoster:
        weeks = [float(v) for v in f.values("symptom_duration", "weeks")]
        care_weeks = t.weeks if t and t.weeks is not None else None
        if max(weeks + [care_weeks or 0]) < 4:
            problems.append("pain for at least 4 weeks is not documented")
        tolerated = f.has("care_intolerance")
        if not tolerated:
            if not (t and t.inactive and f.has("medication")):
                problems.append("conservative care with medication is not documented")
            if not f.any(*CARE_ACTIVE):
                problems.append("no second conservative modality (physical therapy, manipulation, CBT, home exercise)")
            if care_weeks is None or care_weeks < 4:
                problems.append("conservative care for at least 4 weeks is not documented")
            if not (f.has("no_response_to_treatment") or (t and t.response in ("no_response", "worsening"))):
                problems.append("failure to respond to conservative care is not documented")
    codes = dx + f.any("imaging_concordant", "imaging_discordant", "radicular_exam", "functional_impact", "pain_scale", "symptom_duration",
                       "medication", *CARE_ACTIVE, "no_response_to_treatment", "care_intolerance")
    if problems:
        return unmet("; ".join(problems), *codes)
    sub = "IND.1.zoster" if zoster else "IND.1.pls" if dx == ("post_laminectomy_syndrome",) else ""
    text = "acute herpes zoster pain refractory to conservative care, concordant imaging, baseline scale" if zoster else \
        "covered diagnosis with concordant imaging, baseline scale, 4 weeks of failed care"
    return met(*codes, sub=sub, text=text)


def rehab(f: Facts) -> Outcome:
    return met("current_rehab") if f.has("current_rehab") else \
        unmet("no current active rehabilitation, home exercise or functional restoration program (a planned one does not count)")


def initial(f: Facts, s: Study) -> Outcome:
    """IND.1 without IND.9: an initial injection (no earlier one in the region in 12 months, none told undated)."""
    if recent(f, s):
        return unmet("an earlier ESI in this region in the last 12 months makes this a repeat (IND.6)", "prior_esi")
    if any(f.value_of(x, "undated") == "True" for x in f.findings.get("prior_esi", [])):
        return unmet("an earlier epidural injection is mentioned without its date: whether this is a repeat (IND.6) "
                     "cannot be told", "prior_esi")
    return ind1_core(f, s)


def ind1(f: Facts, s: Study) -> Outcome:
    core = initial(f, s)
    if not core.met:
        return core
    r = rehab(f)
    if not r.met:
        return unmet(r.reason, *core.codes)
    return met(*core.codes, *r.codes, sub=core.subitem, text=core.subitem_text)


def ind6_core(f: Facts, s: Study) -> Outcome:
    earlier = recent(f, s)
    if not earlier:
        return unmet("no earlier ESI in this region in the last 12 months")
    dx = diagnosis(f)
    if not dx:
        return unmet("the diagnosis is no longer documented", "prior_esi")
    last = earlier[-1]
    relief = float(f.value_of(last, "relief") or 0)
    months = float(f.value_of(last, "relief_months") or 0)
    baseline = {str(v) for v in f.values("pain_scale", "scale")}
    quals = [q for q in last.qualifiers if q.name in ("relief", "relief_months", "scale", "failed", "date")]
    if relief >= 50 and months >= 3:
        if not same_scale(f.value_of(last, "scale"), baseline):
            return unmet(f"{relief:g}% relief is not measured on the same scale as the baseline", "prior_esi", *dx)
        return met("prior_esi", "pain_scale", *dx, sub="IND.6.relief", text=f"{relief:g}% relief for {months:g} months", quals=quals)
    failed = f.value_of(last, "failed") == "True" or (f.value_of(last, "relief") is not None and relief < 50)
    if failed:
        day = _day(f)
        when = date.fromisoformat(f.value_of(last, "date") or "1900-01-01")
        if day is not None and (day - when).days < 14:
            return unmet("the failed injection was less than 14 days before this one", "prior_esi", *dx)
        why = plan(f, "rationale")
        if not why:
            return unmet("the earlier injection failed and no rationale for a second one is documented", "prior_esi", *dx)
        return met("prior_esi", "esi_plan", *dx, sub="IND.6.failed", text="a failed first injection, at least 14 days ago, with a rationale",
                   quals=quals + why[:1])
    if relief >= 50:
        return unmet(f"{relief:g}% relief lasted {months:g} months, not the 3 months required" if months else
                     f"{relief:g}% relief, but how long it lasted is not documented", "prior_esi", *dx)
    return unmet("the relief from the earlier injection is not documented", "prior_esi", *dx)


def ind6(f: Facts, s: Study) -> Outcome:
    core = ind6_core(f, s)
    if not core.met:
        return core
    r = rehab(f)
    return met(*core.codes, *r.codes, sub=core.subitem, text=core.subitem_text, quals=core.qualifiers) if r.met \
        else unmet(r.reason, *core.codes)


def ind9(f: Facts, s: Study) -> Outcome:
    r = rehab(f)
    if not r.met:
        return r
    main = initial(f, s).met or ind6_core(f, s).met
    return met(*r.codes) if main else unmet("met only together with IND.1 or IND.6", *r.codes)


def lim1(f: Facts, s: Study) -> Outcome:
    if f.has("contrast_allergy"):
        return unmet("a contraindication to contrast is documented")
    if "unguided" in s.features:
        return met(text=f"{s.cpt} is an injection without imaging guidance")
    for value, text in (("none", "no image guidance"), ("ultrasound", "ultrasound guidance")):
        qs = [q for q in plan(f, "guidance") if q.value == value]
        if qs:
            return met("esi_plan", text=text, quals=qs)
    return unmet("image guidance is not excluded by the plan")


def lim4(f: Facts, s: Study) -> Outcome:
    if plan(f, "sedation_reason"):
        return unmet("the need for sedation is documented")
    return _plan_met(f, "sedation", "sedation")


def lim5(f: Facts, s: Study) -> Outcome:
    if diagnosis(f):
        return unmet("a covered diagnosis is documented")
    if f.has("imaging_concordant") and not f.has("nonspecific_pain"):
        return unmet("a structural diagnosis (disc herniation, stenosis) is named: the pain is not documented as non-specific")
    found = f.any("nonspecific_pain", "back_pain", "neck_pain")
    return met(*found, text="pain without radicular pain, claudication, post-laminectomy syndrome or zoster") if found \
        else unmet("no pain diagnosis is documented")


def lim6(f: Facts, s: Study) -> Outcome:
    earlier = recent(f, s)
    if len(earlier) >= 4:
        return met("prior_esi", text=f"{len(earlier)} earlier sessions in this region in the last 12 months",
                   quals=[q for x in earlier for q in x.qualifiers if q.name == "date"])
    return unmet(f"{len(earlier)} earlier session(s) in this region in the last 12 months")


def lim7(f: Facts, s: Study) -> Outcome:
    from priorauth.guidelines import studies_for

    regions = {x.region for x in studies_for(f.request.cpt_codes)}
    if len(regions) > 1:
        return met(text="the request injects " + " and ".join(sorted(r or "" for r in regions)))
    return _plan_met(f, "region", "more than one region in the session")


def _approach(f: Facts, s: Study) -> set[str]:
    named = {str(q.value) for q in plan(f, "approach")}
    return named or ({"transforaminal"} if "transforaminal" in s.features else {"interlaminar"})


def _levels(f: Facts, s: Study) -> tuple[int, list[Qualifier]]:
    """Levels the plan names in this study's region ('region:N' when the plan names two regions)."""
    qs = [q for q in plan(f, "levels") if ":" not in str(q.value) or str(q.value).split(":")[0] in (s.region, None)]
    return max((int(str(q.value).split(":")[-1]) for q in qs), default=0), qs


def lim8(f: Facts, s: Study) -> Outcome:
    if "transforaminal" not in _approach(f, s):
        return unmet("not a transforaminal injection")
    n, qs = _levels(f, s)
    units = sum(1 for c in f.request.cpt_codes or [] if c.strip() in ("64480", "64484")) + 1
    if n > 2 or units > 2:
        return met("esi_plan", text=f"{max(n, units)} nerve-root levels", quals=qs)
    return unmet("no more than two levels")


def _il_or_caudal(f: Facts, s: Study) -> bool:
    return bool(_approach(f, s) & {"interlaminar", "caudal"}) and "transforaminal" not in s.features


def lim9(f: Facts, s: Study) -> Outcome:
    n, qs = _levels(f, s)
    if _il_or_caudal(f, s) and n > 1:
        return met("esi_plan", text=f"{n} levels", quals=qs)
    return unmet("one level, or not interlaminar or caudal")


def lim10(f: Facts, s: Study) -> Outcome:
    if _il_or_caudal(f, s) and plan(f, "bilateral"):
        return met("esi_plan", text="bilateral", quals=plan(f, "bilateral"))
    return unmet("not a bilateral interlaminar or caudal injection")


def lim13(f: Facts, s: Study) -> Outcome:
    day = _day(f)
    past = sessions(f, s)
    if day is None or not past:  # read as labeling-esi.md writes it: from the first dated session, recent or not
        return unmet("no dated earlier session in this region")
    first = date.fromisoformat(f.value_of(past[0], "date") or "1900-01-01")
    if day - first <= YEAR:
        return unmet("treatment in this region began less than 12 months ago")
    relief = any(float(f.value_of(x, "relief") or 0) >= 50 for x in past)
    have = {"a": f.has("functional_impact"), "b": relief, "c": bool(plan(f, "continuation")), "d": f.has("pcp_notified")}
    missing = [k for k, v in have.items() if not v]
    if not missing:
        return unmet("a-d are documented for continuing beyond 12 months")
    return met("prior_esi", text=f"treatment since {first.isoformat()} without {', '.join(missing)} of the policy's a-d",
               quals=[q for q in past[0].qualifiers if q.name == "date"])


def lim14(f: Facts, s: Study) -> Outcome:
    found = f.any(*CONTRAINDICATIONS)
    return met(*found, text="contraindication: " + ", ".join(c.replace("_", " ") for c in found)) if found \
        else unmet("no contraindication is documented")


register_predicates({
    "IND.1": ind1, "IND.6": ind6, "IND.9": ind9,
    "LIM.1": lim1,
    "LIM.2": lambda f, s: _plan_met(f, "injectate", "non-FDA-designated injectate"),
    "LIM.3": lambda f, s: _plan_met(f, "other_block", "another block in the same session"),
    "LIM.4": lim4, "LIM.5": lim5, "LIM.6": lim6, "LIM.7": lim7, "LIM.8": lim8, "LIM.9": lim9, "LIM.10": lim10,
    "LIM.11": lambda f, s: _plan_met(f, "series", "a pre-planned series"),
    "LIM.12": lambda f, s: _plan_met(f, "dose", "a steroid dose above the ceiling"),
    "LIM.13": lim13, "LIM.14": lim14,
})
