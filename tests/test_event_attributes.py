"""Events carry their own what/when/status: a surgery performed or planned, care received, planned, declined or
contraindicated, a study done or ordered, its own date and levels, and the qualifiers' values; the rules read them
there, the review JSON (and its committed schema) and the reviewer's timeline show them. Sentences written here."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from priorauth.extract.events import build_events
from priorauth.models import Document, EvidenceSpan, Finding, Qualifier
from priorauth.pipeline import review
from priorauth.rules.facts import Facts
from priorauth.rules.strength import weakness
from tests.conftest import note_case

ROOT = Path(__file__).resolve().parents[1]

PACKET = ("HPI: Low back pain for 3 months. She underwent L4-5 laminectomy on 03/12/2019. "
          "She declined NSAIDs. Ibuprofen is contraindicated because of her kidney disease.\n"
          "PLAN:\nMRI lumbar spine without contrast is ordered.\n"
          "L5-S1 fusion is planned next month.")


@pytest.fixture(scope="module")
def packet_review():
    case = note_case(PACKET)
    return case, review(case)


def _event(r, code: str, words: str):
    return next(e for e in r.events if e.code == code and words in e.evidence[0].text)


def test_a_performed_surgery_a_planned_one_declined_care_and_an_ordered_study(packet_review):
    _, r = packet_review
    assert _event(r, "prior_spine_surgery", "laminectomy").status == "performed"
    assert _event(r, "surgery_planned", "fusion").status == "planned"
    assert _event(r, "medication", "NSAIDs").status == "declined"
    assert _event(r, "medication", "Ibuprofen").status == "contraindicated"
    mri = _event(r, "prior_mri_same_region", "MRI lumbar spine")
    assert mri.status == "ordered" and not mri.counts


def test_care_received_and_planned():
    r = review(note_case("HPI: Low back pain for 8 weeks despite physical therapy for 6 weeks.\n"
                         "PLAN:\nWill start a home exercise program."))
    assert _event(r, "physical_therapy", "physical therapy").status == "received"
    assert _event(r, "home_exercise_program", "home exercise").status == "planned"


def test_a_surgery_has_its_own_date_levels_and_values_apart_from_the_notes(packet_review):
    _, r = packet_review
    e = _event(r, "prior_spine_surgery", "laminectomy")
    assert e.when == date(2019, 3, 12) and e.date == date(2026, 3, 2)
    assert e.levels == ["L4-5"]
    assert e.values["region"] == ["lumbar"] and e.values["date"] == ["2019-03-12"]
    assert _event(r, "surgery_planned", "fusion").levels == ["L5-S1"]


def test_an_undated_mention_has_no_own_date(packet_review):
    _, r = packet_review
    assert _event(r, "back_pain", "Low back pain").when is None


def test_an_indeterminate_study_has_that_result():
    text = "Low back pain.\nCT lumbar spine: indeterminate lesion of the L2 vertebral body."
    doc = Document(id="n", date=date(2026, 3, 1), text=text)
    at = text.index("indeterminate lesion")
    f = Finding(code="imaging_indeterminate",
                evidence=[EvidenceSpan(doc="n", start=at, end=at + 20, text="indeterminate lesion")])
    (e,), _ = build_events([doc], [f], [])
    assert e.kind == "imaging" and e.status == "performed" and e.result == "indeterminate"


def _surgery(region: str) -> tuple[list, list[Finding]]:
    text = "Low back pain. Status post L4-5 laminectomy."
    doc = Document(id="n", date=date(2026, 3, 1), text=text)
    at = text.index("L4-5 laminectomy")
    span = EvidenceSpan(doc="n", start=at, end=at + 16, text="L4-5 laminectomy")
    fs = [Finding(code="prior_spine_surgery", evidence=[span],
                  qualifiers=[Qualifier(name="region", value=region, evidence=[span])])]
    return build_events([doc], fs, [])[0], fs


def test_the_rules_read_a_surgerys_region_off_its_events():
    events, fs = _surgery("lumbar")
    facts = Facts.from_events(events, fs, None, note_case("x").request)
    assert facts.event_values("prior_spine_surgery", "region") == {"lumbar"}
    events[0].values["region"] = ["cervical"]  # what the event says is what the rules read
    assert facts.event_values("prior_spine_surgery", "region") == {"cervical"}
    assert facts.value_of(fs[0], "region") == "cervical"


def test_a_contradictions_date_is_read_off_the_events():
    text = "Says his left leg feels weak."
    at = text.index("left leg feels weak")
    span = EvidenceSpan(doc="n", start=at, end=at + 19, text="left leg feels weak")
    f = Finding(code="motor_weakness", evidence=[span],
                qualifiers=[Qualifier(name="contradicted", value="2026-03-12", evidence=[span])])
    events, _ = build_events([Document(id="n", date=date(2026, 3, 1), text=text)], [f], [])
    assert "the 03/12/2026 exam" in weakness(f, events)
    events[0].values["contradicted"] = ["2026-04-01"]
    assert "the 04/01/2026 exam" in weakness(f, events)


def test_the_committed_schema_validates_a_review_with_events(packet_review):
    _, r = packet_review
    schema = json.loads((ROOT / "docs" / "review.schema.json").read_text(encoding="utf-8"))
    props = schema["$defs"]["ClinicalEvent"]["properties"]
    assert {"status", "when", "levels", "result", "values"} <= props.keys()
    assert "declined" in json.dumps(props["status"])
    data = r.model_dump(mode="json")
    assert any(e["status"] == "performed" and e["when"] == "2019-03-12" for e in data["events"])
    jsonschema.validate(data, schema)
    bad = json.loads(json.dumps(data))
    bad["events"][0]["status"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_the_reviewers_timeline_shows_status_own_date_and_levels(packet_review):
    from priorauth.review_page import render_review_page

    case, r = packet_review
    page = render_review_page(case, r)
    assert "L4-5 prior spine surgery — performed 03/12/2019" in page
    assert "medication — declined" in page and "L5-S1 surgery planned — planned" in page
    assert "prior mri same region — ordered" in page
