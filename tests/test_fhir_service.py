"""The PAS endpoint of the service: idempotent $submit, updates and cancels, $inquire, decisions, metadata, and
subscriptions delivered to a receiver on 127.0.0.1 (retries, restart), in one round trip.

Runs on SQLite and, when PRIORAUTH_TEST_DATABASE_URL is set (CI), PostgreSQL.
"""

from __future__ import annotations

import copy
import http.server
import json
import threading
import time
from pathlib import Path

import pytest

from priorauth.fhir import systems
from priorauth.fhir.resources import validate
from priorauth.fhir.build import pas_bundle
from fastapi.testclient import TestClient

from priorauth.service.app import create_app
from priorauth.service.db import AuditEntry, PARequest
from priorauth.service.security import add_user, issue_token
from priorauth.service.pas_notify import Notifier
from priorauth.service.pas_store import FhirOutbox
from tests import test_service as ts
from tests.pas_checker import INQUIRY_RESPONSE, assert_conforms, check_resource

db_url = ts.db_url
reviewer = ts.reviewer
HERE = Path(__file__).resolve().parent
EXAMPLES = HERE / "fhir_pas" / "examples"
NOTE = ts.EXAMPLE
CREATED = "2026-03-02T10:00:00Z"
FJ = "application/fhir+json"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"Bundle-{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def svc(tmp_path, db_url, reviewer, monkeypatch):
    client, s = ts.make_svc(tmp_path, db_url, reviewer, monkeypatch)
    with s.app.state.sessions() as db:  # a second system of the submitting organization
        s.tokens["sub_a2"] = issue_token(db, add_user(db, "sub_a2", ts.PASSWORD, "submitter", "clinic-a"))
        db.commit()
    yield s
    s.client.__exit__(None, None, None)


def restart(svc) -> None:
    """Stop the service and start it again on the same data directory and database (tokens stay valid)."""
    settings = svc.app.state.settings
    svc.client.__exit__(None, None, None)
    svc.app = create_app(settings, start_workers=False)
    svc.client = TestClient(svc.app, base_url="https://testserver")
    svc.client.__enter__()


def post(svc, path: str, body: dict, who: str = "sub_a", **params):
    return svc.client.post(path, content=json.dumps(body), params=params, headers={**svc.h(who), "Content-Type": FJ})


def cr(resp) -> dict:
    """The ClaimResponse of a $submit response, or of the single Bundle a $inquire returned."""
    body = resp.json()
    if body["resourceType"] == "Parameters":
        (p,) = body["parameter"]
        assert p["name"] == "return"
        body = p["resource"]
    return body["entry"][0]["resource"]


def returned(resp) -> list[dict]:
    assert resp.status_code == 200 and resp.json()["resourceType"] == "Parameters", resp.text
    return [p["resource"] for p in resp.json().get("parameter", []) if p["name"] == "return"]


def codes(resource: dict) -> list[str]:
    return [e["valueCodeableConcept"]["coding"][0]["code"] for i in resource["item"] for x in i["adjudication"][0]["extension"]
            for e in x["extension"] if e["url"] == systems.EXT_REVIEW_ACTION_CODE]


def audit_actions(svc, rid: str) -> list[str]:
    return [e["action"] for e in svc.client.get(f"/api/requests/{rid}/audit", headers=svc.h("nurse")).json()]


def only_request(svc) -> dict:
    rows = svc.client.get("/api/requests", params={"view": "all"}, headers=svc.h("admin")).json()
    assert len(rows) == 1, rows
    return rows[0]


def test_referral_example_through_the_service_is_pended_urgent_not_refused(svc):
    r = post(svc, "/fhir/Claim/$submit", example("ReferralAuthorizationBundleExample"))
    assert r.status_code == 200, r.text
    assert codes(cr(r)) == ["A4"]
    assert_conforms(r.json())
    row = only_request(svc)
    assert row["urgency"] == "expedited" and row["status"] == "ready"


def test_retried_submit_gives_the_same_response_and_one_row(svc):
    b = example("HomecareAuthorizationBundleExample")
    first = post(svc, "/fhir/Claim/$submit", b)
    again = post(svc, "/fhir/Claim/$submit", b)
    wrapped = post(svc, "/fhir/Claim/$submit", {"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": b}]})
    assert first.status_code == again.status_code == wrapped.status_code == 200
    assert again.json() == first.json() == wrapped.json()
    assert svc.count(PARequest) == 1
    other_org = post(svc, "/fhir/Claim/$submit", b, who="sub_b")  # identifiers are per organization
    assert other_org.status_code == 200 and svc.count(PARequest) == 2


def test_the_same_bundle_twice_at_once_makes_one_request(svc, reviewer):
    """Two retries racing: the database's unique key keeps one; both get the same answer."""
    both = threading.Barrier(2)
    svc.app.state.pas_reviewer = lambda case: (both.wait(30), reviewer(case))[1]  # both reviewed before either is stored
    b = pas_bundle([NOTE], ["72148"], "1973-06-10", CREATED, bundle_id="RACE-1")
    out: list = [None, None]

    def send(i):
        out[i] = post(svc, "/fhir/Claim/$submit", b)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert [r.status_code for r in out] == [200, 200] and out[0].json() == out[1].json()
    assert svc.count(PARequest) == 1


def test_update_and_cancel_keep_one_row_and_the_preauth_ref(svc):
    first = post(svc, "/fhir/Claim/$submit", example("HomecareAuthorizationBundleExample"))
    ref = cr(first)["item"][0]["extension"][-1]["valueString"]
    upd = post(svc, "/fhir/Claim/$submit", example("HomecareAuthorizationUpdateBundleExample"))
    assert upd.status_code == 200, upd.text
    assert codes(cr(upd)) == ["A4", "C", "A4"]  # the infoCancelled line is cancelled, not pended again
    assert {e["valueString"] for i in cr(upd)["item"] for e in i.get("extension", []) if e["url"] == systems.EXT_ADMIN_REF} == {ref}
    assert_conforms(upd.json())
    row = only_request(svc)
    assert audit_actions(svc, row["id"])[-2:] == ["fhir_updated", "review_ready"]
    cancel = example("HomecareAuthorizationUpdateBundleExample")
    claim = cancel["entry"][0]["resource"]
    claim["identifier"][0]["value"] = "111099-CANCEL"
    for it in claim["item"]:
        it["modifierExtension"] = [{"url": systems.EXT_INFO_CANCELLED, "valueBoolean": True}]
    done = post(svc, "/fhir/Claim/$submit", cancel)
    assert codes(cr(done)) == ["C", "C", "C"] and cr(done)["disposition"] == "Cancelled by the requester"
    row = only_request(svc)
    assert row["status"] == "cancelled" and svc.count(PARequest) == 1
    assert audit_actions(svc, row["id"])[-1] == "fhir_cancelled"
    listed = svc.client.get("/api/requests", params={"view": "all", "status": "cancelled"}, headers=svc.h("nurse"))
    assert [r["id"] for r in listed.json()] == [row["id"]]
    assert svc.client.get("/api/requests", headers=svc.h("nurse")).json() == []  # nothing left for a human


def test_request_bounds_are_those_of_the_api(svc):
    many = pas_bundle([NOTE], [str(72100 + i) for i in range(11)], "1973-06-10", CREATED, bundle_id="MANY")
    r = post(svc, "/fhir/Claim/$submit", many)
    assert r.status_code == 400 and "at most 10 CPT" in r.text and svc.count(PARequest) == 0


def test_update_of_an_unknown_request_is_refused(svc):
    r = post(svc, "/fhir/Claim/$submit", example("HomecareAuthorizationUpdateBundleExample"))
    assert r.status_code == 400 and r.json()["issue"][0]["expression"] == ["Bundle.entry[0].resource.related"]


def test_inquiry_example_for_the_organization_only(svc):
    post(svc, "/fhir/Claim/$submit", example("HomecareAuthorizationBundleExample"))
    inquiry = example("PASClaimInquiryBundleExample")
    assert post(svc, "/fhir/Claim/$submit", inquiry).status_code == 400  # not reviewed as a submission
    r = post(svc, "/fhir/Claim/$inquire", inquiry, who="sub_a2")  # another system of the same organization
    (found,) = returned(r)  # PAS 2.2.1: a Parameters with one `return` Bundle per match
    assert cr(r)["meta"]["profile"] == [systems.PROFILE_INQUIRY_RESPONSE] and codes(cr(r)) == ["A4", "A4"]
    assert_conforms(found, INQUIRY_RESPONSE)
    assert returned(post(svc, "/fhir/Claim/$inquire", inquiry, who="sub_b")) == []  # another organization: no match
    assert post(svc, "/fhir/Claim/$inquire", inquiry, who="nurse").status_code == 403
    other_member = copy.deepcopy(inquiry)
    patient = next(e["resource"] for e in other_member["entry"] if e["resource"]["resourceType"] == "Patient")
    patient["identifier"][0]["value"] = "99999999999"
    assert returned(post(svc, "/fhir/Claim/$inquire", other_member)) == []  # same trace number, another member
    assert svc.count(PARequest) == 1


def test_decisions_of_people_are_reflected_a3_only_from_a_physician(svc):
    b = pas_bundle(["Low back pain for 2 weeks. No weakness. No treatment yet."], ["72148"], "1980-01-01", CREATED)
    first = post(svc, "/fhir/Claim/$submit", b)
    assert codes(cr(first)) == ["A4"] and "A3" not in first.text
    rid = only_request(svc)["id"]
    c = svc.client
    assert c.post(f"/api/requests/{rid}/actions", json={"action": "route_to_physician", "note": "please review"},
                  headers=svc.h("nurse")).status_code == 201
    assert codes(cr(post(svc, "/fhir/Claim/$inquire", b))) == ["A4"]  # routed is not a decision
    assert c.post(f"/api/requests/{rid}/actions", headers=svc.h("doc"),
                  json={"action": "physician_determination", "determination": "not_approved",
                        "note": "no red flags and no trial of conservative care"}).status_code == 201
    after = cr(post(svc, "/fhir/Claim/$inquire", b))
    assert codes(after) == ["A3"]
    assert after["disposition"] == "Not certified: decision of a physician reviewer: no red flags and no trial of conservative care."
    reviewer_ext = {e["url"]: e for e in after["extension"][0]["extension"]}
    assert reviewer_ext["wasHumanReviewedFlag"]["valueBoolean"] is True
    assert "preAuthRef" not in after


def test_a_nurse_request_for_documents_is_sent_as_communication_requests(svc):
    b = pas_bundle(["Low back pain for 2 weeks. No weakness. No treatment yet."], ["72148"], "1980-01-01", CREATED, bundle_id="RI-1")
    post(svc, "/fhir/Claim/$submit", b)
    rid = only_request(svc)["id"]
    assert svc.client.post(f"/api/requests/{rid}/actions", headers=svc.h("nurse"),
                           json={"action": "request_information", "missing": ["physical therapy notes from the last 6 weeks",
                                                                               "the lumbar X-ray report"]}).status_code == 201
    r = post(svc, "/fhir/Claim/$inquire", b)
    bundle = r.json()["parameter"][0]["resource"]
    claim_response = bundle["entry"][0]["resource"]
    comms = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CommunicationRequest"]
    assert codes(claim_response) == ["A4"] and len(comms) == 2 == len(claim_response["communicationRequest"])
    assert [c["payload"][0]["contentString"] for c in comms] == ["11506-3", "18748-4"]  # a note, then an imaging report
    assert "physical therapy notes" in comms[0]["reasonCode"][0]["text"]
    assert_conforms(bundle, INQUIRY_RESPONSE)


def test_a_nurse_confirmation_certifies_only_what_the_review_proved(svc):
    b = pas_bundle([NOTE], ["72148", "70551"], "1973-06-10", CREATED, ("M54.17",), bundle_id="NC-1")
    first = cr(post(svc, "/fhir/Claim/$submit", b))
    assert codes(first) == ["A1", "A4"]  # the brain MRI is outside the guideline
    rid = only_request(svc)["id"]
    assert svc.client.post(f"/api/requests/{rid}/actions", json={"action": "confirm_approval"},
                           headers=svc.h("nurse")).status_code == 201
    after = cr(post(svc, "/fhir/Claim/$inquire", b))
    assert codes(after) == ["A1", "A4"] and after["outcome"] == "partial"
    assert {e["url"]: e for e in after["extension"][0]["extension"]}["wasHumanReviewedFlag"]["valueBoolean"] is True


def test_metadata_states_what_is_supported(svc):
    r = svc.client.get("/fhir/metadata")
    assert r.status_code == 200 and r.json()["resourceType"] == "CapabilityStatement"
    res = {x["type"]: x for x in r.json()["rest"][0]["resource"]}
    assert {o["name"] for o in res["Claim"]["operation"]} == {"submit", "inquire"}
    assert res["Subscription"]["extension"][0]["valueCanonical"] == systems.SUBSCRIPTION_TOPIC
    assert r.json()["format"] == ["json"]
    validate(r.json(), "CapabilityStatement")


def test_subscription_is_checked(svc):
    bad = {"resourceType": "Subscription", "status": "requested", "reason": "x", "criteria": systems.SUBSCRIPTION_TOPIC,
           "channel": {"type": "rest-hook", "endpoint": "http://example.org/hook", "payload": FJ}}
    r = post(svc, "/fhir/Subscription", bad)
    assert r.status_code == 400 and "https" in r.text  # plain http only to this machine
    assert post(svc, "/fhir/Subscription", {**bad, "criteria": "http://x/other"}).status_code == 400
    internal = {**bad, "channel": {**bad["channel"], "endpoint": "https://169.254.169.254/latest"}}
    assert post(svc, "/fhir/Subscription", internal).status_code == 400


def test_a_redirecting_endpoint_is_not_followed():
    from priorauth.service.pas_notify import post as send

    hits = []

    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.end_headers()

        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert send(f"http://127.0.0.1:{server.server_address[1]}/hook", ["X-Key: 1"], b"{}") == "HTTP 302"
    finally:
        server.shutdown()
        server.server_close()
    assert hits == ["/hook"]


def test_ig_subscription_example_is_accepted(svc, receiver):
    sub = json.loads((EXAMPLES / "Subscription-PASSubscriptionExample.json").read_text())
    sub["channel"]["endpoint"] = receiver.url  # the example's is http on example.org: plain http only to this machine
    r = post(svc, "/fhir/Subscription", sub)
    assert r.status_code == 201, r.text
    got = svc.client.get(f"/fhir/Subscription/{r.json()['id']}", headers=svc.h("sub_a")).json()
    assert got["status"] == "active" and got["channel"]["_payload"]["extension"][0]["valueCode"] == "full-resource"
    assert check_resource(got, systems.PROFILE_SUBSCRIPTION) == []
    assert svc.client.get(f"/fhir/Subscription/{r.json()['id']}", headers=svc.h("sub_b")).status_code == 404
    off = svc.client.delete(f"/fhir/Subscription/{r.json()['id']}", headers=svc.h("sub_a"))
    assert off.json()["status"] == "off"


def test_a_review_interrupted_by_a_restart_is_resumed(svc, reviewer):
    from priorauth.service.pas_service import resume_unfinished

    gate = threading.Event()
    svc.app.state.pas_reviewer = lambda case: (gate.wait(60), reviewer(case))[1]  # the process "dies" mid-review
    svc.settings.fhir_answer_seconds = 0.1
    b = pas_bundle([NOTE], ["72148"], "1973-06-10", CREATED, bundle_id="RS-1")
    assert codes(cr(post(svc, "/fhir/Claim/$submit", b))) == ["A4"]
    rid = only_request(svc)["id"]
    restart(svc)
    assert only_request(svc)["status"] == "reviewing"
    assert resume_unfinished(svc.app.state.sessions, reviewer) == 1
    wait_ready(svc, rid)
    assert codes(cr(post(svc, "/fhir/Claim/$inquire", b))) == ["A1"]
    gate.set()  # the first attempt finishing late changes nothing
    for t in [t for t in threading.enumerate() if t.name == "priorauth-pas-review"]:
        t.join(60)
    assert only_request(svc)["status"] == "ready" and svc.count(AuditEntry, request_id=rid, action="review_ready") == 1


# --- delivery, and the round trip ----------------------------------------------------------------------------

class Receiver:
    """An HTTP endpoint on 127.0.0.1 that records notifications; it can be told to fail the next N."""

    def __init__(self) -> None:
        self.got: list[dict] = []
        self.fail_next = 0
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if outer.fail_next:
                    outer.fail_next -= 1
                    self.send_response(503)
                else:
                    outer.got.append({"body": json.loads(body), "auth": self.headers.get("Authorization")})
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notify"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def wait_ready(svc, rid: str, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if svc.client.get(f"/api/requests/{rid}", headers=svc.h("nurse")).json()["status"] != "reviewing":
            return
        time.sleep(0.05)
    raise AssertionError("the background review did not finish")


def subscribe(svc, url: str, content: str = "full-resource") -> str:
    sub = {"resourceType": "Subscription", "status": "requested", "reason": "pended results", "criteria": systems.SUBSCRIPTION_TOPIC,
           "_criteria": {"extension": [{"url": "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-filter-criteria",
                                        "valueString": "orgIdentifier=clinic-a"}]},
           "channel": {"type": "rest-hook", "endpoint": url, "payload": FJ, "header": ["Authorization: Bearer hook-secret"],
                       "_payload": {"extension": [{"url": "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/"
                                                          "backport-payload-content", "valueCode": content}]}}}
    r = post(svc, "/fhir/Subscription", sub)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_round_trip_submit_pend_notify_inquire_update_cancel(svc, receiver, reviewer):
    """1 submit, 2 pend (the review outlasts the answer time), 3 notification at a local receiver (after a failed
    attempt and a restart), 4 inquire, 5 update, 6 cancel."""
    gate = threading.Event()

    def slow(case):  # an OCR-heavy packet: the review finishes after the answer went out
        assert gate.wait(60)
        return reviewer(case)

    svc.app.state.pas_reviewer = slow
    svc.settings.fhir_answer_seconds = 0.2
    sid = subscribe(svc, receiver.url)
    b = pas_bundle([NOTE], ["72148"], "1973-06-10", CREATED, ("M54.17",), bundle_id="RT-1")
    # 1-2: submitted, answered pended at once with a reason, review running
    first = post(svc, "/fhir/Claim/$submit", b)
    assert first.status_code == 200 and codes(cr(first)) == ["A4"]
    assert "being read" in cr(first)["disposition"] and "preAuthRef" not in cr(first)
    assert_conforms(first.json())
    rid = only_request(svc)["id"]
    assert only_request(svc)["status"] == "reviewing"
    gate.set()
    wait_ready(svc, rid)
    # 3: the change is written to the outbox; the receiver fails once (retried later), then the service restarts
    notifier = Notifier(svc.app.state.sessions)
    receiver.fail_next = 1
    assert notifier.run_once() == (0, 1)
    assert svc.count(FhirOutbox) == 1 and not receiver.got
    restart(svc)  # the outbox is in the database: nothing is lost
    notifier = Notifier(svc.app.state.sessions)
    with svc.app.state.sessions() as db:  # the backoff has not run out yet: nothing is sent early
        o = db.query(FhirOutbox).one()
        assert o.attempts == 1 and o.delivered_at is None
        due = o.next_attempt_at
    from priorauth.service.pas_notify import deliver_due

    assert deliver_due(svc.app.state.sessions, now=due) == (1, 0)
    assert notifier.run_once() == (0, 0)  # delivered once, not again
    (note,) = receiver.got
    assert note["auth"] == "Bearer hook-secret"
    bundle = note["body"]
    assert bundle["type"] == "history" and all(e["request"] and e["response"] for e in bundle["entry"])
    validate(bundle, "Bundle")
    status = {p["name"]: p for p in bundle["entry"][0]["resource"]["parameter"]}
    ig = json.loads((EXAMPLES / "Parameters-SubscriptionNotificationParameters.json").read_text())
    assert {p["name"] for p in ig["parameter"]} <= set(status)  # the IG example's shape
    assert {p["name"] for p in ig["parameter"][-1]["part"]} <= {p["name"] for p in status["notification-event"]["part"]}
    assert status["subscription"]["valueReference"]["reference"] == f"Subscription/{sid}"
    assert status["topic"]["valueCanonical"] == systems.SUBSCRIPTION_TOPIC
    event = {p["name"]: p for p in status["notification-event"]["part"]}
    assert event["event-number"]["valueString"] == "1"
    decided = bundle["entry"][1]["resource"]
    assert event["focus"]["valueReference"]["reference"] == bundle["entry"][1]["fullUrl"]
    assert codes(decided["entry"][0]["resource"]) == ["A1"]  # the example note proves the guideline
    assert_conforms(decided)
    ref = decided["entry"][0]["resource"]["preAuthRef"]
    # 4: inquiry gives the same determination
    inq = post(svc, "/fhir/Claim/$inquire", b)
    assert codes(cr(inq)) == ["A1"] and cr(inq)["preAuthRef"] == ref
    # 5: update: a second code; same row, same preAuthRef, reviewed again
    upd = copy.deepcopy(b)
    uc = upd["entry"][0]["resource"]
    uc["identifier"] = [{"system": "http://provider.example.org/claim-ids", "value": "RT-1-update"}]
    uc["related"] = [{"claim": {"identifier": b["entry"][0]["resource"]["identifier"][0]},
                      "relationship": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship", "code": "prior"}]}}]
    uc["item"].append({**copy.deepcopy(uc["item"][0]), "sequence": 2,
                       "productOrService": {"coding": [{"system": systems.CPT, "code": "70551"}]}})
    svc.app.state.pas_reviewer = reviewer
    u = post(svc, "/fhir/Claim/$submit", upd)
    assert u.status_code == 200, u.text
    assert codes(cr(u)) == ["A1", "A4"] and cr(u)["preAuthRef"] == ref
    # 6: cancel every line
    cancel = copy.deepcopy(upd)
    cancel["entry"][0]["resource"]["identifier"][0]["value"] = "RT-1-cancel"
    for it in cancel["entry"][0]["resource"]["item"]:
        it["modifierExtension"] = [{"url": systems.EXT_INFO_CANCELLED, "valueBoolean": True}]
    cx = post(svc, "/fhir/Claim/$submit", cancel)
    assert codes(cr(cx)) == ["C", "C"] and "preAuthRef" not in cr(cx)
    assert svc.count(PARequest) == 1
    assert [a for a in audit_actions(svc, rid) if a.startswith("fhir_")] == [
        "fhir_submitted", "fhir_inquired", "fhir_updated", "fhir_cancelled"]
    assert svc.count(AuditEntry, request_id=rid, action="review_ready") == 2


def test_id_only_notification_names_a_readable_bundle(svc, receiver, reviewer):
    gate = threading.Event()
    svc.app.state.pas_reviewer = lambda case: (gate.wait(60), reviewer(case))[1]
    svc.settings.fhir_answer_seconds = 0.1
    subscribe(svc, receiver.url, "id-only")
    b = pas_bundle([NOTE], ["72148"], "1973-06-10", CREATED, bundle_id="ID-1")
    assert codes(cr(post(svc, "/fhir/Claim/$submit", b))) == ["A4"]
    gate.set()
    wait_ready(svc, only_request(svc)["id"])
    assert Notifier(svc.app.state.sessions).run_once() == (1, 0)
    (note,) = receiver.got
    assert len(note["body"]["entry"]) == 1  # id-only: no resource in the notification
    event = {p["name"]: p for p in next(p for p in note["body"]["entry"][0]["resource"]["parameter"]
                                        if p["name"] == "notification-event")["part"]}
    ref = event["focus"]["valueReference"]["reference"]
    got = svc.client.get(f"/fhir/{ref}", headers=svc.h("sub_a"))
    assert got.status_code == 200 and codes(got.json()["entry"][0]["resource"]) == ["A1"]
    assert svc.client.get(f"/fhir/{ref}", headers=svc.h("sub_b")).status_code == 404
