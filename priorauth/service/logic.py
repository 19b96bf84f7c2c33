"""What the API and the pages share: visibility, creating requests with their files, the queue, reviewer actions.

Decision clock (CMS-0057-F): a payer decides an expedited request within 72
hours and a standard one within 7 calendar days of receiving it; here the
clock starts when the packet is submitted for review (files attached).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from priorauth.codes import code_table
from priorauth.models import Case, Review
from priorauth.service.db import AuditEntry, PARequest, StoredFile, StoredReview, User, utcnow
from priorauth.service.security import REVIEWERS, SEES_ALL
from priorauth.service.settings import Settings
from priorauth.service.uploads import Checked, remove_request_dir, write_private

CLOCK = {"expedited": dt.timedelta(hours=72), "standard": dt.timedelta(days=7)}
FINAL = {"approved", "information_requested", "physician_approved", "physician_not_approved"}


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


class NewRequest(BaseModel):
    """The fields of a prior-authorization request as a submitter enters them."""

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
                  status="draft", created_at=utcnow(), attempts=0)
    db.add(r)
    db.flush()
    audit(db, user, r.id, "request_created", {"cpt_codes": data.cpt_codes, "urgency": data.urgency})
    return r


def attach_and_submit(db: Session, settings: Settings, user: User, r: PARequest, files: list[Checked]) -> list[StoredFile]:
    """Store the files and queue the review, all in the caller's transaction; files are removed if it fails."""
    if user.role not in ("submitter", "admin") or not visible(user, r):
        raise Forbidden("only the submitting organization attaches files")
    if r.status != "draft":
        raise Conflict("this request was already submitted for review; create a new request for more files")
    if not files:
        raise ValueError("attach at least one file")
    if len(files) > settings.max_files:
        raise ValueError(f"at most {settings.max_files} files per request")
    stored, written = [], []
    try:
        for f in files:
            sf = StoredFile(id=secrets.token_hex(16), request_id=r.id, filename=f.filename, kind=f.kind, size=len(f.data),
                            sha256=f.sha256, created_at=utcnow())
            write_private(settings.uploads_dir / r.id / sf.id, f.data)
            written.append(sf.id)
            db.add(sf)
            stored.append(sf)
        now = utcnow()
        r.status, r.submitted_at, r.deadline_at = "queued", now, now + CLOCK[r.urgency]
        audit(db, user, r.id, "files_uploaded", {"files": [{"id": s.id, "name": s.filename, "kind": s.kind, "size": s.size}
                                                           for s in stored]})
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


def time_left(r: PARequest, now: Optional[dt.datetime] = None) -> Optional[dt.timedelta]:
    return (r.deadline_at - (now or utcnow())) if r.deadline_at else None


def fmt_left(left: Optional[dt.timedelta]) -> str:
    if left is None:
        return "-"
    secs = int(abs(left.total_seconds()))
    d, h, m = secs // 86400, secs % 86400 // 3600, secs % 3600 // 60
    text = f"{d}d {h}h" if d else f"{h}h {m}m"
    return text if left.total_seconds() >= 0 else f"overdue {text}"


SORTS = {"deadline": (PARequest.deadline_at, PARequest.created_at), "created": (PARequest.created_at,),
         "status": (PARequest.status, PARequest.deadline_at), "decision": (PARequest.decision, PARequest.deadline_at)}


def queue(db: Session, user: User, view: str = "needs_human", status: Optional[str] = None, decision: Optional[str] = None,
          urgency: Optional[str] = None, sort: str = "deadline", limit: int = 500) -> list[PARequest]:
    """Requests this user may see; default: what needs a human, oldest deadline first."""
    q = select(PARequest)
    if user.role not in SEES_ALL:
        q = q.where(PARequest.org == user.org)
    if view == "needs_human":
        q = q.where(or_(PARequest.status == "failed",
                        and_(PARequest.status == "ready", or_(PARequest.disposition.is_(None), PARequest.disposition.not_in(FINAL)))))
    for col, val in ((PARequest.status, status), (PARequest.decision, decision), (PARequest.urgency, urgency)):
        if val:
            q = q.where(col == val)
    desc = sort.startswith("-")
    cols = SORTS.get(sort.lstrip("-"), SORTS["deadline"])
    q = q.order_by(*[c.desc() if desc else c for c in cols], PARequest.id)
    return list(db.scalars(q.limit(limit)))


def stored_review(db: Session, request_id: str) -> Optional[tuple[Case, Review]]:
    s = db.scalar(select(StoredReview).where(StoredReview.request_id == request_id))
    if s is None:
        return None
    return Case.model_validate_json(s.case_json), Review.model_validate_json(s.review_json)


# --- reviewer actions -------------------------------------------------------------------------------

ActionName = Literal["confirm_approval", "route_to_physician", "request_information", "physician_determination",
                     "mark_finding_wrong", "add_finding"]
WRONG_REASONS = ("negated", "family", "historical", "hypothetical", "other_patient_context", "not_documented", "wrong_code")


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
    reason: Optional[Literal[WRONG_REASONS]] = None  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _needs(self) -> "ActionIn":
        a = self.action
        if a == "route_to_physician" and not self.note.strip():
            raise ValueError("routing to a physician needs a note for the physician")
        if a == "physician_determination" and self.determination is None:
            raise ValueError("a physician's determination is 'approve' or 'not_approved'")
        if a == "physician_determination" and self.determination == "not_approved" and not self.note.strip():
            raise ValueError("a determination that does not approve needs the physician's reason in the note")
        if a in ("mark_finding_wrong", "add_finding"):
            if not self.code or self.doc is None or self.start is None or self.end is None:
                raise ValueError("a correction names the finding code, document, start and end")
            if self.code not in code_table().by_code:
                raise ValueError(f"unknown finding code {self.code}")
            if self.end <= self.start:
                raise ValueError("the selected span is empty")
        if a == "mark_finding_wrong" and self.reason is None:
            raise ValueError(f"say why the finding is wrong: one of {', '.join(WRONG_REASONS)}")
        if a == "add_finding" and not self.text:
            raise ValueError("an added finding carries the selected text")
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


def record_action(db: Session, user: User, r: PARequest, a: ActionIn) -> AuditEntry:
    """Check role and state, then append the action to the audit log (and update the queue's disposition)."""
    if user.role not in REVIEWERS:
        raise Forbidden("only nurse and physician reviewers act on reviews")
    if r.status != "ready":
        raise Conflict("the review is not ready")
    case, rev = stored_review(db, r.id)
    detail: dict[str, Any] = {}
    if a.action == "physician_determination":
        if user.role != "physician":
            raise Forbidden("only a physician reviewer records a physician's determination")
        r.disposition = "physician_approved" if a.determination == "approve" else "physician_not_approved"
        detail["determination"] = a.determination
    elif a.action in DISPOSITION:
        if a.action == "confirm_approval" and rev.decision != "meets_criteria":
            raise Conflict("only a review that meets the criteria can be confirmed; route it to a physician instead")
        if r.disposition in FINAL:
            raise Conflict(f"the request already has a final disposition ({r.disposition})")
        if a.action == "request_information":
            detail["missing"] = [m.strip() for m in a.missing if m.strip()] or list(rev.missing)
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
    if a.note.strip():
        detail["note"] = a.note.strip()
    entry = AuditEntry(request_id=r.id, user_id=user.id, username=user.username, role=user.role, action=a.action,
                       detail=detail, at=utcnow())
    db.add(entry)
    db.flush()
    return entry


def request_files(db: Session, request_id: str) -> list[StoredFile]:
    """The request's uploaded files, in upload order."""
    return list(db.scalars(select(StoredFile).where(StoredFile.request_id == request_id).order_by(StoredFile.created_at)))


def audit_trail(db: Session, request_id: str) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).where(AuditEntry.request_id == request_id).order_by(AuditEntry.id)))
