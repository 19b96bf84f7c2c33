"""The JSON API under /api/: tokens, users, requests, files, reviews, actions, audit, export."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Optional

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from priorauth.service import accounts
from priorauth.service.clock import clock
from priorauth.service.db import ApiToken, StoredFile, User
from priorauth.service.deps import api_user, get_db
from priorauth.service.export import labeled_cases
from priorauth.service.identity import identity_json
from priorauth.service.letters import letters_of
from priorauth.service.logic import (ActionIn, Forbidden, NewRequest, assignee_names, audit, audit_trail, audit_view,
                                     claim_case, clinic_trail, create_request, get_visible, queue, record_action,
                                     release_case, request_files, require_plan_staff, store_files, stored_review)
from priorauth.service.metrics import figures, to_csv
from priorauth.service.security import (ROLES, issue_token, password_problem, revoke_token, set_password, token_row,
                                        tokens_of)
from priorauth.service.signin import sign_in
from priorauth.service.uploads import UploadError, check

router = APIRouter(prefix="/api", tags=["api"])


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(max_length=80)
    password: str = Field(max_length=200)


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=2, max_length=80, pattern=r"^[A-Za-z0-9._@-]+$")
    password: str = Field(max_length=200)  # checked by security.password_problem, with its reason
    role: str = Field(pattern="^(" + "|".join(ROLES) + ")$")
    org: str = Field(min_length=1, max_length=120)
    full_name: Optional[str] = Field(default=None, max_length=200)  # printed with the credentials on determination letters
    credentials: Optional[str] = Field(default=None, max_length=80)


def summary(r, tz: str, user: Optional[User] = None, names: Optional[dict[int, str]] = None,
            now: Optional[dt.datetime] = None) -> dict[str, Any]:
    """A request as the API shows it; a submitter sees status and outcome, not the tool's recommendation."""
    c = clock(r, tz, now)
    out = {"id": r.id, "org": r.org, "status": r.status, "urgency": r.urgency, "cpt_codes": r.cpt_codes,
           "icd10_codes": r.icd10_codes, "patient_age": r.patient_age,
           "birth_date": r.birth_date.isoformat() if r.birth_date else None,
           "request_date": r.request_date.isoformat() if r.request_date else None, "has_standard_written_order": r.swo,
           "created_at": r.created_at.isoformat(), "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
           **identity_json(r),
           "deadline_at": r.deadline_at.isoformat() if r.deadline_at else None, "due": c.due,
           "seconds_left": c.seconds_left, "time_left": c.left, "overdue": c.overdue,
           "decided_at": r.decided_at.isoformat() if r.decided_at else None, "extension_reason": r.extension_reason,
           "information_due_at": iso(r.information_due_at), "information_received_at": iso(r.information_received_at),
           "information": c.information, "information_overdue": c.information_overdue, "review_round": r.review_round,
           "decision": r.decision, "action": r.action, "corrected_decision": r.corrected_decision,
           "disposition": r.disposition, "error": r.error, "attempts": r.attempts,
           "assignee": (names or {}).get(r.assignee_id) if r.assignee_id else None}
    if user is not None and user.role == "submitter":
        for k in ("decision", "action", "corrected_decision", "assignee"):
            out.pop(k)
        out["disposition"] = r.disposition if r.disposition in ("approved", "physician_approved", "physician_not_approved",
                                                                "information_requested", "information_received") else None
    return out


def iso(when: Optional[dt.datetime]) -> Optional[str]:
    return when.isoformat() if when else None


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/tokens", status_code=201, summary="Exchange a username and password for an API token "
                                                "(429 after repeated failures; tokens expire)")
def new_token(request: Request, body: Credentials, db: Session = Depends(get_db)) -> dict[str, Any]:
    user = sign_in(db, request.app.state.throttle, body.username, body.password, client_address(request))
    if user is None:
        raise HTTPException(401, "wrong username or password")
    hours = request.app.state.settings.token_hours
    token = issue_token(db, user, hours)
    audit(db, user, None, "token_issued", {"hours": hours})
    db.commit()
    return {"token": token, "role": user.role, "org": user.org, "expires_at": token_row(db, token).expires_at.isoformat()}


def token_json(t: ApiToken, db: Session) -> dict[str, Any]:
    owner = db.get(User, t.user_id)
    return {"id": t.id, "user_id": t.user_id, "username": owner.username if owner else None,
            "created_at": t.created_at.isoformat(), "expires_at": t.expires_at.isoformat() if t.expires_at else None}


@router.get("/tokens", summary="Unexpired API tokens: your own, or everyone's for an admin (never the token itself)")
def list_tokens(user: User = Depends(api_user), db: Session = Depends(get_db)) -> list[dict[str, Any]]:
    return [token_json(t, db) for t in tokens_of(db, None if user.role == "admin" else user)]


@router.delete("/tokens", status_code=204, summary="Revoke the token this request is made with (sign out)")
def revoke_current(request: Request, user: User = Depends(api_user), db: Session = Depends(get_db)) -> Response:
    row = token_row(db, request.headers.get("authorization", "").partition(" ")[2].strip())
    if row is not None:
        db.delete(row)
    audit(db, user, None, "token_revoked", {"token_id": row.id if row else None})
    db.commit()
    return Response(status_code=204)


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke one token: your own, or anyone's for an admin")
def revoke_one(token_id: int, user: User = Depends(api_user), db: Session = Depends(get_db)) -> Response:
    row = db.get(ApiToken, token_id)
    if row is None or (row.user_id != user.id and user.role != "admin"):
        raise HTTPException(404, "no such token")
    revoke_token(db, token_id)
    audit(db, user, None, "token_revoked", {"token_id": token_id, "user_id": row.user_id})
    db.commit()
    return Response(status_code=204)


class UserChange(BaseModel):
    """What an admin may change on an account; a user may change only their own password."""

    model_config = ConfigDict(extra="forbid")
    active: Optional[bool] = None
    password: Optional[str] = Field(default=None, max_length=200)


@router.patch("/users/{user_id}", summary="Disable or enable an account, or set its password (admin; a user: own password)")
def change_user(user_id: int, body: UserChange, user: User = Depends(api_user), db: Session = Depends(get_db)) -> dict[str, Any]:
    target = db.get(User, user_id)
    if target is None or (user.role != "admin" and target.id != user.id):
        raise HTTPException(404, "no such account")
    if body.active is not None:
        accounts.set_active(db, user, target, body.active)
    if body.password is not None:
        set_password(db, target, body.password)  # ValueError (422) with the reason when it is too weak
        audit(db, user, None, "password_changed", {"username": target.username})
    db.commit()
    return {"id": target.id, "username": target.username, "role": target.role, "org": target.org, "active": target.active}


class PasswordCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(max_length=200)
    username: str = Field(default="", max_length=80)


@router.post("/password-check", summary="Would this password be accepted? (admin; for account forms)")
def check_password(body: PasswordCheck, user: User = Depends(api_user)) -> dict[str, Any]:
    if user.role != "admin":
        raise Forbidden("only an admin checks passwords for new accounts")
    problem = password_problem(body.password, body.username)
    return {"acceptable": problem is None, "problem": problem}


@router.post("/users", status_code=201, summary="Create an account (admin only)")
def new_user(body: NewUser, user: User = Depends(api_user), db: Session = Depends(get_db)) -> dict[str, Any]:
    if user.role != "admin":
        raise Forbidden("only an admin creates accounts")
    u = accounts.create(db, user, body.username, body.password, body.role, body.org, body.full_name, body.credentials)
    db.commit()
    return {"id": u.id, "username": u.username, "role": u.role, "org": u.org}


@router.get("/users", summary="List accounts (admin only)")
def list_users(user: User = Depends(api_user), db: Session = Depends(get_db)) -> list[dict[str, Any]]:
    if user.role != "admin":
        raise Forbidden("only an admin lists accounts")
    return [{"id": u.id, "username": u.username, "role": u.role, "org": u.org, "active": u.active, "full_name": u.full_name,
             "credentials": u.credentials} for u in db.scalars(select(User).order_by(User.id))]


@router.post("/requests", status_code=201, summary="Create a request (then upload its files)")
def post_request(request: Request, body: NewRequest, user: User = Depends(api_user), db: Session = Depends(get_db)) -> dict[str, Any]:
    r = create_request(db, user, body)
    db.commit()
    return summary(r, request.app.state.settings.timezone, user)


@router.get("/requests", summary="The work queue: default what needs a human, earliest due date first; q searches")
def list_requests(request: Request, user: User = Depends(api_user), db: Session = Depends(get_db),
                  view: Annotated[str, Query(pattern="^(needs_human|mine|decided|all)$")] = "needs_human",
                  status: Annotated[Optional[str], Query(pattern="^(draft|queued|reviewing|ready|failed|cancelled)$")] = None,
                  decision: Annotated[Optional[str], Query(pattern="^(meets_criteria|not_met|incomplete)$")] = None,
                  urgency: Annotated[Optional[str], Query(pattern="^(standard|expedited)$")] = None,
                  sort: Annotated[str, Query(pattern="^-?(deadline|created|status|decision)$")] = "deadline",
                  q: Annotated[str, Query(max_length=100)] = "") -> list[dict[str, Any]]:
    rows = queue(db, user, view, status, decision, urgency, sort, q=q)
    names, tz = assignee_names(db, rows), request.app.state.settings.timezone
    out = [summary(r, tz, user, names) for r in rows]
    audit_view(db, user, rows, "api_list")
    return out


@router.get("/requests/{request_id}", summary="A request's identity, status, clock and files (the view is audited)")
def get_request(request: Request, request_id: str, user: User = Depends(api_user), db: Session = Depends(get_db)) -> dict[str, Any]:
    r = get_visible(db, user, request_id)
    out = summary(r, request.app.state.settings.timezone, user, assignee_names(db, [r]))
    out["files"] = [{"id": f.id, "name": f.filename, "kind": f.kind, "size": f.size, "sha256": f.sha256}
                    for f in request_files(db, r.id)]
    out["letters"] = [letter_json(x) for x in letters_of(db, r.id, sent_only=user.role == "submitter")]
    audit_view(db, user, [r], "api_request")
    return out


def letter_json(x) -> dict[str, Any]:
    return {"id": x.id, "kind": x.kind, "version": x.version, "sha256": x.sha256, "created_at": x.created_at.isoformat(),
            "sent_at": x.sent_at.isoformat() if x.sent_at else None}


@router.post("/requests/{request_id}/claim", summary="Claim the case (reviewers)")
def post_claim(request: Request, request_id: str, user: User = Depends(api_user), db: Session = Depends(get_db)) -> dict[str, Any]:
    r = get_visible(db, user, request_id)
    claim_case(db, user, r)
    db.commit()
    return summary(r, request.app.state.settings.timezone, user, assignee_names(db, [r]))


@router.post("/requests/{request_id}/release", summary="Release a claimed case (its reviewer or an admin)")
def post_release(request: Request, request_id: str, user: User = Depends(api_user), db: Session = Depends(get_db)) -> dict[str, Any]:
    r = get_visible(db, user, request_id)
    release_case(db, user, r)
    db.commit()
    return summary(r, request.app.state.settings.timezone, user)


async def read_uploads(request: Request, files: list[UploadFile]) -> list:
    """Read every part within the limits before anything is stored."""
    s = request.app.state.settings
    if len(files) > s.max_files:
        raise UploadError(f"at most {s.max_files} files per request", 422)
    checked = []
    for f in files:
        data = await f.read(s.max_file_bytes + 1)
        # parsing a large RTF, HTML or DOCX takes seconds of CPU: a worker thread, so sign-in and pages go on meanwhile
        checked.append(await run_in_threadpool(check, f.filename or "", data, s.max_file_bytes))
    return checked


def too_big(request: Request) -> None:
    """Refuse an oversized body from its Content-Length before parsing it."""
    s = request.app.state.settings
    try:
        size = int(request.headers.get("content-length", "0"))
    except ValueError:
        raise HTTPException(400, "bad Content-Length header") from None
    if size > s.max_files * s.max_file_bytes + 64 * 1024:
        raise HTTPException(413, "the upload is larger than the service accepts")


@router.post("/requests/{request_id}/files", status_code=201, dependencies=[Depends(too_big)],
             summary="Attach the packet's files (multipart field 'files', repeatable) and queue the review; "
                     "while a request for information is open, files that answer it (reviewed again)")
async def post_files(request: Request, request_id: str, files: list[UploadFile] = File(...),
                     user: User = Depends(api_user), db: Session = Depends(get_db)) -> dict[str, Any]:
    db.commit()  # end the sign-in lookup's transaction: on SQLite it holds the write lock, and parsing takes seconds
    checked = await read_uploads(request, files)
    settings = request.app.state.settings

    def store() -> dict[str, Any]:
        r, stored = store_files(db, settings, user, request_id, checked)
        out = summary(r, settings.timezone, user)
        out["files"] = [{"id": s.id, "name": s.filename, "kind": s.kind, "size": s.size} for s in stored]
        return out

    return await run_in_threadpool(store)


@router.get("/requests/{request_id}/files/{file_id}", summary="Download an uploaded file")
def get_file(request: Request, request_id: str, file_id: str, user: User = Depends(api_user), db: Session = Depends(get_db)):
    return file_response(request, db, user, request_id, file_id)


def file_response(request: Request, db: Session, user: User, request_id: str, file_id: str) -> Response:
    r = get_visible(db, user, request_id)
    f = db.get(StoredFile, file_id)
    if f is None or f.request_id != r.id:
        raise LookupError(file_id)
    data = (request.app.state.settings.uploads_dir / r.id / f.id).read_bytes()
    media = {"pdf": "application/pdf"}.get(f.kind, "application/octet-stream")  # always an attachment, never rendered
    return download(data, media, f.filename)


def download(data, media: str, filename: str, inline: bool = False) -> Response:
    """A file answer whose name is reduced to ASCII letters, digits and . _ - (an uploaded name is the clinic's)."""
    ascii_name = "".join(c if c.isascii() and c.isalnum() or c in "._-" else "_" for c in filename)
    return Response(data, media_type=media,
                    headers={"Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{ascii_name}"'})


@router.get("/requests/{request_id}/review", summary="The review JSON (409 until ready); `round` names an earlier "
                                                   "review round (the review before the clinic answered a request for information)")
def get_review(request_id: str, user: User = Depends(api_user), db: Session = Depends(get_db),
               round: Annotated[Optional[int], Query(ge=1)] = None) -> dict[str, Any]:  # noqa: A002 - the query's name
    r = get_visible(db, user, request_id)
    if user.role == "submitter":
        raise Forbidden("the review is the plan's internal work; the request's status and outcome are at /api/requests/{id}")
    if round is not None:
        found = stored_review(db, r.id, round)
        if found is None:
            raise LookupError(f"review round {round}")
        return found[1].model_dump(mode="json")
    found = stored_review(db, r.id) if r.status == "ready" else None
    if found is None:
        raise HTTPException(409, f"the review is not ready (status {r.status})" + (f": {r.error}" if r.error else ""))
    return found[1].model_dump(mode="json")


@router.post("/requests/{request_id}/actions", status_code=201, summary="Record a reviewer action")
def post_action(request: Request, request_id: str, body: ActionIn, user: User = Depends(api_user),
                db: Session = Depends(get_db)) -> dict[str, Any]:
    r = get_visible(db, user, request_id)
    e = record_action(db, user, r, body, request.app.state.settings)
    db.commit()
    return entry_json(e)


def entry_json(e) -> dict[str, Any]:
    return {"id": e.id, "at": e.at.isoformat(), "username": e.username, "role": e.role, "action": e.action, "detail": e.detail}


@router.get("/requests/{request_id}/audit", summary="The request's audit trail, oldest first")
def get_audit(request_id: str, user: User = Depends(api_user), db: Session = Depends(get_db)) -> list[dict[str, Any]]:
    r = get_visible(db, user, request_id)
    trail = audit_trail(db, r.id)
    return [entry_json(e) for e in (clinic_trail(trail) if user.role == "submitter" else trail)]


@router.get("/requests/{request_id}/letters/{letter_id}.{fmt}", summary="A letter as PDF or HTML (the clinic: once sent)")
def get_letter(request_id: str, letter_id: int, fmt: str, user: User = Depends(api_user), db: Session = Depends(get_db)):
    return letter_response(db, user, request_id, letter_id, fmt)


def letter_response(db: Session, user: User, request_id: str, letter_id: int, fmt: str) -> Response:
    from priorauth.service.db import Letter

    r = get_visible(db, user, request_id)
    x = db.get(Letter, letter_id)
    if x is None or x.request_id != r.id or (user.role == "submitter" and x.sent_at is None) or fmt not in ("pdf", "html"):
        raise LookupError(letter_id)
    audit(db, user, r.id, "letter_downloaded", {"letter": x.id, "format": fmt})
    db.commit()
    name = f"{r.reference}-{x.kind}-v{x.version}.{fmt}"
    if fmt == "pdf":
        return download(x.pdf, "application/pdf", name)
    return download(x.html, "text/html; charset=utf-8", name, inline=True)


Period = Annotated[str, Query(pattern="^(month|quarter|year)$")]


@router.get("/metrics", summary="Decision figures per month, quarter or year from the audit log (reviewers and admins)")
def get_metrics(request: Request, user: User = Depends(api_user), db: Session = Depends(get_db),
                period: Period = "month") -> list[dict[str, Any]]:
    require_plan_staff(user, "the plan's figures")
    return figures(db, request.app.state.settings.timezone, period)


def metrics_csv(db: Session, user: User, tz: str, period: str = "month") -> Response:
    require_plan_staff(user, "the plan's figures")
    return download(to_csv(figures(db, tz, period)), "text/csv; charset=utf-8", f"priorauth-metrics-{period}.csv")


@router.get("/metrics.csv", summary="The same figures as CSV")
def get_metrics_csv(request: Request, user: User = Depends(api_user), db: Session = Depends(get_db),
                    period: Period = "month") -> Response:
    return metrics_csv(db, user, request.app.state.settings.timezone, period)


@router.get("/export/cases.jsonl", summary="Reviewer-labeled cases in the cases.md format (reviewers and admins)")
def export_cases(user: User = Depends(api_user), db: Session = Depends(get_db)):
    return export_response(db, user)


def export_response(db: Session, user: User) -> StreamingResponse:
    if user.role == "submitter":
        raise Forbidden("submitters cannot export labeled cases")
    lines = list(labeled_cases(db))
    return StreamingResponse(iter(lines), media_type="application/x-ndjson",
                             headers={"Content-Disposition": 'attachment; filename="cases.jsonl"'})
