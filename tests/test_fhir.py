"""FHIR PAS: request bundles built here (not the IG's examples) in, ClaimResponse checked element by element out."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from priorauth.fhir import FhirError, case_from_bundle, case_from_documents, submit
from priorauth.fhir import systems
from priorauth.fhir.build import document_reference, pas_bundle
from priorauth.fhir.resources import validate
from priorauth.fhir.submit import review_bundle
from priorauth.models import Request

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "lumbar_radiculopathy.txt"
CREATED = "2026-03-02T10:00:00Z"
TEST_886 = Path(__file__).resolve().parent / "fhir_pas" / "payer_886_test_map.json"
X12 = json.loads(TEST_886.read_text())["codes"]  # our reason -> the (test) 886 code value the payer mapped


@pytest.fixture(scope="module", autouse=True)
def payer_886_map():
    """A payer's X12 886 mapping (made-up test values) for the whole module."""
    import os

    from priorauth.fhir.reasons import MAP_ENV

    old = os.environ.get(MAP_ENV)
    os.environ[MAP_ENV] = str(TEST_886)
    yield
    if old is None:
        del os.environ[MAP_ENV]
    else:
        os.environ[MAP_ENV] = old

# A routine low back pain visit written for this test: no red flag, no deficit, no trial of care.
ROUTED_NOTE = (
    "Primary care visit 03/01/2026.\n"
    "HPI: 44 yo M with low back pain for 10 days after lifting boxes. No radiation to the legs.\n"
    "Denies fever, weight loss, bowel or bladder changes. No history of cancer.\n"
    "Exam: lumbar paraspinal tenderness. Strength 5/5, reflexes 2+ and symmetric, sensation intact.\n"
    "Plan: ibuprofen, stay active. Patient asks for an MRI of the lumbar spine.\n"
)


def _claim_response(resp: dict) -> dict:
    assert resp["resourceType"] == "Bundle" and resp["type"] == "collection"
    assert resp["entry"][0]["resource"]["resourceType"] == "ClaimResponse"  # PAS invariant ClaimResponseFirst
    return resp["entry"][0]["resource"]


def _action(item: dict) -> dict:
    """The reviewAction extension's sub-extensions of one item, by url."""
    (adj,) = item["adjudication"]
    assert adj["category"]["coding"] == [{"system": systems.ADJUDICATION, "code": "submitted"}]
    (ext,) = [e for e in adj["extension"] if e["url"] == systems.EXT_REVIEW_ACTION]
    return {e["url"]: e for e in ext["extension"]}


def _code(item: dict) -> str:
    (coding,) = _action(item)[systems.EXT_REVIEW_ACTION_CODE]["valueCodeableConcept"]["coding"]
    assert coding["system"] == systems.X12_306
    return coding["code"]


def _reason(item: dict) -> dict:
    return _action(item)["reasonCode"]["valueCodeableConcept"]


def _reason_code(item: dict) -> str:
    """Our reason, read back from the payer's 886 code (the only coding sent)."""
    (coding,) = _reason(item)["coding"]
    assert coding["system"] == systems.X12_886
    return next(k for k, v in X12.items() if v == coding["code"])


def _ref(bundle: dict, kind: str) -> dict:
    """The fullUrl of the request entry of this type: what a response reference must say to resolve in the response."""
    return {"reference": next(e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind)}


@pytest.fixture(scope="module")
def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def approvable(example_text, extractor):
    bundle = pas_bundle([example_text], ["72148"], "1973-06-10", CREATED, ("M54.17",))
    return bundle, submit(bundle, extractor)


@pytest.fixture(scope="module")
def routed(extractor):
    bundle = pas_bundle([ROUTED_NOTE], ["72148"], "1981-05-05", CREATED, ("M54.50",), bundle_id="REQ-2")
    return bundle, submit(bundle, extractor)


@pytest.fixture(scope="module")
def incomplete(extractor):
    bundle = pas_bundle([], ["72148"], "1960-01-31", CREATED, bundle_id="REQ-3")
    return bundle, submit(bundle, extractor)


def test_example_packet_round_trip_reads_every_request_field(example_text):
    bundle = pas_bundle([example_text], ["72148"], "1973-06-10", CREATED, ("M54.17", "M54.16"))
    case = case_from_bundle(json.loads(json.dumps(bundle)))
    assert case.id == "REQ-1-claim"
    assert case.request.cpt_codes == ["72148"]
    assert case.request.icd10_codes == ["M54.17", "M54.16"]
    assert case.request.patient_age == 52  # born 1973-06-10, request 2026-03-02: birthday not yet reached
    assert str(case.request.request_date) == "2026-03-02"
    assert case.request.has_standard_written_order is True  # the ServiceRequest is the order
    (doc,) = case.documents
    assert doc.id == "note-1" and doc.text == example_text and doc.type == "Progress note"


def test_approvable_request_is_certified_with_policy_and_evidence(approvable, example_text):
    bundle, resp = approvable
    cr = _claim_response(resp)
    validate(cr, "ClaimResponse")
    assert cr["meta"]["profile"] == [systems.PROFILE_CLAIM_RESPONSE]
    assert (cr["status"], cr["use"], cr["outcome"]) == ("active", "preauthorization", "complete")
    assert cr["patient"] == _ref(bundle, "Patient") and cr["insurer"] == {"reference": "http://provider.example.org/fhir/Organization/payer-1"}
    assert cr["requestor"] == _ref(bundle, "PractitionerRole")
    assert cr["request"] == {"identifier": bundle["entry"][0]["resource"]["identifier"][0]}
    assert cr["identifier"] == bundle["entry"][0]["resource"]["identifier"]  # the trace number, echoed
    assert cr["preAuthRef"].startswith("PA-") and len(cr["preAuthRef"]) == 15
    start = dt.date.fromisoformat(cr["created"][:10])  # valid from the day it is issued, 90 days unless configured
    assert cr["preAuthPeriod"] == {"start": start.isoformat(), "end": (start + dt.timedelta(days=89)).isoformat()}
    reviewer = cr["extension"][0]
    assert reviewer["url"] == systems.EXT_REVIEWER and reviewer["extension"][0] == {"url": "wasHumanReviewedFlag", "valueBoolean": False}
    (item,) = cr["item"]
    assert item["itemSequence"] == bundle["entry"][0]["resource"]["item"][0]["sequence"] == 1
    assert _code(item) == "A1"
    assert _action(item)["number"]["valueString"] == cr["preAuthRef"]
    ext = {e["url"]: e for e in item["extension"]}
    assert ext[systems.EXT_PREAUTH_PERIOD]["valuePeriod"] == cr["preAuthPeriod"]
    assert systems.EXT_ADMIN_REF not in ext
    reason = _reason(item)
    assert _reason_code(item) == "criteria-met"
    assert "A.iv" in reason["text"]
    notes = {n["number"]: n["text"] for n in cr["processNote"]}
    assert set(item["noteNumber"]) == set(notes)
    aiv = next(t for t in notes.values() if t.startswith("Criterion A.iv met"))
    assert "six-week trial of conservative treatment" in aiv  # the policy sentence, verbatim
    # every quoted evidence span is the exact note text at its offsets
    quoted = [q for t in notes.values() for q in t.split("note-1[")[1:]]
    assert quoted
    for q in quoted:
        span, rest = q.split("] \u201c", 1)
        start, end = map(int, span.split(":"))
        assert rest.startswith(example_text[start:end] + "\u201d")


def test_routed_request_is_pended_with_reasons_never_denied(routed):
    _, resp = routed
    cr = _claim_response(resp)
    (item,) = cr["item"]
    assert _code(item) == "A4" and "number" not in _action(item)
    assert "preAuthRef" not in cr and "preAuthPeriod" not in cr  # certification only
    ext = {e["url"]: e for e in item["extension"]}
    assert ext[systems.EXT_ADMIN_REF]["valueString"].startswith("PA-") and systems.EXT_PREAUTH_PERIOD not in ext
    reason = _reason(item)
    assert _reason_code(item) == "indication-not-documented"
    assert "A.iv" in reason["text"] and "72148" in reason["text"]
    assert cr["outcome"] == "complete" and cr["disposition"] == reason["text"]
    texts = [n["text"] for n in cr["processNote"]]
    assert "not a denial" in texts[0]
    assert any(t.startswith("72148 (lumbar): A.iv not met") and "would need" in t for t in texts)
    assert set(item["noteNumber"]) == {n["number"] for n in cr["processNote"]}
    assert "communicationRequest" not in cr  # pended for a clinician, not for information


def test_incomplete_request_lists_missing_documentation(incomplete):
    _, resp = incomplete
    cr = _claim_response(resp)
    (item,) = cr["item"]
    assert _code(item) == "A4"
    reason = _reason(item)
    assert _reason_code(item) == "documentation-missing"
    assert "clinical notes documenting the medical necessity" in reason["text"]
    missing = [n for n in cr["processNote"] if n["text"].startswith("Missing documentation: DOC.records")]
    assert len(missing) == 1 and missing[0]["number"] in item["noteNumber"]
    assert cr["disposition"] == reason["text"]
    # the documents needed, as PAS CommunicationRequests in the Bundle
    comms = {e["fullUrl"]: e["resource"] for e in resp["entry"] if e["resource"]["resourceType"] == "CommunicationRequest"}
    assert [r["reference"] for r in cr["communicationRequest"]] == list(comms)
    assert any("clinical notes documenting the medical necessity" in c["reasonCode"][0]["text"] for c in comms.values())
    assert all(c["payload"][0]["contentString"] in ("11506-3", "18748-4") for c in comms.values())


def test_two_items_each_answered_in_sequence_and_no_a3_anywhere(example_text, extractor):
    bundle = pas_bundle([example_text], ["72148", "S8042"], "1973-06-10", CREATED, bundle_id="REQ-4")
    bundle["entry"][0]["resource"]["item"][0]["sequence"] = 7  # sequences are echoed, not renumbered
    cr = _claim_response(submit(bundle, extractor))
    assert [i["itemSequence"] for i in cr["item"]] == [7, 2]
    first, second = cr["item"]
    # 72148 meets on its own, but the request is routed for the low-field study: nothing is certified
    assert (_code(first), _reason_code(first)) == ("A4", "pended-with-request")
    assert (_code(second), _reason_code(second)) == ("A4", "limitation-applies")
    assert "LIM.I" in _reason(second)["text"]
    lim_note = next(n for n in cr["processNote"] if n["text"].startswith("S8042"))
    assert lim_note["number"] in second["noteNumber"] and lim_note["number"] not in first["noteNumber"]
    assert '"A3"' not in json.dumps(cr)


def test_responses_parse_and_carry_the_referenced_resources(approvable, routed, incomplete):
    for _, resp in (approvable, routed, incomplete):
        validate(resp, "Bundle")
        kinds = [e["resource"]["resourceType"] for e in resp["entry"] if e["resource"]["resourceType"] != "CommunicationRequest"]
        # what the ClaimResponse references and what those point at, no Questionnaire unless asked for
        assert kinds == ["ClaimResponse", "Patient", "Organization", "PractitionerRole", "Practitioner", "Organization"]
        assert resp["identifier"] == {"system": "http://provider.example.org/submissions", "value": resp["identifier"]["value"]}
        assert all(e["fullUrl"] for e in resp["entry"])
        assert '"A3"' not in json.dumps(resp)


def test_same_request_gets_the_same_preauth_ref(approvable, example_text, extractor):
    bundle, resp = approvable
    again = submit(copy.deepcopy(bundle), extractor)
    assert _claim_response(again)["preAuthRef"] == _claim_response(resp)["preAuthRef"]
    other = pas_bundle([example_text], ["72148"], "1973-06-10", CREATED, bundle_id="OTHER")
    assert _claim_response(submit(other, extractor))["preAuthRef"] != _claim_response(resp)["preAuthRef"]


def test_questionnaire_response_answers_the_generated_questionnaire(approvable, example_text, extractor):
    bundle, _ = approvable
    resp = review_bundle(copy.deepcopy(bundle), extractor, with_questionnaire=True)[2]
    q = next(e["resource"] for e in resp["entry"] if e["resource"]["resourceType"] == "Questionnaire")
    qr = next(e["resource"] for e in resp["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse")
    validate(q, "Questionnaire")
    validate(qr, "QuestionnaireResponse")
    assert qr["questionnaire"] == f"{q['url']}|{q['version']}" and qr["status"] == "completed"
    links = {i["linkId"]: i for g in q["item"] for i in [g, *g["item"]]}
    for group in qr["item"]:
        assert group["linkId"] in links
        assert all(sub["linkId"] in links for sub in group["item"])
    answers = {g["linkId"]: {s["linkId"].rsplit(".", 1)[1]: s["answer"][0] for s in g["item"]} for g in qr["item"]}
    assert answers["A.iv"]["status"]["valueCoding"]["code"] == "met"
    assert "six-week trial" in links["A.iv.policy"]["text"]
    for line in answers["A.iv"]["evidence"]["valueString"].splitlines():
        span, rest = line.split("note-1[", 1)[1].split("] \u201c", 1)
        start, end = map(int, span.split(":"))
        assert rest == example_text[start:end] + "\u201d"
    assert answers["A.iii"]["status"]["valueCoding"]["code"] == "not-met" and "EMG" in answers["A.iii"]["reason"]["valueString"]
    assert answers["DOC.swo"]["status"]["valueCoding"]["code"] == "met"
    assert "REPEAT.a" not in answers  # no prior MRI: the repeat question does not arise


def test_attachment_forms_binary_inline_and_pdf(example_text):
    bundle = pas_bundle([example_text], ["72148"], "1973-06-10", CREATED)
    claim = bundle["entry"][0]["resource"]
    claim["supportingInfo"] = [
        {"sequence": 1, "category": {"coding": [{"system": systems.PAS_TEMP_CODES, "code": "additionalInformation"}]},
         "valueAttachment": {"contentType": "text/plain; charset=utf-8", "data": base64.b64encode(b"Inline note: back pain.").decode()}},
        {"sequence": 2, "category": {"coding": [{"system": systems.PAS_TEMP_CODES, "code": "additionalInformation"}]},
         "valueReference": {"reference": "Binary/bin-1"}},
    ]
    from priorauth.ingest.pdfwrite import text_pdf

    pdf = text_pdf("Operative note: L4-5 discectomy 2019.")
    bundle["entry"].append({"fullUrl": "http://provider.example.org/fhir/Binary/bin-1",
                            "resource": {"resourceType": "Binary", "id": "bin-1", "contentType": "application/pdf",
                                         "data": base64.b64encode(pdf).decode()}})
    case = case_from_bundle(bundle)
    assert [d.id for d in case.documents] == ["supportingInfo-1", "bin-1"]
    assert case.documents[0].text == "Inline note: back pain."
    assert "L4-5 discectomy 2019" in case.documents[1].text and case.documents[1].pages


def test_document_reference_input_with_request_fields(example_text):
    req = Request(cpt_codes=["72148"], patient_age=52, request_date="2026-03-02", has_standard_written_order=True)
    single = case_from_documents(document_reference("dr-1", example_text, "2026-02-26"), req)
    assert single.documents[0].text == example_text and str(single.documents[0].date) == "2026-02-26"
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": document_reference("dr-1", "First note.")}, {"resource": document_reference("dr-2", "Second.")}]}
    case = case_from_documents(bundle, req)
    assert [d.id for d in case.documents] == ["dr-1", "dr-2"] and case.request.cpt_codes == ["72148"]
    assert case.documents[1].date.isoformat() == "2026-03-02"  # undated: the request date


# --- malformed bundles: each names the element that is wrong -------------------------------------------------

def _good() -> dict:
    return pas_bundle(["Back pain."], ["72148"], "1970-01-01", CREATED)


def _no_claim(b):
    del b["entry"][0]


def _no_items(b):
    b["entry"][0]["resource"]["item"] = []


def _icd_as_service(b):
    b["entry"][0]["resource"]["item"][0]["productOrService"] = {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M54.5"}]}


def _not_base64(b):
    b["entry"][5]["resource"]["content"][0]["attachment"]["data"] = "this is not base64!"


def _not_base64_inline(b):
    b["entry"][0]["resource"]["supportingInfo"][0] = {"sequence": 1, "category": {"text": "note"},
                                                      "valueAttachment": {"contentType": "text/plain", "data": "%%%%"}}


def _url_only(b):
    b["entry"][5]["resource"]["content"][0]["attachment"] = {"contentType": "text/plain", "url": "https://x.example/n.txt"}


def _wrong_entry_type(b):
    b["entry"][1]["resource"]["resourceType"] = "Patients"


def _claim_use(b):
    b["entry"][0]["resource"]["use"] = "claim"


def _dangling_reference(b):
    b["entry"][0]["resource"]["supportingInfo"][0]["valueReference"] = {"reference": "DocumentReference/missing"}


def _claim_not_first(b):
    b["entry"].append(b["entry"].pop(0))


def _bad_birth_date(b):
    b["entry"][1]["resource"]["birthDate"] = "03/04/1970"


def _born_after_request(b):
    b["entry"][1]["resource"]["birthDate"] = "2027-01-01"


@pytest.mark.parametrize("breaks, element, words", [
    (_no_claim, "Bundle.entry", "no Claim"),
    (_no_items, "Bundle.entry[0].resource.item", "no item"),
    (_not_base64, "Bundle.entry[5].resource.content[0].attachment.data", "ase64"),
    (_not_base64_inline, "Bundle.entry[0].resource.supportingInfo[0].valueAttachment.data", "ase64"),
    (_wrong_entry_type, "Bundle.entry[1].resource.resourceType", "'Patients' is not a FHIR R4 resource type"),
    (_claim_use, "Bundle.entry[0].resource.use", "preauthorization"),
    (_dangling_reference, "Bundle.entry[0].resource.supportingInfo[0].valueReference", "not in the bundle"),
    (_claim_not_first, "Bundle.entry[0].resource", "ClaimFirst"),
    (_bad_birth_date, "Bundle.entry[1].resource.birthDate", "Date"),
    (_born_after_request, "Bundle.entry[1].resource.birthDate", "age of -1"),
])
def test_malformed_bundle_names_the_element(breaks, element, words):
    bundle = _good()
    assert bundle["entry"][5]["resource"]["resourceType"] == "DocumentReference"
    breaks(bundle)
    with pytest.raises(FhirError) as info:
        submit(bundle)
    err = info.value
    assert str(err).startswith(element + ":") and words in str(err)
    assert str(err).count(". ") == 0 and str(err).endswith(".")  # one sentence
    outcome = validate(err.outcome, "OperationOutcome")
    assert outcome.issue[0].severity == "error" and outcome.issue[0].expression == [element]


@pytest.mark.parametrize("body, element, words", [
    (b"{not json", "Bundle", "not JSON"),
    (b"[1, 2]", "Bundle", "not a JSON object"),
    (b"[" * 100_000 + b"]" * 100_000, "Bundle", "nested too deeply"),
    (json.dumps({"resourceType": "Claim"}).encode(), "Bundle.resourceType", "expected Bundle, found 'Claim'"),
    (json.dumps({"resourceType": "Bundle", "type": "batch", "entry": []}).encode(), "Bundle.type", "collection"),
])
def test_unreadable_bodies_and_wrong_resource_types(body, element, words):
    with pytest.raises(FhirError) as info:
        submit(body)
    assert str(info.value).startswith(element + ":") and words in str(info.value)
    assert isinstance(info.value, ValueError)


def test_committed_example_response_is_what_submit_returns(extractor, monkeypatch):
    from priorauth.fhir.reasons import MAP_ENV

    monkeypatch.delenv(MAP_ENV)  # the example was written with the shipped mapping (no 886 codes until the payer maps them)
    folder = EXAMPLE.parent / "fhir"
    bundle = json.loads((folder / "lumbar_radiculopathy.bundle.json").read_text(encoding="utf-8"))
    saved = _claim_response(json.loads((folder / "lumbar_radiculopathy.response.json").read_text(encoding="utf-8")))
    fresh = _claim_response(submit(bundle, extractor))
    for key in ("item", "processNote", "preAuthRef", "outcome", "disposition", "request", "patient", "insurer"):
        expected = saved[key]
        if key == "item":  # the issue date and the validity period run from the day of the review
            fresh_ext = {e["url"]: e for i in fresh["item"] for e in i.get("extension", [])}
            expected = [{**i, "extension": [fresh_ext.get(e["url"], e) if "valueDate" in e or "valuePeriod" in e else e
                                            for e in i.get("extension", [])]} for i in expected]
        assert fresh[key] == expected, key


def test_code_outside_the_guideline_is_pended_while_the_proven_study_is_certified(example_text, extractor):
    bundle = pas_bundle([example_text], ["72148", "70551"], "1973-06-10", CREATED, bundle_id="REQ-5")
    cr = _claim_response(submit(bundle, extractor))
    spine, brain = cr["item"]
    assert _code(spine) == "A1" and _reason_code(spine) == "criteria-met"
    assert _code(brain) == "A4" and _reason_code(brain) == "service-outside-guideline"
    assert "70551" in _reason(brain)["text"] and "outside the guidelines this plan automates" in _reason(brain)["text"]
    assert cr["outcome"] == "partial" and cr["disposition"].startswith("1 of 2 items certified")
    urls = [{e["url"] for e in i["extension"]} for i in (spine, brain)]
    assert systems.EXT_PREAUTH_ISSUE_DATE in urls[0] and systems.EXT_PREAUTH_ISSUE_DATE not in urls[1]  # certified only
    assert urls[1] == {systems.EXT_ADMIN_REF}


def test_cpt_code_sent_under_the_hcpcs_system_is_read():
    bundle = _good()
    bundle["entry"][0]["resource"]["item"][0]["productOrService"] = {
        "coding": [{"system": "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "code": "72148"}]}
    assert case_from_bundle(bundle).request.cpt_codes == ["72148"]


def test_repeat_mri_without_a_reason_is_pended_with_its_own_reason_code():
    from priorauth.fhir.outbound import claim_response
    from priorauth.models import CriterionResult, Review, StudyDecision

    bundle = _good()
    case = case_from_bundle(bundle)
    repeat = [CriterionResult(id=f"REPEAT.{x}", title="t", kind="repeat", status="not_met", study="72148", reason="r")
              for x in "abc"]
    review = Review(decision="not_met", criteria=[], findings=[], conservative_therapy=None, action="route_to_clinician",
                    criteria_results=[CriterionResult(id="A.iv", title="t", kind="indication", status="met", study="72148"), *repeat],
                    studies=[StudyDecision(cpt="72148", region="lumbar", contrast="without", decision="not_met", criteria=[])],
                    reasons=["72148 (lumbar): an MRI of the same region was done in the past 6 months ..."])
    (item,) = claim_response(bundle, case, review)["item"]
    assert (_code(item), _reason_code(item)) == ("A4", "repeat-imaging-not-supported")


def _paths(obj, path=()):
    """Every (path, value) inside a JSON value."""
    yield path, obj
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, (*path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, (*path, i))


def test_every_single_element_damage_is_a_fhir_error_or_reads():
    """Delete each element, or give it a wrong type, one at a time: reading never fails with anything but FhirError."""
    good = _good()
    paths = [p for p, _ in _paths(good) if p]
    damaged = 0
    for path in paths:
        for damage in ("delete", "type"):
            bundle = copy.deepcopy(good)
            parent = bundle
            for key in path[:-1]:
                parent = parent[key]
            if damage == "delete":
                del parent[path[-1]]
            else:
                parent[path[-1]] = 12345 if isinstance(parent[path[-1]], str) else "x"
            try:
                case_from_bundle(bundle)
            except FhirError as exc:
                damaged += 1
                assert str(exc).startswith("Bundle") and str(exc).endswith(".")
                validate(exc.outcome, "OperationOutcome")
    assert damaged > len(paths)  # most damage is caught, and none of it escaped as another exception


def test_age_on_the_request_date_and_partial_birth_dates():
    from datetime import date

    from priorauth.fhir.inbound import age_on

    assert age_on("1973-03-02", date(2026, 3, 2)) == 53  # birthday on the request date counts
    assert age_on("1973-03-03", date(2026, 3, 2)) == 52
    assert age_on("1973", date(2026, 3, 2)) is None and age_on("1973-03", date(2026, 3, 2)) is None
    bundle = _good()
    bundle["entry"][1]["resource"]["birthDate"] = "1973"
    assert case_from_bundle(bundle).request.patient_age is None
