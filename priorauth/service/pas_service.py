"""The PAS endpoint's work: a request Bundle becomes one queue row; updates, cancels and inquiries find it again.

- `$submit` of a new request reads and reviews it; an OCR-heavy packet that
  takes longer than `answer_seconds` is answered pended (A4, review in
  progress) and finished in the background, and subscribers are notified.
- The same Bundle again (same Bundle and Claim identifiers) gets the response
  it got the first time, and no second row.
- An update (`Claim.related`) finds the request by the related claim's
  identifiers: same row, same preAuthRef; the notes it carries are added, the
  lines it cancels are cancelled, the request is reviewed again, and the
  audit log says what changed. Every line cancelled cancels the request.
- `$inquire` answers from the queue's current state, for any system of the
  organisation that submitted the request.
- The response reflects people's decisions recorded in the service: a nurse's
  or physician's certification (A1), a nurse's request for documents (A4 with
  CommunicationRequests), and a physician's "not approved" (A3), never the
  tool's.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import threading
from dataclasses import dataclass, field
from typing import Callable, Optional

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from priorauth.fhir.errors import FhirError
from priorauth.fhir.identity import identity_from_bundle
from priorauth.fhir.inbound import PasRequest, checked_bundle, is_inquiry, read_request
from priorauth.fhir.outbound import Determination, claim_entry
from priorauth.fhir.submit import response_bundle
from priorauth.models import Case, Request, Review
from priorauth.pipeline import TextTooLong
from priorauth.service.db import AuditEntry, PARequest, StoredReview, User, utcnow
from priorauth.service.redecide import latest
from priorauth.service.clock import CLOCK
from priorauth.service.identity import COLUMNS, Identity
from priorauth.service.logic import audit, cpt_codes, icd10_codes, stored_review
from priorauth.service.reference import reference_number
from priorauth.service.pas_store import (FhirRequest, FhirSubmission, find_submission, identifier_keys, latest_submission,
                                         submissions_for_claim, submit_key)

log = logging.getLogger("priorauth.service.pas")
HUMAN = ("approved", "physician_approved", "physician_not_approved", "information_requested")
WORKER = "fhir-submit"


def _action_codes(response: dict) -> list[str]:
    cr = response["entry"][0]["resource"]
    return [e["valueCodeableConcept"]["coding"][0]["code"] for i in cr.get("item") or [] for a in i["adjudication"]
            for x in a.get("extension") or [] for e in x.get("extension") or [] if e.get("valueCodeableConcept")
            and e["url"].endswith("reviewActionCode")]


def state_key(r: PARequest, f: FhirRequest) -> str:
    """What subscribers are told about when it changes: queue status, reviewers' disposition, cancelled lines."""
    return f"{r.status}|{r.disposition or ''}|{','.join(map(str, sorted(f.cancelled or [])))}"


def determination(db: Session, r: PARequest, f: FhirRequest) -> Determination:
    """The service's knowledge about a request as the response needs it (reviewers' decisions from the audit log)."""
    human = r.disposition if r.disposition in HUMAN else None
    note, missing = "", []
    if human:
        wanted = "request_information" if human == "information_requested" else \
            "physician_determination" if human.startswith("physician") else "confirm_approval"
        e = db.scalars(select(AuditEntry).where(AuditEntry.request_id == r.id, AuditEntry.action == wanted)
                       .order_by(AuditEntry.id.desc()).limit(1)).first()
        if e is not None:
            note = str(e.detail.get("note") or "")
            missing = [str(m) for m in e.detail.get("missing") or []]
    return Determination(ref=r.reference, human=human, human_reason=note, missing=missing,
                         in_progress=r.status in ("queued", "reviewing"), cancelled=set(f.cancelled or []))


def current_response(db: Session, r: PARequest, f: FhirRequest, inquiry: bool = False, with_questionnaire: bool = False) -> dict:
    """The response Bundle for the request as it stands now (latest Bundle received, stored review, decisions)."""
    bundle = json.loads(latest_submission(db, r.id).bundle_json)
    stored = stored_review(db, r.id)
    case, review = stored if stored else (Case(id=r.id, request=Request()), None)
    d = determination(db, r, f)
    if r.status == "cancelled":
        _, claim = claim_entry(bundle)
        d.cancelled = {it.get("sequence", n + 1) for n, it in enumerate(claim.get("item") or [])}
    return response_bundle(bundle, case, review, determination=d, inquiry=inquiry, with_questionnaire=with_questionnaire)


def remember_response(f: FhirRequest, response: dict) -> None:
    f.last_response_id = response["id"]
    f.last_response_json = json.dumps(response)


MAX_ITEMS = 50


def identity(bundle: dict) -> tuple[Identity, Optional[dt.date]]:
    """Who the request is about and who ordered it (the queue's identity fields), and the birth date."""
    found = identity_from_bundle(bundle)
    birth = found.pop("birth_date", None)
    try:
        who = Identity(**found)
    except ValidationError as e:
        raise FhirError("Bundle.entry.resource.identifier", e.errors()[0]["msg"].removeprefix("Value error, ")) from None
    return who, dt.date.fromisoformat(birth) if isinstance(birth, str) and len(birth) == 10 else None


def bounded(req: PasRequest) -> None:
    """The bounds of a request entered on the pages or the API: valid codes, at most 10 CPT and 20 ICD-10 codes."""
    where = "Bundle.entry[0].resource"
    cpt, icd = list(req.case.request.cpt_codes or []), list(req.case.request.icd10_codes or [])
    try:
        if cpt:  # a request may name no CPT code at all: it is pended, outside the guideline
            cpt_codes(cpt)
        icd10_codes(icd)
    except ValueError as e:
        raise FhirError(where, str(e)) from None
    if len(cpt) > 10 or len(icd) > 20:
        raise FhirError(where, "a request carries at most 10 CPT and 20 ICD-10 codes")
    if len(req.items) > MAX_ITEMS:
        raise FhirError(f"{where}.item", f"a request carries at most {MAX_ITEMS} items")


@dataclass
class _Job:
    """A review running in the background: whoever finishes second (the request or the review) stores it."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    done: threading.Event = field(default_factory=threading.Event)
    result: Optional[tuple[PasRequest, Review]] = None
    error: Optional[BaseException] = None
    detached: Optional[str] = None  # the request id, once the answer went out pended


def _new_request(db: Session, user: User, req: PasRequest, review: Optional[Review], data: dict, ref: str,
                 with_questionnaire: bool, rid: Optional[str] = None) -> tuple[PARequest, dict]:
    """Store a new request (ready with its review, or reviewing) with its submission; the response it got."""
    now = utcnow()
    rid = rid or secrets.token_hex(16)
    case = req.case.model_copy(update={"id": rid})
    who, birth = identity(req.bundle)
    r = PARequest(id=rid, org=user.org, submitter_id=user.id, cpt_codes=list(case.request.cpt_codes or []),
                  icd10_codes=list(case.request.icd10_codes or []), patient_age=case.request.patient_age,
                  birth_date=birth, reference=ref, received_at=now, **{col: getattr(who, api) for api, col in COLUMNS.items()},
                  request_date=case.request.request_date, urgency=req.urgency, swo=case.request.has_standard_written_order,
                  status="ready" if review else "reviewing", created_at=now, submitted_at=now,
                  deadline_at=now + CLOCK[req.urgency], attempts=1, decision=review.decision if review else None,
                  action=review.action if review else None, lease_owner=None if review else WORKER)
    db.add(r)
    db.flush()
    f = FhirRequest(request_id=rid, org=user.org, pended=False, cancelled=[], created_at=now)
    db.add(f)
    db.add(FhirSubmission(request_id=rid, org=user.org, submit_key=submit_key(req.bundle_identifier, req.claim_identifiers),
                          kind="submit", claim_keys=identifier_keys(req.claim_identifiers), bundle_json=json.dumps(req.bundle),
                          created_at=now))
    audit(db, user, rid, "fhir_submitted", {"documents": len(case.documents), "unreadable": len(case.unreadable),
                                            "preauth_ref": ref, "urgency": req.urgency})
    if review is not None:
        db.add(StoredReview(request_id=rid, case_json=case.model_dump_json(),
                            review_json=review.model_copy(update={"case_id": rid}).model_dump_json(), worker=WORKER,
                            attempt=1, created_at=now))
        audit(db, None, rid, "review_ready", {"decision": review.decision, "action": review.action, "attempt": 1})
    db.flush()
    response = current_response(db, r, f, with_questionnaire=with_questionnaire)
    f.pended = "A4" in _action_codes(response)
    f.notified_state = state_key(r, f)
    remember_response(f, response)
    sub = latest_submission(db, rid)
    sub.response_json = json.dumps(response)
    return r, response


def _finish_detached(sessions: sessionmaker, rid: str, req: PasRequest, review: Review) -> None:
    """Store a background review on the request answered pended; the notifier tells subscribers."""
    with sessions() as db:
        r = db.get(PARequest, rid)
        if r.status != "reviewing" or db.scalar(select(StoredReview.id).where(StoredReview.request_id == rid)) is not None:
            return  # finished already (a resumed review after a restart got there first)
        case = req.case.model_copy(update={"id": rid})
        db.add(StoredReview(request_id=rid, case_json=case.model_dump_json(),
                            review_json=review.model_copy(update={"case_id": rid}).model_dump_json(), worker=WORKER,
                            attempt=r.attempts, created_at=utcnow()))
        r.status, r.decision, r.action, r.lease_owner = "ready", review.decision, review.action, None
        r.cpt_codes = list(case.request.cpt_codes or [])
        r.swo = case.request.has_standard_written_order
        audit(db, None, rid, "review_ready", {"decision": review.decision, "action": review.action, "attempt": r.attempts})
        db.commit()


def _fail_detached(sessions: sessionmaker, rid: str, exc: BaseException) -> None:
    with sessions() as db:
        r = db.get(PARequest, rid)
        if r.status != "reviewing":
            return
        reason = str(exc) if isinstance(exc, (FhirError, TextTooLong)) else f"the request could not be reviewed ({type(exc).__name__})"
        r.status, r.error, r.lease_owner = "failed", reason[:500], None
        audit(db, None, rid, "review_failed", {"error": reason[:500]})
        db.commit()


def start_review(data: dict, reviewer: Callable[[Case], Review], sessions: sessionmaker, rid: Optional[str] = None) -> _Job:
    """Read the attachments and review in a thread; `rid` set: the request is already stored (resumed after a restart)."""
    job = _Job(detached=rid)

    def run() -> None:
        try:
            req = read_request(data)
            review = reviewer(req.case)
            with job.lock:
                job.result = (req, review)
                if job.detached:
                    _finish_detached(sessions, job.detached, req, review)
        except BaseException as exc:  # noqa: BLE001 - stored as the request's failure, never lost
            with job.lock:
                job.error = exc
                if job.detached:
                    try:
                        _fail_detached(sessions, job.detached, exc)
                    except Exception:  # noqa: BLE001
                        log.exception("could not record the failure of request %s", job.detached)
        finally:
            job.done.set()

    threading.Thread(target=run, daemon=True, name="priorauth-pas-review").start()
    return job


def submit(db: Session, sessions: sessionmaker, user: User, data: dict, reviewer: Callable[[Case], Review],
           answer_seconds: float, with_questionnaire: bool = False) -> dict:
    """`$submit`: the response Bundle (idempotent by identifiers; updates and cancels go to their request)."""
    bundle = checked_bundle(data)
    if is_inquiry(bundle):
        raise FhirError("Bundle.meta.profile", "this is a PAS inquiry Bundle; send it to Claim/$inquire, not Claim/$submit")
    _, claim = claim_entry(bundle)
    key = submit_key(bundle["identifier"], claim.get("identifier") or [])
    seen = find_submission(db, user.org, key)
    if seen is not None and seen.response_json:
        audit(db, user, seen.request_id, "fhir_resubmitted", {"submission": seen.id})
        db.commit()
        return json.loads(seen.response_json)
    if claim.get("related"):
        return update(db, user, data, reviewer, with_questionnaire)
    shallow = read_request(data, read_documents=False)  # every check but the attachments', before any work
    bounded(shallow)
    identity(shallow.bundle)
    job = start_review(data, reviewer, sessions)
    job.done.wait(answer_seconds)
    with job.lock:
        if job.error is not None:
            raise job.error
        try:
            if job.result is not None:
                req, review = job.result
                _, response = _new_request(db, user, req, review, data, reference_number(req.bundle), with_questionnaire)
                db.commit()
                return response
            # still reading (OCR): answer pended now, finish in the background; the request is stored first
            r, response = _new_request(db, user, shallow, None, data, reference_number(shallow.bundle), False)
            db.commit()
        except IntegrityError:  # the same Bundle arrived twice at once: the other one is stored, answer as it was
            db.rollback()
            seen = find_submission(db, user.org, key)
            if seen is None or not seen.response_json:
                raise
            return json.loads(seen.response_json)
        job.detached = r.id
        return response


def _member_ids(bundle: dict) -> set[tuple[str, str]]:
    """(system, value) of the identifiers of the Bundle's Claim.patient (the member id an inquiry also names)."""
    from priorauth.fhir.inbound import BundleIndex

    _, claim = claim_entry(bundle)
    found = BundleIndex(bundle).resolve(claim.get("patient"))
    return {(i.get("system") or "", i.get("value")) for i in (found[1].get("identifier") or [] if found else []) if i.get("value")}


def find_requests(db: Session, org: str, identifiers: list[dict], bundle: Optional[dict] = None) -> list[tuple[PARequest, FhirRequest]]:
    """The organisation's requests whose Claim carries one of these identifiers, newest first; with `bundle`, only
    those for the same member when both name the patient by identifier."""
    subs = submissions_for_claim(db, org, identifiers)
    if bundle is not None:
        wanted = _member_ids(bundle)
        subs = [s for s in subs if not wanted or not (have := _member_ids(json.loads(s.bundle_json))) or wanted & have]
    rids = list(dict.fromkeys(s.request_id for s in subs))
    return [(db.get(PARequest, rid), db.get(FhirRequest, rid)) for rid in rids]


def find_request(db: Session, org: str, identifiers: list[dict]) -> Optional[tuple[PARequest, FhirRequest]]:
    found = find_requests(db, org, identifiers)
    return found[0] if found else None


def update(db: Session, user: User, data: dict, reviewer: Callable[[Case], Review], with_questionnaire: bool = False) -> dict:
    """An update or cancel of a request this organisation sent: same row and preAuthRef, reviewed again unless cancelled."""
    req = read_request(data)
    bounded(req)
    found = find_request(db, user.org, req.related)
    if found is None:
        raise FhirError("Bundle.entry[0].resource.related", "names no prior-authorization request this organization sent "
                        "(match by the related Claim's identifier)")
    r, f = found
    if r.status in ("queued", "reviewing"):
        raise FhirError("Bundle.entry[0].resource.related", "the request is still being reviewed; send the update when "
                        "its determination arrives", "transient")
    now = utcnow()
    cancelled = sorted(i.sequence for i in req.items if i.cancelled)
    old = stored_review(db, r.id)
    previous = {"status": r.status, "decision": r.decision, "disposition": r.disposition, "cpt_codes": list(r.cpt_codes or [])}
    f.cancelled = cancelled
    db.add(FhirSubmission(request_id=r.id, org=user.org, submit_key=submit_key(req.bundle_identifier, req.claim_identifiers),
                          kind="update", claim_keys=identifier_keys(req.claim_identifiers), bundle_json=json.dumps(req.bundle),
                          created_at=now))
    if req.all_cancelled:
        r.status, r.disposition = "cancelled", None
        audit(db, user, r.id, "fhir_cancelled", {"previous": previous, "cancelled_items": cancelled})
    else:
        docs = list(old[0].documents) if old else []
        have = {d.id for d in docs}
        docs += [d for d in req.case.documents if d.id not in have]
        case = Case(id=r.id, request=req.case.request, documents=docs,
                    unreadable=list(old[0].unreadable if old else []) + list(req.case.unreadable))
        review = reviewer(case)
        stored = latest(db, r.id)  # the current review round's
        if stored is None:
            db.add(StoredReview(request_id=r.id, case_json=case.model_dump_json(), review_json=review.model_dump_json(),
                                worker=WORKER, attempt=r.attempts, created_at=now))
        else:
            stored.case_json, stored.review_json = case.model_dump_json(), review.model_copy(update={"case_id": r.id}).model_dump_json()
        r.status, r.decision, r.action, r.disposition = "ready", review.decision, review.action, None
        r.cpt_codes, r.urgency = list(case.request.cpt_codes or []), req.urgency
        r.swo = case.request.has_standard_written_order
        audit(db, user, r.id, "fhir_updated", {"previous": previous, "cancelled_items": cancelled,
                                               "cpt_codes": r.cpt_codes, "documents_added": len(docs) - len(have)})
        audit(db, None, r.id, "review_ready", {"decision": review.decision, "action": review.action, "attempt": r.attempts})
    db.flush()
    response = current_response(db, r, f, with_questionnaire=with_questionnaire)
    f.pended = f.pended or "A4" in _action_codes(response)
    f.notified_state = state_key(r, f)  # the requester has this answer: no notification for it
    remember_response(f, response)
    latest_submission(db, r.id).response_json = json.dumps(response)
    db.commit()
    return response


def inquire(db: Session, user: User, data: dict) -> dict:
    """`$inquire`: a Parameters with one `return` inquiry response Bundle per matching request (none: no parameter),
    as the PAS 2.2.1 OperationDefinition has it (0..* Bundles)."""
    bundle = checked_bundle(data)
    _, claim = claim_entry(bundle)
    if not claim.get("identifier"):
        raise FhirError("Bundle.entry[0].resource.identifier", "an inquiry names the request by its Claim identifier")
    out = []
    for r, f in find_requests(db, user.org, claim["identifier"], bundle):
        audit(db, user, r.id, "fhir_inquired", {})
        out.append({"name": "return", "resource": current_response(db, r, f, inquiry=True)})
    db.commit()
    return {"resourceType": "Parameters", "parameter": out}


def resume_unfinished(sessions: sessionmaker, reviewer: Callable[[Case], Review]) -> int:
    """After a restart: review again the requests answered pended whose background review never finished."""
    with sessions() as db:
        rows = list(db.scalars(select(PARequest).where(PARequest.status == "reviewing", PARequest.lease_owner == WORKER)))
        todo = [(r.id, latest_submission(db, r.id).bundle_json) for r in rows]
    for rid, raw in todo:
        start_review(json.loads(raw), reviewer, sessions, rid=rid)
    return len(todo)
