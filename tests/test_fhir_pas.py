"""Da Vinci PAS 2.2.1 as the IG publishes it: its own examples in, responses checked against its StructureDefinitions.

The examples and profiles are vendored in tests/fhir_pas (see its README). The
checker (tests/pas_checker.py) is itself tested: it rejects one seeded error
of each kind, and it passes the IG's own example responses except for the
references they leave unresolved.
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path

import pytest

from priorauth.fhir import FhirError, case_from_bundle, submit, systems
from priorauth.fhir.build import pas_bundle
from priorauth.fhir.inbound import read_request
from priorauth.fhir.submit import request_bundle, review_bundle
from tests.pas_checker import INQUIRY_RESPONSE, RESPONSE, assert_conforms, by_system_bindings, checker

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE / "fhir_pas" / "examples"
NOTE = (HERE.parent / "examples" / "lumbar_radiculopathy.txt").read_text(encoding="utf-8")
CREATED = "2026-03-02T10:00:00Z"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"Bundle-{name}.json").read_text(encoding="utf-8"))


REQUESTS = ["ReferralAuthorizationBundleExample", "HomecareAuthorizationBundleExample", "MedicalServicesAuthorizationBundleExample",
            "SurgicalRequestBundleExample", "HomecareAuthorizationUpdateBundleExample"]
IG_RESPONSES = {  # the IG's own example responses, and the references each leaves unresolved (the checker's only findings)
    "ReferralAuthorizationResponseBundleExample": (RESPONSE, {"requestor", "request"}),
    "ReferralPendingAuthorizationResponseBundleExample": (RESPONSE, {"requestor", "request"}),
    "ErrorResponseBundleExample": (RESPONSE, {"careTeam[0].provider", "supportingInfo[0].valueReference", "insurance[0].coverage",
                                              "item[0].extension[5].valueReference"}),
    "RejectionResponseBundleExample": (RESPONSE, {"careTeam[0].provider", "supportingInfo[0].valueReference",
                                                  "insurance[0].coverage", "item[0].extension[5].valueReference"}),
    "PASClaimInquiryResponseBundleExample": (INQUIRY_RESPONSE, {"careTeam[0].provider", "supportingInfo[0].valueReference",
                                                                "item[0].extension[5].valueReference"}),
}


def _cr(resp: dict) -> dict:
    return resp["entry"][0]["resource"]


def _codes(resp: dict) -> list[str]:
    return [e["valueCodeableConcept"]["coding"][0]["code"] for i in _cr(resp)["item"] for x in i["adjudication"][0]["extension"]
            for e in x["extension"] if e["url"] == systems.EXT_REVIEW_ACTION_CODE]


@pytest.fixture(scope="module")
def answered(extractor) -> dict[str, dict]:
    return {name: submit(example(name), extractor) for name in REQUESTS}


# --- every request and update example of the package ----------------------------------------------------------

@pytest.mark.parametrize("name", REQUESTS)
def test_package_request_example_is_answered_and_conforms(name, answered):
    resp = answered[name]
    assert_conforms(resp)
    request_claim = example(name)["entry"][0]["resource"]
    cr = _cr(resp)
    assert cr["identifier"] == request_claim["identifier"]  # echoed
    assert resp["identifier"] == example(name)["identifier"]
    assert "A3" not in _codes(resp) and "A1" not in _codes(resp)  # none of these services is in the MRI guideline
    assert not any(e["resource"]["resourceType"] == "Questionnaire" for e in resp["entry"])  # not asked for


def test_referral_example_is_pended_outside_the_guideline_not_refused(answered):
    """Was a 400: X12 1365 service-type codes are in the required value set; outside the guideline is an A4 pend."""
    resp = answered["ReferralAuthorizationBundleExample"]
    cr = _cr(resp)
    (item,) = cr["item"]
    assert _codes(resp) == ["A4"]
    assert cr["disposition"] == "Pended: service outside the guidelines this plan automates; a clinician reviews it."
    item_notes = {n["number"]: n["text"] for n in cr["processNote"]}
    assert any("outside the guidelines this plan automates" in item_notes[n] for n in item["noteNumber"])
    assert "preAuthRef" not in cr
    ext = {e["url"]: e for e in item["extension"]}
    assert ext[systems.EXT_TRACE_NUMBER]["valueIdentifier"] == {"system": "http://example.org/ITEM_TRACE_NUMBER", "value": "1122334"}
    assert ext[systems.EXT_ADMIN_REF]["valueString"].startswith("PA-")
    assert "communicationRequest" not in cr  # no guideline documents to ask for
    assert "code of this policy" not in json.dumps(cr) and "Missing documentation" not in json.dumps(cr)


def test_referral_example_urgency_is_read_from_level_of_service():
    """levelOfServiceCode U is urgent: the 72-hour clock (was ignored: 7 days)."""
    assert read_request(example("ReferralAuthorizationBundleExample")).urgency == "expedited"
    assert read_request(example("HomecareAuthorizationBundleExample")).urgency == "standard"
    b = pas_bundle([NOTE], ["72148"], "1973-06-10", CREATED)
    b["entry"][0]["resource"]["priority"]["coding"][0]["code"] = "stat"
    assert read_request(b).urgency == "expedited"


def test_update_example_cancels_its_cancelled_line(answered):
    """The infoCancelled line is answered cancelled (C), not pended again; the other lines are answered."""
    resp = answered["HomecareAuthorizationUpdateBundleExample"]
    assert _codes(resp) == ["A4", "C", "A4"]
    req = read_request(example("HomecareAuthorizationUpdateBundleExample"))
    assert req.kind == "update" and [i.cancelled for i in req.items] == [False, True, False]
    assert req.related == [{"system": "http://example.org/PATIENT_EVENT_TRACE_NUMBER", "value": "111099",
                            "assigner": {"identifier": {"system": "http://example.org/USER_ASSIGNED", "value": "9012345678"}}}]


def test_inquiry_example_is_not_reviewed_as_a_submission():
    with pytest.raises(FhirError) as info:
        submit(example("PASClaimInquiryBundleExample"))
    assert "Claim/$inquire" in str(info.value)


def test_parameters_wrapped_bundle_is_read():
    b = example("ReferralAuthorizationBundleExample")
    assert request_bundle({"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": b}]}) == b
    with pytest.raises(FhirError):
        request_bundle({"resourceType": "Parameters", "parameter": [{"name": "x", "valueString": "y"}]})


# --- readings -----------------------------------------------------------------------------------------------

def test_written_order_is_a_service_request_for_the_requested_code():
    b = pas_bundle([NOTE], ["72148"], "1973-06-10", CREATED)
    assert case_from_bundle(copy.deepcopy(b)).request.has_standard_written_order is True
    consult = copy.deepcopy(b)
    order = consult["entry"][-1]["resource"]
    order["code"] = {"coding": [{"system": "https://codesystem.x12.org/005010/1365", "code": "3", "display": "Consultation"}]}
    assert case_from_bundle(consult).request.has_standard_written_order is False  # a referral is not an MRI order
    none = pas_bundle([NOTE], ["72148"], "1973-06-10", CREATED, with_order=False)
    assert case_from_bundle(none).request.has_standard_written_order is None


def test_dtr_questionnaire_response_is_read_as_evidence(extractor):
    """A DTR QuestionnaireResponse in supportingInfo is a document: its answers carry evidence spans."""
    b = pas_bundle([], ["72148"], "1973-06-10", CREATED)
    qr = {"resourceType": "QuestionnaireResponse", "id": "dtr-1", "status": "completed", "authored": "2026-03-01",
          "item": [{"linkId": "1", "text": "Symptoms", "answer": [{"valueString": NOTE}]},
                   {"linkId": "2", "text": "Conservative therapy tried for at least 6 weeks?", "answer": [{"valueBoolean": True}]}]}
    b["entry"].append({"fullUrl": "http://provider.example.org/fhir/QuestionnaireResponse/dtr-1", "resource": qr})
    b["entry"][0]["resource"]["supportingInfo"] = [{"sequence": 1, "category": {"coding": [
        {"system": systems.PAS_TEMP_CODES, "code": "additionalInformation"}]}, "valueReference": {"reference": "QuestionnaireResponse/dtr-1"}}]
    case, review, resp = review_bundle(b, extractor)
    (doc,) = case.documents
    assert doc.id == "dtr-1" and doc.text.startswith("Symptoms: ") and "6 weeks?: yes" in doc.text
    assert review.decision != "incomplete" and "DOC.records" not in " ".join(review.missing)
    spans = [s for f in review.findings for s in f.evidence]
    assert spans and all(s.doc == "dtr-1" and doc.text[s.start:s.end] == s.text for s in spans)
    assert_conforms(resp)


def test_unreadable_attachment_is_listed_missing_and_the_rest_reviewed(extractor):
    b = pas_bundle([NOTE, "placeholder"], ["72148"], "1973-06-10", CREATED, ("M54.17",))
    bad = next(e["resource"] for e in b["entry"] if e["resource"].get("id") == "note-2")
    bad["content"][0]["attachment"] = {"contentType": "application/pdf", "data": base64.b64encode(b"%PDF-1.4 not really").decode()}
    case, review, resp = review_bundle(b, extractor)
    assert [d.id for d in case.documents] == ["note-1"] and [u.doc for u in case.unreadable] == ["note-2"]
    assert review.decision == "meets_criteria"  # proven by the readable note
    cr = _cr(resp)
    assert any(n["text"].startswith("Missing documentation: attachment note-2 could not be read") for n in cr["processNote"])
    comms = [e["resource"] for e in resp["entry"] if e["resource"]["resourceType"] == "CommunicationRequest"]
    assert len(comms) == 1 and "note-2" in comms[0]["reasonCode"][0]["text"]
    assert_conforms(resp)


def test_questionnaire_only_when_asked(extractor):
    b = pas_bundle([NOTE], ["72148"], "1973-06-10", CREATED)
    plain = review_bundle(copy.deepcopy(b), extractor)[2]
    asked = review_bundle(copy.deepcopy(b), extractor, with_questionnaire=True)[2]
    kinds = [e["resource"]["resourceType"] for e in asked["entry"]]
    assert "Questionnaire" in kinds and "QuestionnaireResponse" in kinds
    assert not {"Questionnaire", "QuestionnaireResponse"} & {e["resource"]["resourceType"] for e in plain["entry"]}
    assert len(json.dumps(plain)) < 20_000  # the IG's own response examples are 7-11 KB
    assert_conforms(plain)
    assert_conforms(asked)


# --- the checker, checked -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(IG_RESPONSES))
def test_checker_passes_the_ig_example_responses_but_their_unresolved_references(name):
    profile, unresolved = IG_RESPONSES[name]
    errs = checker().check(example(name), profile)
    assert all("does not resolve inside the Bundle" in e for e in errs), errs
    assert {e.split(".resource.", 1)[1].rsplit(".reference", 1)[0] for e in errs} == unresolved


@pytest.fixture(scope="module")
def good(extractor) -> dict:
    """A certified line, a line outside the guideline and an unreadable attachment: every element the checks look at."""
    b = pas_bundle([NOTE, "placeholder"], ["72148", "70551"], "1973-06-10", CREATED, ("M54.17",))
    bad = next(e["resource"] for e in b["entry"] if e["resource"].get("id") == "note-2")
    bad["content"][0]["attachment"] = {"contentType": "application/pdf", "data": base64.b64encode(b"%PDF-1.4 broken").decode()}
    resp = submit(b, extractor)
    assert checker().check(resp, RESPONSE) == []
    assert any(e["resource"]["resourceType"] == "CommunicationRequest" for e in resp["entry"])
    return resp


def _cr_of(r):
    return r["entry"][0]["resource"]


SEEDED = {
    "cardinality: required element missing": (lambda r: _cr_of(r).pop("request"), "at least 1"),
    "cardinality: slice over its max": (lambda r: _cr_of(r)["item"][0]["extension"].append(
        copy.deepcopy(next(e for e in _cr_of(r)["item"][0]["extension"] if e["url"] == systems.EXT_PREAUTH_PERIOD))), "at most 1"),
    "cardinality: prohibited element": (lambda r: r["entry"][1].update(request={"method": "GET", "url": "Patient/1"}), "at most 0"),
    "fixed value": (lambda r: r.update(type="batch"), "must be 'collection'"),
    "pattern": (lambda r: _cr_of(r)["item"][0]["adjudication"][0]["category"]["coding"][0].update(code="eligible"), "must match"),
    "required binding, expanded value set": (lambda r: _cr_of(r).update(outcome="queued"), "ClaimResponseOutcome"),
    "required binding, by code system": (lambda r: _cr_of(r)["item"][0]["adjudication"][0]["extension"][0]["extension"][1]
                                         ["valueCodeableConcept"]["coding"][0].update(system="urn:example:actions"), "306"),
    "choice type not allowed": (lambda r: _cr_of(r)["item"][0]["extension"].append(
        {"url": systems.EXT_PREAUTH_ISSUE_DATE, "valueString": "today"}), "type String is not allowed"),
    "unresolvable reference": (lambda r: _cr_of(r).update(patient={"reference": "Patient/pat-1"}), "does not resolve"),
    "invariant": (lambda r: r["entry"].insert(0, r["entry"].pop(1)), "ClaimResponseFirst"),
    "R4 datatype": (lambda r: _cr_of(r).update(created="yesterday"), "created"),
    "declared profile of another entry": (lambda r: next(e["resource"] for e in r["entry"] if e["resource"]["resourceType"]
                                                         == "CommunicationRequest").update(status="draft"), "must be 'active'"),
}


@pytest.mark.parametrize("kind", sorted(SEEDED))
def test_checker_rejects_a_seeded_error(kind, good):
    seed, words = SEEDED[kind]
    bad = copy.deepcopy(good)
    seed(bad)
    errs = checker().check(bad, RESPONSE)
    assert errs and any(words in e for e in errs), errs


def test_bindings_checked_by_code_system_only_are_the_listed_ones():
    by_system = by_system_bindings()
    assert by_system["http://hl7.org/fhir/us/davinci-pas/ValueSet/X12278ReviewDecisionReasonCode"] == {"https://codesystem.x12.org/external/886"}
    assert by_system["https://valueset.x12.org/x217/005010/response/2000F/HCR/1/01/00/306"] == {"https://codesystem.x12.org/005010/306"}


def test_unmapped_reason_sends_no_reason_code_and_no_private_system(extractor, monkeypatch, tmp_path):
    """The 886 binding is required: without the payer's code the reasonCode is left out, never sent in our own system."""
    from priorauth.fhir.reasons import MAP_ENV, x12_map

    monkeypatch.delenv(MAP_ENV, raising=False)
    resp = submit(example("ReferralAuthorizationBundleExample"), extractor)
    assert "reasonCode" not in json.dumps(resp) and "urn:priorauth:review-reason" not in json.dumps(resp)
    assert _cr(resp)["disposition"].startswith("Pended: service outside")
    mapped = tmp_path / "886.json"
    mapped.write_text(json.dumps({"codes": {"service-outside-guideline": "T8"}}))
    monkeypatch.setenv(MAP_ENV, str(mapped))
    (item,) = _cr(submit(example("ReferralAuthorizationBundleExample"), extractor))["item"]
    (reason,) = [e for e in item["adjudication"][0]["extension"][0]["extension"] if e["url"] == "reasonCode"]
    assert reason["valueCodeableConcept"]["coding"] == [{"system": systems.X12_886, "code": "T8"}]
    for bad, words in (({"codes": {"no-such-reason": "A1"}}, "unknown reasons"),
                       ({"codes": {"criteria-met": "not a code"}}, "not an X12 886 code value")):
        bad_file = tmp_path / f"bad-{len(words)}.json"
        bad_file.write_text(json.dumps(bad))
        monkeypatch.setenv(MAP_ENV, str(bad_file))
        with pytest.raises(ValueError, match=words):
            x12_map()
