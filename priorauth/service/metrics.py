"""Decision figures from the audit log, per period, as CMS-0057-F asks payers to publish them.

Read only from audit entries (never from the requests' mutable columns), per
request in entry order: received (the files_uploaded entry's received_at, or the
FHIR submission), urgency (request_created / fhir_submitted), the tool's
recommendation (review_ready), an extension (extend), and the final
disposition (confirm_approval, or physician_determination). A request counts in
the period (calendar month, quarter or year in the plan's time zone) of its final disposition.

- approved, denied: shares of decisions that approve / do not approve;
- approved after appeal: share of appealed decisions approved on appeal (blank: no appeals are recorded);
- extended: share of decisions whose request was extended;
- decision time: hours from received to the final disposition, mean and median, standard and expedited apart;
- auto-approval rate: share of decisions that confirm the tool's own approval recommendation;
- override rate: share of decisions that reverse the tool's recommendation: the tool recommended approval and the
  request was not approved, or an approval rests only on reviewers' corrections (basis "correction").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from dataclasses import dataclass
from typing import Optional
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from priorauth.service.db import AuditEntry

COLUMNS = ["period", "decisions", "approved_share", "denied_share", "approved_after_appeal_share", "extended_share",
           "standard_decisions", "standard_mean_hours", "standard_median_hours", "expedited_decisions",
           "expedited_mean_hours", "expedited_median_hours", "auto_approval_rate", "override_rate"]


@dataclass
class Track:
    received: Optional[dt.datetime] = None
    urgency: str = "standard"
    tool: Optional[str] = None
    extended: bool = False
    outcome: Optional[str] = None  # approved | denied
    basis: str = "tool"
    decided: Optional[dt.datetime] = None
    appealed: bool = False  # no appeal action exists yet: the appeal share stays blank


def tracks(db: Session) -> dict[str, Track]:
    out: dict[str, Track] = {}
    for e in db.scalars(select(AuditEntry).where(AuditEntry.request_id.is_not(None)).order_by(AuditEntry.id)):
        t = out.setdefault(e.request_id, Track())
        d = e.detail or {}
        if e.action in ("request_created", "fhir_submitted") and d.get("urgency"):
            t.urgency = d["urgency"]
        if e.action == "files_uploaded":
            t.received = dt.datetime.fromisoformat(d["received_at"]) if d.get("received_at") else e.at
        elif e.action == "fhir_submitted":
            t.received = e.at
        elif e.action == "review_ready":
            t.tool = d.get("decision")
        elif e.action == "extend":
            t.extended = True
        elif t.outcome is None and e.action == "confirm_approval":
            t.outcome, t.basis, t.decided = "approved", d.get("basis", "tool"), e.at
        elif t.outcome is None and e.action == "physician_determination":
            t.outcome, t.decided = ("approved" if d.get("determination") == "approve" else "denied"), e.at
    return {k: t for k, t in out.items() if t.outcome and t.received}


def _share(n: int, total: int) -> Optional[float]:
    return round(n / total, 4) if total else None


def _hours(ts: list[Track]) -> tuple[int, Optional[float], Optional[float]]:
    h = [(t.decided - t.received).total_seconds() / 3600 for t in ts]
    return len(h), (round(statistics.fmean(h), 2) if h else None), (round(statistics.median(h), 2) if h else None)


PERIODS = {"month": lambda d: d.strftime("%Y-%m"), "quarter": lambda d: f"{d.year}-Q{(d.month - 1) // 3 + 1}",
           "year": lambda d: str(d.year)}


def figures(db: Session, tz: str, period: str = "month") -> list[dict]:
    """One row per period (month, quarter or year in the plan's zone) with a decision, newest first."""
    zone, key = ZoneInfo(tz), PERIODS[period]
    by_period: dict[str, list[Track]] = {}
    for t in tracks(db).values():
        by_period.setdefault(key(t.decided.astimezone(zone)), []).append(t)
    rows = []
    for period in sorted(by_period, reverse=True):
        ts = by_period[period]
        n = len(ts)
        approved = [t for t in ts if t.outcome == "approved"]
        appealed = [t for t in ts if t.appealed]
        std, exp = _hours([t for t in ts if t.urgency != "expedited"]), _hours([t for t in ts if t.urgency == "expedited"])
        overrides = sum(1 for t in ts if (t.tool == "meets_criteria" and t.outcome != "approved")
                        or (t.outcome == "approved" and t.basis == "correction"))
        auto = sum(1 for t in approved if t.tool == "meets_criteria" and t.basis == "tool")
        rows.append(dict(zip(COLUMNS, [period, n, _share(len(approved), n), _share(n - len(approved), n),
                                       _share(sum(1 for t in appealed if t.outcome == "approved"), len(appealed)),
                                       _share(sum(1 for t in ts if t.extended), n), *std, *exp,
                                       _share(auto, n), _share(overrides, n)])))
    return rows


def to_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if v is None else v) for k, v in r.items()})
    return buf.getvalue()
