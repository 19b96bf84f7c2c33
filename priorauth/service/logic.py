"""What the API and the pages share: visibility, creating requests with their files, the queue, reviewer actions.

Decision clock (CMS-0057-F, see clock.py): it starts when the request is
received (the given received time, else when its files are submitted) and
stops at the final disposition.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from types import SimpleNamespace
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from priorauth.codes import code_table
from priorauth.models import Case, Review
from priorauth.service.clock import CLOCK, MAX_EXTENSION_DAYS, fmt_left  # noqa: F401 - fmt_left is re-exported
from priorauth.service.db import AuditEntry, PARequest, StoredFile, User, utcnow
from priorauth.service.identity import COLUMNS, Identity
from priorauth.service.reference import reference_number
from priorauth.service.security import REVIEWERS, SEES_ALL
from priorauth.service.settings import Settings
from priorauth.service.uploads import Checked, remove_request_dir, write_private

# final dispositions: the clock stops, the outcome is the clinic's to see; a request for information is not one
FINAL = {"approved", "physician_approved", "physician_not_approved"}
APPROVED = {"approved", "physician_approved"}


class Forbidden(Exception):
    """The user may not do this; answered 403 (or 404 where existence itself is private)."""


class Conflict(Exception):
    """The request is not in a state that allows this; answered 409."""


ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")  # ICD-10-CM: M54.16, M5416, S32.009A
CPT = re.compile(r"^([0-9]{4}[0-9FTU]|[A-V][0-9]{4})$")  # CPT (72148), category II/III (3074F, 0275T), HCPCS (G0121)


def cpt_codes(v: list[str]) -> list[str]:
    """Upper-cased, trimmed CPT/HCPCS codes; ValueError naming the first bad one (shortened) otherwise."""
    v = [c.strip().upper() for c in v if c.strip()]
    bad = next((c for c in v if not CPT.match(c)), None)
    if not v or bad is not None:
        raise ValueError("CPT codes are five characters, such as 72148" + (f"; {bad[:12]!r} is not one" if bad else ""))
    return v


def icd10_codes(v: list[str]) -> list[str]:
    v = [c.strip().upper() for c in v if c.strip()]
    bad = next((c for c in v if not ICD10.match(c)), None)
    if bad is not None:
        raise ValueError(f"ICD-10 codes look like M54.16; {bad[:12]!r} is not one")
    return v


Code = Annotated[str, Field(max_length=12)]


class NewRequest(Identity):
    """The fields of a prior-authorization request as a submitter enters them (identity included)."""

    model_config = ConfigDict(extra="forbid")

    cpt_codes: list[Code] = Field(min_length=1, max_length=10)
    icd10_codes: list[Code] = Field(default=[], max_length=20)
    patient_age: Optional[int] = Field(default=None, ge=0, le=130)
    birth_date: Optional[dt.date] = None
    request_date: Optional[dt.date] = None
    urgency: Literal["standard", "expedited"] = "standard"
    has_standard_written_order: Optional[bool] = None

    @field_validator("cpt_codes")
    @classmethod
    def _cpt(cls, v: list[str]) -> list[str]:
        return cpt_codes(v)

    @field_validator("icd10_codes")
    @classmethod
    def _icd(cls, v: list[str]) -> list[str]:
        return icd10_codes(v)

    @model_validator(mode="after")
    def _age(self) -> "NewRequest":
        if self.birth_date and self.birth_date > (self.request_date or utcnow().date()):
            raise ValueError("the birth date is after the request date")
        return self


def visible(user: User, r: PARequest) -> bool:
    return user.role in SEES_ALL or r.org == user.org


def get_visible(db: Session, user: User, request_id: str) -> PARequest:
    """The request if this user may see it; another organization's request is reported as not found."""
    r = db.get(PARequest, request_id)
    if r is None or not visible(user, r):
        raise LookupError(request_id)
    return r


def audit(db: Session, user: Optional[User], request_id: Optional[str], action: str, detail: dict[str, Any]) -> None:
    db.add(AuditEntry(request_id=request_id, user_id=user.id if user else None, username=user.username if user else "system",
                      role=user.role if user else "system", action=action, detail=detail, at=utcnow()))


def create_request(db: Session, user: User, data: NewRequest) -> PARequest:
    if user.role not in ("submitter", "admin"):
        raise Forbidden("only submitters create requests")
    r = PARequest(id=secrets.token_hex(16), org=user.org, submitter_id=user.id, cpt_codes=data.cpt_codes,
                  icd10_codes=data.icd10_codes, patient_age=data.patient_age, birth_date=data.birth_date,
                  request_date=data.request_date, urgency=data.urgency, swo=data.has_standard_written_order,
                  status="draft", created_at=utcnow(), attempts=0, reference=reference_number(),
                  received_at=data.received_at, **{col: getattr(data, api) for api, col in COLUMNS.items()})
    db.add(r)
    db.flush()
    audit(db, user, r.id, "request_created", {"cpt_codes": data.cpt_codes, "urgency": data.urgency})
    return r


def attach_and_submit(db: Session, settings: Settings, user: User, r: PARequest, files: list[Checked]) -> list[StoredFile]:
    """Store the files and queue the review, all in the caller's transaction; files are removed if it fails.

    The first files of a draft start the clock. Files sent while a request for information is open answer it:
    they join the packet and the request is reviewed again (the next review round) on the clock already running.
    """
    if user.role not in ("submitter", "admin") or not visible(user, r):
        raise Forbidden("only the submitting organization attaches files")
    answer = r.status == "ready" and r.disposition == "information_requested"
    if r.status != "draft" and not answer:
        raise Conflict("this request was already submitted for review; files are accepted again only while the plan "
                       "is waiting on a request for information")
    if not files:
        raise ValueError("attach at least one file")
    if len(files) > settings.max_files:
        raise ValueError(f"at most {settings.max_files} files per request")
    stored, written = [], []
    round_ = r.review_round + 1 if answer else r.review_round
    try:
        for f in files:
            sf = StoredFile(id=secrets.token_hex(16), request_id=r.id, filename=f.filename, kind=f.kind, size=len(f.data),
                            sha256=f.sha256, created_at=utcnow(), review_round=round_)
            write_private(settings.uploads_dir / r.id / sf.id, f.data)
            written.append(sf.id)
            db.add(sf)
            stored.append(sf)
        now = utcnow()
        listed = [{"id": s.id, "name": s.filename, "kind": s.kind, "size": s.size} for s in stored]
        if answer:
            late = r.information_due_at is not None and now > r.information_due_at
            r.status, r.disposition, r.information_received_at = "queued", "information_received", now
            r.review_round, r.attempts = round_, 0  # a new job: its attempts count afresh
            audit(db, user, r.id, "information_received", {"files": listed, "round": r.review_round, "late": late})
        else:
            r.received_at = r.received_at or now
            r.status, r.submitted_at, r.deadline_at = "queued", now, r.received_at + CLOCK[r.urgency]
            audit(db, user, r.id, "files_uploaded", {"files": listed, "received_at": r.received_at.isoformat()})
        db.flush()
    except Exception:
        remove_request_dir(settings.uploads_dir, r.id, written)
        raise
    return stored


def commit_or_undo(db: Session, settings: Settings, r: PARequest, stored: list[StoredFile]) -> None:
    """Commit the request and its files, or remove the files just written: nothing is stored half-way."""
    try:
        db.commit()
    except Exception:
        db.rollback()
        remove_request_dir(settings.uploads_dir, r.id, [s.id for s in stored])
        raise


def store_files(db: Session, settings: Settings, user: User, request_id: str, files: list[Checked]) -> tuple[PARequest, list[StoredFile]]:
    """Attach checked files to an existing request (a draft's first files, or an answer) and commit, or store nothing."""
    r = get_visible(db, user, request_id)
    stored = attach_and_submit(db, settings, user, r, files)
    commit_or_undo(db, settings, r, stored)
    return r, stored


def time_left(r: PARequest, now: Optional[dt.datetime] = None) -> Optional[dt.timedelta]:
    """Time to the due date; None before submission and once decided (the clock is stopped)."""
    return (r.deadline_at - (now or utcnow())) if r.deadline_at and r.decided_at is None else None


SORTS = {"deadline": (PARequest.deadline_at, PARequest.created_at), "created": (PARequest.created_at,),
         "status": (PARequest.status, PARequest.deadline_at), "decision": (PARequest.decision, PARequest.deadline_at)}
VIEWS = ("needs_human", "mine", "decided", "all")


def search_filter(q: str):
    """Member id, reference, patient name, ordering provider (name or NPI) or servicing provider, case-insensitive."""
    like = f"%{q.strip().lower()}%"
    cols = (PARequest.member_id, PARequest.reference, PARequest.patient_name, PARequest.ordering_name,
            PARequest.ordering_npi, PARequest.servicing_name)
    return or_(*[func.lower(c).like(like) for c in cols])


def queue(db: Session, user: User, view: str = "needs_human", status: Optional[str] = None, decision: Optional[str] = None,
          urgency: Optional[str] = None, sort: str = "deadline", limit: int = 500, q: str = "") -> list[PARequest]:
    """Requests this user may see; default: what needs a human, earliest due date first.

    Views: needs_human (ready or failed, not finally decided), mine (claimed by this user, not decided),
    decided (a final disposition), all.
    """
    query = select(PARequest)
    if user.role not in SEES_ALL:
        query = query.where(PARequest.org == user.org)
        # the tool's recommendation is the plan's internal work: a clinic can neither filter nor sort by it
        decision, sort = None, "deadline" if sort.lstrip("-") == "decision" else sort
    if view == "needs_human":
        query = query.where(or_(PARequest.status == "failed",
                                and_(PARequest.status == "ready", or_(PARequest.disposition.is_(None), PARequest.disposition.not_in(FINAL)))))
    elif view == "mine":
        query = query.where(PARequest.assignee_id == user.id, PARequest.decided_at.is_(None))
    elif view == "decided":
        query = query.where(PARequest.decided_at.is_not(None))
    for col, val in ((PARequest.status, status), (PARequest.decision, decision), (PARequest.urgency, urgency)):
        if val:
            query = query.where(col == val)
    if q.strip():
        query = query.where(search_filter(q))
    desc = sort.startswith("-")
    cols = SORTS.get(sort.lstrip("-"), SORTS["deadline"])
    query = query.order_by(*[c.desc() if desc else c for c in cols], PARequest.id)
    return list(db.scalars(query.limit(limit)))


def audit_view(db: Session, user: User, requests: list[PARequest], where: str) -> None:
    """Identity fields are PHI: every view that shows them is audited (who, when, on which page, which requests).

    A request's own page or answer is one entry on that request; a list (the queue, a search) is one entry
    naming every request it showed, so a page that refreshes itself does not write hundreds of rows a minute.
    """
    if not requests:
        return
    if len(requests) == 1 and where in ("request", "api_request"):
        db.add(AuditEntry(request_id=requests[0].id, user_id=user.id, username=user.username, role=user.role,
                          action="identity_viewed", detail={"where": where}, at=utcnow()))
    else:
        db.add(AuditEntry(request_id=None, user_id=user.id, username=user.username, role=user.role,
                          action="identities_listed", detail={"where": where, "requests": [r.id for r in requests]},
                          at=utcnow()))
    db.commit()


def require_plan_staff(user: User, what: str) -> None:
    """Workload and figures are the plan's own: reviewers and admins only."""
    if user.role not in SEES_ALL:
        raise Forbidden(f"{what} are for the plan's reviewers and admins")


# --- work assignment ---------------------------------------------------------------------------------


def lock(db: Session, r: PARequest) -> None:
    """Re-read the request under a row lock (PostgreSQL; SQLite's transactions here already hold the write lock),
    so two reviewers acting at once cannot both see it undecided or unclaimed."""
    db.refresh(r, with_for_update=True)


def claim_case(db: Session, user: User, r: PARequest) -> None:
    """A reviewer takes a case; a case someone else holds must be released by them (or an admin) first."""
    if user.role not in REVIEWERS:
        raise Forbidden("only nurse and physician reviewers claim cases")
    lock(db, r)
    if r.decided_at is not None:
        raise Conflict("the request is already decided")
    if r.assignee_id not in (None, user.id):
        holder = db.get(User, r.assignee_id)
        raise Conflict(f"{holder.username if holder else 'another reviewer'} has this case; they release it first")
    r.assignee_id = user.id
    audit(db, user, r.id, "claimed", {})


def release_case(db: Session, user: User, r: PARequest) -> None:
    lock(db, r)
    if r.assignee_id is None:
        raise Conflict("nobody has this case")
    if r.assignee_id != user.id and user.role != "admin":
        raise Forbidden("only the reviewer who has the case (or an admin) releases it")
    holder = db.get(User, r.assignee_id)
    r.assignee_id = None
    audit(db, user, r.id, "released", {"from": holder.username if holder else None})


def workload(db: Session, now: Optional[dt.datetime] = None) -> list[dict[str, Any]]:
    """Per reviewer: open claimed cases, how many are overdue, and the earliest due date."""
    now = now or utcnow()
    out = []
    for u in db.scalars(select(User).where(User.role.in_(REVIEWERS), User.active.is_(True)).order_by(User.username)):
        mine = list(db.scalars(select(PARequest).where(PARequest.assignee_id == u.id, PARequest.decided_at.is_(None))))
        dues = sorted(r.deadline_at for r in mine if r.deadline_at)
        out.append({"username": u.username, "role": u.role, "open": len(mine),
                    "overdue": sum(1 for d in dues if d < now), "next_due": dues[0] if dues else None})
    return out


def assignee_names(db: Session, rows: list[PARequest]) -> dict[int, str]:
    ids = {r.assignee_id for r in rows if r.assignee_id}
    return {u.id: u.username for u in db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def stored_review(db: Session, request_id: str, round_: Optional[int] = None) -> Optional[tuple[Case, Review]]:
    """The case and the tool's review of the request's latest review round (or of round `round_`)."""
    from priorauth.service.redecide import latest

    s = latest(db, request_id, round_)
    if s is None:
        return None
    return Case.model_validate_json(s.case_json), Review.model_validate_json(s.review_json)


# --- reviewer actions -------------------------------------------------------------------------------

ActionName = Literal["confirm_approval", "route_to_physician", "request_information", "physician_determination",
                     "mark_finding_wrong", "add_finding", "extend"]
# why a finding is wrong; the first five are also the labeling spec's distractor reasons (see export.py)
WRONG_REASONS = {"negated": "negated", "family": "family history", "historical": "historical",
                 "hypothetical": "hypothetical", "other_patient_context": "about someone else",
                 "contradicted_by_exam": "contradicted by the exam", "patient_reported_only": "reported by the patient only",
                 "another_cause": "another cause", "not_documented": "not documented", "wrong_code": "wrong code",
                 "other": "other (say why in the note)"}
CORRECTIONS = ("mark_finding_wrong", "add_finding")


class ActionIn(BaseModel):
    """One reviewer action; which fields are needed depends on `action`."""

    model_config = ConfigDict(extra="forbid")

    action: ActionName
    note: str = Field(default="", max_length=4000)
    missing: list[Annotated[str, Field(max_length=300)]] = Field(default=[], max_length=20)
    determination: Optional[Literal["approve", "not_approved"]] = None
    code: Optional[str] = Field(default=None, max_length=40)
    doc: Optional[str] = Field(default=None, max_length=300)
    start: Optional[int] = Field(default=None, ge=0)
    end: Optional[int] = Field(default=None, ge=0)
    text: Optional[str] = Field(default=None, max_length=2000)
    page: Optional[int] = Field(default=None, ge=1)  # offsets are within this page's text (the page's own block)
    reason: Optional[Literal[tuple(WRONG_REASONS)]] = None  # type: ignore[valid-type]
    days: Optional[int] = Field(default=None, ge=1, le=MAX_EXTENSION_DAYS)

    @model_validator(mode="after")
    def _needs(self) -> "ActionIn":
        a = self.action
        if a == "route_to_physician" and not self.note.strip():
            raise ValueError("routing to a physician needs a note for the physician")
        if a == "physician_determination" and self.determination is None:
            raise ValueError("a physician's determination is 'approve' or 'not_approved'")
        if a == "physician_determination" and self.determination == "not_approved" and not self.note.strip():
            raise ValueError("a determination that does not approve needs the physician's reason in the note")
        if a in CORRECTIONS:
            if not self.code or self.doc is None or self.start is None or self.end is None:
                raise ValueError("a correction names the finding code, document, start and end")
            if self.code not in code_table().by_code:
                raise ValueError(f"unknown finding code {self.code}")
            if self.end <= self.start:
                raise ValueError("the selected span is empty")
        if a == "mark_finding_wrong" and self.reason is None:
            raise ValueError(f"say why the finding is wrong: one of {', '.join(WRONG_REASONS)}")
        if a == "mark_finding_wrong" and self.reason == "other" and not self.note.strip():
            raise ValueError("say in the note why the finding is wrong")
        if a == "add_finding" and not self.text:
            raise ValueError("an added finding carries the selected text")
        if a == "extend" and (self.days is None or not self.note.strip()):
            raise ValueError(f"an extension needs its length (1 to {MAX_EXTENSION_DAYS} days) and its reason in the note")
        return self


DISPOSITION = {"confirm_approval": "approved", "route_to_physician": "routed_to_physician",
               "request_information": "information_requested"}


def _locate(text: str, start: int, end: int, quote: str) -> tuple[int, int]:
    """Offsets computed here, never trusted from the browser: the quote's occurrence nearest the given start."""
    if text[start:end] == quote:
        return start, end
    hits, i = [], text.find(quote)
    while i >= 0 and quote:
        hits.append(i)
        i = text.find(quote, i + 1)
    if not hits:
        raise ValueError("the selected text is not in that document")
    best = min(hits, key=lambda h: abs(h - start))
    return best, best + len(quote)


def effective_decision(r: PARequest, rev: Review) -> str:
    """The rule layer's decision on the corrected findings when reviewers corrected them, else the tool's."""
    return r.corrected_decision or rev.decision


def record_action(db: Session, user: User, r: PARequest, a: ActionIn, settings: Optional[Settings] = None) -> AuditEntry:
    """Check role and state, then append the action to the audit log (and update the queue's columns).

    A final disposition stops the clock and writes its letter; a correction re-runs the rule layer.
    """
    if user.role not in REVIEWERS:
        raise Forbidden("only nurse and physician reviewers act on reviews")
    lock(db, r)
    if r.status != "ready":
        raise Conflict("the review is not ready")
    if r.disposition in FINAL:
        raise Conflict(f"the request already has a final disposition ({r.disposition})")
    case, rev = stored_review(db, r.id)
    detail: dict[str, Any] = {}
    now = utcnow()
    if a.action == "physician_determination":
        if user.role != "physician":
            raise Forbidden("only a physician reviewer records a physician's determination")
        r.disposition = "physician_approved" if a.determination == "approve" else "physician_not_approved"
        detail["determination"] = a.determination
    elif a.action == "extend":
        if r.extension_reason is not None:
            raise Conflict("the request was already extended once")
        r.deadline_at = r.deadline_at + dt.timedelta(days=a.days)
        r.extension_reason = a.note.strip()
        detail.update(days=a.days, due=r.deadline_at.isoformat(), reason=r.extension_reason)
    elif a.action in DISPOSITION:
        if a.action == "confirm_approval":
            if effective_decision(r, rev) != "meets_criteria":
                raise Conflict("only a review that meets the criteria can be confirmed; route it to a physician instead")
            # an approval the tool did not give, only the corrected findings: a human decision
            detail["basis"] = "tool" if rev.decision == "meets_criteria" else "correction"
        if a.action == "request_information":
            from priorauth.service.letters import respond_by

            detail["missing"] = [m.strip() for m in a.missing if m.strip()] or list(rev.missing)
            r.information_due_at = respond_by(r, rev, now)
            r.information_received_at = None  # the answer to this request is still to come
            detail["respond_by"] = r.information_due_at.isoformat()
        r.disposition = DISPOSITION[a.action]
    else:
        texts = {d.id: d.text for d in case.documents}
        if a.doc not in texts:
            raise ValueError("no document of this request has that id")
        if a.action == "mark_finding_wrong":
            spans = [(s.doc, s.start, s.end) for f in rev.findings if f.code == a.code for s in f.evidence]
            if (a.doc, a.start, a.end) not in spans:
                raise ValueError("the review has no such finding at that span")
            detail.update(code=a.code, doc=a.doc, start=a.start, end=a.end, text=texts[a.doc][a.start:a.end], reason=a.reason)
        else:
            base = 0
            if a.page is not None:
                doc = next(d for d in case.documents if d.id == a.doc)
                base = next((p.start for p in (getattr(doc, "pages", None) or []) if p.page == a.page), 0)
            start, end = _locate(texts[a.doc], base + a.start, base + a.end, a.text or "")
            detail.update(code=a.code, doc=a.doc, start=start, end=end, text=texts[a.doc][start:end])
    if a.note.strip() and a.action != "extend":
        detail["note"] = a.note.strip()
    entry = AuditEntry(request_id=r.id, user_id=user.id, username=user.username, role=user.role, action=a.action,
                       detail=detail, at=now)
    db.add(entry)
    db.flush()
    if a.action in CORRECTIONS:
        from priorauth.service.redecide import redecide

        redecide(db, r, case, rev, user)
    if r.disposition in FINAL and r.decided_at is None:
        r.decided_at = now
    if settings is not None and a.action in ("confirm_approval", "request_information", "physician_determination"):
        from priorauth.service.letters import issue_for

        issue_for(db, settings, user, r, case, rev, entry)
    db.flush()
    return entry


def request_files(db: Session, request_id: str) -> list[StoredFile]:
    """The request's uploaded files, in upload order."""
    return list(db.scalars(select(StoredFile).where(StoredFile.request_id == request_id).order_by(StoredFile.created_at)))


# what the clinic sees of the trail: its own steps, the outcome, extensions and letters, never notes or corrections
CLINIC_DETAIL = {"request_created": ("cpt_codes", "urgency"), "files_uploaded": ("files", "received_at"),
                 "fhir_submitted": ("documents",), "confirm_approval": (), "physician_determination": ("determination",),
                 "request_information": ("missing", "respond_by"),
                 "information_received": ("files", "round", "late"), "review_failed": ("reason",), "extend": ("days", "due", "reason"), "letter_sent": ("kind", "version")}


def clinic_trail(trail: list[AuditEntry]) -> list[SimpleNamespace]:
    """The clinic's view of a request's audit trail: the plan's people appear as 'plan', internal work not at all."""
    out = []
    for e in trail:
        keys = CLINIC_DETAIL.get(e.action)
        if keys is None:
            continue
        plan = e.role not in ("submitter", "system")
        out.append(SimpleNamespace(id=e.id, at=e.at, username="plan" if plan else e.username, role="plan" if plan else e.role,
                                   action=e.action, detail={k: e.detail[k] for k in keys if k in e.detail}))
    return out


def audit_trail(db: Session, request_id: str) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).where(AuditEntry.request_id == request_id).order_by(AuditEntry.id)))
