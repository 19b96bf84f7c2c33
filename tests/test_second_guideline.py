"""Acceptance for issue 11: a second guideline, defined only from data in tests/, reviews a packet
in the same process as an MRI-spine review, with no change to the MRI-spine package."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from priorauth import guidelines
from priorauth.models import Case, Document, Request
from priorauth.pipeline import review
from priorauth.rules.catalog import catalog, predicate
from priorauth.rules.criterion import met, unmet
from priorauth.validate import DataFileError

DEMO = Path(__file__).parent / "guidelines" / "knee_demo"
SPINE = Path(guidelines.get("wps-mri-spine").root)
# Extractor cue files that are clinical language, not policy: the demo reuses them as they are,
# with the spine-specific parts (causes of deficits, qualifier codes) left empty.
GENERIC = ("care.json", "contrast.json")


@predicate("demo.knee_locking")
def knee_locking(facts, study):
    return met("knee_locking") if facts.has("knee_locking") else unmet("no locking or giving way of the knee")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("demo_guideline")
    shutil.copytree(DEMO, root, dirs_exist_ok=True)
    for name in GENERIC:
        shutil.copy(SPINE / name, root / name)
    attribution = json.loads((SPINE / "attribution.json").read_text())
    attribution["causes"] = attribution["explained_by_diagnosis"] = []
    (root / "attribution.json").write_text(json.dumps(attribution))
    qualifiers = json.loads((SPINE / "qualifiers.json").read_text())
    qualifiers["codes"] = {}
    (root / "qualifiers.json").write_text(json.dumps(qualifiers))
    return guidelines.register(root).id


def _case(cid: str, text: str, cpt: str) -> Case:
    return Case(id=cid, documents=[Document(id="n1", type="office note", date=date(2027, 2, 1), text=text)],
                request=Request(cpt_codes=[cpt], patient_age=40, request_date=date(2027, 2, 2),
                                has_standard_written_order=True))


def test_two_guidelines_review_in_one_process(demo):
    spine_before = review(_case("spine", "Low back pain for 2 days. Strength 3/5 left ankle dorsiflexion, new foot drop.", "72148"))
    knee = review(_case("knee", "Twisted the knee playing soccer; since then the knee locks when climbing stairs.", "73721"),
                  guideline=demo)
    spine_after = review(_case("spine", "Low back pain for 2 days. Strength 3/5 left ankle dorsiflexion, new foot drop.", "72148"))

    assert knee.policy.number == "DEMO 1" and spine_before.policy.number == "PUM 250-0057-1812"
    assert knee.decision == "meets_criteria" and knee.criteria == ["KNEE.1"]
    assert [f.code for f in knee.findings] == ["knee_locking"]
    cit = knee.criteria_results[0].citations[0] if knee.criteria_results else None
    assert cit is None or guidelines.get(demo).policy_text[cit.start:cit.end] == cit.text
    # the MRI-spine review is the same before and after the demo guideline ran in this process
    assert spine_before.model_dump() == spine_after.model_dump()
    assert spine_before.decision == "meets_criteria" and "A.i" in spine_before.criteria


def test_the_demo_guideline_does_not_see_spine_codes(demo):
    knee = review(_case("knee2", "Low back pain; the knee does not lock. No knee locks.", "73721"), guideline=demo)
    assert knee.decision == "not_met"
    assert not any(f.code == "back_pain" for f in knee.findings)
    assert {c.id for c in catalog(demo).all} == {"KNEE.DOC", "KNEE.1"}


def test_unknown_guideline_is_one_sentence_error():
    with pytest.raises(ValueError, match="unknown guideline 'nope'"):
        guidelines.get("nope")


def test_a_misspelt_key_fails_at_load_naming_file_and_line(tmp_path):
    root = tmp_path / "bad"
    shutil.copytree(DEMO, root)
    text = (root / "criteria.json").read_text().replace('"needed": "a knee', '"neded": "a knee')
    (root / "criteria.json").write_text(text)
    manifest = (root / "guideline.json").read_text().replace('"demo-knee-mri"', '"demo-knee-misspelt"')
    (root / "guideline.json").write_text(manifest)
    with pytest.raises(DataFileError) as exc:
        catalog(guidelines.register(root).id)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if '"neded"' in t)
    assert str(root / "criteria.json") in str(exc.value) and f"line {line}" in str(exc.value) and "neded" in str(exc.value)


def test_a_bad_manifest_fails_naming_the_file(tmp_path):
    root = tmp_path / "bad_manifest"
    shutil.copytree(DEMO, root)
    (root / "guideline.json").write_text((DEMO / "guideline.json").read_text().replace('"effective"', '"efective"'))
    with pytest.raises(DataFileError, match=r"guideline.json, line 5: .*efective"):
        guidelines.load(root)


@pytest.mark.parametrize("name, key, bad", [
    ("lexicon/knee_locking.json", '"pattern"', '"patern"'),
    ("context_rules.json", '"direction"', '"directon"'),
    ("sections.json", '"long"', '"lnog"'),
])
def test_every_rule_file_rejects_a_misspelt_key(tmp_path, name, key, bad):
    root = tmp_path / "g"
    shutil.copytree(DEMO, root)
    (root / name).write_text((root / name).read_text().replace(key, bad, 1))
    (root / "guideline.json").write_text((DEMO / "guideline.json").read_text().replace('"demo-knee-mri"', f'"demo-{tmp_path.name}"'))
    gid = guidelines.register(root).id
    from priorauth.extract import resources

    loader = {"lexicon/knee_locking.json": resources.lexicons, "context_rules.json": resources.context_rules,
              "sections.json": resources.section_config}[name]
    with pytest.raises(DataFileError, match=rf"{name}, line \d+: .*{bad.strip(chr(34))}"):
        loader(gid)


def test_a_lexicon_cannot_shadow_a_code_it_does_not_have(tmp_path):
    root = tmp_path / "g"
    shutil.copytree(DEMO, root)
    (root / "lexicon" / "knee_locking.json").write_text(
        '{"code": "knee_locking", "shadows": ["knee_pain"], "rules": [{"literal": "knee locks"}]}')
    (root / "guideline.json").write_text((DEMO / "guideline.json").read_text().replace('"demo-knee-mri"', '"demo-shadow"'))
    from priorauth.extract import resources

    with pytest.raises(DataFileError, match=r"knee_locking.json: shadows unknown codes \['knee_pain'\]"):
        resources.lexicons(guidelines.register(root).id)


def _copy(tmp_path, gid: str) -> Path:
    root = tmp_path / gid
    shutil.copytree(DEMO, root)
    (root / "guideline.json").write_text((DEMO / "guideline.json").read_text().replace('"demo-knee-mri"', f'"{gid}"'))
    return root


def test_finding_codes_are_the_guidelines_own(demo):
    from priorauth.codes import code_table

    spec = Path(__file__).parents[2] / "shared" / "spec" / "finding-codes.md"
    spine_contract = {ln.split("`")[1] for ln in spec.read_text().splitlines() if ln.startswith("| `")}
    assert code_table("wps-mri-spine").contract == spine_contract
    assert set(code_table(demo).by_code) == {"knee_locking"} and code_table(demo).therapy == {}
    assert code_table("wps-mri-spine").therapy["physical_therapy"] == "active"
    assert code_table("wps-mri-spine").label("motor_weakness") == "weakness"  # a label from codes.json
    assert code_table(demo).label("knee_locking") == "knee locking"  # none given: the code in words


def test_the_llm_schema_and_prompt_name_only_the_guidelines_codes(demo):
    from pydantic import ValidationError

    from priorauth.extract.llm_schema import extraction_model, schema_sha256
    from priorauth.prompts import definitions

    knee, spine = extraction_model(demo), extraction_model("wps-mri-spine")
    answer = {"findings": [{"code": "knee_locking", "quotes": ["knee locks"], "assertion": "present", "exam": False}],
              "conservative_therapy": []}
    assert knee.model_validate(answer).findings[0].code == "knee_locking"
    with pytest.raises(ValidationError):
        spine.model_validate(answer)
    answer["findings"][0]["code"] = "back_pain"
    with pytest.raises(ValidationError):
        knee.model_validate(answer)
    assert schema_sha256(demo) != schema_sha256("wps-mri-spine")
    assert definitions(demo) == "- knee_locking: the knee locks or gives way"


def test_a_review_records_its_guideline_and_its_page_shows_that_guideline(demo):
    from priorauth.review_page import render_review_page

    case = _case("knee3", "Twisted the knee; since then the knee locks on stairs.", "73721")
    knee = review(case, guideline=demo)
    assert knee.policy.id == demo
    page = render_review_page(case, knee)
    assert 'class="g-redflag' in page  # knee_locking's group in the demo's codes.json
    assert "MRI of the knee is considered medically necessary" in page  # the demo's policy, not the spine's
    assert "PUM 250-0057-1812" not in page


def test_a_guideline_without_a_prior_study_code_has_no_repeat_criteria(demo):
    from priorauth.rules.facts import Facts

    with guidelines.using(demo):
        facts = Facts.build([], None, _case("k", "knee", "73721").request)
        assert guidelines.get().manifest.prior_study_code is None
        assert facts.prior_study(guidelines.Study("73721", "knee", "without")) is False


def test_codes_file_rejects_a_misspelt_key(tmp_path):
    from priorauth.codes import code_table

    root = _copy(tmp_path, "demo-codes-typo")
    (root / "codes.json").write_text((DEMO / "codes.json").read_text().replace('"definition"', '"definiton"'))
    with pytest.raises(DataFileError, match=r"codes.json, line \d+: .*definiton"):
        code_table(guidelines.register(root).id)


def test_a_lexicon_for_a_code_the_guideline_does_not_declare_fails(tmp_path):
    from priorauth.extract import resources

    root = _copy(tmp_path, "demo-undeclared")
    (root / "lexicon" / "knee_swelling.json").write_text('{"code": "knee_swelling", "rules": [{"literal": "swollen knee"}]}')
    with pytest.raises(DataFileError, match=r"codes not in codes.json \['knee_swelling'\]"):
        resources.lexicons(guidelines.register(root).id)


@pytest.mark.parametrize("field, value, message", [
    ("regions", ["lumbar"], r"names regions no study of the guideline has \['lumbar'\]"),
    ("subitems", {"KNEE.1.a": "a knee that wobbles"}, r"not a verbatim policy sentence"),
])
def test_criteria_data_is_checked_against_the_guideline(tmp_path, field, value, message):
    root = _copy(tmp_path, f"demo-{field}")
    data = json.loads((DEMO / "criteria.json").read_text())
    data["criteria"]["KNEE.1"][field] = value
    (root / "criteria.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match=message):
        catalog(guidelines.register(root).id)


def test_a_met_subitem_cites_its_own_words_from_criteria_data():
    from priorauth.rules.decide import _result
    from priorauth.rules.facts import Facts

    spine = guidelines.get("wps-mri-spine")
    words = json.loads(spine.read_text("criteria.json"))["criteria"]["H"]["subitems"]["H.metastatic.ii"]
    case = _case("sub", "Known breast cancer.", "72148")
    with guidelines.using("wps-mri-spine"):
        h = next(c for c in catalog().all if c.id == "H")
        r = _result(h, met(sub="H.metastatic.ii"), Facts.build([], None, case.request), spine.studies["72148"])
    assert r.subitem == "H.metastatic.ii" and r.citations[-1].text == words
    assert words not in h.quotes and all(spine.policy_text[c.start:c.end] == c.text for c in r.citations)



def test_the_shared_rules_package_holds_only_predicates_every_shipped_guideline_names():
    """A guideline's own predicates live in its folder; `priorauth/rules/` keeps only those every guideline uses."""
    from priorauth.rules.catalog import PREDICATES

    shipped = [g for gid in guidelines.installed() for g in guidelines.versions(gid) if SPINE.parent in Path(g.root).parents]
    assert len({g.id for g in shipped}) >= 2
    for g in shipped:
        catalog.__wrapped__(g)  # registers the guideline's own predicates from its folder
    shared = {i for i, fn in PREDICATES.items() if fn.__module__.startswith("priorauth.rules.")}
    assert shared
    for g in shipped:
        criteria = json.loads(g.path("criteria.json").read_text())["criteria"]
        uses = {spec.get("predicate") or cid for cid, spec in criteria.items()}
        assert shared <= uses, (g.id, sorted(shared - uses))
    spine = catalog("wps-mri-spine")
    assert {c.test.__module__ for c in spine.indications + spine.repeat + spine.limitations} == {
        "priorauth.guidelines.wps_mri_spine.indications", "priorauth.guidelines.wps_mri_spine.limitations"}
