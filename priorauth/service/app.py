"""The FastAPI application: lifespan (migrate, bootstrap an admin, start workers), security headers, error mapping."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from contextlib import asynccontextmanager
from typing import Any, Optional, Sequence

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from sqlalchemy import select
from starlette.exceptions import HTTPException as StarletteHTTPException

from priorauth.review_page import JS as REVIEW_JS
from priorauth.service.db import User, make_engine, migrate, session_factory
from priorauth.service.guard import Guard
from priorauth.service.jobs import Worker
from priorauth.service.fhir_route import start_pas
from priorauth.service.logic import Conflict, Forbidden
from priorauth.service.security import add_user
from priorauth.service.settings import Settings
from priorauth.service.signin import Throttle, TooManyAttempts
from priorauth.service.uploads import UploadError

log = logging.getLogger("priorauth.service")
STATIC = os.path.join(os.path.dirname(__file__), "static")
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(REVIEW_JS.encode()).digest()).decode()
CSP = ("default-src 'none'; script-src 'self' 'sha256-" + _SCRIPT_HASH + "'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
           "Referrer-Policy": "no-referrer", "Cross-Origin-Opener-Policy": "same-origin",
           "Permissions-Policy": "camera=(), microphone=(), geolocation=()"}


def problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status)


def invalid(errors: Sequence[Any], skip: int = 0) -> str:
    """Where and what is wrong, for the first five errors; never the submitted values (they may be note text)."""
    return "invalid request: " + "; ".join(f"{'.'.join(str(x) for x in err.get('loc', ())[skip:]) or 'body'}: "
                                           f"{err.get('msg', 'invalid')}" for err in errors[:5])


def bootstrap_admin(app: FastAPI) -> None:
    """Create the first admin from PRIORAUTH_ADMIN_USER / PRIORAUTH_ADMIN_PASSWORD when there is none."""
    with app.state.sessions() as db:
        if db.scalar(select(User).where(User.role == "admin").limit(1)) is not None:
            return
        password = os.environ.get("PRIORAUTH_ADMIN_PASSWORD")
        if not password:
            log.warning("no admin account yet: set PRIORAUTH_ADMIN_PASSWORD (and PRIORAUTH_ADMIN_USER) and restart")
            return
        try:
            add_user(db, os.environ.get("PRIORAUTH_ADMIN_USER", "admin"), password, "admin",
                     os.environ.get("PRIORAUTH_ADMIN_ORG", "plan"))
        except ValueError as e:
            log.error("no admin account created: %s", e)
            return
        db.commit()
        log.info("created the admin account")


def create_app(settings: Optional[Settings] = None, start_workers: bool = True) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        settings.prepare()
        migrate(app.state.engine)
        bootstrap_admin(app)
        workers = [Worker(app.state.engine, settings) for _ in range(settings.workers if start_workers else 0)]
        for w in workers:
            w.start()
        app.state.workers = workers
        notifier = start_pas(app, settings) if start_workers else None
        try:
            yield
        finally:
            if notifier is not None:
                notifier.stop.set()
                notifier.join(timeout=30)
            for w in workers:
                w.stop.set()
            for w in workers:
                w.join(timeout=30)
            app.state.engine.dispose()

    app = FastAPI(title="priorauth review service", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Prior-authorization review of MRI-spine packets: submit requests and files, poll, "
                              "fetch the evidence-linked review, record reviewer actions. JSON API under /api/ "
                              "with bearer tokens (POST /api/tokens).")
    app.state.settings = settings
    app.state.throttle = Throttle(per_account=settings.signin_account_failures, per_address=settings.signin_address_failures,
                                  window_s=settings.signin_window_minutes * 60)
    app.state.engine = make_engine(settings.url)
    app.state.sessions = session_factory(app.state.engine)

    # outermost: body limits while streaming, security headers on every response, no tracebacks in the log
    app.add_middleware(Guard, headers=HEADERS,
                       upload_limit=lambda: settings.max_files * settings.max_file_bytes + 1024 * 1024)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, e: Forbidden):
        return problem(403, str(e))

    @app.exception_handler(LookupError)
    async def _missing(request: Request, e: LookupError):
        return problem(404, "no such request")

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, e: Conflict):
        return problem(409, str(e))

    @app.exception_handler(TooManyAttempts)
    async def _throttled(request: Request, e: TooManyAttempts):
        return JSONResponse({"detail": str(e)}, status_code=429, headers={"Retry-After": str(e.retry_after)})

    @app.exception_handler(UploadError)
    async def _upload(request: Request, e: UploadError):
        return problem(e.status, str(e))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError):
        return problem(422, invalid(e.errors(), skip=1))  # FastAPI's locations start with body/query/path

    @app.exception_handler(ValidationError)
    async def _model_invalid(request: Request, e: ValidationError):
        return problem(422, invalid(e.errors()))

    @app.exception_handler(ValueError)
    async def _value(request: Request, e: ValueError):
        return problem(422, str(e).splitlines()[0] if str(e) else "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, e: StarletteHTTPException):
        if e.status_code == 303 and e.headers:
            return PlainTextResponse("", status_code=303, headers=e.headers)
        return JSONResponse({"detail": e.detail}, status_code=e.status_code, headers=e.headers)

    from priorauth.service import admin_pages, api, fhir_route, pages

    app.include_router(api.router)
    app.include_router(fhir_route.router)
    app.include_router(pages.router)
    app.include_router(admin_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
