"""Request-scoped dependencies: the database session and who is asking (bearer token or session cookie)."""

from __future__ import annotations

from typing import Iterator, Optional

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from priorauth.service.db import User, WebSession
from priorauth.service.security import same, session_for, user_for_token

COOKIE = "pa_session"


def get_db(request: Request) -> Iterator[Session]:
    db = request.app.state.sessions()
    try:
        yield db
    except Exception:
        db.rollback()
        raise
    finally:
        db.close()


def api_user(request: Request, db: Session = Depends(get_db)) -> User:
    """The JSON API authenticates with `Authorization: Bearer <token>` only (so it needs no CSRF token)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    user = user_for_token(db, token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if user is None:
        raise HTTPException(401, "a valid API token is required (Authorization: Bearer ...)", {"WWW-Authenticate": "Bearer"})
    return user


def page_session(request: Request, db: Session = Depends(get_db)) -> tuple[User, WebSession]:
    """The signed-in user of a page; anyone else is sent to the sign-in page."""
    cookie = request.cookies.get(COOKIE)
    found = session_for(db, cookie) if cookie else None
    if found is None:
        raise HTTPException(303, "sign in first", {"Location": "/login"})
    return found


def check_csrf(sess: WebSession, token: Optional[str]) -> None:
    if not same(sess.csrf, token):
        raise HTTPException(403, "the form's CSRF token is missing or wrong; reload the page and try again")
