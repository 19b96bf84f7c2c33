"""The admin's accounts page: create an account, disable or enable it, reset its password, change role,
organisation, name and credentials (the name and credentials are printed on physician determination letters)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from priorauth.service import accounts
from priorauth.service.db import User, WebSession
from priorauth.service.deps import check_csrf, get_db, page_session
from priorauth.service.logic import Conflict, Forbidden
from priorauth.service.pages import html
from priorauth.service.security import ROLES, tokens_of

router = APIRouter(include_in_schema=False)


def _page(db: Session, user: User, sess: WebSession, error: str = "", notice: str = "", status: int = 200) -> HTMLResponse:
    if user.role != "admin":
        raise Forbidden("only an admin manages accounts")
    users = list(db.scalars(select(User).order_by(User.username)))
    tokens: dict[int, int] = {}
    for t in tokens_of(db):
        tokens[t.user_id] = tokens.get(t.user_id, 0) + 1
    return html("admin.html", status, user=user, csrf=sess.csrf, users=users, roles=ROLES, error=error, notice=notice,
                tokens=tokens)


@router.get("/admin/users")
def accounts_page(who: tuple[User, WebSession] = Depends(page_session), db: Session = Depends(get_db)) -> HTMLResponse:
    return _page(db, *who)


@router.post("/admin/users")
async def accounts_action(request: Request, who: tuple[User, WebSession] = Depends(page_session),
                          db: Session = Depends(get_db)) -> Response:
    """One form per row and one for a new account; field `do` says which change."""
    user, sess = who
    form = await request.form(max_files=0, max_fields=20)
    f = {k: v for k, v in form.items() if isinstance(v, str)}
    check_csrf(sess, f.get("csrf_token"))
    if user.role != "admin":
        raise Forbidden("only an admin manages accounts")

    def act() -> Response:
        do = f.get("do", "")
        try:
            if do == "create":
                name = f.get("username", "").strip()
                if not name or len(name) > 80 or not all(c.isalnum() or c in "._@-" for c in name):
                    raise ValueError("a username is letters, digits and . _ @ - (at most 80)")
                accounts.create(db, user, name, f.get("password", ""), f.get("role", ""), f.get("org", "").strip(),
                                f.get("full_name", "").strip(), f.get("credentials", "").strip())
                notice = f"created {name}"
            else:
                target = db.get(User, int(f.get("user_id") or 0))
                if target is None:
                    raise ValueError("no such account")
                if do in ("disable", "enable"):
                    accounts.set_active(db, user, target, do == "enable")
                elif do == "revoke":
                    accounts.sign_out_everywhere(db, user, target)
                elif do == "reset":
                    accounts.reset_password(db, user, target, f.get("password", ""))
                elif do == "update":
                    accounts.update(db, user, target, f.get("role", ""), f.get("org", ""), f.get("full_name", ""),
                                    f.get("credentials", ""))
                else:
                    raise ValueError("unknown change")
                notice = f"{do}: {target.username}"
            db.commit()
        except (ValueError, Conflict) as e:
            db.rollback()
            return _page(db, user, sess, error=str(e), status=409 if isinstance(e, Conflict) else 422)
        return RedirectResponse("/admin/users?done=" + do, status_code=303) if notice else _page(db, user, sess)

    return await run_in_threadpool(act)
