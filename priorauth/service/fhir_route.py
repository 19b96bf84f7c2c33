"""`POST /fhir/Claim/$submit`: a Da Vinci PAS request Bundle in, the PAS response Bundle out.

PAS `$submit` answers synchronously, so this route reviews in the request
(the review itself under the same per-process lock as the workers; reading attachments and
building the answer outside it) and records the result
as a ready request in the queue, with the case and review stored and audited,
so reviewers see and act on it like an uploaded packet. A malformed Bundle gets
the OperationOutcome of `FhirError` with 400; note text is never logged.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Optional

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from pydantic import ValidationError

from priorauth.fhir import FhirError
from priorauth.fhir.errors import operation_outcome
from priorauth.fhir.identity import identity_from_bundle
from priorauth.fhir.submit import request_bundle, review_bundle
from priorauth.pipeline import TextTooLong
from priorauth.service.db import PARequest, StoredReview, User, utcnow
from priorauth.service.deps import api_user, get_db
from priorauth.service.jobs import default_reviewer
from priorauth.service.clock import CLOCK
from priorauth.service.identity import COLUMNS, Identity
from priorauth.service.logic import audit, cpt_codes, icd10_codes
from priorauth.service.reference import reference_number

router = APIRouter(tags=["fhir"])
FHIR_JSON = "application/fhir+json"
MAX_BUNDLE_BYTES = 60 * 1024 * 1024


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


def _urgency(bundle: dict) -> str:
    """Claim.priority 'stat' (the PAS code for an expedited request) starts the 72-hour clock."""
    for e in bundle.get("entry") or []:
        res = e.get("resource") or {}
        if res.get("resourceType") == "Claim":
            codes = [c.get("code") for c in ((res.get("priority") or {}).get("coding") or [])]
            return "expedited" if "stat" in codes else "standard"
    return "standard"


def _outcome(status: int, outcome: dict) -> JSONResponse:
    return JSONResponse(outcome, status_code=status, media_type=FHIR_JSON)


@router.post("/fhir/Claim/$submit", summary="Da Vinci PAS Claim/$submit: request Bundle in, response Bundle out",
             response_class=JSONResponse)
async def claim_submit(request: Request, user: User = Depends(api_user), db: Session = Depends(get_db)):
    if user.role not in ("submitter", "admin"):
        return _outcome(403, operation_outcome("only submitters send prior-authorization requests", code="forbidden"))
    db.commit()  # end the token lookup's transaction: on SQLite it holds the write lock, and the review takes seconds
    body = await read_capped(request, MAX_BUNDLE_BYTES)
    if body is None:
        return _outcome(413, operation_outcome(f"the Bundle is larger than the service accepts "
                                               f"({MAX_BUNDLE_BYTES // 1048576} MB)", code="too-costly"))
    if not body.strip():
        return _outcome(400, operation_outcome("the request body is empty; send a PAS request Bundle", code="required"))

    def run():
        data = request_bundle(body)
        found = identity_from_bundle(data)
        birth = found.pop("birth_date", None)
        try:
            who = Identity(**found)
        except ValidationError as e:
            raise FhirError("Bundle.entry.resource.identifier", e.errors()[0]["msg"].removeprefix("Value error, ")) from None
        case, review, response = review_bundle(data, reviewer=default_reviewer())
        urgency = _urgency(data)  # after review_bundle has checked the Bundle's shape
        now = utcnow()
        rid = secrets.token_hex(16)
        req = case.request
        try:  # the same bounds as a request entered on the pages or the API
            cpt, icd = cpt_codes(list(req.cpt_codes or [])), icd10_codes(list(req.icd10_codes or []))
            if len(cpt) > 10 or len(icd) > 20:
                raise ValueError("a request carries at most 10 CPT and 20 ICD-10 codes")
        except ValueError as e:
            raise FhirError("Bundle.entry.resource.where(resourceType='Claim')", str(e)) from None
        r = PARequest(id=rid, org=user.org, submitter_id=user.id, cpt_codes=cpt,
                      icd10_codes=icd, patient_age=req.patient_age, request_date=req.request_date,
                      birth_date=dt.date.fromisoformat(birth) if birth and len(birth) == 10 else None,
                      reference=reference_number(data), received_at=now, **{col: getattr(who, api) for api, col in COLUMNS.items()},
                      urgency=urgency, swo=req.has_standard_written_order, status="ready", created_at=now,
                      submitted_at=now, deadline_at=now + CLOCK[urgency], attempts=1, decision=review.decision,
                      action=review.action)
        db.add(r)
        db.flush()
        db.add(StoredReview(request_id=rid, case_json=case.model_copy(update={"id": rid}).model_dump_json(),
                            review_json=review.model_copy(update={"case_id": rid}).model_dump_json(), worker="fhir-submit",
                            attempt=1, created_at=now))
        audit(db, user, rid, "fhir_submitted", {"documents": len(case.documents), "urgency": urgency})
        audit(db, None, rid, "review_ready", {"decision": review.decision, "action": review.action, "attempt": 1})
        db.commit()
        return response

    try:
        response = await run_in_threadpool(run)
    except FhirError as e:
        db.rollback()
        return _outcome(400, e.outcome)
    except TextTooLong as e:
        db.rollback()
        return _outcome(413, operation_outcome(str(e), code="too-costly"))
    return JSONResponse(response, media_type=FHIR_JSON)
