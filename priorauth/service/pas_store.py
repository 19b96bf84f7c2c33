"""Tables of the PAS endpoint: requests received by FHIR, their submissions, subscriptions and the notification outbox.

A request received by `$submit` is one queue row (`requests`, whose `reference`
is the PAS preAuthRef) with one `fhir_requests` row (whether it was ever
pended, what was last notified, the cancelled lines) and one `fhir_submissions` row per Bundle received for it: the first
submission, each update and cancel. Retrying a Bundle with the same identifiers
finds its submission and gets the same response. The outbox holds each
notification until the subscriber's endpoint took it, so a restart loses none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Optional

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from priorauth.service.db import UTC, Base, utcnow


class FhirRequest(Base):
    __tablename__ = "fhir_requests"
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    org: Mapped[str] = mapped_column(String(120), index=True)
    pended: Mapped[bool] = mapped_column(Boolean, default=False)  # answered A4 at least once: subscribers hear of its decision
    notified_state: Mapped[Optional[str]] = mapped_column(String(120))
    cancelled: Mapped[list] = mapped_column(JSON, default=list)  # item sequences cancelled by the requester
    last_response_id: Mapped[Optional[str]] = mapped_column(String(36), index=True)  # id of the newest response Bundle sent
    last_response_json: Mapped[Optional[str]] = mapped_column(Text)  # read by id-only subscribers (GET /fhir/Bundle/{id})
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class FhirSubmission(Base):
    __tablename__ = "fhir_submissions"
    __table_args__ = (UniqueConstraint("org", "submit_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    org: Mapped[str] = mapped_column(String(120))
    submit_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(12))  # submit | update
    claim_keys: Mapped[list] = mapped_column(JSON)  # "system|value" and "|value" of each Claim.identifier
    bundle_json: Mapped[str] = mapped_column(Text)  # the request as read (PHI, like the stored case)
    response_json: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class FhirSubscription(Base):
    __tablename__ = "fhir_subscriptions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org: Mapped[str] = mapped_column(String(120), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(12))  # active | error | off
    endpoint: Mapped[str] = mapped_column(String(2000))
    content: Mapped[str] = mapped_column(String(20))  # empty | id-only | full-resource
    headers: Mapped[list] = mapped_column(JSON, default=list)
    resource_json: Mapped[str] = mapped_column(Text)
    events: Mapped[int] = mapped_column(Integer, default=0)  # events since the subscription started (eventsSinceSubscriptionStart)
    error: Mapped[Optional[str]] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class FhirOutbox(Base):
    __tablename__ = "fhir_outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("fhir_subscriptions.id"), index=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"))
    event_number: Mapped[int] = mapped_column(Integer)
    payload_json: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTC, index=True)
    delivered_at: Mapped[Optional[dt.datetime]] = mapped_column(UTC)
    failed: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[Optional[str]] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


def identifier_keys(identifiers: list[dict]) -> list[str]:
    """`system|value` and `|value` for each identifier: an inquiry may name the claim with another system."""
    out: list[str] = []
    for i in identifiers or []:
        if i.get("value"):
            out += [f"{i.get('system') or ''}|{i['value']}", f"|{i['value']}"]
    return list(dict.fromkeys(out))


def submit_key(bundle_identifier: dict, claim_identifiers: list[dict]) -> str:
    """The idempotency key of a Bundle: its identifier and its Claim's identifiers (what a retry repeats)."""
    raw = json.dumps([bundle_identifier.get("system"), bundle_identifier.get("value"),
                      [(i.get("system"), i.get("value")) for i in claim_identifiers or []]])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def find_submission(db: Session, org: str, key: str) -> Optional[FhirSubmission]:
    return db.scalar(select(FhirSubmission).where(FhirSubmission.org == org, FhirSubmission.submit_key == key))


def submissions_for_claim(db: Session, org: str, identifiers: list[dict]) -> list[FhirSubmission]:
    """Submissions of this organisation whose Claim carries one of these identifiers, newest first."""
    wanted = set(identifier_keys(identifiers))
    exact = {k for k in wanted if not k.startswith("|")}
    rows = list(db.scalars(select(FhirSubmission).where(FhirSubmission.org == org).order_by(FhirSubmission.id.desc())))
    by_system = [r for r in rows if exact & set(r.claim_keys)]
    return by_system or [r for r in rows if wanted & set(r.claim_keys)]


def latest_submission(db: Session, request_id: str) -> FhirSubmission:
    return db.scalars(select(FhirSubmission).where(FhirSubmission.request_id == request_id)
                      .order_by(FhirSubmission.id.desc()).limit(1)).one()
