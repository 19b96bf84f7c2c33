"""Account administration for the admin page: create, disable or enable, reset a password, change role, organisation,
name and credentials. Disabling or resetting ends the account's sessions and revokes its API tokens at once.
"""

from __future__ import annotations

from typing import Optional

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from priorauth.service.db import ApiToken, User, WebSession
from priorauth.service.logic import Conflict, Forbidden, audit
from priorauth.service import security
from priorauth.service.security import ROLES, add_user, check_password


def _admin(actor: User) -> None:
    if actor.role != "admin":
        raise Forbidden("only an admin manages accounts")


def revoke_all(db: Session, user: User) -> None:
    """End every session and revoke every API token of this account."""
    db.execute(delete(WebSession).where(WebSession.user_id == user.id))
    db.execute(delete(ApiToken).where(ApiToken.user_id == user.id))


def create(db: Session, actor: User, username: str, password: str, role: str, org: str,
           full_name: Optional[str] = None, credentials: Optional[str] = None) -> User:
    _admin(actor)
    if db.scalar(select(User).where(User.username == username)) is not None:
        raise Conflict("that username is taken")
    u = add_user(db, username, password, role, org)
    u.full_name, u.credentials = full_name or None, credentials or None
    audit(db, actor, None, "user_created", {"username": u.username, "role": u.role, "org": u.org})
    return u


def set_active(db: Session, actor: User, u: User, active: bool) -> None:
    _admin(actor)
    if u.id == actor.id and not active:
        raise Conflict("an admin cannot disable their own account")
    u.active = active
    if not active:
        revoke_all(db, u)
    audit(db, actor, None, "user_enabled" if active else "user_disabled", {"username": u.username})


def reset_password(db: Session, actor: User, u: User, password: str) -> None:
    _admin(actor)
    check_password(password)
    u.password_hash = security._hasher.hash(password)
    revoke_all(db, u)
    audit(db, actor, None, "password_reset", {"username": u.username})


def update(db: Session, actor: User, u: User, role: str, org: str, full_name: str, credentials: str) -> None:
    _admin(actor)
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not org.strip():
        raise ValueError("an account belongs to an organisation")
    if u.id == actor.id and role != "admin":
        raise Conflict("an admin cannot remove their own admin role")
    before = {"role": u.role, "org": u.org}
    u.role, u.org = role, org.strip()
    u.full_name, u.credentials = full_name.strip() or None, credentials.strip() or None
    audit(db, actor, None, "user_changed", {"username": u.username, "before": before, "after": {"role": u.role, "org": u.org}})
