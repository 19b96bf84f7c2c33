"""The work queue a UM team runs a shift from: identity and intake, search, assignment, the clock, the clinic's view,
corrections that decide again, letters, accounts, metrics, one case-building path with the CLI, and small page defects.

API and page tests through FastAPI's TestClient, on SQLite and on PostgreSQL when PRIORAUTH_TEST_DATABASE_URL is set;
the browser flows are in test_service_queue_browser.py.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import logging
import re

import pytest
from sqlalchemy import select

from priorauth.service.db import AuditEntry, PARequest, User
from tests.test_service import EXAMPLE, PASSWORD, REQ, ROOT, db_url, login, make_svc, reviewer  # noqa: F401 - fixtures

NPI = "1234567893"  # the CMS example NPI: its check digit is right
IDENTITY = {"patient_name": "Rosa Quintero-Vale", "birth_date": "1973-06-10", "patient_sex": "female",
            "member_id": "MBR-771203", "ordering_provider_name": "Dana Ordering", "ordering_provider_npi": NPI,
            "servicing_provider": "Northside Imaging Center"}
TZ = "America/Chicago"


@pytest.fixture
def q(tmp_path, db_url, reviewer, monkeypatch):  # noqa: F811 - the imported fixtures: SQLite, and PostgreSQL when configured
    client, s = make_svc(tmp_path, db_url, reviewer, monkeypatch, timezone=TZ)
    yield s
    client.__exit__(None, None, None)


def submit(s, note: str = EXAMPLE, **kw) -> str:
    return s.submit(note=note, **{**IDENTITY, **kw})


def trail(s, rid: str, who: str = "admin") -> list[dict]:
    return s.client.get(f"/api/requests/{rid}/audit", headers=s.h(who)).json()


def act(s, rid: str, who: str, **body):
    return s.client.post(f"/api/requests/{rid}/actions", json=body, headers=s.h(who))


# --- identity and intake -----------------------------------------------------------------------------


def test_npi_check_digit():
    from priorauth.service.identity import npi_valid

    assert npi_valid("1234567893") and npi_valid("1003000126")
    assert not npi_valid("1234567890") and not npi_valid("123456789") and not npi_valid("12345678a3")


def test_identity_intake_search_and_phi_audit(q, caplog):
    c = q.client
    bad = c.post("/api/requests", json={**REQ, **IDENTITY, "ordering_provider_npi": "1234567890"}, headers=q.h("sub_a"))
    assert bad.status_code == 422 and "NPI" in bad.json()["detail"]
    with caplog.at_level(logging.DEBUG):
        rid = submit(q, received_at="2026-03-02T08:15:00-06:00")
        other = submit(q, patient_name="Someone Else", member_id="MBR-000001", ordering_provider_name="Lee Other")
        q.drain()
        st = c.get(f"/api/requests/{rid}", headers=q.h("nurse")).json()
    assert "Quintero" not in caplog.text and "MBR-771203" not in caplog.text  # identity is never logged
    assert st["patient_name"] == IDENTITY["patient_name"] and st["member_id"] == "MBR-771203"
    assert st["ordering_provider_npi"] == NPI and st["servicing_provider"] == "Northside Imaging Center"
    assert re.fullmatch(r"PA-[0-9A-F]{12}", st["reference"])
    assert st["received_at"] == "2026-03-02T14:15:00+00:00"
    assert st["due"] == "2026-03-09 09:15 CDT"  # received + 7 days, shown in the plan's zone
    search = lambda term: [r["id"] for r in c.get("/api/requests", params={"q": term, "view": "all"}, headers=q.h("nurse")).json()]
    assert search("mbr-771203") == [rid] and search("quintero") == [rid] and search(st["reference"].lower()) == [rid]
    assert search("Lee Other") == [other] and set(search(NPI)) == {rid, other}
    assert search("northside") and search("nobody-like-this") == []
    assert c.get("/api/requests", params={"q": "quintero"}, headers=q.h("sub_b")).json() == []  # another clinic's
    viewed = [e for e in trail(q, rid) if e["action"] == "identity_viewed"]
    assert [(e["username"], e["detail"]["where"]) for e in viewed] == [("nurse", "api_request")]
    with q.app.state.sessions() as db:  # a list (the queue, a search) is one entry naming what it showed
        listed = list(db.scalars(select(AuditEntry).where(AuditEntry.action == "identities_listed")))
    assert any(e.username == "nurse" and e.detail["requests"] == [rid] and e.detail["where"] == "api_list" for e in listed)


def test_fhir_bundle_identity_and_the_reference_is_the_preauthref(q):
    b = json.loads((ROOT / "examples" / "fhir" / "lumbar_radiculopathy.bundle.json").read_text())
    for e in b["entry"]:
        res = e["resource"]
        if res["resourceType"] == "Patient":
            res["name"] = [{"given": ["Rosa"], "family": "Quintero-Vale"}]
        elif res["resourceType"] == "Coverage":
            res["subscriberId"] = "MBR-771203"
        elif res["resourceType"] == "Practitioner":
            res["identifier"] = [{"system": "http://hl7.org/fhir/sid/us-npi", "value": NPI}]
    hj = {**q.h("sub_a"), "Content-Type": "application/fhir+json"}
    wrong = copy.deepcopy(b)
    next(e for e in wrong["entry"] if e["resource"]["resourceType"] == "Practitioner")["resource"]["identifier"][0]["value"] = "1234567890"
    refused = q.client.post("/fhir/Claim/$submit", content=json.dumps(wrong), headers=hj)
    assert refused.status_code == 400 and "NPI" in json.dumps(refused.json())
    out = q.client.post("/fhir/Claim/$submit", content=json.dumps(b), headers=hj).json()
    row = q.client.get("/api/requests", headers=q.h("nurse")).json()[0]
    assert row["reference"] == out["entry"][0]["resource"]["preAuthRef"]
    assert (row["patient_name"], row["member_id"], row["ordering_provider_name"], row["ordering_provider_npi"]) == \
        ("Rosa Quintero-Vale", "MBR-771203", "Dana Ordering", NPI)
    assert row["servicing_provider"] == "Example Spine Clinic" and row["birth_date"] == "1973-06-10"


# --- assignment and the clock ------------------------------------------------------------------------


def test_claim_release_my_cases_and_workload(q):
    a, b = submit(q), submit(q, urgency="expedited")
    q.drain()
    c = q.client
    assert c.post(f"/api/requests/{a}/claim", headers=q.h("sub_a")).status_code == 403
    assert c.post(f"/api/requests/{a}/claim", headers=q.h("nurse")).json()["assignee"] == "nurse"
    taken = c.post(f"/api/requests/{a}/claim", headers=q.h("doc"))
    assert taken.status_code == 409 and "nurse has this case" in taken.json()["detail"]
    assert c.post(f"/api/requests/{a}/release", headers=q.h("doc")).status_code == 403
    mine = lambda who: [r["id"] for r in c.get("/api/requests", params={"view": "mine"}, headers=q.h(who)).json()]
    assert mine("nurse") == [a] and mine("doc") == []
    with q.app.state.sessions() as db:
        from priorauth.service.logic import workload

        load = {w["username"]: w for w in workload(db)}
    assert load["nurse"]["open"] == 1 and load["doc"]["open"] == 0 and "sub_a" not in load
    assert c.post(f"/api/requests/{a}/release", headers=q.h("nurse")).status_code == 200
    assert mine("nurse") == [] and c.post(f"/api/requests/{b}/claim", headers=q.h("doc")).status_code == 200
    assert [e["action"] for e in trail(q, a) if e["action"] in ("claimed", "released")] == ["claimed", "released"]


def test_the_clock_stops_at_the_final_disposition_not_at_a_request_for_information(q):
    rid = submit(q)
    q.drain()
    c = q.client
    get = lambda: c.get(f"/api/requests/{rid}", headers=q.h("nurse")).json()
    before = get()
    assert before["seconds_left"] > 6 * 86400 and before["decided_at"] is None
    assert act(q, rid, "nurse", action="request_information", missing=["PT notes"]).status_code == 201
    after_rfi = get()
    assert after_rfi["disposition"] == "information_requested" and after_rfi["decided_at"] is None
    assert after_rfi["seconds_left"] is not None  # a request for information does not stop the clock
    assert act(q, rid, "nurse", action="extend", days=15, note="x").status_code == 422  # CMS: up to 14 days
    assert act(q, rid, "nurse", action="extend", days=14).status_code == 422  # the reason is required
    assert act(q, rid, "nurse", action="extend", days=14, note="awaiting the PT notes the clinic is sending").status_code == 201
    ext = get()
    assert dt.datetime.fromisoformat(ext["deadline_at"]) - dt.datetime.fromisoformat(before["deadline_at"]) == dt.timedelta(days=14)
    assert ext["extension_reason"] == "awaiting the PT notes the clinic is sending"
    assert act(q, rid, "nurse", action="extend", days=1, note="again").status_code == 409  # one extension
    assert act(q, rid, "nurse", action="confirm_approval").status_code == 201
    done = get()
    assert done["decided_at"] and done["seconds_left"] is None and done["time_left"].startswith("decided ")
    assert done["time_left"].endswith(("CST", "CDT")) and not done["overdue"]
    assert act(q, rid, "doc", action="physician_determination", determination="approve").status_code == 409
    assert rid in [r["id"] for r in c.get("/api/requests", params={"view": "decided"}, headers=q.h("nurse")).json()]


# --- the clinic's view -------------------------------------------------------------------------------


def test_the_clinic_sees_status_and_outcome_never_internal_work(q):
    rid = submit(q)
    q.drain()
    review = q.client.get(f"/api/requests/{rid}/review", headers=q.h("nurse")).json()
    f = review["findings"][0]
    s = f["evidence"][0]
    act(q, rid, "nurse", action="mark_finding_wrong", code=f["code"], doc=s["doc"], start=s["start"], end=s["end"],
        reason="other", note="SECRET-NURSE-NOTE")
    act(q, rid, "nurse", action="route_to_physician", note="SECRET-ROUTING-NOTE")
    act(q, rid, "doc", action="physician_determination", determination="not_approved", note="no conservative care tried")
    c = q.client
    st = c.get(f"/api/requests/{rid}", headers=q.h("sub_a")).json()
    assert st["disposition"] == "physician_not_approved" and "decision" not in st and "action" not in st
    assert c.get(f"/api/requests/{rid}/review", headers=q.h("sub_a")).status_code == 403
    seen = json.dumps(trail(q, rid, "sub_a"))
    assert "SECRET" not in seen and "mark_finding_wrong" not in seen and "redecided" not in seen and "nurse" not in seen
    assert "physician_determination" in seen and "letter_sent" in seen
    login(c, "sub_a")
    page = c.get(f"/requests/{rid}").text
    assert "SECRET" not in page and "mark_finding_wrong" not in page and "Tool recommendation" not in page
    assert "not approved" in page and 'data-letter="determination"' in page
    assert "Tool recommendation" not in c.get("/?view=all").text
    ids = lambda **p: [r["id"] for r in c.get("/api/requests", params={"view": "all", **p}, headers=q.h("sub_a")).json()]
    assert ids(decision="incomplete") == ids() == [rid]  # the tool's recommendation is not a filter for the clinic


# --- corrections decide again ------------------------------------------------------------------------


def test_a_correction_reruns_the_rules_and_withdraws_the_approval(q):
    rid = submit(q)
    q.drain()
    c = q.client
    review = c.get(f"/api/requests/{rid}/review", headers=q.h("nurse")).json()
    assert review["decision"] == "meets_criteria"
    for f in review["findings"]:  # every finding that carried the approval is wrong
        for s in f["evidence"]:
            r = act(q, rid, "nurse", action="mark_finding_wrong", code=f["code"], doc=s["doc"], start=s["start"],
                    end=s["end"], reason="contradicted_by_exam")
            assert r.status_code == 201, r.text
    st = c.get(f"/api/requests/{rid}", headers=q.h("nurse")).json()
    assert st["decision"] == "meets_criteria" and st["corrected_decision"] != "meets_criteria"  # both kept
    redecided = [e for e in trail(q, rid) if e["action"] == "redecided"]
    assert redecided[0]["detail"]["against_tool"]["decision_before"] == "meets_criteria"
    assert redecided[-1]["detail"]["against_tool"]["approval_withdrawn"] is True
    conf = act(q, rid, "nurse", action="confirm_approval")
    assert conf.status_code == 409
    login(c, "nurse")
    page = c.get(f"/requests/{rid}").text
    assert 'id="changes"' in page and "no longer stands" in page and 'id="confirm-approval"' not in page
    assert "{'" not in page  # audit details read as text, not Python dicts
    assert act(q, rid, "nurse", action="mark_finding_wrong", code=f["code"], doc=s["doc"], start=s["start"], end=s["end"],
               reason="other").status_code == 422  # "other" needs the reviewer's words


def test_an_approval_only_a_correction_produced_is_a_human_decision(q):
    rid = submit(q)
    q.drain()
    review = q.client.get(f"/api/requests/{rid}/review", headers=q.h("nurse")).json()
    f = review["findings"][0]
    # the tool's own review is stored as not meeting the criteria for this test; the corrections then re-decide
    with q.app.state.sessions() as db:
        from priorauth.service.db import StoredReview

        s = db.scalar(select(StoredReview).where(StoredReview.request_id == rid))
        tool = json.loads(s.review_json)
        tool["decision"], tool["action"] = "not_met", "route_to_clinician"
        s.review_json = json.dumps(tool)
        db.get(PARequest, rid).decision = "not_met"
        db.commit()
    sp = f["evidence"][0]
    assert act(q, rid, "nurse", action="add_finding", code=f["code"], doc=sp["doc"], start=sp["start"], end=sp["end"],
               text=sp["text"]).status_code == 201
    st = q.client.get(f"/api/requests/{rid}", headers=q.h("nurse")).json()
    assert st["decision"] == "not_met" and st["corrected_decision"] == "meets_criteria"
    conf = act(q, rid, "nurse", action="confirm_approval")
    assert conf.status_code == 201 and conf.json()["detail"]["basis"] == "correction"


# --- letters -----------------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_letters_approval_information_and_determination(q):
    c = q.client
    with q.app.state.sessions() as db:
        doc = db.scalar(select(User).where(User.username == "doc"))
        doc.full_name, doc.credentials = "Avery Stone", "MD"
        db.commit()
    ok, rfi, denied = submit(q), submit(q), submit(q)
    q.drain()
    act(q, ok, "nurse", action="confirm_approval")
    act(q, rfi, "nurse", action="request_information", missing=["Physical therapy notes from the last 6 weeks"])
    act(q, denied, "nurse", action="route_to_physician", note="check")
    act(q, denied, "doc", action="physician_determination", determination="not_approved",
        note="six weeks of conservative care are not documented")

    def letter(rid: str, kind: str) -> tuple[dict, str, str]:
        st = c.get(f"/api/requests/{rid}", headers=q.h("sub_a")).json()
        x = next(x for x in st["letters"] if x["kind"] == kind)
        got = c.get(f"/api/requests/{rid}/letters/{x['id']}.pdf", headers=q.h("sub_a"))
        assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
        html = c.get(f"/api/requests/{rid}/letters/{x['id']}.html", headers=q.h("sub_a")).text
        return st, pdf_text(got.content), html

    st, text, html = letter(ok, "approval")
    assert st["reference"] in text and "72148" in text and "1 unit" in text
    valid = re.search(r"(\d{4}-\d{2}-\d{2}) through (\d{4}-\d{2}-\d{2})", text)
    assert valid and (dt.date.fromisoformat(valid[2]) - dt.date.fromisoformat(valid[1])).days == 60  # letters.json
    st, text, html = letter(rfi, "request_for_information")
    assert "Physical therapy notes" in text and "Respond by" in text and st["reference"] in text
    st, text, html = letter(denied, "determination")
    assert "six weeks of conservative care are not documented" in text and "Avery Stone, MD" in text
    assert "appeal" in text.lower() and "PUM 250-0057-1812" in text
    assert [e["action"] for e in trail(q, denied)].count("letter_sent") == 1
    # a second request for information is the letter's version 2; version 1 is kept
    act(q, rfi, "nurse", action="request_information", missing=["The lumbar X-ray report"])
    rfis = [x for x in c.get(f"/api/requests/{rfi}", headers=q.h("sub_a")).json()["letters"] if x["kind"] == "request_for_information"]
    assert [x["version"] for x in rfis] == [1, 2] and rfis[0]["sha256"] != rfis[1]["sha256"]
    assert "X-ray" in pdf_text(c.get(f"/api/requests/{rfi}/letters/{rfis[1]['id']}.pdf", headers=q.h("sub_a")).content)
    assert "letter_downloaded" in [e["action"] for e in trail(q, denied)]
    assert c.get(f"/api/requests/{denied}/letters/999.pdf", headers=q.h("sub_a")).status_code == 404
    assert c.get(f"/api/requests/{denied}/letters/{st['letters'][0]['id']}.pdf", headers=q.h("sub_b")).status_code == 404


def test_the_plan_time_zone_is_checked(tmp_path):
    from priorauth.service.settings import Settings

    assert Settings(data_dir=tmp_path, timezone="America/Chicago").timezone == "America/Chicago"
    with pytest.raises(ValueError, match="IANA time zone"):
        Settings(data_dir=tmp_path, timezone="Central Time")


def test_a_guideline_without_letters_uses_the_default_words():
    from priorauth.guidelines import register
    from priorauth.service.letters import letter_data

    knee = register(ROOT / "tests" / "guidelines" / "knee_demo")
    assert not knee.path("letters.json").exists()
    assert letter_data(knee.id).validity_days == letter_data(None).validity_days


def test_letter_data_is_validated_when_loaded():
    from priorauth.service.letters import LetterData

    data = json.loads((ROOT / "priorauth" / "guidelines" / "wps_mri_spine" / "letters.json").read_text())
    LetterData.model_validate(data)
    data["approval"]["paragraphs"].append("Valid until {valid_unitl}.")
    with pytest.raises(ValueError, match="valid_unitl"):
        LetterData.model_validate(data)


# --- accounts, export, metrics -----------------------------------------------------------------------


def csrf_of(text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)


def test_admin_accounts_page(q):
    c = q.client
    csrf = login(c, "admin")
    page = c.get("/admin/users")
    assert page.status_code == 200 and 'data-user="nurse"' in page.text
    new = {"csrf_token": csrf, "do": "create", "username": "nurse2", "password": "nurse2-password-1", "role": "nurse",
           "org": "plan", "full_name": "Nora Two", "credentials": "RN"}
    assert c.post("/admin/users", data={**new, "password": "short"}).status_code == 422
    assert c.post("/admin/users", data=new, follow_redirects=False).status_code == 303
    with q.app.state.sessions() as db:
        u = db.scalar(select(User).where(User.username == "nurse2"))
        nurse = db.scalar(select(User).where(User.username == "nurse"))
    assert (u.role, u.full_name, u.credentials) == ("nurse", "Nora Two", "RN")
    assert c.post("/admin/users", data={"csrf_token": csrf, "do": "update", "user_id": u.id, "role": "physician", "org": "plan",
                                        "full_name": "Nora Two", "credentials": "MD"}, follow_redirects=False).status_code == 303
    assert c.post("/admin/users", data={"csrf_token": csrf, "do": "disable", "user_id": nurse.id}, follow_redirects=False).status_code == 303
    assert q.client.get("/api/requests", headers=q.h("nurse")).status_code == 401  # its token is revoked
    assert q.client.post("/api/tokens", json={"username": "nurse", "password": PASSWORD}).status_code == 401
    c.post("/admin/users", data={"csrf_token": csrf, "do": "enable", "user_id": nurse.id})
    weak = c.post("/admin/users", data={"csrf_token": csrf, "do": "reset", "user_id": nurse.id, "password": "password1234"})
    assert weak.status_code == 422 and "too easy to guess" in weak.text  # the service's password check
    c.post("/admin/users", data={"csrf_token": csrf, "do": "reset", "user_id": nurse.id, "password": "a-brand-new-password"})
    assert q.client.post("/api/tokens", json={"username": "nurse", "password": PASSWORD}).status_code == 401
    assert q.client.post("/api/tokens", json={"username": "nurse", "password": "a-brand-new-password"}).status_code == 201
    q.tokens["nurse"] = q.client.post("/api/tokens", json={"username": "nurse", "password": "a-brand-new-password"}).json()["token"]
    assert 'data-user="nurse"' in (page := c.get("/admin/users").text) and "2 API token(s)" in page
    c.post("/admin/users", data={"csrf_token": csrf, "do": "revoke", "user_id": nurse.id})  # signed out, not disabled
    assert q.client.get("/api/requests", headers=q.h("nurse")).status_code == 401
    assert q.client.post("/api/tokens", json={"username": "nurse", "password": "a-brand-new-password"}).status_code == 201
    actions = {e.action for e in q.app.state.sessions().scalars(select(AuditEntry))}
    assert {"user_created", "user_changed", "user_disabled", "user_enabled", "password_changed", "tokens_revoked"} <= actions
    c.post("/logout", data={"csrf_token": csrf})
    login(c, "nurse2", "nurse2-password-1")
    assert c.get("/admin/users").status_code == 403
    assert c.get("/export/cases.jsonl").status_code == 200  # the corrections export from a signed-in browser


def seed_metrics(engine) -> None:
    """Six requests with hand-set audit entries (times in UTC); the figures in EXPECTED are worked out by hand."""
    from priorauth.service.db import session_factory

    t = lambda s: dt.datetime.fromisoformat(s).replace(tzinfo=dt.timezone.utc)
    plan = [  # id, urgency, tool decision, received, [(action, detail, at)]
        ("m1", "standard", "meets_criteria", "2026-01-05T14:00", [("confirm_approval", {"basis": "tool"}, "2026-01-06T14:00")]),
        ("m2", "standard", "not_met", "2026-01-10T00:00", [("extend", {"days": 14}, "2026-01-11T00:00"),
                                                           ("physician_determination", {"determination": "not_approved"}, "2026-01-12T12:00")]),
        ("m3", "expedited", "meets_criteria", "2026-01-15T00:00", [("physician_determination", {"determination": "not_approved"}, "2026-01-16T00:00")]),
        ("m4", "expedited", "not_met", "2026-01-20T00:00", [("confirm_approval", {"basis": "correction"}, "2026-01-20T12:00")]),
        ("m5", "standard", "incomplete", "2026-01-21T00:00", [("request_information", {"missing": []}, "2026-01-22T00:00")]),
        # decided 03:00 UTC on 1 February: still 31 January in Chicago, so January's
        ("m6", "standard", "meets_criteria", "2026-01-31T20:00", [("confirm_approval", {"basis": "tool"}, "2026-02-01T03:00")]),
    ]
    with session_factory(engine)() as db:
        seeder = User(username="seed-nurse", password_hash="x", role="nurse", org="plan", active=True)
        db.add(seeder)
        db.flush()
        for rid, urgency, tool, received, steps in plan:
            db.add(PARequest(id=rid, org="seed-clinic", submitter_id=seeder.id, cpt_codes=["72148"], icd10_codes=[],
                             urgency=urgency, status="ready", attempts=1, created_at=t(received), reference="PA-SEED" + rid))
            db.flush()
            entries = [("request_created", {"urgency": urgency}, received), ("files_uploaded", {"received_at": t(received).isoformat()}, received),
                       ("review_ready", {"decision": tool}, received), *steps]
            for action, detail, at in entries:
                db.add(AuditEntry(request_id=rid, user_id=seeder.id, username="seed-nurse", role="nurse", action=action,
                                  detail=detail, at=t(at)))
        db.commit()


EXPECTED = {"period": "2026-01", "decisions": 5, "approved_share": 0.6, "denied_share": 0.4, "approved_after_appeal_share": None,
            "extended_share": 0.2, "standard_decisions": 3, "standard_mean_hours": 30.33, "standard_median_hours": 24.0,
            "expedited_decisions": 2, "expedited_mean_hours": 18.0, "expedited_median_hours": 18.0,
            "auto_approval_rate": 0.4, "override_rate": 0.4}


def test_metrics_against_hand_computed_figures(q):
    seed_metrics(q.engine)
    rows = q.client.get("/api/metrics", headers=q.h("nurse")).json()
    assert rows == [EXPECTED]
    assert q.client.get("/api/metrics", headers=q.h("sub_a")).status_code == 403
    quarter = q.client.get("/api/metrics", params={"period": "quarter"}, headers=q.h("nurse")).json()
    assert quarter == [{**EXPECTED, "period": "2026-Q1"}]
    assert q.client.get("/api/metrics", params={"period": "week"}, headers=q.h("nurse")).status_code == 422
    lines = q.client.get("/api/metrics.csv", headers=q.h("admin")).text.splitlines()
    assert lines[0].startswith("period,decisions,approved_share") and lines[1].startswith("2026-01,5,0.6,0.4,,0.2,3,30.33,24.0,2,18.0")


# --- one code path, and the page defects -------------------------------------------------------------


def test_the_service_and_the_cli_build_the_same_case_and_review(q):
    """The example PDF and a text note that states its date of service: same dates, same review, CLI or service."""
    from priorauth.cli import _read_packet
    from priorauth.models import Review

    note = "DOS 03/10/2026\n" + EXAMPLE
    pdf = (ROOT / "examples" / "lumbar_radiculopathy.pdf").read_bytes()
    folder = q.settings.data_dir / "cli"
    folder.mkdir()
    (folder / "packet.pdf").write_bytes(pdf)
    (folder / "note.txt").write_text(note)
    dates = {}
    for name, data, kind in (("packet.pdf", pdf, "application/pdf"), ("note.txt", note.encode(), "text/plain")):
        rid = q.create(**IDENTITY)
        assert q.client.post(f"/api/requests/{rid}/files", headers=q.h("sub_a"), files={"files": (name, data, kind)}).status_code == 201
        q.drain()
        with q.app.state.sessions() as db:
            from priorauth.service.logic import stored_review

            case, service_review = stored_review(db, rid)
        cli_case = _read_packet([str(folder / name)], ["72148"], 52, dt.date(2026, 3, 2), True)
        assert [d.date for d in case.documents] == [d.date for d in cli_case.documents]
        cli_review = q.reviewer(cli_case)
        drop = {"case_id"}
        assert service_review.model_dump(exclude=drop) == Review.model_validate(cli_review.model_dump()).model_dump(exclude=drop)
        dates[name] = case.documents[0].date
    # the PDF's own visit date (the service used the request date, 2026-03-02, and counted a week more of care)
    assert dates == {"packet.pdf": dt.date(2026, 2, 26), "note.txt": dt.date(2026, 3, 10)}


def test_the_physicians_form_keeps_the_chosen_value_and_buttons_go_after_a_final_disposition(q):
    rid = submit(q)
    q.drain()
    c = q.client
    csrf = login(c, "doc")
    page = c.post(f"/requests/{rid}/actions", data={"csrf_token": csrf, "action": "physician_determination",
                                                    "determination": "not_approved", "note": ""})
    assert page.status_code == 422 and "reason" in page.text
    assert '<option value="not_approved" selected>' in page.text and '<option value="approve" selected>' not in page.text
    done = c.post(f"/requests/{rid}/actions", data={"csrf_token": csrf, "action": "physician_determination",
                                                    "determination": "approve", "note": ""}, follow_redirects=False)
    assert done.status_code == 303
    page = c.get(f"/requests/{rid}").text
    assert 'class="actions"' not in page and 'id="final"' in page and 'id="claim"' not in page
    assert 'data-letter="approval"' in page  # a physician's approval writes the approval letter


def old_database(tmp_path, revision: str):
    """A SQLite database migrated only to `revision`, holding one clinic account and one submitted request 'old1'."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from priorauth.service.db import MIGRATIONS, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO users (id, username, password_hash, role, org, active, created_at) "
                          "VALUES (1, 'c', 'x', 'submitter', 'clinic', 1, '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO requests (id, org, submitter_id, cpt_codes, icd10_codes, urgency, status, created_at, "
                          "submitted_at, attempts) VALUES ('old1', 'clinic', 1, '[\"72148\"]', '[]', 'standard', 'ready', "
                          "'2026-01-02 00:00:00', '2026-01-02 09:30:00', 1)"))
    return engine


def test_the_migration_gives_existing_requests_a_reference_and_received_time(tmp_path):
    """A database made before the work queue (revision 0002) with a request in it upgrades in place."""
    from sqlalchemy import text

    from priorauth.service.db import migrate

    engine = old_database(tmp_path, "0002")
    migrate(engine)
    with engine.connect() as conn:
        ref, received = conn.execute(text("SELECT reference, received_at FROM requests WHERE id = 'old1'")).one()
    engine.dispose()
    assert re.fullmatch(r"PA-[0-9A-F]{12}", ref) and str(received).startswith("2026-01-02 09:30:00")


# --- the clinic answers a request for information -----------------------------------------------------

PT_NOTE = ("Physical therapy discharge summary. DOS 03/05/2026.\n"
           "The patient attended 12 sessions of physical therapy over 6 weeks for low back pain with left leg pain.\n")


def rfi(s, rid: str, note: str = "") -> dict:
    r = act(s, rid, "nurse", action="request_information", missing=["Physical therapy notes"], note=note)
    assert r.status_code == 201, r.text
    return r.json()


def send(s, rid: str, who: str = "sub_a", files=None):
    return s.client.post(f"/api/requests/{rid}/files", headers=s.h(who),
                         files=files or {"files": ("pt.txt", PT_NOTE.encode(), "text/plain")})


def test_the_clinic_answers_a_request_for_information_and_it_is_reviewed_again(q):
    from priorauth.service.db import StoredFile, StoredReview
    from priorauth.service.logic import stored_review

    rid = submit(q)
    q.drain()
    c = q.client
    get = lambda who="nurse": c.get(f"/api/requests/{rid}", headers=q.h(who)).json()
    assert send(q, rid).status_code == 409  # nothing was asked for: the packet is closed
    review = c.get(f"/api/requests/{rid}/review", headers=q.h("nurse")).json()
    f, sp = review["findings"][0], review["findings"][0]["evidence"][0]
    assert act(q, rid, "nurse", action="mark_finding_wrong", code=f["code"], doc=sp["doc"], start=sp["start"],
               end=sp["end"], reason="negated").status_code == 201
    corrected_before = get()["corrected_decision"]
    entry = rfi(q, rid, note="SECRET-RFI-NOTE")
    before = get()
    assert before["information_due_at"] == entry["detail"]["respond_by"] and not before["information_overdue"]
    assert before["information"].startswith("information due ")
    # the same limits and refusals as the first upload; nothing is stored by a refused one
    assert send(q, rid, files={"files": ("empty.txt", b"", "text/plain")}).status_code == 422
    assert send(q, rid, files={"files": ("big.txt", b"a" * (64 * 1024 + 1), "text/plain")}).status_code == 413
    assert send(q, rid, files={"files": ("x.bin", b"\x00\x01binary\x00\xff" * 50, "text/plain")}).status_code == 415
    assert send(q, rid, who="sub_b").status_code == 404 and send(q, rid, who="nurse").status_code == 403
    assert q.count(StoredFile, request_id=rid) == 1 and get()["status"] == "ready"
    with q.app.state.sessions() as db:
        first = db.scalar(select(StoredReview).where(StoredReview.request_id == rid)).review_json

    sent = send(q, rid)
    assert sent.status_code == 201, sent.text
    st = get()
    assert st["status"] == "queued" and st["disposition"] == "information_received" and st["review_round"] == 2
    assert st["deadline_at"] == before["deadline_at"] and st["seconds_left"] is not None  # the clock keeps running
    assert st["information_received_at"] and st["information"].startswith("new information received ")
    assert send(q, rid).status_code == 409  # answered: closed again until the next request for information
    assert q.drain() == ["ready"] and q.drain() == []  # reviewed again, once
    with q.app.state.sessions() as db:
        rows = list(db.scalars(select(StoredReview).where(StoredReview.request_id == rid).order_by(StoredReview.review_round)))
        case, _ = stored_review(db, rid)
    assert [x.review_round for x in rows] == [1, 2] and rows[0].review_json == first  # the first review kept as it was
    old = c.get(f"/api/requests/{rid}/review", params={"round": 1}, headers=q.h("nurse")).json()
    assert old == json.loads(first) and c.get(f"/api/requests/{rid}/review", params={"round": 3}, headers=q.h("nurse")).status_code == 404
    assert c.get(f"/api/requests/{rid}/review", params={"round": 1}, headers=q.h("sub_a")).status_code == 403
    assert [d.id for d in case.documents] == ["note.txt", "pt.txt"]  # the new review reads every document
    assert get()["corrected_decision"] == corrected_before  # the reviewer's correction still stands on the new review
    steps = [(e["action"], e["detail"].get("round")) for e in trail(q, rid)
             if e["action"] in ("review_ready", "information_received")]
    assert steps == [("review_ready", 1), ("information_received", 2), ("review_ready", 2)]
    queued = {r["id"]: r for r in c.get("/api/requests", headers=q.h("nurse")).json()}
    assert rid in queued and queued[rid]["information"].startswith("new information received ")
    login(c, "nurse")
    assert "new information received" in c.get("/").text and 'id="information-received"' in c.get(f"/requests/{rid}").text
    seen = json.dumps(trail(q, rid, "sub_a"))  # the clinic sees its answer, never the plan's notes
    assert "information_received" in seen and "SECRET" not in seen and "mark_finding_wrong" not in seen
    assert get("sub_a")["disposition"] == "information_received"
    assert act(q, rid, "nurse", action="confirm_approval").status_code in (201, 409)  # the reviewers act on the new review


def test_an_answer_that_cannot_be_read_leaves_the_previous_review_and_the_request_open(q):
    from priorauth.service.logic import stored_review

    rid = submit(q)
    q.drain()
    rfi(q, rid)
    broken = {"files": ("pt.pdf", b"%PDF-1.4\n" + b"\x00 not really a pdf " * 40, "application/pdf")}
    assert send(q, rid, files=broken).status_code == 201  # a PDF's format is checked now, its pages by the worker
    assert q.drain() == ["failed"]
    st = q.client.get(f"/api/requests/{rid}", headers=q.h("nurse")).json()
    assert st["status"] == "ready" and st["disposition"] == "information_requested" and "pt.pdf" in st["error"]
    assert st["information_received_at"] is None
    assert q.client.get(f"/api/requests/{rid}/review", headers=q.h("nurse")).status_code == 200  # the reviewers can act
    login(q.client, "nurse")
    assert 'id="round-error"' in q.client.get(f"/requests/{rid}").text
    assert "pt.pdf" in json.dumps(trail(q, rid, "sub_a"))  # the clinic is told which file failed
    assert send(q, rid).status_code == 201 and q.drain() == ["ready"]  # and sends a readable one
    with q.app.state.sessions() as db:
        assert [d.id for d in stored_review(db, rid)[0].documents] == ["note.txt", "pt.txt"]
    assert q.client.get(f"/api/requests/{rid}", headers=q.h("nurse")).json()["error"] is None


def test_a_review_round_is_stored_once_even_when_a_slow_worker_wakes_up(q):
    from priorauth.service.db import StoredReview
    from priorauth.service.jobs import LeaseLost, claim, finish, process

    rid = submit(q)
    q.drain()
    rfi(q, rid)
    assert send(q, rid).status_code == 201
    t0 = dt.datetime.now(dt.timezone.utc)
    slow = claim(q.engine, "slow", 60, now=t0)
    assert slow.request_id == rid and slow.attempt == 1  # a new job: its attempts count afresh
    rescuer = claim(q.engine, "rescuer", 60, now=t0 + dt.timedelta(seconds=61))
    assert process(q.engine, q.settings, rescuer, q.reviewer) == "ready"
    with pytest.raises(LeaseLost):
        finish(q.engine, slow, "{}", "{}", "not_met", "route_to_clinician")
    assert q.count(StoredReview, request_id=rid) == 2 and q.count(AuditEntry, request_id=rid, action="review_ready") == 2


def test_a_request_for_information_past_its_deadline_is_overdue_in_the_queue(q):
    rid = submit(q)
    q.drain()
    rfi(q, rid)
    with q.app.state.sessions() as db:
        r = db.get(PARequest, rid)
        assert r.information_due_at <= r.deadline_at - dt.timedelta(hours=24)  # answered before the decision is due
        r.information_due_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
        db.commit()
    st = q.client.get(f"/api/requests/{rid}", headers=q.h("nurse")).json()
    assert st["information_overdue"] and st["information"].startswith("information overdue since ")
    assert not st["overdue"]  # the decision itself is not yet late
    login(q.client, "nurse")
    row = re.search(rf'<tr[^>]*data-request="{rid}".*?</tr>', q.client.get("/").text, re.S).group(0)
    assert "information overdue since" in row and "overdue for information" in q.client.get(f"/requests/{rid}").text
    assert send(q, rid).status_code == 201  # a late answer is still taken
    late = [e for e in trail(q, rid) if e["action"] == "information_received"]
    assert late[0]["detail"]["late"] is True
    assert not q.client.get(f"/api/requests/{rid}", headers=q.h("nurse")).json()["information_overdue"]


def test_the_clinic_answers_from_its_page(q):
    rid = submit(q)
    q.drain()
    c = q.client
    csrf = login(c, "sub_a")
    assert 'id="answer"' not in c.get(f"/requests/{rid}").text  # nothing asked for yet
    rfi(q, rid)
    page = c.get(f"/requests/{rid}").text
    assert 'id="answer"' in page and "Physical therapy notes" not in page.split('id="answer"')[0].split("Outcome")[0]
    url = f"/requests/{rid}/files"
    pt = {"files": ("pt.txt", PT_NOTE.encode(), "text/plain")}
    assert c.post(url, files=pt, data={"csrf_token": "wrong"}).status_code == 403
    bad = c.post(url, files={"files": ("x.bin", b"\x00\x01binary\x00\xff" * 50, "text/plain")}, data={"csrf_token": csrf})
    assert bad.status_code == 415 and 'role="alert"' in bad.text and 'id="answer"' in bad.text  # the form stays
    done = c.post(url, files=pt, data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/requests/{rid}"
    page = c.get(f"/requests/{rid}").text
    assert "information received, under review" in page and 'id="answer"' not in page and "pt.txt" in page


def test_a_pas_request_answered_keeps_its_bundle_documents(q):
    from priorauth.service.logic import stored_review

    b = (ROOT / "examples" / "fhir" / "lumbar_radiculopathy.bundle.json").read_text()
    q.client.post("/fhir/Claim/$submit", content=b, headers={**q.h("sub_a"), "Content-Type": "application/fhir+json"})
    rid = q.client.get("/api/requests", headers=q.h("nurse")).json()[0]["id"]
    with q.app.state.sessions() as db:
        bundle_docs = [d.id for d in stored_review(db, rid)[0].documents]
    rfi(q, rid)
    assert send(q, rid).status_code == 201 and q.drain() == ["ready"]
    with q.app.state.sessions() as db:
        assert [d.id for d in stored_review(db, rid)[0].documents] == [*bundle_docs, "pt.txt"]


def test_the_migration_keeps_existing_reviews_as_their_first_round(tmp_path):
    """A database at revision 0003 with a reviewed request upgrades in place; a second round can then be stored."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from priorauth.service.db import migrate

    engine = old_database(tmp_path, "0003")
    review = ("INSERT INTO reviews (request_id, case_json, review_json, worker, attempt, created_at{}) "
              "VALUES ('old1', '{{}}', '{{}}', 'w', 1, '2026-01-02 00:00:00'{})")
    with engine.begin() as conn:
        conn.execute(text(review.format("", "")))
    migrate(engine)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT review_round FROM reviews")).scalar() == 1
        assert conn.execute(text("SELECT review_round FROM requests")).scalar() == 1
        conn.execute(text(review.format(", review_round", ", 2")))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text(review.format(", review_round", ", 2")))
    engine.dispose()
