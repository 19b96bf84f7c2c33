"""Qualifiers read from notes: each cue with its exact span, negated cues ignored, the vocabulary closed."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from priorauth.extract.qualifiers import Vocabulary, check_qualifier, qualify
from priorauth.models import Case, Document, EvidenceSpan, Finding, Qualifier, Request, Review
from priorauth.pipeline import review
from tests.conftest import note_case

ROOT = Path(__file__).resolve().parents[1]


def quals(case: Case, extractor, code: str) -> dict:
    r = review(case, extractor)
    docs = {d.id: d.text for d in case.documents}
    out: dict = {}
    assert any(f.code == code for f in r.findings), f"{code} itself was not found"
    for f in r.findings:
        if f.code == code:
            for q in f.qualifiers:
                for s in q.evidence:
                    assert docs[s.doc][s.start:s.end] == s.text  # every qualifier span is exact
                out.setdefault(q.name, set()).add(q.value)
    return out


@pytest.mark.parametrize("text,code,name,value,present", [
    ("CT lumbar spine: acute L1 burst fracture with retropulsion into the canal.", "fracture", "complex", True, True),
    ("CT lumbar spine: acute L1 burst fracture with retropulsion into the canal.", "fracture", "fragment_position", True, True),
    ("CT lumbar spine: acute L1 burst fracture with retropulsion into the canal.", "fracture", "modality", "ct", True),
    ("Lumbar x-rays show a mild L2 compression fracture, likely osteoporotic.", "fracture", "osteoporotic_benign", True, True),
    ("Lumbar x-rays show a mild L2 compression fracture, likely osteoporotic.", "fracture", "modality", "plain_films", True),
    ("Lumbar x-rays show a mild L2 compression fracture, likely osteoporotic.", "fracture", "pathologic", True, False),
    # a negated cue in the next sentence does not count
    ("CT shows an L2 compression fracture. No retropulsion and no canal compromise.", "fracture", "fragment_position", True, False),
    ("X-ray: T12 compression fracture; benign versus metastatic cannot be determined, MRI recommended.", "fracture", "malignancy_question", True, True),
    ("Radiographs: L3 compression fracture seen. Kyphoplasty is planned next week.", "fracture", "intervention_planned", True, True),
    ("Metastatic prostate cancer to bone. PSA rising from 4 to 19 since spring. Mild back pain.", "malignancy", "new", "progression_labs_or_imaging", True),
    ("Metastatic lung cancer to the spine. Back pain unchanged from the last visit, no new symptoms.", "malignancy", "new", "new_symptoms", False),
    ("Metastatic lung cancer to the spine. Back pain unchanged from the last visit, no new symptoms.", "malignancy", "stable", True, True),
    ("History of breast cancer, now with new low back pain that wakes her at night.", "malignancy", "new", "increasing_pain", True),
    ("History of breast cancer. Worse with standing, with pain radiating to the buttock for a year.", "malignancy", "new", "increasing_pain", False),
    ("Relapsing multiple sclerosis since 2019 with new numbness of both legs over ten days.", "demyelinating_disease", "new_symptoms", True, True),
    ("Relapsing multiple sclerosis since 2019 with new numbness of both legs over ten days.", "demyelinating_disease", "status", "confirmed", True),
    ("Known multiple sclerosis, clinically stable, denies any new symptoms.", "demyelinating_disease", "new_symptoms", True, False),
    ("Known multiple sclerosis, clinically stable, denies any new symptoms.", "demyelinating_disease", "stable", True, True),
    ("Guillain-Barre syndrome, with CSF showing albuminocytologic dissociation.", "demyelinating_disease", "confirmed_by_csf_or_emg", True, True),
    ("Possible Guillain-Barre syndrome; the EMG was non-diagnostic.", "demyelinating_disease", "workup_nondiagnostic", True, True),
    ("Low back pain. Concern for discitis with ESR 88 and CRP 54.", "infection_suspected", "signs", "labs", True),
    ("Low back pain. Discitis suspected; ESR 8 and CRP 0.3, afebrile.", "infection_suspected", "signs", "labs", False),
    ("CSF protein 40 mg/dL (normal 15-45). Possible Guillain-Barre syndrome.", "demyelinating_disease", "workup_nondiagnostic", True, False),
])
def test_cue_qualifiers(extractor, text, code, name, value, present):
    got = quals(note_case(text, cpt="72146"), extractor, code)
    assert (value in got.get(name, set())) is present, got


def test_rule_out_is_a_question_not_a_pathologic_fracture(extractor):
    got = quals(note_case("Lumbar films: L4 compression fracture, rule out pathologic fracture."), extractor, "fracture")
    assert "pathologic" not in got
    assert True in got.get("malignancy_question", set())


def two_notes(first: str, d1: str, second: str, d2: str, when: str = "2026-03-05", cpt: str = "72148") -> Case:
    return Case(id="t", request=Request(cpt_codes=[cpt], patient_age=58, request_date=date.fromisoformat(when),
                                        has_standard_written_order=True),
                documents=[Document(id="a", type="operative_report" if first.startswith("OPERATIVE") else "progress_note",
                                    date=date.fromisoformat(d1), text=first),
                           Document(id="b", type="progress_note", date=date.fromisoformat(d2), text=second)])


def test_operative_indications_are_before_the_surgery(extractor):
    op = ("OPERATIVE REPORT\nIndications: severe low back pain and left foot weakness.\n"
          "Procedure: L4-5 laminectomy and discectomy.")
    later = "Clinic visit. Doing well since the laminectomy. Incision healed."
    c = two_notes(op, "2026-01-12", later, "2026-02-20")
    r = review(c, extractor)
    weak = next(f for f in r.findings if f.code == "motor_weakness")
    assert weak.qualified("before_surgery")
    assert r.decision == "not_met" and "LIM.H" in r.criteria


def test_new_deficit_after_surgery_is_i(extractor):
    op = "OPERATIVE REPORT\nIndications: right leg pain.\nProcedure: L5-S1 microdiscectomy."
    later = ("Post-op visit. Three weeks after the microdiscectomy he has new left foot weakness.\n"
             "Exam: left ankle dorsiflexion 3/5.")
    c = two_notes(op, "2026-01-12", later, "2026-02-02")
    r = review(c, extractor)
    surgery = next(f for f in r.findings if f.code == "prior_spine_surgery")
    assert surgery.qualified("new_symptoms")
    i = next(x for x in r.criteria_results if x.id == "I")
    assert i.status == "met" and i.subitem == "I.new_symptoms"
    assert any(s.doc == "b" for s in i.evidence)


def test_later_normal_exam_contradicts_a_deficit(extractor):
    first = "Low back pain radiating to the left leg.\nExam: left EHL 4/5."
    second = "Follow-up for low back pain.\nExam: strength 5/5 throughout, sensation intact."
    r = review(two_notes(first, "2026-01-05", second, "2026-03-01"), extractor)
    weak = next(f for f in r.findings if f.code == "motor_weakness")
    q = next(x for x in weak.qualifiers if x.name == "contradicted")
    assert q.value == "2026-03-01" and q.evidence[0].doc == "b"


def test_qualifiers_work_on_gold_style_findings_without_sections():
    text = "MRI lumbar spine 01/10/2026 was limited by motion artifact; repeat MRI in 6 weeks recommended."
    doc = Document(id="n", date=date(2026, 1, 10), text=text)
    start = text.index("MRI lumbar spine")
    f = Finding(code="prior_mri_same_region", evidence=[EvidenceSpan(doc="n", start=start, end=start + 16, text="MRI lumbar spine")])
    out = qualify([doc], [f], Request(request_date=date(2026, 3, 1)))[0]
    names = {(q.name, q.value) for q in out.qualifiers}
    assert {("inconclusive", True), ("followup_recommended", True), ("date", "2026-01-10")} <= names


def test_vocabulary_is_closed():
    with pytest.raises(ValidationError):
        Finding(code="fracture", evidence=[], qualifiers=[Qualifier(name="spicy", value=True)])
    with pytest.raises(ValidationError):
        Finding(code="demyelinating_disease", evidence=[], qualifiers=[Qualifier(name="status", value="maybe")])
    with pytest.raises(ValidationError):
        Finding(code="fracture", evidence=[], qualifiers=[Qualifier(name="pathologic", value="yes")])
    with pytest.raises(ValueError):
        check_qualifier("back_pain", "pathologic", True)
    check_qualifier("malignancy", "new", "increasing_pain")
    check_qualifier("motor_weakness", "contradicted", "2026-03-01")  # qualifiers of every code


def test_vocabulary_file_rejects_unknown_keys():
    raw = json.loads((Path(__file__).parents[1] / "priorauth" / "guidelines" / "wps_mri_spine" / "qualifiers.json").read_text())
    Vocabulary.model_validate(raw)
    raw["codes"]["fracture"]["pathologic"]["cue"] = ["typo"]
    with pytest.raises(ValidationError):
        Vocabulary.model_validate(raw)


def test_committed_schema_is_the_review_models_schema():
    path = ROOT / "docs" / "review.schema.json"
    assert json.loads(path.read_text(encoding="utf-8")) == Review.model_json_schema(), \
        "regenerate it: python -m priorauth.models > docs/review.schema.json"


def test_reviewer_page_names_the_met_subitem_and_shows_qualifiers(extractor):
    from priorauth.review_page import render_review_page

    text = ("Oncology follow-up. Metastatic prostate cancer to bone.\n"
            "Labs: PSA rising from 3 to 41 over two months. Thoracic back pain.")
    case = note_case(text, cpt="72146", age=71)
    r = review(case, extractor)
    h = next(x for x in r.criteria_results if x.id == "H")
    assert (h.status, h.subitem) == ("met", "H.metastatic.ii")
    span = h.qualifiers[0].evidence[0]
    assert span.text == text[span.start:span.end] and span in h.evidence
    html = render_review_page(case, r)
    assert "met by H.metastatic.ii: lab or imaging findings of progression — “PSA rising" in html
    assert "qualifiers: " in html and "new: progression labs or imaging" in html


def test_postop_day_dates_the_earlier_surgery_named_in_a_later_operative_report(extractor):
    op = ("OPERATIVE REPORT\nPreoperative diagnosis: wound hematoma. Status post L4-5 laminectomy, postop day #9.\n"
          "Procedure: evacuation of hematoma.")
    c = Case(id="t", request=Request(cpt_codes=["72148"], patient_age=60, request_date=date(2026, 3, 12),
                                     has_standard_written_order=True),
             documents=[Document(id="op", type="operative_report", date=date(2026, 3, 10), text=op)])
    r = review(c, extractor)
    surgery = next(f for f in r.findings if f.code == "prior_spine_surgery")
    assert ("date", "2026-03-01") in {(q.name, q.value) for q in surgery.qualifiers}


@pytest.mark.parametrize("line,new", [
    ("Since the surgery she has numbness over the left lateral foot.", True),
    ("Residual numbness of the left foot since the surgery, improving.", False),
])
def test_symptom_placed_after_a_recent_surgery(extractor, line, new):
    text = f"Status post L5-S1 microdiscectomy on 02/02/2026.\n{line}"
    r = review(note_case(text, when="2026-03-02"), extractor)
    surgery = next(f for f in r.findings if f.code == "prior_spine_surgery")
    assert bool(surgery.qualified("new_symptoms")) is new


def test_operative_note_headings_are_before_the_surgery(extractor):
    text = ("PREOPERATIVE DIAGNOSIS: Left L5 radiculopathy with foot weakness. POSTOPERATIVE DIAGNOSIS: Same.\n"
            "PROCEDURE PERFORMED: Left L4-5 microdiscectomy.\nFINDINGS: Large extruded fragment compressing the L5 root.")
    c = Case(id="t", request=Request(cpt_codes=["72148"], patient_age=44, request_date=date(2026, 3, 20),
                                     has_standard_written_order=True),
             documents=[Document(id="op", date=date(2026, 3, 1), text=text)])
    r = review(c, extractor)
    surgery = next(f for f in r.findings if f.code == "prior_spine_surgery")
    assert not surgery.qualified("new_symptoms")
    assert all(f.qualified("before_surgery") for f in r.findings if f.code in ("motor_weakness", "radicular_pain"))
    assert r.decision == "not_met"
