"""Account administration for the admin page: create, disable or enable, reset a password, change role,
organisation, name and credentials (printed on physician determination letters).

Disabling and password resets are security.set_active / set_password (which end the account's sessions and
revoke its API tokens at once, and check a new password with security.password_problem); this module adds the
admin check, the admin's own-account guards and the audit entries, so the page and the API do the same.
"""

from __future__ import annotations

from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from priorauth.service.db import User
from priorauth.service.logic import Conflict, Forbidden, audit
from priorauth.service.security import ROLES, add_user, revoke_all, set_active as _set_active, set_password


def _admin(actor: User) -> None:
    if actor.role != "admin":
        raise Forbidden("only an admin manages accounts")


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
        raise Conflict("an admin cannot disable their own account; ask another admin")
    _set_active(db, u, active)
    audit(db, actor, None, "user_enabled" if active else "user_disabled", {"username": u.username})


def reset_password(db: Session, actor: User, u: User, password: str) -> None:
    _admin(actor)
    set_password(db, u, password)  # ValueError with the reason when the password is too weak
    audit(db, actor, None, "password_changed", {"username": u.username})


def update(db: Session, actor: User, u: User, role: str, org: str, full_name: str, credentials: str) -> None:
    _admin(actor)
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not org.strip() or len(org) > 120 or len(full_name) > 200 or len(credentials) > 80:
        raise ValueError("an account belongs to an organisation (at most 120 characters); name 200, credentials 80")
    if u.id == actor.id and role != "admin":
        raise Conflict("an admin cannot remove their own admin role")
    before = {"role": u.role, "org": u.org}
    u.role, u.org = role, org.strip()
    u.full_name, u.credentials = full_name.strip() or None, credentials.strip() or None
    audit(db, actor, None, "user_changed", {"username": u.username, "before": before, "after": {"role": u.role, "org": u.org}})


def sign_out_everywhere(db: Session, actor: User, u: User) -> int:
    """End the account's sessions and revoke its API tokens (a lost laptop) without disabling it."""
    _admin(actor)
    n = revoke_all(db, u)
    audit(db, actor, None, "tokens_revoked", {"username": u.username, "tokens": n})
    return n
