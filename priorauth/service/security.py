"""Accounts, roles, argon2 password hashes, API bearer tokens and cookie sessions with CSRF tokens.

Tokens and session ids are random (secrets.token_urlsafe) and stored only as
SHA-256 hashes, so a copy of the database does not let anyone sign in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Literal, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from priorauth.service.db import ApiToken, User, WebSession, utcnow

Role = Literal["submitter", "nurse", "physician", "admin"]
ROLES: tuple[str, ...] = ("submitter", "nurse", "physician", "admin")
REVIEWERS = frozenset({"nurse", "physician"})
SEES_ALL = frozenset({"nurse", "physician", "admin"})

_hasher = PasswordHasher()
# verified against when the user does not exist, so a wrong name costs as long as a wrong password
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password(password: str) -> None:
    """The password rule (at least 12 characters); ValueError with the reason otherwise."""
    if len(password) < 12:
        raise ValueError("a password needs at least 12 characters")


def add_user(db: Session, username: str, password: str, role: str, org: str) -> User:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    check_password(password)
    user = User(username=username, password_hash=_hasher.hash(password), role=role, org=org, active=True)
    db.add(user)
    db.flush()
    return user


def authenticate(db: Session, username: str, password: str) -> Optional[User]:
    user = db.scalar(select(User).where(User.username == username))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    return user if user is not None and user.active else None


def issue_token(db: Session, user: User) -> str:
    token = "pa_" + secrets.token_urlsafe(32)
    db.add(ApiToken(user_id=user.id, token_hash=digest(token)))
    return token


def user_for_token(db: Session, token: str) -> Optional[User]:
    row = db.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    user = db.get(User, row.user_id) if row else None
    return user if user is not None and user.active else None


def open_session(db: Session, user: User, hours: float) -> tuple[str, str]:
    """A new session: (cookie value, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    db.add(WebSession(token_hash=digest(token), user_id=user.id, csrf=csrf, expires_at=utcnow() + dt.timedelta(hours=hours)))
    return token, csrf


def session_for(db: Session, cookie: str) -> Optional[tuple[User, WebSession]]:
    s = db.scalar(select(WebSession).where(WebSession.token_hash == digest(cookie)))
    if s is None or s.expires_at <= utcnow():
        return None
    user = db.get(User, s.user_id)
    return (user, s) if user is not None and user.active else None


def close_session(db: Session, cookie: str) -> None:
    s = db.scalar(select(WebSession).where(WebSession.token_hash == digest(cookie)))
    if s is not None:
        db.delete(s)


def same(a: Optional[str], b: Optional[str]) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a, b)
