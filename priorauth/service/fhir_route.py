"""The Da Vinci PAS endpoint: `Claim/$submit`, `Claim/$inquire`, Subscription, `metadata`.

`$submit` reviews in the request (the review itself under the same
per-process lock as the workers; reading attachments and building the answer
outside it) and records the result as a request in the queue, with the case
and review stored and audited, so reviewers see and act on it like an
uploaded packet. A review that takes longer than the answer time (OCR of a
long fax) is answered pended and finished in the background; subscribers are
notified. The body may be the Bundle or a Parameters resource carrying it
(`resource`). A malformed Bundle gets the OperationOutcome of `FhirError`
with 400; note text is never logged.
"""

from __future__ import annotations

import json
from typing import Optional

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from priorauth.fhir import FhirError
from priorauth.fhir.capability import capability_statement
from priorauth.fhir.errors import operation_outcome
from priorauth.fhir.submit import request_bundle
from priorauth.pipeline import TextTooLong
from priorauth.service import pas_notify, pas_service
from priorauth.service.db import User
from priorauth.service.deps import api_user, get_db
from priorauth.service.jobs import default_reviewer
from priorauth.service.pas_store import FhirRequest, FhirSubscription
from priorauth.service.settings import Settings

router = APIRouter(tags=["fhir"])
FHIR_JSON = "application/fhir+json"
MAX_BUNDLE_BYTES = 60 * 1024 * 1024
SUBMITTERS = ("submitter", "admin")


def _outcome(status: int, outcome: dict) -> JSONResponse:
    return JSONResponse(outcome, status_code=status, media_type=FHIR_JSON)


def _fhir(obj: dict, status: int = 200) -> JSONResponse:
    return JSONResponse(obj, status_code=status, media_type=FHIR_JSON)


async def read_capped(request: Request, limit: int) -> Optional[bytes]:
    """The body, or None as soon as it passes `limit` bytes (from Content-Length, or while it streams in chunks)."""
    try:
        if int(request.headers.get("content-length") or 0) > limit:
            return None
    except ValueError:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _body(request: Request) -> bytes | JSONResponse:
    body = await read_capped(request, MAX_BUNDLE_BYTES)
    if body is None:
        return _outcome(413, operation_outcome(f"the Bundle is larger than the service accepts "
                                               f"({MAX_BUNDLE_BYTES // 1048576} MB)", code="too-costly"))
    if not body.strip():
        return _outcome(400, operation_outcome("the request body is empty; send a PAS request Bundle", code="required"))
    return body


def _asked(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")


@router.get("/fhir/metadata", summary="CapabilityStatement: what this PAS endpoint supports")
def metadata(request: Request):
    return _fhir(capability_statement(str(request.base_url).rstrip("/") + "/fhir"))


async def _operation(request: Request, user: User, db: Session, denied: str, fn) -> JSONResponse:
    """A PAS operation: submitters only, a bounded body, `fn(body)` in a thread; FhirError -> its OperationOutcome."""
    if user.role not in SUBMITTERS:
        return _outcome(403, operation_outcome(denied, code="forbidden"))
    db.commit()  # end the token lookup's transaction: on SQLite it holds the write lock, and the review takes seconds
    body = await _body(request)
    if isinstance(body, JSONResponse):
        return body
    try:
        response = await run_in_threadpool(fn, body)
    except FhirError as e:
        db.rollback()
        return _outcome(409 if e.code == "transient" else 400, e.outcome)
    except TextTooLong as e:
        db.rollback()
        return _outcome(413, operation_outcome(str(e), code="too-costly"))
    return _fhir(response)


@router.post("/fhir/Claim/$submit", summary="Da Vinci PAS Claim/$submit: request Bundle in, response Bundle out",
             response_class=JSONResponse)
async def claim_submit(request: Request, user: User = Depends(api_user), db: Session = Depends(get_db)):
    """`?questionnaire=true` adds the guideline Questionnaire and the QuestionnaireResponse answering it."""
    settings: Settings = request.app.state.settings
    reviewer = getattr(request.app.state, "pas_reviewer", None) or default_reviewer()
    return await _operation(request, user, db, "only submitters send prior-authorization requests",
                            lambda body: pas_service.submit(db, request.app.state.sessions, user, request_bundle(body), reviewer,
                                                            settings.fhir_answer_seconds, _asked(request, "questionnaire")))


@router.post("/fhir/Claim/$inquire", summary="Da Vinci PAS Claim/$inquire: inquiry Bundle in, Parameters of inquiry response Bundles out",
             response_class=JSONResponse)
async def claim_inquire(request: Request, user: User = Depends(api_user), db: Session = Depends(get_db)):
    """A Parameters with a `return` Bundle per matching request of the organisation (any of its systems may ask)."""
    return await _operation(request, user, db, "only submitting systems inquire about their requests",
                            lambda body: pas_service.inquire(db, user, request_bundle(body)))


@router.get("/fhir/Bundle/{bundle_id}", summary="The newest response Bundle of a request (the focus of id-only notifications)")
def read_response(bundle_id: str, user: User = Depends(api_user), db: Session = Depends(get_db)):
    f = db.query(FhirRequest).filter(FhirRequest.last_response_id == bundle_id).first()
    if f is None or f.org != user.org or user.role not in SUBMITTERS:
        return _outcome(404, operation_outcome("no such response Bundle", code="not-found"))
    return _fhir(json.loads(f.last_response_json))


@router.post("/fhir/Subscription", summary="Subscribe to the PAS topic (R4 backport, rest-hook)")
async def subscribe(request: Request, user: User = Depends(api_user), db: Session = Depends(get_db)):
    if user.role not in SUBMITTERS:
        return _outcome(403, operation_outcome("only submitting organizations subscribe", code="forbidden"))
    body = await _body(request)
    if isinstance(body, JSONResponse):
        return body
    try:
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError
    except (ValueError, RecursionError):
        return _outcome(400, operation_outcome("the body is not a JSON Subscription", code="structure"))
    try:
        return _fhir(pas_notify.create_subscription(db, user, data), 201)
    except FhirError as e:
        db.rollback()
        return _outcome(400, e.outcome)


@router.put("/fhir/Subscription/{sid}", summary="Change a subscription (endpoint, payload content, headers)")
async def update_subscription(sid: str, request: Request, user: User = Depends(api_user), db: Session = Depends(get_db)):
    s = _subscription(db, user, sid)
    if s is None:
        return _outcome(404, operation_outcome("no such subscription", code="not-found"))
    try:
        data = json.loads(await request.body())
        endpoint, content, headers = pas_notify.read_subscription(data if isinstance(data, dict) else {})
    except (ValueError, RecursionError):
        return _outcome(400, operation_outcome("the body is not a JSON Subscription", code="structure"))
    except FhirError as e:
        return _outcome(400, e.outcome)
    s.endpoint, s.content, s.headers = endpoint, content, headers
    s.status, s.error = ("off" if data.get("status") == "off" else "active"), None
    s.resource_json = json.dumps({**data, "id": sid})
    db.commit()
    return _fhir(pas_notify.subscription_resource(s))


def _subscription(db: Session, user: User, sid: str):
    s = db.get(FhirSubscription, sid)
    return s if s is not None and s.org == user.org else None


@router.get("/fhir/Subscription/{sid}", summary="A subscription of this organization, with its status")
def get_subscription(sid: str, user: User = Depends(api_user), db: Session = Depends(get_db)):
    s = _subscription(db, user, sid)
    if s is None:
        return _outcome(404, operation_outcome("no such subscription", code="not-found"))
    return _fhir(pas_notify.subscription_resource(s))


@router.delete("/fhir/Subscription/{sid}", summary="Stop a subscription")
def delete_subscription(sid: str, user: User = Depends(api_user), db: Session = Depends(get_db)):
    s = _subscription(db, user, sid)
    if s is None:
        return _outcome(404, operation_outcome("no such subscription", code="not-found"))
    s.status = "off"
    db.commit()
    return _fhir(pas_notify.subscription_resource(s))


def start_pas(app: FastAPI, settings: Settings) -> pas_notify.Notifier:
    """On start: finish reviews a restart interrupted, and run the notifier."""
    pas_service.resume_unfinished(app.state.sessions, getattr(app.state, "pas_reviewer", None) or default_reviewer())
    notifier = pas_notify.Notifier(app.state.sessions, settings.notify_seconds)
    notifier.start()
    return notifier
