"""The decision clock as people read it: an absolute due date in the plan's time zone, stopped at the final disposition.

CMS-0057-F: a payer decides an expedited request within 72 hours and a
standard one within 7 calendar days of receiving it; a request for information
does not stop the clock (its response deadline is shown beside it; once that
passes without an answer the request is overdue for information); one
extension of up to 14 days, with its reason, moves the due date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional
from zoneinfo import ZoneInfo

from priorauth.service.db import utcnow

CLOCK = {"expedited": dt.timedelta(hours=72), "standard": dt.timedelta(days=7)}
MAX_EXTENSION_DAYS = 14


def local(when: Optional[dt.datetime], tz: str) -> str:
    """'2026-03-09 10:30 CDT' in the plan's zone, or '-'."""
    return when.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M %Z") if when else "-"


def fmt_left(left: Optional[dt.timedelta]) -> str:
    if left is None:
        return "-"
    secs = int(abs(left.total_seconds()))
    d, h, m = secs // 86400, secs % 86400 // 3600, secs % 3600 // 60
    text = f"{d}d {h}h" if d else f"{h}h {m}m"
    return text if left.total_seconds() >= 0 else f"overdue {text}"


@dataclass(frozen=True)
class Clock:
    due: str  # absolute, in the plan's zone
    left: str  # "6d 23h", "overdue 2h 5m", or "decided 2026-03-04 09:12 CST"
    seconds_left: Optional[int]  # None once decided (the clock is stopped) or before submission
    overdue: bool
    decided: str  # the decision time, or "-"
    decided_late: bool
    information: str = ""  # "information due ...", "information overdue since ...", "new information received ..."
    information_overdue: bool = False


def information(r, tz: str, now: dt.datetime) -> tuple[str, bool]:
    """Where a request for information stands: waiting (due or overdue: its response deadline passed without an
    answer), or answered, with when the answer arrived."""
    if r.disposition == "information_requested" and r.information_due_at is not None:
        if now > r.information_due_at:
            return f"information overdue since {local(r.information_due_at, tz)}", True
        return f"information due {local(r.information_due_at, tz)}", False
    if r.disposition == "information_received" and r.information_received_at is not None:
        return f"new information received {local(r.information_received_at, tz)}", False
    return "", False


def clock(r, tz: str, now: Optional[dt.datetime] = None) -> Clock:
    """The request's clock; `r` is a PARequest (deadline_at, decided_at, and its request for information)."""
    now = now or utcnow()
    if r.deadline_at is None:
        return Clock("-", "-", None, False, "-", False)
    if r.decided_at is not None:
        late = r.decided_at > r.deadline_at
        return Clock(local(r.deadline_at, tz), "decided " + local(r.decided_at, tz) + (" (late)" if late else ""), None,
                     False, local(r.decided_at, tz), late)
    left = r.deadline_at - now
    return Clock(local(r.deadline_at, tz), fmt_left(left), int(left.total_seconds()), left.total_seconds() < 0, "-", False,
                 *information(r, tz, now))
