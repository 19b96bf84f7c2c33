"""Each criterion met and not met, and the edge cases that labeling.md names."""

from __future__ import annotations

from datetime import date

import pytest

from priorauth.models import Qualifier, Request
from priorauth.rules.decide import decide
from priorauth.rules.facts import Facts
from tests.conftest import finding, therapy


def q(name, value=True):
    return Qualifier(name=name, value=value)


def run(codes=(), exam=(), ct=None, cpt=("72148",), age=50, swo=True, records=True, prior_region=None, quals=None):
    quals = dict(quals or {})
    if "imaging_indeterminate" in codes and "imaging_indeterminate" not in quals:
        # J needs the indeterminate study placed in the requested region (labeling.md): these packets say so
        region = {"72141": "cervical", "72146": "thoracic", "72148": "lumbar"}.get(cpt[0], "lumbar")
        quals["imaging_indeterminate"] = [q("region", region)]
    fs = [finding(c, exam=c in exam, qualifiers=quals.get(c, [])) for c in codes]
    fs += [finding(c, exam=True) for c in exam if c not in codes]
    if prior_region is not None:
        fs.append(finding("prior_mri_same_region", region=prior_region or None,
                          qualifiers=quals.get("prior_mri_same_region", [])))
    req = Request(cpt_codes=list(cpt), patient_age=age, request_date=date(2026, 3, 2), has_standard_written_order=swo)
    return decide(Facts.build(fs, ct, req, has_records=records))


def test_a_i_red_flag_with_pain():
    d = run(["back_pain", "motor_weakness"])
    assert (d.decision, d.criteria) == ("meets_criteria", ["A.i"])


def test_red_flag_without_pain_is_not_a():
    d = run(["motor_weakness"])
    assert d.decision == "not_met" and d.criteria == []
    assert any("A.i not met" in r and "no back or neck pain" in r for r in d.reasons)


def test_a_ii_needs_the_deficit_on_exam():
    assert run(["back_pain", "abnormal_reflexes"]).decision == "not_met"
    d = run(["back_pain"], exam=["abnormal_reflexes"])
    assert d.criteria == ["A.ii"]
    d = run(["back_pain"], exam=["motor_weakness"])
    assert d.criteria == ["A.i", "A.ii"]


def test_a_iii_and_c_from_emg():
    assert run(["back_pain", "emg_radiculopathy"]).criteria == ["A.iii", "C"]


TRIAL = ["back_pain", "physical_therapy", "medication", "no_response_to_treatment"]


@pytest.mark.parametrize("ct,ok", [
    (therapy(6), True),                     # 6 weeks exactly
    (therapy(5), False),                    # 5 weeks
    (therapy(8, inactive=False), False),    # only active care
    (therapy(8, active=False), False),      # only inactive care
    (therapy(8, within=False), False),      # care older than 6 months
    (therapy(None), False),                 # duration not documented
])
def test_a_iv_trial_edges(ct, ok):
    d = run(TRIAL, ct=ct)
    assert (d.decision == "meets_criteria" and d.criteria == ["A.iv"]) is ok


def test_a_iv_not_met_when_symptoms_improved():
    d = run(["back_pain", "physical_therapy", "medication"], ct=therapy(8))
    assert d.decision == "not_met"
    assert any("failure to respond" in r for r in d.reasons)


def test_a_v_worsening_needs_some_care():
    assert run(["back_pain", "symptoms_worsening"]).decision == "not_met"
    assert run(["back_pain", "symptoms_worsening", "medication"], ct=therapy(2, active=False)).criteria == ["A.v"]


ASSESSED = {"back_pain": [Qualifier(name="assessed", value=True)]}


@pytest.mark.parametrize("age,ids", [(5, ["A.i", "W+.a"]), (6, ["W+.a"]), (17, ["W+.a"])])
def test_pediatric_pain_age_5_vs_6(age, ids):
    assert run(["back_pain"], age=age, quals=ASSESSED).criteria == ids


@pytest.mark.parametrize("codes,quals", [(["back_pain"], None), (["back_pain", "trauma"], ASSESSED)])
def test_pediatric_pain_not_assessed_or_after_trauma_is_not_isolated(codes, quals):
    assert run(codes, age=5, quals=quals).decision == "not_met"


def test_adult_isolated_pain_not_met():
    assert run(["back_pain"], age=18).decision == "not_met"


def test_scs_thoracic_meets_lumbar_is_limited():
    assert run(["spinal_cord_stimulator"], cpt=["72146"]).criteria == ["P"]
    d = run(TRIAL + ["spinal_cord_stimulator"], ct=therapy(10), cpt=["72148"])
    assert (d.decision, d.criteria) == ("not_met", ["LIM.E"])


def test_scs_with_recent_thoracic_mri_not_met():
    assert run(["spinal_cord_stimulator"], cpt=["72146"], prior_region="thoracic").decision == "not_met"


def test_s8042_low_field_is_limited():
    d = run(TRIAL, ct=therapy(10), cpt=["S8042"])
    assert (d.decision, d.criteria) == ("not_met", ["LIM.I"])


def test_missing_swo_is_incomplete_and_takes_precedence():
    d = run(["back_pain", "motor_weakness"], swo=False)
    assert (d.decision, d.criteria) == ("incomplete", ["DOC.swo"])
    assert d.missing and "standard written order" in d.missing[0]


def test_no_records_and_non_policy_code():
    assert run(["back_pain"], records=False).criteria == ["DOC.records"]
    d = run(["back_pain", "motor_weakness"], cpt=["70551"])
    assert (d.decision, d.criteria) == ("incomplete", ["DOC.coding"])
    assert run([], cpt=[]).criteria == ["DOC.coding"]


def test_combination_request_needs_every_study():
    d = run(["myelopathy_suspected"], cpt=["72141", "72146"])
    assert (d.decision, d.criteria) == ("meets_criteria", ["M"])
    assert [s.decision for s in d.studies] == ["meets_criteria", "meets_criteria"]
    d = run(["myelopathy_suspected"], cpt=["72141", "72148"])
    assert d.decision == "not_met"
    assert [s.decision for s in d.studies] == ["meets_criteria", "not_met"]


def test_lumbar_study_for_myelopathy_is_limited():
    d = run(["myelopathy_suspected"], cpt=["72148"])
    assert (d.decision, d.criteria) == ("not_met", ["LIM.F"])
    # another lumbar indication lifts LIM.F
    # a deficit with no side is the myelopathy's own sign, not a lumbar indication of its own (LIM.F own_findings)
    assert run(["myelopathy_suspected", "back_pain", "motor_weakness"], cpt=["72148"]).criteria == ["LIM.F"]


def test_repeat_within_six_months_without_and_with_reason():
    d = run(TRIAL, ct=therapy(8), prior_region="lumbar")
    assert (d.decision, d.criteria) == ("not_met", [])
    assert any("REPEAT" in r for r in d.reasons)
    # REPEAT.b needs the exam findings to be new since the prior MRI (labeling.md, repeat imaging)
    assert run(["back_pain"], exam=["motor_weakness"], prior_region="lumbar").criteria == []
    d = run(["back_pain"], exam=["motor_weakness"], prior_region="lumbar",
            quals={"prior_mri_same_region": [q("new_findings_since")]})
    assert d.criteria == ["A.i", "A.ii", "REPEAT.b"]
    d = run(["back_pain", "prior_spine_surgery", "infection_suspected"], prior_region="lumbar",
            quals={"prior_spine_surgery": [q("infection")], "infection_suspected": [q("signs", "labs")],
                   "prior_mri_same_region": [q("interval_surgery")]})
    assert d.criteria == ["A.i", "I", "K", "REPEAT.c"]
    d = run(TRIAL + ["imaging_indeterminate"], ct=therapy(8), prior_region="lumbar")
    assert d.criteria == ["A.iv", "J", "REPEAT.a"]  # J.ii: one follow-up after an indeterminate MRI


def test_prior_mri_of_another_region_is_no_repeat():
    assert run(TRIAL, ct=therapy(8), prior_region="cervical").criteria == ["A.iv"]


def test_routine_post_op_surveillance_is_limited():
    assert run(["prior_spine_surgery"]).criteria == ["LIM.H"]
    # pain alone is not a post-operative finding (labeling.md LIM.H): it must be new or worse after the surgery
    assert run(["prior_spine_surgery", "back_pain"]).criteria == ["LIM.H"]
    assert run(["prior_spine_surgery", "back_pain"], quals={"prior_spine_surgery": [q("new_symptoms")]}).criteria == ["I"]


def test_ms_indications_and_routine_follow_up():
    # a diagnosis alone does not meet G (labeling.md): the new symptoms are the sub-item G.iii
    assert run(["demyelinating_disease", "motor_weakness"], cpt=["72156"]).criteria == []
    assert run(["demyelinating_disease", "motor_weakness"], cpt=["72156"],
               quals={"demyelinating_disease": [q("new_symptoms")]}).criteria == ["G"]
    d = run(["demyelinating_disease", "routine_surveillance"], cpt=["72141"])
    assert (d.decision, d.criteria) == ("not_met", ["LIM.G"])


CT_FX = {"fracture": [Qualifier(name="modality", value="ct"), Qualifier(name="needs_further_evaluation", value=True)]}


@pytest.mark.parametrize("codes,cpt,ids,quals", [
    # labeling.md: a fracture alone, a diagnosis alone, or a cancer with nothing new meets nothing
    (["fracture"], "72141", [], None),
    (["fracture"], "72141", ["D"], CT_FX),
    (["trauma"], "72141", [], None),
    (["trauma", "motor_weakness"], "72141", ["D"], {"trauma": [Qualifier(name="acute", value=True)]}),
    (["malignancy", "back_pain"], "72146", [], None),
    (["malignancy", "back_pain"], "72146", ["H"], {"malignancy": [Qualifier(name="new", value="increasing_pain")]}),
    (["malignancy"], "72146", [], None),
    (["infection_suspected", "back_pain"], "72148", ["A.i", "K"], {"infection_suspected": [Qualifier(name="signs", value="fever")]}),
    (["upper_motor_neuron_signs"], "72141", ["M"], None),
    (["cauda_equina_suspected", "back_pain", "saddle_anesthesia"], "72148", ["A.i", "S"], None),
    (["surgery_planned"], "72148", [], None),  # a plan not documented as spinal (a knee replacement's pre-op visit)
    (["surgery_planned"], "72148", ["U"], {"surgery_planned": [Qualifier(name="spinal", value=True)]}),
    (["spondylolisthesis"], "72148", [], None),
    (["inflammatory_spondylitis", "imaging_indeterminate"], "72148", ["J"], None),
    (["inflammatory_spondylitis"], "72148", ["E"], {"inflammatory_spondylitis": [Qualifier(name="films_nondiagnostic", value=True)]}),
    (["scoliosis", "surgery_planned"], "72146", ["U"], {"surgery_planned": [Qualifier(name="spinal", value=True)]}),
    (["scoliosis", "surgery_planned"], "72146", ["O", "U"], {"scoliosis": [Qualifier(name="radiographs", value=True)],
                                                              "surgery_planned": [Qualifier(name="spinal", value=True)]}),
    (["chiari_or_tethered_cord"], "72141", ["L"], None),
    (["syringomyelia"], "72146", ["N"], None),
    (["spasticity", "myelopathy_suspected"], "72141", ["M", "R"], None),
    (["craniocervical_abnormality"], "72141", ["W"], None),
    (["atlantoaxial_instability"], "72141", ["W+.b"], None),
    (["rheumatoid_arthritis", "motor_weakness"], "72141", ["W+.c"], None),
    (["imaging_indeterminate"], "72148", ["J"], None),
    (["malignancy", "back_pain", "imaging_indeterminate"], "72146", ["H"], {"malignancy": [Qualifier(name="new", value="seen_on_other_imaging")]}),
    (["mr_neurography", "back_pain", "motor_weakness"], "72148", ["LIM.J"], None),
    (["spina_bifida_occulta"], "72148", ["LIM.K"], None),
])
def test_other_indications(codes, cpt, ids, quals):
    assert run(codes, cpt=[cpt], quals=quals).criteria == ids


def test_unmet_criteria_say_what_would_satisfy_them():
    d = run(["back_pain", "physical_therapy", "medication"], ct=therapy(3))
    a_iv = next(r for r in d.results if r.id == "A.iv")
    assert a_iv.status == "not_met" and "fewer than 6" in a_iv.reason and "6 weeks" in a_iv.needed
    assert a_iv.citations and "six-week trial" in a_iv.citations[0].text


def test_a_finding_in_conflict_cannot_carry_a_criterion():
    fs = [finding("back_pain"), finding("motor_weakness")]
    req = Request(cpt_codes=["72148"], patient_age=50, has_standard_written_order=True)
    assert decide(Facts.build(fs, None, req, conflicts=["motor_weakness"])).decision == "not_met"
