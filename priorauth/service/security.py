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
from sqlalchemy import delete, select
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


MIN_PASSWORD = 12
MAX_PASSWORD = 200
MIN_STRENGTH = 3  # zxcvbn's score, 0-4: 3 is "safely unguessable" (about 10^8 guesses or more)


def password_problem(password: str, username: str = "", *others: str) -> Optional[str]:
    """Why this password is refused (one sentence), or None when it is acceptable.

    At least 12 characters, and not guessable: zxcvbn (a maintained port of Dropbox's estimator, with its
    lists of common passwords, English words and names, keyboard patterns, repeats and sequences) must score
    it 3 of 4 or more, with the username (and `others`, such as the organization) counted as known words.
    """
    if len(password) < MIN_PASSWORD:
        return f"a password needs at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"a password has at most {MAX_PASSWORD} characters"
    if not password.strip():
        return "a password cannot be only spaces"
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:100], user_inputs=[x for x in (username, *others) if x])  # its cost grows with length
    if result["score"] >= MIN_STRENGTH:
        return None
    hint = (result.get("feedback") or {}).get("warning") or "it is easy to guess"
    return f"that password is too easy to guess ({hint.rstrip('.').lower()}); use a longer phrase of unrelated words"


def add_user(db: Session, username: str, password: str, role: str, org: str) -> User:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    problem = password_problem(password, username, org)
    if problem:
        raise ValueError(problem)
    user = User(username=username, password_hash=_hasher.hash(password), role=role, org=org, active=True)
    db.add(user)
    db.flush()
    return user


def set_password(db: Session, user: User, password: str) -> None:
    """Replace the password (checked like a new one) and end every token and session of the account."""
    problem = password_problem(password, user.username, user.org)
    if problem:
        raise ValueError(problem)
    user.password_hash = _hasher.hash(password)
    revoke_all(db, user)


def set_active(db: Session, user: User, active: bool) -> None:
    """Enable or disable an account; disabling also ends its tokens and sessions at once."""
    user.active = active
    if not active:
        revoke_all(db, user)


def revoke_all(db: Session, user: User) -> int:
    """Delete every API token and web session of the account; returns how many tokens went."""
    n = db.execute(delete(ApiToken).where(ApiToken.user_id == user.id)).rowcount or 0
    db.execute(delete(WebSession).where(WebSession.user_id == user.id))
    return n


def revoke_token(db: Session, token_id: int) -> Optional[ApiToken]:
    """Delete one API token by its id; None when there is no such token."""
    row = db.get(ApiToken, token_id)
    if row is not None:
        db.delete(row)
    return row


def tokens_of(db: Session, user: Optional[User] = None) -> list[ApiToken]:
    """Unexpired API tokens, of one account or (None) of all, newest first."""
    q = select(ApiToken).where(ApiToken.expires_at > utcnow())
    if user is not None:
        q = q.where(ApiToken.user_id == user.id)
    return list(db.scalars(q.order_by(ApiToken.id.desc())))


def authenticate(db: Session, username: str, password: str) -> Optional[User]:
    user = db.scalar(select(User).where(User.username == username))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    return user if user is not None and user.active else None


DEFAULT_TOKEN_HOURS = 24.0


def issue_token(db: Session, user: User, hours: float = DEFAULT_TOKEN_HOURS) -> str:
    """A new API token for the account, valid for `hours` (PRIORAUTH_TOKEN_HOURS in the service)."""
    token = "pa_" + secrets.token_urlsafe(32)
    now = utcnow()
    db.add(ApiToken(user_id=user.id, token_hash=digest(token), created_at=now, expires_at=now + dt.timedelta(hours=hours)))
    return token


def token_row(db: Session, token: str) -> Optional[ApiToken]:
    """The stored token, if it exists and has not expired."""
    row = db.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    return row if row is not None and row.expires_at is not None and row.expires_at > utcnow() else None


def user_for_token(db: Session, token: str) -> Optional[User]:
    row = token_row(db, token)
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
