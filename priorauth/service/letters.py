"""Letters to the requester: approval, request for information, physician determination; HTML and PDF, every version kept.

The words are data per guideline (`letters.json` beside the guideline's
criteria), validated when loaded; the layout is one template
(templates/letter.html). The PDF is rendered from the same HTML by WeasyPrint,
a maintained HTML/CSS-to-PDF library: the printable page and the PDF cannot
drift apart, and it needs only Pango from the system (no browser, no
downloads). A letter is issued with the disposition that calls for it, marked
sent at once (the clinic can download it from then on), and audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import string
from typing import Any, Optional
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from priorauth.extract.resources import Strict
from priorauth.guidelines import DEFAULT, get
from priorauth.models import Case, Review
from priorauth.service.clock import local
from priorauth.service.db import AuditEntry, Letter, PARequest, User, utcnow
from priorauth.service.settings import Settings

KINDS = {"approval": "Approval", "request_for_information": "Request for information",
         "determination": "Physician determination"}
FIELDS = {"policy", "reference", "valid_from", "valid_to", "respond_by", "due", "reason", "appeal_days"}


class LetterText(Strict):
    title: str = Field(min_length=1)
    paragraphs: list[str] = Field(min_length=1)


class LetterData(Strict):
    """A guideline's letters.json."""

    doc: str = Field(default="", alias="_doc")
    validity_days: int = Field(ge=1, le=366)
    units_per_code: int = Field(ge=1, le=100)
    rfi_response_days: int = Field(ge=1, le=30)
    appeal_days: int = Field(ge=1, le=365)
    approval: LetterText
    request_for_information: LetterText
    determination: LetterText
    appeal_rights: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _placeholders(self) -> "LetterData":
        texts = [*self.appeal_rights, *(p for t in (self.approval, self.request_for_information, self.determination)
                                          for p in [t.title, *t.paragraphs])]
        for t in texts:
            unknown = {f for _, f, _, _ in string.Formatter().parse(t) if f} - FIELDS
            if unknown:
                raise ValueError(f"unknown placeholder(s) {sorted(unknown)} in {t[:60]!r}; known: {sorted(FIELDS)}")
        return self


_cache: dict[str, LetterData] = {}


def letter_data(guideline_id: Optional[str]) -> LetterData:
    """The guideline's letters.json; a guideline without one uses the default guideline's words (they name the policy
    through {policy}, so they read right for any guideline)."""
    g = get(guideline_id)
    if g.id not in _cache:
        source = g if g.path("letters.json").exists() else get(DEFAULT)
        _cache[g.id] = LetterData.model_validate(source.read_json("letters.json"))
    return _cache[g.id]


def kind_for(entry: AuditEntry) -> Optional[str]:
    if entry.action == "request_information":
        return "request_for_information"
    if entry.action == "confirm_approval" or entry.detail.get("determination") == "approve":
        return "approval"
    if entry.detail.get("determination") == "not_approved":
        return "determination"
    return None


def respond_by(r: PARequest, rev: Review, issued: dt.datetime) -> dt.datetime:
    """A request for information's response deadline: the guideline's `rfi_response_days` after it is issued, but a day
    before the decision is due (the clock keeps running), and never before it is issued."""
    days = letter_data(rev.policy.id if rev.policy else None).rfi_response_days
    respond = min(issued + dt.timedelta(days=days), r.deadline_at - dt.timedelta(hours=24))
    return respond if respond > issued else r.deadline_at


def _policy(rev: Review) -> str:
    """The policy (each, for a request spanning guidelines) the review applied, with its version."""
    named = [f"{p.title} ({p.number}" + (f", version {p.version}" if p.version else "") + f", effective {p.effective})"
             for p in ([x.policy for x in rev.parts] if rev.parts else [rev.policy]) if p]
    return " and ".join(named) or "the plan's medical policy"


def context(settings: Settings, user: User, r: PARequest, rev: Review, kind: str, entry: AuditEntry) -> dict[str, Any]:
    """Everything letter.html shows; the guideline's words are filled in here."""
    data = letter_data(rev.policy.id if rev.policy else None)
    tz = settings.timezone
    issued = entry.at
    day = issued.astimezone(ZoneInfo(tz)).date()
    fill: dict[str, Any] = {"policy": _policy(rev), "reference": r.reference, "appeal_days": data.appeal_days,
                            "due": local(r.deadline_at, tz), "reason": entry.detail.get("note", ""),
                            "valid_from": day.isoformat(), "valid_to": (day + dt.timedelta(days=data.validity_days)).isoformat(),
                            "respond_by": "-"}
    if kind == "request_for_information":
        fill["respond_by"] = local(r.information_due_at or respond_by(r, rev, issued), tz)
    text = getattr(data, kind)
    not_met = [c for c in rev.criteria_results if c.status == "not_met" and c.citations][:5]
    return {"plan": settings.plan_name, "contact": settings.plan_contact, "kind": kind, "kind_name": KINDS[kind],
            "title": text.title.format(**fill), "paragraphs": [p.format(**fill) for p in text.paragraphs], "r": r,
            "issued": local(issued, tz), "received": local(r.received_at, tz), "units": data.units_per_code,
            "valid_from": fill["valid_from"], "valid_to": fill["valid_to"], "respond_by": fill["respond_by"],
            "missing": entry.detail.get("missing", []), "reason": fill["reason"], "reasons": rev.reasons[:3],
            "citations": not_met, "reviewer": user.full_name or user.username, "credentials": user.credentials or "",
            "appeal": [p.format(**fill) for p in data.appeal_rights] if kind == "determination" else []}


def render_pdf(html: str) -> bytes:
    return _weasyprint_html()(string=html, base_url=None).write_pdf()


def _weasyprint_html():
    """WeasyPrint's HTML class, imported without its side effect on Pillow.

    Importing weasyprint sets Pillow's process-wide ``ImageFile.LOAD_TRUNCATED_IMAGES``, after which a truncated
    upload would be OCR'd as a blank image instead of refused as damaged; letters load no images, so the flag is
    put back as it was."""
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        from weasyprint import HTML
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before
    return HTML


def issue_for(db: Session, settings: Settings, user: User, r: PARequest, case: Case, rev: Review, entry: AuditEntry) -> Optional[Letter]:
    """Write, store and audit the letter the disposition `entry` calls for (a new version if one was sent before)."""
    from priorauth.service.pages import env
    from priorauth.service.redecide import corrected_review

    kind = kind_for(entry)
    if kind is None:
        return None
    review = corrected_review(db, r.id) or rev
    html = env.get_template("letter.html").render(**context(settings, user, r, review, kind, entry))
    pdf = render_pdf(html)
    version = (db.scalar(select(func.max(Letter.version)).where(Letter.request_id == r.id, Letter.kind == kind)) or 0) + 1
    now = utcnow()
    letter = Letter(request_id=r.id, kind=kind, version=version, html=html, pdf=pdf,
                    sha256=hashlib.sha256(pdf).hexdigest(), created_by=user.id, created_at=now, sent_at=now)
    db.add(letter)
    db.flush()
    db.add(AuditEntry(request_id=r.id, user_id=user.id, username=user.username, role=user.role, action="letter_sent",
                      detail={"letter": letter.id, "kind": kind, "version": version, "sha256": letter.sha256}, at=now))
    return letter


def letters_of(db: Session, request_id: str, sent_only: bool = False) -> list[Letter]:
    q = select(Letter).where(Letter.request_id == request_id)
    if sent_only:
        q = q.where(Letter.sent_at.is_not(None))
    return list(db.scalars(q.order_by(Letter.id)))
