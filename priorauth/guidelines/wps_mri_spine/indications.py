"""Indications of coverage A-W and the trial-not-required list, read as `labeling.md` says."""

from __future__ import annotations

from typing import Optional

from priorauth.models import Qualifier
from priorauth.rules.catalog import register_predicates
from priorauth.rules.criterion import Outcome, met, unmet
from priorauth.rules.facts import Facts
from priorauth.guidelines import Study
from priorauth.guidelines import get as get_guideline

# The policy's red flags (A) and neurologic deficits (A's footnote *), as finding codes.
RED_FLAG_A = ("motor_weakness", "sensory_deficit", "cauda_equina_suspected", "infection_suspected",
              "ed_visit_radicular_pain", "bowel_bladder_dysfunction", "pediatric_limp")
DEFICITS = ("motor_weakness", "sensory_deficit", "upper_motor_neuron_signs", "abnormal_reflexes", "bowel_bladder_dysfunction")
FOCAL = ("motor_weakness", "sensory_deficit", "upper_motor_neuron_signs", "abnormal_reflexes")
NEW_SYMPTOMS = DEFICITS + ("myelopathy_suspected", "symptoms_worsening", "radicular_pain", "saddle_anesthesia")
RA_NEUROLOGIC = tuple(c for c in NEW_SYMPTOMS if c != "symptoms_worsening")
"""W+.c asks for neurologic signs or symptoms: joints that are 'slowly worsening' are the arthritis, not the nerves."""
# The components of conservative care (A.iv, A.v), in the order their evidence is listed.
CARE = ("physical_therapy", "chiropractic", "home_exercise_program", "medication", "rest_ice_heat", "injection")
NO_PAIN = "no back or neck pain for this region is documented"


def pain_for(f: Facts, s: Study) -> tuple[str, ...]:
    """Back pain serves thoracic and lumbar studies, neck pain cervical; either when the region is unknown."""
    wanted = {"cervical": ("neck_pain",), "thoracic": ("back_pain", "neck_pain"),
              "lumbar": ("back_pain",)}.get(s.region or "", ("back_pain", "neck_pain"))
    return f.any(*wanted)


def _with_pain(f: Facts, s: Study, also: Outcome) -> Outcome:
    pain = pain_for(f, s)
    if not pain:
        return unmet(NO_PAIN, *also.codes)
    if not also.met:
        return unmet(also.reason, *pain)
    return met(*pain, *also.codes, sub=also.subitem, text=also.subitem_text, quals=also.qualifiers)


def _named(codes) -> str:
    return ", ".join(c.replace("_", " ").replace("age<=5", "pain at age 5 or younger") for c in codes)


def isolated_pain(f: Facts, s: Study) -> tuple[tuple[str, ...], str]:
    """The back or neck pain as a problem of its own (labeling.md W+.a), or why it is not.

    Pain after acute trauma is decided by D; pain the author's assessment does not take up (it names another
    problem: constipation, a viral illness) is put down to that, not isolated.
    """
    pain = pain_for(f, s)
    if not pain:
        return (), NO_PAIN
    if f.has("trauma"):  # the passes leave only acute trauma present
        return (), "the pain follows acute trauma, which D decides (fracture on imaging, deficit, obtunded patient)"
    assessed = tuple(c for c in pain if f.quals(c, "assessed"))
    if not assessed:
        return (), "the author's assessment does not take the pain up as a problem of its own"
    return assessed, ""


def served(f: Facts, s: Study, codes: tuple[str, ...]) -> tuple[str, ...]:
    """The deficits among `codes` that are new and can come from the requested region: a deficit every mention of which
    is called long-standing and unchanged (`chronic`) is not new (A.i, A.ii); upper motor neuron signs do not serve a
    lumbar study (the cord ends above it); and a deficit whose every mention names an arm and no leg (its `territory`
    only cervical) does not serve a thoracic or lumbar study, as one leg's root deficit (a leg's territory only, one
    side) does not serve a cervical one."""
    codes = tuple(c for c in codes if c not in FOCAL or not all(x.qualified("chronic") for x in f.findings.get(c, [])))
    if s.region == "lumbar":  # upper motor neuron signs come from the cord, above the lumbar canal (LIM.F's scope)
        codes = tuple(c for c in codes if c != "upper_motor_neuron_signs")
    if s.region == "cervical":  # one leg's root deficit ('L foot numbness', 'L EHL 4/5') is no cervical cord sign
        return tuple(c for c in codes if c not in ROOT_FOCAL or not all(_one_leg_only(f, x) for x in f.findings.get(c, [])))
    if s.region not in ("thoracic", "lumbar"):
        return codes
    return tuple(c for c in codes if c not in FOCAL or not all(_arm_only(x) for x in f.findings.get(c, [])))


ROOT_FOCAL = ("motor_weakness", "sensory_deficit", "abnormal_reflexes")


def _named_regions(x) -> tuple[set, dict[str, set]]:
    spans = {(e.doc, e.start) for e in x.evidence}
    named: dict[str, set] = {}
    for q in x.qualifiers:
        if q.name == "territory":
            named.setdefault(str(q.value), set()).update((e.doc, e.start) for e in q.evidence)
    return spans, named


def _arm_only(x) -> bool:
    spans, named = _named_regions(x)
    return bool(spans) and named.get("cervical", set()) >= spans and not named.get("lumbar") and not named.get("thoracic")


def _one_leg_only(f: Facts, x) -> bool:
    """Every mention names a leg's territory and none an arm's, and its events name one side only."""
    spans, named = _named_regions(x)
    sides = {e.side for e in f.events_of(x)}
    return bool(spans) and named.get("lumbar", set()) >= spans and not named.get("cervical") \
        and not named.get("thoracic") and len(sides - {None}) == 1 and "bilateral" not in sides


def a_i(f: Facts, s: Study) -> Outcome:
    flags = served(f, s, f.any(*RED_FLAG_A))
    if f.age is not None and f.age <= 5 and isolated_pain(f, s)[0]:
        flags += ("age<=5",)
    inner = met(*[c for c in flags if c != "age<=5"], sub="A.i", text="red flag: " + _named(flags)) if flags \
        else unmet("no red flag is documented")
    return _with_pain(f, s, inner)


def a_ii(f: Facts, s: Study) -> Outcome:
    found = served(f, s, tuple(c for c in DEFICITS if f.on_exam(c)))
    inner = met(*found, sub="A.ii", text="deficit on exam: " + _named(found)) if found \
        else unmet("no new or worsening neurologic deficit is documented on physical exam")
    return _with_pain(f, s, inner)


def other_region(f: Facts, code: str, s: Study) -> str:
    """The regions a fact names when none is the requested study's (labeling.md: I's surgery, A.iii's EMG)."""
    regions = f.event_values(code, "region")
    if not regions or s.region is None or s.region in regions:
        return ""
    return " and ".join(sorted(regions))


def only_elsewhere(f: Facts, code: str, s: Study) -> str:
    """The other regions a statement names when every span of it names one (a failed trial's, a worsening's own
    item): a span that names no region, or the requested one, may be of the study's region."""
    named = {(e.doc, e.start): str(q.value) for x in f.findings.get(code, []) for q in x.qualifiers if q.name == "region"
             for e in q.evidence}
    regions = [named.get((e.doc, e.start)) for x in f.findings.get(code, []) for e in x.evidence]
    if s.region is None or not regions or any(r is None or r == s.region for r in regions):
        return ""
    return " and ".join(sorted(set(regions)))


def a_iii(f: Facts, s: Study) -> Outcome:
    if not f.has("emg_radiculopathy"):
        return _with_pain(f, s, unmet("no EMG/NCV indicating radiculopathy"))
    elsewhere = other_region(f, "emg_radiculopathy", s)
    inner = unmet(f"the EMG shows a {elsewhere} radiculopathy, not one of the {s.region} spine requested",
                  "emg_radiculopathy") if elsewhere else \
        met("emg_radiculopathy", sub="A.iii", text="EMG/NCV indicating radiculopathy", quals=f.quals("emg_radiculopathy", "region"))
    return _with_pain(f, s, inner)


def _only_named(t, category: str) -> str:
    """The quoted words of a category whose current components are all only named, or '' when one shows it was had."""
    comps = [c for c in t.components if c.category == category and c.within_6_months is not False]
    if not comps or not all(c.named_only for c in comps):
        return ""
    return ", ".join(f"'{e.text}'" for c in comps for e in c.evidence[:2])


def a_iv(f: Facts, s: Study) -> Outcome:
    t = f.therapy
    if t is None:
        return _with_pain(f, s, unmet("no conservative treatment is documented"))
    problems = []
    if t.weeks is None or t.weeks < 6:
        problems.append(f"trial documented for {t.weeks if t.weeks is not None else 'an unknown number of'} weeks, fewer than 6")
    if not t.active:
        problems.append("no active component (physical therapy, chiropractic/osteopathic manipulation, home exercise program)")
    if not t.inactive:
        problems.append("no inactive component (medication, rest/ice/heat, injection)")
    for category in ("active", "inactive"):
        named = _only_named(t, category)
        if named:
            problems.append(f"the {category} component is only named ({named}), with no length, date, dose, visits or "
                            "response beside it to show it was received")
    if t.within_6_months is False:
        problems.append("the trial is not within the last 6 months")
    if not f.has("no_response_to_treatment"):
        problems.append("failure to respond to the trial is not documented")
    elif (elsewhere := only_elsewhere(f, "no_response_to_treatment", s)):  # 'LBP x 12 wks - PT, no better' for a neck
        problems.append(f"the failure to respond is documented for the {elsewhere} spine, not the {s.region} spine "
                        "requested")
    codes = f.any(*CARE, "no_response_to_treatment")
    inner = unmet("; ".join(problems)) if problems else \
        met(*codes, sub="A.iv", text=f"{t.weeks} weeks of active and inactive care without response{_care_dates(f)}",
            quals=_care_timing(f))
    return _with_pain(f, s, inner)


def _care_timing(f: Facts) -> list[Qualifier]:
    """The words the care events' dates and lengths were read from ('for 8 weeks', '20 October to 29 December'), so
    the trial's length is quoted beside the care it measures."""
    spans = {(e.doc, e.start, e.end): e for ev in f.events if ev.kind == "care" and ev.counts and ev.status == "received"
             for e in ev.timing}
    return [Qualifier(name="care_timing", value=True, evidence=list(spans.values()))] if spans else []


def _care_dates(f: Facts) -> str:
    """' (physical therapy 10/20/2025 to 12/29/2025; medication since 01/19/2026)': when each kind of care ran, as its
    events read it."""
    parts = {}
    for ev in f.events:
        if ev.kind == "care" and ev.counts and ev.status == "received" and ev.began and ev.code not in parts:
            end = f" to {ev.ended:%m/%d/%Y}" if ev.ended else ""
            parts[ev.code] = f"{ev.code.replace('_', ' ')} {'from' if end else 'since'} {ev.began:%m/%d/%Y}{end}"
    return f" ({'; '.join(parts.values())})" if parts else ""


def a_v(f: Facts, s: Study) -> Outcome:
    care = f.any(*CARE)
    elsewhere = only_elsewhere(f, "symptoms_worsening", s)
    if not f.has("symptoms_worsening"):
        inner = unmet("no progression or worsening of symptoms is documented")
    elif elsewhere:  # 'lumbar pain worse since his fall' is no worsening of the neck requested
        inner = unmet(f"the worsening documented is of the {elsewhere} spine, not the {s.region} spine requested")
    elif not care and f.therapy is None:
        inner = unmet("worsening is documented but no trial of conservative treatment")
    else:
        inner = met("symptoms_worsening", *care, sub="A.v", text="worsening during conservative care")
    return _with_pain(f, s, inner)


def _trial_or_a(f: Facts, s: Study) -> bool:
    t = f.therapy
    trial = bool(t and t.weeks and t.weeks >= 6 and t.active and t.inactive)
    return trial or any(fn(f, s).met for fn in (a_i, a_ii, a_iii, a_v))


def _films(f: Facts, code: str, name: str = "modality", kinds=("plain_films", "ct")) -> list[Qualifier]:
    return [q for k in kinds for q in f.quals(code, name, k)]


def b_a(f: Facts, s: Study) -> Outcome:
    if not f.has("spondylolisthesis"):
        return unmet("no spondylolysis/spondylolisthesis is documented")
    if f.pediatric:
        return unmet("patient is pediatric (see B.b)")
    alt = _films(f, "spondylolisthesis", "alternate_imaging", ("plain_films", "ct", "bone_scan"))
    if not alt:
        return unmet("no alternate imaging (plain films, bone scan, CT) of the spondylolysis/listhesis is documented",
                     "spondylolisthesis")
    if not _trial_or_a(f, s):
        return unmet("neither an indication A.i-v nor a conservative trial is documented", "spondylolisthesis")
    ind = f.quals("spondylolisthesis", "indeterminate")
    return met("spondylolisthesis", sub="B.a", quals=alt + ind,
               text="adult, alternate imaging " + ("indeterminate" if ind else "documented, additional information needed")
               + ", with an A indication or a conservative trial")


def b_b(f: Facts, s: Study) -> Outcome:
    if not f.has("spondylolisthesis"):
        return unmet("no spondylolysis/spondylolisthesis is documented")
    if not f.pediatric:
        return unmet("patient is not pediatric (see B.a)")
    alt = _films(f, "spondylolisthesis", "alternate_imaging", ("plain_films", "ct", "bone_scan"))
    ind = f.quals("spondylolisthesis", "indeterminate")
    if not (alt and ind):
        return unmet("alternate imaging is not documented as inconclusive", "spondylolisthesis")
    return met("spondylolisthesis", sub="B.b", text="pediatric, alternate imaging inconclusive", quals=alt + ind)


def c(f: Facts, s: Study) -> Outcome:
    return a_iii(f, s)


D_ITEMS = (("pathologic", "D.i", "pathologic fracture"), ("complex", "D.ii", "complex fracture"),
           ("needs_further_evaluation", "D.iii", "x-ray/CT findings need further evaluation"))


def d(f: Facts, s: Study) -> Outcome:
    why = []
    if f.has("fracture"):
        films = _films(f, "fracture")
        items = [(sub, text, f.quals("fracture", name)) for name, sub, text in D_ITEMS if f.quals("fracture", name)]
        if films and items:
            sub, text, qs = items[0]
            return met("fracture", sub=sub, text=text, quals=qs + films)
        if not films:
            why.append("the fracture is not documented on plain films or CT")
        if not items:
            osteo = " (read as osteoporotic/benign)" if f.quals("fracture", "osteoporotic_benign") else ""
            why.append(f"the fracture{osteo} is not pathologic or complex, and no further evaluation is asked of the x-ray/CT findings")
    if f.has("trauma"):
        acute = f.quals("trauma", "acute")
        deficit = served(f, s, f.any(*DEFICITS))  # a baseline deficit is not the trauma's (served: new, of the region)
        if acute and deficit:
            return met("trauma", *deficit, sub="D.note.a", text="acute trauma with an associated neurologic deficit", quals=acute)
        if acute and f.has("obtunded"):
            return met("trauma", "obtunded", sub="D.note.b", text="acute trauma in an obtunded patient", quals=acute)
        why.append("trauma " + ("without neurologic deficit or obtundation" if acute else "not documented as acute"))
    if not why:
        return unmet("no fracture or acute spinal trauma is documented")
    return unmet("; ".join(why), *f.any("fracture", "trauma"))


def e(f: Facts, s: Study) -> Outcome:
    if not f.has("inflammatory_spondylitis"):
        return unmet("no inflammatory spondylitis is documented")
    films = f.quals("inflammatory_spondylitis", "films_nondiagnostic")
    if films:
        return met("inflammatory_spondylitis", sub="E.i", text="plain films not diagnostic or equivocal", quals=films)
    neuro = f.any(*DEFICITS, "myelopathy_suspected", "saddle_anesthesia")
    if neuro:
        return met("inflammatory_spondylitis", *neuro, sub="E.ii", text="new neurologic symptoms")
    exam = f.quals("inflammatory_spondylitis", "cannot_examine")
    if exam:
        return met("inflammatory_spondylitis", sub="E.ii", text="cannot be optimally evaluated clinically", quals=exam)
    return unmet("no equivocal plain films, new neurologic symptoms, or limited clinical exam", "inflammatory_spondylitis")


def f_(f: Facts, s: Study) -> Outcome:
    if not f.has("fracture"):
        return unmet("no known or new compression fracture is documented")
    comp = f.quals("fracture", "compression")
    if not comp:
        return unmet("the fracture is not documented as a compression fracture", "fracture")
    films = _films(f, "fracture")
    if not films:
        return unmet("the compression fracture is not documented on x-rays or CT", "fracture")
    base = comp + films
    q = f.quals("fracture", "malignancy_question")
    spread = f.quals("malignancy", "kind", "metastatic")
    if q or (spread and not f.quals("fracture", "osteoporotic_benign")):
        return met("fracture", *f.any("malignancy"), sub="F.i", text="benign versus metastatic question", quals=base + q + spread)
    deficit = served(f, s, f.any(*FOCAL))
    if deficit:
        return met("fracture", *deficit, sub="F.ii", text="new focal neurologic deficit", quals=base)
    for name, sub, text in (("fragment_position", "F.iii", "position of fracture fragments"),
                            ("nonunion_suspected", "F.iv", "delayed union or nonunion suspected")):
        q = f.quals("fracture", name)
        if q:
            return met("fracture", sub=sub, text=text, quals=base + q)
    plan = f.quals("fracture", "intervention_planned")
    if plan:
        return met("fracture", *f.any("surgery_planned"), sub="F.v", text="before a planned surgery or vertebral augmentation",
                   quals=base + plan)
    return unmet("no malignancy question, new focal deficit, fragment position, nonunion or planned intervention "
                 "is documented for the compression fracture", "fracture")


def g(f: Facts, s: Study) -> Outcome:
    code = "demyelinating_disease"
    if not f.has(code):
        return unmet("no known or suspected demyelinating disease")
    diseases = f.values(code, "disease")
    if diseases == {"gbs"}:
        if f.quals(code, "confirmed_by_csf_or_emg"):
            return unmet("Guillain-Barre is already confirmed by CSF or EMG/NCS; G.ix covers only a suspicion with "
                         "non-diagnostic studies", code)
        nd = f.quals(code, "workup_nondiagnostic")
        if nd:
            return met(code, sub="G.ix", text="suspected Guillain-Barre with non-diagnostic CSF and EMG/NCS", quals=nd)
        return unmet("Guillain-Barre without non-diagnostic CSF and EMG/NCS studies documented", code)
    new = f.quals(code, "new_symptoms")
    if new:
        return met(code, sub="G.iii", text="new or changing symptoms suggesting cord involvement", quals=new)
    change = f.quals(code, "treatment_change")
    if change or f.has("treatment_change"):
        return met(code, *f.any("treatment_change"), sub="G.v", text="before starting or changing disease-modifying treatment",
                   quals=change)
    remote = {(e.doc, e.start) for q in f.quals(code, "remote_episode") for e in q.evidence}
    kind = [q for v in ("transverse_myelitis", "nmo") for q in f.quals(code, "disease", v)
            if any((e.doc, e.start) not in remote for e in q.evidence)]  # not only a bout dated years back
    if kind:
        return met(code, sub="G.vii", text="clinical suspicion of transverse myelitis or neuromyelitis optica", quals=kind)
    if f.pediatric:
        return met(code, sub="G.viii", text="suspected or known pediatric demyelinating disease")
    brain = f.quals(code, "brain_mri_suggestive")
    if brain and not f.prior_study(s):
        return met(code, sub="G.i", text="brain MRI suggests MS and the spine has not been imaged", quals=brain)
    unsure = f.quals(code, "brain_mri_inconclusive")
    if unsure and f.quals(code, "status", "suspected"):
        return met(code, sub="G.ii", text="high suspicion of MS with an inconclusive brain MRI",
                   quals=unsure + f.quals(code, "status", "suspected"))
    stable = " (documented as stable)" if f.quals(code, "stable") else ""
    return unmet(f"the demyelinating disease{stable} has no new symptoms, treatment change or open diagnostic question "
                 "documented (G.i-ix)", code)


H_NEW = {"new_deficit": "new focal neurologic deficit", "increasing_pain": "new or increasing pain",
         "new_symptoms": "new signs or symptoms", "progression_labs_or_imaging": "lab or imaging findings of progression",
         "seen_on_other_imaging": "lesion seen on other imaging needing clarification"}


def h(f: Facts, s: Study) -> Outcome:
    code = "malignancy"
    if not f.has(code):
        return unmet("no known or suspected tumor or metastatic disease")
    kinds = f.values(code, "kind")
    new = {v: f.quals(code, "new", v) for v in H_NEW}
    new = {v: q for v, q in new.items() if q}
    deficit = f.any(*DEFICITS)
    if "primary_spinal" in kinds:
        if f.quals(code, "staging"):
            return met(code, sub="H.primary.staging", text="initial staging of a primary spinal tumor", quals=f.quals(code, "staging"))
        if f.quals(code, "treated_within_year"):
            return met(code, sub="H.primary.i", text="follow-up within a year of active treatment",
                       quals=f.quals(code, "treated_within_year"))
        if deficit or new:
            v = next(iter(new), "new_deficit")
            return met(code, *deficit, sub="H.primary.ii", text=H_NEW[v] + " suggesting progression", quals=new.get(v, []))
    lepto = f.quals(code, "drop_or_leptomeningeal")
    if "metastatic" in kinds:
        if deficit or "new_deficit" in new:
            return met(code, *deficit, sub="H.metastatic.i", text="new focal neurologic deficit", quals=new.get("new_deficit", []))
        for v, sub in (("increasing_pain", "H.metastatic.i"), ("new_symptoms", "H.metastatic.i"),
                       ("progression_labs_or_imaging", "H.metastatic.ii"), ("seen_on_other_imaging", "H.metastatic.iii")):
            if v in new:
                return met(code, sub=sub, text=H_NEW[v], quals=new[v])
        if lepto:
            return met(code, sub="H.metastatic.v", text="suspected drop metastases or leptomeningeal disease", quals=lepto)
    if kinds - {"primary_spinal"} or not kinds:
        risk = [x for v in sorted(f.values(code, "risk")) for x in f.quals(code, "risk", v)]
        if f.quals(code, "remission") and "metastatic" not in kinds:
            new.pop("increasing_pain", None)  # new pain in a cancer in remission does not by itself suggest spread
        if deficit or new or risk:
            v = next(iter(new), None)
            what = H_NEW[v] if v else ("new focal neurologic deficit" if deficit else "night pain or weight loss")
            return met(code, *deficit, sub="H.metastatic.iv", text="known malignancy with " + what,
                       quals=(new.get(v, []) if v else []) + risk)
    stable = " (documented as stable or unchanged)" if f.quals(code, "stable") else ""
    return unmet(f"the malignancy{stable} has nothing new documented: no new deficit, new or increasing pain, "
                 "progression on labs or imaging, or lesion needing clarification", code)


def _elsewhere(f: Facts, code: str, s: Study, missing: str, what: str) -> Outcome | None:
    """Unmet when the fact is missing or names only another region than the requested study's (labeling.md I, J)."""
    if not f.has(code):
        return unmet(missing)
    elsewhere = other_region(f, code, s)
    if elsewhere:
        return unmet(f"{what} of the {elsewhere} spine, not the {s.region} spine requested", code)
    return None


def i(f: Facts, s: Study) -> Outcome:
    code = "prior_spine_surgery"
    out = _elsewhere(f, code, s, "no prior spine surgery is documented", "the spine surgery was")
    if out is not None:
        return out
    csf = f.quals(code, "csf_leak")
    if csf or f.has("csf_leak_suspected"):
        return met(code, *f.any("csf_leak_suspected"), sub="I.csf_leak", text="clinical findings suggesting a CSF leak", quals=csf)
    inf = f.quals(code, "infection")
    if inf:
        return met(code, *f.any("infection_suspected"), sub="I.infection", text="suspected post-operative infection", quals=inf)
    new = _of_region(f.quals(code, "new_symptoms"), s)
    if new:
        return met(code, sub="I.new_symptoms", text="new or worsening symptoms or deficits after surgery", quals=new)
    if f.quals(code, "new_symptoms"):
        return unmet(f"the new symptoms after the surgery are of another region than the {s.region} spine requested", code)
    return unmet("no CSF leak, infection, or new or worsening symptoms documented after the surgery "
                 "(an operative report's indications are the state before it)", code)


def _of_region(quals: list, s: Study) -> list:
    """The qualifiers' spans that do not name another region than the study's ('new low back pain', 'L sciatica' is no
    new symptom of an operated neck); qualifiers left without spans are dropped."""
    g = get_guideline()

    def named(text: str) -> Optional[str]:  # a region's words, else one region's limb ('sciatica', 'L arm numbness')
        limbs = g.limbs_of(text)
        return g.study_region_named(text) or (next(iter(limbs)) if len(limbs) == 1 else None)
    out = []
    for q in quals:
        other = [e for e in q.evidence if named(e.text) not in (None, s.region)]  # with the words inside them
        kept = [e for e in q.evidence if e not in other and not any(e.overlaps(o) for o in other)]
        if kept or not q.evidence:
            out.append(q.model_copy(update={"evidence": kept}))
    return out


def j(f: Facts, s: Study) -> Outcome:
    """labeling.md: the indeterminate study must be of the spine region requested. A region the words name must be the
    requested one; with none named, the finding counts only from an imaging report (the study is the report's own)."""
    code = "imaging_indeterminate"
    out = _elsewhere(f, code, s, "no indeterminate prior imaging", "the indeterminate study is")
    if out is not None:
        return out
    if not f.values(code, "region") and not any(e.role == "imaging_report" for x in f.findings[code] for e in f.events_of(x)):
        return unmet("the indeterminate finding is not placed in the spine region requested (no region or level named, "
                     "and not in an imaging report)", code)
    return met(code, quals=f.quals(code, "region"))


K_SIGNS = {"fever": "fever", "labs": "abnormal laboratory findings", "imaging": "suggestive imaging"}


def k(f: Facts, s: Study) -> Outcome:
    if not f.has("infection_suspected"):
        return unmet("no suspected spinal infection with abnormal signs, labs or imaging")
    for v, text in K_SIGNS.items():
        q = f.quals("infection_suspected", "signs", v)
        if q:
            return met("infection_suspected", sub=f"K.{v}", text=f"suspected infection with {text}", quals=q)
    return unmet("suspected infection without fever, abnormal labs (ESR/CRP, leukocytosis) or suggestive imaging",
                 "infection_suspected")


def l_(f: Facts, s: Study) -> Outcome:
    return met("chiari_or_tethered_cord") if f.has("chiari_or_tethered_cord") else unmet("no spinal dysraphism, tethered cord or Chiari malformation")


def m(f: Facts, s: Study) -> Outcome:
    """A sign every mention of which is called long-standing and unchanged ('L Babinski, present on every exam since
    2018') is the residue of an old lesion, not a new suspicion of myelopathy."""
    found = tuple(c for c in f.any("myelopathy_suspected", "upper_motor_neuron_signs")
                  if not all(x.qualified("chronic") for x in f.findings[c]))
    if not found and f.any("myelopathy_suspected", "upper_motor_neuron_signs"):
        return unmet("the upper motor neuron signs are long-standing and unchanged, not a new suspicion of myelopathy",
                     *f.any("myelopathy_suspected", "upper_motor_neuron_signs"))
    return met(*found) if found else unmet("no clinical suspicion of myelopathy or upper motor neuron signs")


def n(f: Facts, s: Study) -> Outcome:
    return met("syringomyelia") if f.has("syringomyelia") else unmet("no suspected syringomyelia")


def o(f: Facts, s: Study) -> Outcome:
    code = "scoliosis"
    if not f.has(code):
        return unmet("no scoliosis or kyphosis is documented")
    films = f.quals(code, "radiographs")
    if not films:
        return unmet("plain radiographs of the curve are not documented (O.a)", code)
    if f.quals("surgery_planned", "spinal"):
        return met(code, "surgery_planned", sub="O.i", text="preoperative planning", quals=films + f.quals("surgery_planned", "spinal"))
    cord = f.quals(code, "cord_abnormality_suspected")
    if cord or f.any("syringomyelia", "chiari_or_tethered_cord"):
        return met(code, *f.any("syringomyelia", "chiari_or_tethered_cord"), sub="O.ii",
                   text="suspected underlying cord abnormality", quals=films + cord)
    deficit = f.any(*DEFICITS)
    if deficit:
        return met(code, *deficit, sub="O.iii", text="new or unexplained neurologic deficit", quals=films)
    young = f.quals(code, "congenital_or_juvenile")
    if f.age is not None and f.age < 10 and young:
        return met(code, sub="O.iv", text="child under 10 with congenital or juvenile scoliosis", quals=films + young)
    return unmet("no preoperative planning, suspected cord abnormality, new deficit, or congenital/juvenile "
                 "scoliosis under age 10", code)


def p(f: Facts, s: Study) -> Outcome:
    if not f.has("spinal_cord_stimulator"):
        return unmet("no planned spinal cord stimulator placement")
    if f.prior_study(s):
        return unmet("thoracic MRI completed in the past 6 months", "spinal_cord_stimulator", "prior_mri_same_region")
    return met("spinal_cord_stimulator")


def q(f: Facts, s: Study) -> Outcome:
    if not f.pediatric:
        return unmet("patient is not pediatric")
    if not f.has("vertebral_anomaly"):
        return unmet("no documented vertebral anomaly")
    return _with_pain(f, s, met("vertebral_anomaly"))


def r(f: Facts, s: Study) -> Outcome:
    if not f.has("spasticity"):
        return unmet("no spasticity, increased tone or gait abnormality")
    myelo = f.any("myelopathy_suspected", "upper_motor_neuron_signs")
    if not myelo:
        return unmet("spasticity or gait abnormality not suspected to be related to myelopathy", "spasticity")
    return met("spasticity", *myelo)


def s_(f: Facts, s: Study) -> Outcome:
    if not f.has("back_pain"):
        return unmet("no severe back pain is documented")
    signs = f.any("saddle_anesthesia", "bowel_bladder_dysfunction", "abnormal_reflexes")
    suspected = f.has("cauda_equina_suspected") or (f.has("saddle_anesthesia") and f.has("bowel_bladder_dysfunction"))
    if not suspected:
        return unmet("cauda equina syndrome is not suspected", *signs)
    if not signs:
        return unmet("no saddle anesthesia, absent reflexes or new bowel/bladder dysfunction", "cauda_equina_suspected")
    return met("back_pain", *f.any("cauda_equina_suspected"), *signs)


def t(f: Facts, s: Study) -> Outcome:
    code = "anorectal_malformation"
    if not f.pediatric or not f.has(code):
        return unmet("no pediatric anorectal malformation with a suspicious sacral dimple")
    months_q = [q for v in f.values(code, "age_months") for q in f.quals(code, "age_months", v)]
    months = float(months_q[0].value) if months_q else (f.age * 12 if f.age else None)
    if months is None:
        return unmet("the infant's age in months is not documented (T.a needs over 3 months, T.b under)", code)
    if months > 3:
        dimple = f.quals(code, "suspicious_dimple")
        if dimple:
            return met(code, sub="T.a", text="suspicious sacral dimple after 3 months of age", quals=months_q + dimple)
        return unmet("the sacral dimple is not described as suspicious (deep, multiple, above the gluteal crease, "
                     "over 5 mm, or with a cutaneous marker)", code)
    us = f.quals(code, "ultrasound_inconclusive")
    if us:
        return met(code, sub="T.b", text="under 3 months with an inconclusive ultrasound", quals=months_q + us)
    return unmet("under 3 months of age ultrasound comes first; no indeterminate ultrasound is documented", code)


def u(f: Facts, s: Study) -> Outcome:
    if not f.has("surgery_planned"):
        return unmet("no planned spine surgery or intervention")
    spinal = f.quals("surgery_planned", "spinal")
    if not spinal:
        return unmet("the planned procedure is not documented as spinal", "surgery_planned")
    if f.prior_study(s):
        return unmet("a similar MRI was done in the past 6 months", "surgery_planned", "prior_mri_same_region")
    return met("surgery_planned", sub="U", text="preoperative planning for a spinal procedure", quals=spinal)


def v(f: Facts, s: Study) -> Outcome:
    return met("vertebral_anomaly") if f.has("vertebral_anomaly") else unmet("no congenital vertebral defect")


def w(f: Facts, s: Study) -> Outcome:
    return met("craniocervical_abnormality") if f.has("craniocervical_abnormality") else unmet("no craniocervical junction abnormality")


def w_a(f: Facts, s: Study) -> Outcome:
    if not f.pediatric:
        return unmet("patient is not pediatric")
    pain, why = isolated_pain(f, s)
    return met(*pain, quals=[q for c in pain for q in f.quals(c, "assessed")]) if pain else unmet(why, *pain_for(f, s))


def w_b(f: Facts, s: Study) -> Outcome:
    return met("atlantoaxial_instability") if f.has("atlantoaxial_instability") else unmet("no suspected atlantoaxial instability")


def w_c(f: Facts, s: Study) -> Outcome:
    if not f.has("rheumatoid_arthritis"):
        return unmet("no rheumatoid arthritis")
    why = f.any(*RA_NEUROLOGIC)
    return met("rheumatoid_arthritis", *why) if why else unmet("no neurologic signs or subluxation", "rheumatoid_arthritis")


# The criteria themselves (quotes, titles, regions, what satisfies them) are data:
# guidelines/wps_mri_spine/criteria.json, keyed by the ids registered here.
register_predicates({"A.i": a_i, "A.ii": a_ii, "A.iii": a_iii, "A.iv": a_iv, "A.v": a_v, "B.a": b_a, "B.b": b_b, "C": c,
                     "D": d, "E": e, "F": f_, "G": g, "H": h, "I": i, "J": j, "K": k, "L": l_, "M": m, "N": n, "O": o,
                     "P": p, "Q": q, "R": r, "S": s_, "T": t, "U": u, "V": v, "W": w, "W+.a": w_a, "W+.b": w_b,
                     "W+.c": w_c})
