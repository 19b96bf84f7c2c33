"""Sign-in with throttling and an audit of failures, shared by `POST /api/tokens` and the sign-in page.

Failed sign-ins are counted per account and per client address over a sliding
window (default 15 minutes). An account with 5 failures in the window, or an
address with 50, is refused with 429 and a Retry-After until the oldest of
those failures leaves the window; meanwhile its password is not even checked.
A refused attempt does not count again (so an attacker cannot keep the account
locked forever with one request a minute, only for 15 minutes after each 5
tries). 50 per address is far above what a clinic or a plan office behind one
address does by mistake, and far below a guessing attack. Each failure (and
the start of each lock) is an audit entry naming the username tried and the
address, never the password. The counts live in this web process's memory:
a restart clears them (the audit log keeps the record).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Callable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from priorauth.service.db import AuditEntry, User, utcnow
from priorauth.service.security import authenticate

MAX_KEYS = 100_000  # bounded memory under a spray of made-up usernames or addresses


class TooManyAttempts(Exception):
    """Sign-in refused for now; `retry_after` is in seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class Throttle:
    """Sliding-window counts of failed sign-ins per account and per address."""

    per_account: int = 5
    per_address: int = 50
    window_s: float = 900.0
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._fails: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._fails.get(key)
        if q is None:
            return deque()
        while q and q[0] <= now - self.window_s:
            q.popleft()
        if not q:
            del self._fails[key]
        return q

    def wait(self, username: str, address: str) -> Optional[tuple[str, int]]:
        """(which limit, seconds to wait) when a sign-in must be refused now; None when it may be tried."""
        now = self.clock()
        with self._lock:
            for kind, key, limit in (("account", ("u", username.lower()), self.per_account),
                                     ("address", ("a", address), self.per_address)):
                q = self._recent(key, now)
                if len(q) >= limit:
                    return kind, max(1, math.ceil(q[-limit] + self.window_s - now))
        return None

    def failed(self, username: str, address: str) -> bool:
        """Count a failure; True when it is the one that starts a lock (of the account or the address)."""
        now = self.clock()
        locked = False
        with self._lock:
            for key, limit in ((("u", username.lower()), self.per_account), (("a", address), self.per_address)):
                q = self._recent(key, now)
                q.append(now)
                self._fails[key] = q
                self._fails.move_to_end(key)
                locked |= len(q) == limit
            while len(self._fails) > MAX_KEYS:
                self._fails.popitem(last=False)
        return locked

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._fails.pop(("u", username.lower()), None)


def _audit_failure(db: Session, username: str, address: str, action: str, reason: str) -> None:
    user = db.scalar(select(User).where(User.username == username))
    db.add(AuditEntry(request_id=None, user_id=user.id if user else None, username=username[:80] or "-",
                      role=user.role if user else "unknown", action=action,
                      detail={"address": address[:64], "reason": reason}, at=utcnow()))


def sign_in(db: Session, throttle: Throttle, username: str, password: str, address: str) -> Optional[User]:
    """The account when the password is right; None (audited) when not; TooManyAttempts (429) when throttled."""
    blocked = throttle.wait(username, address)
    if blocked is not None:
        kind, seconds = blocked
        what = "this account" if kind == "account" else "your address"
        raise TooManyAttempts(f"too many failed sign-ins for {what}; try again in {math.ceil(seconds / 60)} minute(s)",
                              seconds)
    user = authenticate(db, username, password)
    if user is not None:
        throttle.succeeded(username)
        return user
    known = db.scalar(select(User).where(User.username == username))
    reason = "account disabled" if known is not None and not known.active else "wrong username or password"
    _audit_failure(db, username, address, "sign_in_failed", reason)
    if throttle.failed(username, address):
        _audit_failure(db, username, address, "sign_in_locked", f"{throttle.per_account} failures for the account or "
                                                                f"{throttle.per_address} for the address in "
                                                                f"{throttle.window_s / 60:.0f} minutes")
    db.commit()
    return None
