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
from priorauth.guidelines import get, installed, ref_of, route
from priorauth.review_page import ACTION, render_review_page
from priorauth.service.api import client_address, export_response, file_response, letter_response, metrics_csv, read_uploads, too_big
from priorauth.service.clock import clock, local
from priorauth.service.db import User, WebSession
from priorauth.service.deps import COOKIE, check_csrf, get_db, page_session
from priorauth.service.letters import KINDS, letters_of
from priorauth.service.logic import (FINAL, VIEWS, WRONG_REASONS, ActionIn, Conflict, Forbidden, NewRequest, assignee_names,
                                     attach_and_submit, audit, audit_trail, audit_view, claim_case, clinic_trail,
                                     create_request, get_visible, queue, record_action, release_case, request_files,
                                     require_plan_staff, store_files, stored_review, commit_or_undo, workload)
from priorauth.service.metrics import COLUMNS as METRIC_COLUMNS, PERIODS, figures
from priorauth.service.redecide import changes, corrected_review
from priorauth.service.security import SEES_ALL, close_session, open_session, same
from priorauth.service.signin import TooManyAttempts, sign_in
from priorauth.service.uploads import ACCEPTED, UploadError

router = APIRouter(include_in_schema=False)
env = Environment(loader=PackageLoader("priorauth.service", "templates"), autoescape=select_autoescape(default=True))


def guideline_of_codes(codes: list[str]) -> str:
    """The guideline(s) a request's codes go to, by number ('none' when no installed guideline covers them)."""
    return ", ".join(r.guideline.manifest.number for r in route(codes)) or "none"


def installed_guidelines() -> list[tuple[str, str, str]]:
    """(number, title, covered codes) of each installed guideline in its newest version, for the request form."""
    return [(g.manifest.number, g.manifest.title, ", ".join(g.studies)) for g in (get(i) for i in installed())]


env.globals.update(guideline_of_codes=guideline_of_codes, installed_guidelines=installed_guidelines)


def plain(value: Any) -> str:
    """An audit detail value as a person reads it: nested dicts and lists as 'key: value' text, never Python reprs."""
    if isinstance(value, dict):
        return ", ".join(f"{k}: {plain(v)}" for k, v in value.items()) or "-"
    if isinstance(value, (list, tuple)):
        return "; ".join(plain(v) for v in value) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "-" if value is None else str(value)


env.filters["plain"] = plain
LOGIN_COOKIE = "pa_login_csrf"
SORTS = [("deadline", "earliest due date first"), ("-deadline", "latest due date first"), ("-created", "newest first"),
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
def queue_page(request: Request, view: str = "needs_human", status: str = "", decision: str = "", urgency: str = "",
               sort: str = "deadline", q: str = "", who: tuple[User, WebSession] = Depends(page_session),
               db: Session = Depends(get_db)) -> HTMLResponse:
    user, sess = who
    view = view if view in VIEWS else "needs_human"
    sort = sort if sort in dict(SORTS) else "deadline"
    rows = queue(db, user, view, status or None, decision or None, urgency or None, sort, q=q[:100])
    tz = request.app.state.settings.timezone
    page = html("queue.html", user=user, csrf=sess.csrf, rows=rows, view=view, status=status, decision=decision,
                urgency=urgency, sort=sort, sorts=SORTS, q=q[:100], clocks={r.id: clock(r, tz) for r in rows},
                actions=ACTION, names=assignee_names(db, rows), clinic=user.role not in SEES_ALL, tz=tz,
                refresh=any(r.status in ("queued", "reviewing") for r in rows) and not q)
    audit_view(db, user, rows, "queue")
    return page


@router.get("/workload")
def workload_page(request: Request, who: tuple[User, WebSession] = Depends(page_session), db: Session = Depends(get_db)):
    user, sess = who
    require_plan_staff(user, "the reviewers' workloads")
    tz = request.app.state.settings.timezone
    return html("workload.html", user=user, csrf=sess.csrf, rows=workload(db), local=lambda t: local(t, tz))


def _new_form(user: User, sess: WebSession, error: str = "", status: int = 200, form: Optional[dict] = None) -> HTMLResponse:
    return html("new.html", status, user=user, csrf=sess.csrf, error=error, form=form or {},
                today=dt.date.today().isoformat(), accepted=", ".join(ACCEPTED))


FORM_REQUIRED = {"patient_name": "the patient's name", "birth_date": "the date of birth", "member_id": "the member id",
                 "ordering_provider_name": "the ordering provider's name", "ordering_provider_npi": "the ordering provider's NPI"}


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
    lacking = [label for k, label in FORM_REQUIRED.items() if not fields.get(k, "").strip()]
    if lacking:
        return _new_form(user, sess, "Please give " + ", ".join(lacking) + ".", 422, fields)
    try:
        data = NewRequest(
            cpt_codes=[c for c in fields.get("cpt_codes", "").replace(" ", ",").split(",") if c],
            icd10_codes=[c for c in fields.get("icd10_codes", "").replace(" ", ",").split(",") if c],
            patient_age=int(fields["patient_age"]) if fields.get("patient_age", "").strip() else None,
            birth_date=fields.get("birth_date") or None, request_date=fields.get("request_date") or None,
            urgency=fields.get("urgency", "standard"), has_standard_written_order=fields.get("swo") == "yes",
            patient_name=fields.get("patient_name"), patient_sex=fields.get("patient_sex") or None,
            member_id=fields.get("member_id"), ordering_provider_name=fields.get("ordering_provider_name"),
            ordering_provider_npi=fields.get("ordering_provider_npi", "").replace(" ", "") or None,
            servicing_provider=fields.get("servicing_provider"),
            received_at=received_at(fields.get("received_at", ""), request.app.state.settings.timezone))
        uploads = [v for v in form.getlist("files") if not isinstance(v, str) and v.filename]
        checked = await read_uploads(request, uploads)
        if not checked:
            raise UploadError("attach at least one file of clinical notes", 422)
    except ValidationError as e:
        msg = "; ".join(f"{'.'.join(str(x) for x in err['loc'])}: {err['msg'].removeprefix('Value error, ')}".lstrip(": ")
                        for err in e.errors()[:3])
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


def received_at(value: str, tz: str) -> Optional[dt.datetime]:
    """A datetime-local form value, read in the plan's time zone."""
    from zoneinfo import ZoneInfo

    if not value.strip():
        return None
    try:
        return dt.datetime.fromisoformat(value.strip()).replace(tzinfo=ZoneInfo(tz))
    except ValueError:
        raise ValueError("the received time is not a date and time") from None


def request_page(request: Request, db: Session, user: User, sess: WebSession, request_id: str, error: str = "",
                 status: int = 200, form: Optional[dict] = None) -> HTMLResponse:
    r = get_visible(db, user, request_id)
    tz = request.app.state.settings.timezone
    trail, files, c = audit_trail(db, r.id), request_files(db, r.id), clock(r, tz)
    clinic = user.role not in SEES_ALL
    letters = letters_of(db, r.id, sent_only=clinic)
    names = assignee_names(db, [r])
    common = dict(user=user, csrf=sess.csrf, r=r, files=files, clock=c, letters=letters, kinds=KINDS, local=lambda t: local(t, tz),
                  assignee=names.get(r.assignee_id) if r.assignee_id else None)
    found = stored_review(db, r.id) if r.status == "ready" else None
    if found is None or clinic:  # the clinic's view: status, outcome, letters; never the plan's notes or corrections
        out = html("status.html", status, trail=clinic_trail(trail) if clinic else trail, clinic=clinic, error=error,
                   accepted=", ".join(ACCEPTED), **common)
        audit_view(db, user, [r], "request")
        return out
    case, tool = found
    current = corrected_review(db, r.id)
    nav = env.get_template("nav.html").render(user=user, csrf=sess.csrf)
    decided = r.disposition in FINAL
    panel = env.get_template("panel.html").render(
        review=current or tool, tool=tool, changed=changes(tool, current) if current else None, trail=trail, error=error,
        can_act=user.role in ("nurse", "physician") and not decided, decided=decided, wrong_reasons=WRONG_REASONS,
        form=form or {}, codes=sorted({c for part in tool.parts or [tool] for c in code_table(ref_of(part.policy)).by_code}), actions=ACTION, **common)
    page = render_review_page(case, current or tool)
    page = page.replace("</head>", '<link rel="stylesheet" href="/static/service.css"></head>', 1)
    page = page.replace("<body>", "<body>\n" + nav, 1)
    page = page.replace("</main>", "</main>\n" + panel, 1)
    page = page.replace("</body>", '<script src="/static/actions.js"></script>\n</body>', 1)
    audit_view(db, user, [r], "request")
    return HTMLResponse(page, status_code=status)


@router.get("/requests/{request_id}")
def request_view(request: Request, request_id: str, who: tuple[User, WebSession] = Depends(page_session),
                 db: Session = Depends(get_db)):
    user, sess = who
    return request_page(request, db, user, sess, request_id)


@router.get("/requests/{request_id}/letters/{letter_id}.{fmt}")
def request_letter(request_id: str, letter_id: int, fmt: str, who: tuple[User, WebSession] = Depends(page_session),
                   db: Session = Depends(get_db)):
    return letter_response(db, who[0], request_id, letter_id, fmt)


@router.post("/requests/{request_id}/files", dependencies=[Depends(too_big)])
async def request_files_answer(request: Request, request_id: str, who: tuple[User, WebSession] = Depends(page_session),
                               db: Session = Depends(get_db)) -> Response:
    """The clinic sends the files a request for information asked for: the same checks and storage as the first upload."""
    user, sess = who
    db.commit()  # end the session lookup's transaction: on SQLite it holds the write lock while the files parse
    settings = request.app.state.settings
    form = await request.form(max_files=settings.max_files + 1)
    check_csrf(sess, form.get("csrf_token") if isinstance(form.get("csrf_token"), str) else None)
    uploads = [v for v in form.getlist("files") if not isinstance(v, str) and v.filename]
    try:
        checked = await read_uploads(request, uploads)
        await run_in_threadpool(store_files, db, settings, user, request_id, checked)
    except (UploadError, Conflict, ValueError) as e:
        db.rollback()
        code = getattr(e, "status", 409 if isinstance(e, Conflict) else 422)
        return await run_in_threadpool(request_page, request, db, user, sess, request_id, str(e), code)
    return RedirectResponse(f"/requests/{request_id}", status_code=303)


@router.post("/requests/{request_id}/assignment")
async def request_assignment(request: Request, request_id: str, who: tuple[User, WebSession] = Depends(page_session),
                             db: Session = Depends(get_db)) -> Response:
    """Claim or release the case from its page (form field `do`: claim | release)."""
    user, sess = who
    form = await request.form(max_files=0, max_fields=5)
    check_csrf(sess, form.get("csrf_token") if isinstance(form.get("csrf_token"), str) else None)
    r = get_visible(db, user, request_id)
    try:
        (claim_case if form.get("do") == "claim" else release_case)(db, user, r)
        db.commit()
    except Conflict as e:
        db.rollback()
        return request_page(request, db, user, sess, request_id, str(e), 409)
    return RedirectResponse(form.get("back") if form.get("back") == "/" else f"/requests/{request_id}", status_code=303)


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
            if fields.get("days"):
                body["days"] = int(fields["days"])
            if fields.get("action") == "add_finding":
                body.update(code=fields.get("code"), doc=fields.get("doc"), text=fields.get("text"),
                            start=int(fields.get("start") or 0), end=int(fields.get("end") or 0),
                            page=int(fields["page"]) if fields.get("page") else None)
            record_action(db, user, get_visible(db, user, request_id), ActionIn.model_validate(body), request.app.state.settings)
            db.commit()
        except ValidationError as e:
            db.rollback()
            msg = "; ".join(err["msg"].removeprefix("Value error, ") for err in e.errors()[:3])
            return request_page(request, db, user, sess, request_id, msg, 422, fields)
        except (Conflict, ValueError) as e:
            db.rollback()
            return request_page(request, db, user, sess, request_id, str(e), 409 if isinstance(e, Conflict) else 422, fields)
        return RedirectResponse(f"/requests/{request_id}#audit", status_code=303)

    return await run_in_threadpool(act)


@router.get("/export/cases.jsonl")
def export_page(who: tuple[User, WebSession] = Depends(page_session), db: Session = Depends(get_db)):
    """The corrections export, for a signed-in reviewer's or admin's browser (the API route needs a bearer token)."""
    return export_response(db, who[0])


@router.get("/metrics")
def metrics_page(request: Request, period: str = "month", who: tuple[User, WebSession] = Depends(page_session),
                 db: Session = Depends(get_db)):
    user, sess = who
    require_plan_staff(user, "the plan's figures")
    period = period if period in PERIODS else "month"
    tz = request.app.state.settings.timezone
    return html("metrics.html", user=user, csrf=sess.csrf, rows=figures(db, tz, period), columns=METRIC_COLUMNS, tz=tz,
                period=period)


@router.get("/metrics.csv")
def metrics_page_csv(request: Request, period: str = "month", who: tuple[User, WebSession] = Depends(page_session),
                     db: Session = Depends(get_db)):
    return metrics_csv(db, who[0], request.app.state.settings.timezone, period if period in PERIODS else "month")
