"""The pages: sign in, the queue, a new request, a request's status or its reviewer's page with the actions panel.

Pages use a session cookie (HttpOnly, SameSite=Strict) and every form carries
the session's CSRF token; sign-in uses a double-submit cookie for the same.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, Optional

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import ValidationError
from sqlalchemy.orm import Session

from priorauth.codes import code_table
from priorauth.review_page import ACTION, render_review_page
from priorauth.service.api import client_address, file_response, read_uploads, too_big
from priorauth.service.db import User, WebSession
from priorauth.service.deps import COOKIE, check_csrf, get_db, page_session
from priorauth.service.logic import (WRONG_REASONS, ActionIn, Conflict, Forbidden, NewRequest, attach_and_submit, audit,
                                     audit_trail, create_request, fmt_left, get_visible, queue, record_action,
                                     request_files, stored_review, time_left, commit_or_undo)
from priorauth.service.security import close_session, open_session, same
from priorauth.service.signin import TooManyAttempts, sign_in
from priorauth.service.uploads import ACCEPTED, UploadError

router = APIRouter(include_in_schema=False)
env = Environment(loader=PackageLoader("priorauth.service", "templates"), autoescape=select_autoescape(default=True))
LOGIN_COOKIE = "pa_login_csrf"
SORTS = [("deadline", "oldest deadline first"), ("-deadline", "latest deadline first"), ("-created", "newest first"),
         ("created", "oldest first"), ("status", "status"), ("decision", "decision")]


def html(name: str, http_status: int = 200, **ctx: Any) -> HTMLResponse:
    return HTMLResponse(env.get_template(name).render(**ctx), status_code=http_status)


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: Optional[int] = None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", path="/",
                        secure=request.app.state.settings.secure_cookies)


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    resp = html("login.html", csrf=token, user=None)
    set_cookie(request, resp, LOGIN_COOKIE, token, 1800)
    return resp


@router.post("/login")
def login(request: Request, username: str = Form(max_length=80), password: str = Form(max_length=200),
          csrf_token: str = Form(""), db: Session = Depends(get_db)) -> Response:
    if not same(request.cookies.get(LOGIN_COOKIE), csrf_token):
        raise HTTPException(403, "the form's CSRF token is missing or wrong; reload the page and try again")
    try:
        user = sign_in(db, request.app.state.throttle, username, password, client_address(request))
    except TooManyAttempts as e:
        resp = html("login.html", 429, csrf=csrf_token, user=None, error=str(e)[0].upper() + str(e)[1:] + ".")
        resp.headers["Retry-After"] = str(e.retry_after)
        return resp
    if user is None:
        resp = html("login.html", 401, csrf=csrf_token, user=None, error="Wrong username or password.")
        return resp
    token, _ = open_session(db, user, request.app.state.settings.session_hours)
    audit(db, user, None, "signed_in", {})
    db.commit()
    resp = RedirectResponse("/", status_code=303)
    set_cookie(request, resp, COOKIE, token, int(request.app.state.settings.session_hours * 3600))
    resp.delete_cookie(LOGIN_COOKIE, path="/")
    return resp


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form(""), who: tuple[User, WebSession] = Depends(page_session),
           db: Session = Depends(get_db)) -> Response:
    check_csrf(who[1], csrf_token)
    close_session(db, request.cookies.get(COOKIE, ""))
    db.commit()
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/")
    return resp


@router.get("/")
def queue_page(view: str = "needs_human", status: str = "", decision: str = "", urgency: str = "", sort: str = "deadline",
               who: tuple[User, WebSession] = Depends(page_session), db: Session = Depends(get_db)) -> HTMLResponse:
    user, sess = who
    view = view if view in ("needs_human", "all") else "needs_human"
    sort = sort if sort in dict(SORTS) else "deadline"
    rows = queue(db, user, view, status or None, decision or None, urgency or None, sort)
    return html("queue.html", user=user, csrf=sess.csrf, rows=rows, view=view, status=status, decision=decision,
                urgency=urgency, sort=sort, sorts=SORTS, left=time_left, fmt=fmt_left, actions=ACTION,
                refresh=any(r.status in ("queued", "reviewing") for r in rows))


def _new_form(user: User, sess: WebSession, error: str = "", status: int = 200, form: Optional[dict] = None) -> HTMLResponse:
    return html("new.html", status, user=user, csrf=sess.csrf, error=error, form=form or {},
                today=dt.date.today().isoformat(), accepted=", ".join(ACCEPTED))


@router.get("/requests/new")
def new_form(who: tuple[User, WebSession] = Depends(page_session)) -> HTMLResponse:
    user, sess = who
    if user.role not in ("submitter", "admin"):
        raise Forbidden("only submitters create requests")
    return _new_form(user, sess)


@router.post("/requests/new", dependencies=[Depends(too_big)])
async def new_submit(request: Request, who: tuple[User, WebSession] = Depends(page_session),
                     db: Session = Depends(get_db)) -> Response:
    user, sess = who
    db.commit()  # end the session lookup's transaction: on SQLite it holds the write lock while the files parse
    form = await request.form(max_files=request.app.state.settings.max_files + 1)
    check_csrf(sess, form.get("csrf_token") if isinstance(form.get("csrf_token"), str) else None)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        data = NewRequest(
            cpt_codes=[c for c in fields.get("cpt_codes", "").replace(" ", ",").split(",") if c],
            icd10_codes=[c for c in fields.get("icd10_codes", "").replace(" ", ",").split(",") if c],
            patient_age=int(fields["patient_age"]) if fields.get("patient_age", "").strip() else None,
            birth_date=fields.get("birth_date") or None, request_date=fields.get("request_date") or None,
            urgency=fields.get("urgency", "standard"), has_standard_written_order=fields.get("swo") == "yes")
        uploads = [v for v in form.getlist("files") if not isinstance(v, str) and v.filename]
        checked = await read_uploads(request, uploads)
        if not checked:
            raise UploadError("attach at least one file of clinical notes", 422)
    except ValidationError as e:
        msg = "; ".join(f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}" for err in e.errors()[:3])
        return _new_form(user, sess, f"Please correct the request: {msg}", 422, fields)
    except (UploadError, ValueError) as e:
        return _new_form(user, sess, str(e), getattr(e, "status", 422), fields)
    settings = request.app.state.settings

    def store() -> str:
        r = create_request(db, user, data)
        stored = attach_and_submit(db, settings, user, r, checked)
        commit_or_undo(db, settings, r, stored)
        return r.id

    try:
        rid = await run_in_threadpool(store)
    except UploadError as e:  # the disk is full: nothing was stored
        db.rollback()
        return _new_form(user, sess, str(e), e.status, fields)
    return RedirectResponse(f"/requests/{rid}", status_code=303)


def request_page(db: Session, user: User, sess: WebSession, request_id: str, error: str = "", status: int = 200) -> HTMLResponse:
    r = get_visible(db, user, request_id)
    trail, files, left = audit_trail(db, r.id), request_files(db, r.id), fmt_left(time_left(r))
    nav = env.get_template("nav.html").render(user=user, csrf=sess.csrf)
    found = stored_review(db, r.id) if r.status == "ready" else None
    if found is None:
        return html("status.html", status, user=user, csrf=sess.csrf, r=r, trail=trail, files=files, left=left)
    case, review = found
    panel = env.get_template("panel.html").render(
        user=user, csrf=sess.csrf, r=r, review=review, trail=trail, files=files, left=left, error=error,
        can_act=user.role in ("nurse", "physician"), wrong_reasons=WRONG_REASONS,
        codes=sorted(code_table(review.policy.id).by_code))
    page = render_review_page(case, review)
    page = page.replace("</head>", '<link rel="stylesheet" href="/static/service.css"></head>', 1)
    page = page.replace("<body>", "<body>\n" + nav, 1)
    page = page.replace("</main>", "</main>\n" + panel, 1)
    page = page.replace("</body>", '<script src="/static/actions.js"></script>\n</body>', 1)
    return HTMLResponse(page, status_code=status)


@router.get("/requests/{request_id}")
def request_view(request_id: str, who: tuple[User, WebSession] = Depends(page_session), db: Session = Depends(get_db)):
    user, sess = who
    return request_page(db, user, sess, request_id)


@router.get("/requests/{request_id}/files/{file_id}")
def request_file(request: Request, request_id: str, file_id: str, who: tuple[User, WebSession] = Depends(page_session),
                 db: Session = Depends(get_db)):
    return file_response(request, db, who[0], request_id, file_id)


@router.post("/requests/{request_id}/actions")
async def request_action(request: Request, request_id: str, who: tuple[User, WebSession] = Depends(page_session),
                         db: Session = Depends(get_db)) -> Response:
    user, sess = who
    form = await request.form(max_files=0, max_fields=30)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    check_csrf(sess, fields.get("csrf_token"))

    def act() -> Response:
        try:
            body: dict[str, Any] = {"action": fields.get("action"), "note": fields.get("note", "")}
            if fields.get("missing"):
                body["missing"] = [m for m in fields["missing"].splitlines() if m.strip()]
            if fields.get("determination"):
                body["determination"] = fields["determination"]
            if fields.get("finding"):
                parts = fields["finding"].split("|")
                if len(parts) < 4:
                    raise ValueError("choose a finding")
                body.update(code=parts[0], doc="|".join(parts[1:-2]), start=int(parts[-2]), end=int(parts[-1]),
                            reason=fields.get("reason"))
            if fields.get("action") == "add_finding":
                body.update(code=fields.get("code"), doc=fields.get("doc"), text=fields.get("text"),
                            start=int(fields.get("start") or 0), end=int(fields.get("end") or 0),
                            page=int(fields["page"]) if fields.get("page") else None)
            record_action(db, user, get_visible(db, user, request_id), ActionIn.model_validate(body))
            db.commit()
        except ValidationError as e:
            db.rollback()
            msg = "; ".join(err["msg"].removeprefix("Value error, ") for err in e.errors()[:3])
            return request_page(db, user, sess, request_id, msg, 422)
        except (Conflict, ValueError) as e:
            db.rollback()
            return request_page(db, user, sess, request_id, str(e), 409 if isinstance(e, Conflict) else 422)
        return RedirectResponse(f"/requests/{request_id}#audit", status_code=303)

    return await run_in_threadpool(act)
