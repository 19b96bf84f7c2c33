"""PAS subscriptions (FHIR R4 Subscriptions Backport, topic-based, rest-hook) and their delivery.

A submitting organisation subscribes to the PAS topic; when a request of that
organisation that was answered pended changes (its background review finishes,
a reviewer certifies it, asks for documents, or a physician does not approve
it) every active subscription of the organisation gets a notification Bundle
(type history: the SubscriptionStatus Parameters, then, for `full-resource`,
the PAS response Bundle; for `id-only`, only its id, readable at
`GET /fhir/Bundle/{id}`; for `empty`, nothing but the event).

The outbox is a table: the change is detected and the notification written in
one transaction, and a row is only marked delivered once the endpoint answered
2xx, so a restart loses no notification (it is sent again, with the same event
number, which the receiver can use to drop a duplicate). Failed deliveries are
retried with exponential backoff (1 s doubling to 5 min) up to `MAX_ATTEMPTS`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import secrets
import threading
import urllib.error
import urllib.request
import uuid
from typing import Optional
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from priorauth.fhir import systems
from priorauth.fhir.errors import FhirError
from priorauth.fhir.outbound import now_utc
from priorauth.fhir.resources import normalize
from priorauth.service.db import PARequest, User, utcnow
from priorauth.service.pas_service import current_response, remember_response, state_key
from priorauth.service.pas_store import FhirOutbox, FhirRequest, FhirSubscription

log = logging.getLogger("priorauth.service.pas")
BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition"
EXT_FILTER = f"{BACKPORT}/backport-filter-criteria"
EXT_CONTENT = f"{BACKPORT}/backport-payload-content"
STATUS_PROFILE = f"{BACKPORT}/backport-subscription-status-r4"
CONTENTS = ("empty", "id-only", "full-resource")
MAX_ATTEMPTS = 12
TIMEOUT = 10.0


def _ip(host: str) -> Optional[ipaddress._BaseAddress]:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _loopback(host: str) -> bool:
    ip = _ip(host)
    return host == "localhost" or (ip is not None and ip.is_loopback)


def _internal(host: str) -> bool:
    """An address literal of a private, link-local or reserved network: not a subscriber's endpoint."""
    ip = _ip(host)
    return ip is not None and not ip.is_loopback and (ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast
                                                     or ip.is_unspecified)


def read_subscription(data: dict) -> tuple[str, str, list[str]]:
    """(endpoint, payload content, headers) of a PAS Subscription; FhirError naming the element otherwise."""
    sub = normalize(data, "Subscription", "Subscription")
    if sub.get("criteria") != systems.SUBSCRIPTION_TOPIC:
        raise FhirError("Subscription.criteria", f"this server offers the PAS topic {systems.SUBSCRIPTION_TOPIC} only")
    ch = sub.get("channel") or {}
    if ch.get("type") != "rest-hook":
        raise FhirError("Subscription.channel.type", "only rest-hook channels are supported")
    endpoint = ch.get("endpoint") or ""
    parts = urlsplit(endpoint)
    if not parts.hostname or parts.scheme not in ("https", "http") or (parts.scheme == "http" and not _loopback(parts.hostname)):
        raise FhirError("Subscription.channel.endpoint", "must be an https URL (plain http only to this machine, 127.0.0.1)")
    if _internal(parts.hostname):
        raise FhirError("Subscription.channel.endpoint", "must not be an address of a private or reserved network")
    if ch.get("payload", "application/fhir+json") not in ("application/fhir+json", "application/json"):
        raise FhirError("Subscription.channel.payload", "notifications are sent as application/fhir+json")
    content = next((e.get("valueCode") for e in ((data.get("channel") or {}).get("_payload") or {}).get("extension") or []
                    if e.get("url") == EXT_CONTENT), "id-only")
    if content not in CONTENTS:
        raise FhirError("Subscription.channel._payload", f"payload content must be one of {', '.join(CONTENTS)}")
    headers = [h for h in ch.get("header") or [] if isinstance(h, str) and ":" in h and "\n" not in h and "\r" not in h]
    return endpoint, content, headers


def create_subscription(db: Session, user: User, data: dict) -> dict:
    endpoint, content, headers = read_subscription(data)
    sid = secrets.token_hex(16)
    resource = {**data, "id": sid, "status": "active"}
    resource.setdefault("meta", {"profile": [systems.PROFILE_SUBSCRIPTION]})
    db.add(FhirSubscription(id=sid, org=user.org, user_id=user.id, status="active", endpoint=endpoint, content=content,
                            headers=headers, resource_json=json.dumps(resource), events=0, created_at=utcnow()))
    db.commit()
    return resource


def subscription_resource(s: FhirSubscription) -> dict:
    res = json.loads(s.resource_json)
    res["status"] = {"active": "active", "error": "error", "off": "off"}[s.status]
    if s.error:
        res["error"] = s.error
    return res


def notification(s: FhirSubscription, event: int, response: Optional[dict]) -> dict:
    """The R4 backport notification Bundle for one event on this subscription."""
    focus_url = f"urn:uuid:{response['id']}" if response else None
    part = [{"name": "event-number", "valueString": str(event)}, {"name": "timestamp", "valueInstant": now_utc()}]
    if response and s.content == "full-resource":
        part.append({"name": "focus", "valueReference": {"reference": focus_url}})
    elif response and s.content == "id-only":
        part.append({"name": "focus", "valueReference": {"reference": f"Bundle/{response['id']}"}})
    status = {"resourceType": "Parameters", "id": str(uuid.uuid4()), "meta": {"profile": [STATUS_PROFILE]},
              "parameter": [{"name": "subscription", "valueReference": {"reference": f"Subscription/{s.id}"}},
                            {"name": "topic", "valueCanonical": systems.SUBSCRIPTION_TOPIC},
                            {"name": "status", "valueCode": "active"},
                            {"name": "type", "valueCode": "event-notification"},
                            {"name": "events-since-subscription-start", "valueString": str(event)},
                            {"name": "notification-event", "part": part}]}
    # a history Bundle: every entry has request and response (FHIR R4 bdl-3, bdl-4)
    entries = [{"fullUrl": f"urn:uuid:{status['id']}", "resource": status,
                "request": {"method": "GET", "url": f"Subscription/{s.id}/$status"}, "response": {"status": "200"}}]
    if response and s.content == "full-resource":
        entries.append({"fullUrl": focus_url, "resource": response, "request": {"method": "POST", "url": "Bundle"},
                        "response": {"status": "201"}})
    return {"resourceType": "Bundle", "id": str(uuid.uuid4()), "type": "history", "timestamp": now_utc(), "entry": entries}


def enqueue_changes(db: Session) -> int:
    """Write a notification for every pended request whose state changed since subscribers last heard; same transaction."""
    n = 0
    q = select(FhirRequest, PARequest).join(PARequest, PARequest.id == FhirRequest.request_id).where(FhirRequest.pended.is_(True))
    if db.get_bind().dialect.name == "postgresql":  # two service processes never notify the same change twice
        q = q.with_for_update(of=FhirRequest, skip_locked=True)
    rows = db.execute(q).all()
    for f, r in rows:
        key = state_key(r, f)
        if key == f.notified_state or r.status in ("queued", "reviewing"):
            continue
        response = current_response(db, r, f)
        remember_response(f, response)
        f.notified_state = key
        subs = list(db.scalars(select(FhirSubscription).where(FhirSubscription.org == f.org,
                                                              FhirSubscription.status == "active")))
        for s in subs:
            s.events += 1
            db.add(FhirOutbox(subscription_id=s.id, request_id=r.id, event_number=s.events,
                              payload_json=json.dumps(notification(s, s.events, response)), attempts=0,
                              next_attempt_at=utcnow(), failed=False, created_at=utcnow()))
            n += 1
    return n


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is not followed (it could lead to an address the endpoint check refuses): it counts as a failure."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def post(endpoint: str, headers: list[str], body: bytes) -> Optional[str]:
    """POST one notification; None when the endpoint took it (2xx), else a short reason (no payload in it)."""
    req = urllib.request.Request(endpoint, data=body, method="POST",
                                 headers={"Content-Type": "application/fhir+json",
                                          **{k.strip(): v.strip() for k, v in (h.split(":", 1) for h in headers)}})
    try:
        with _OPENER.open(req, timeout=TIMEOUT) as resp:  # endpoint checked when subscribed
            return None if 200 <= resp.status < 300 else f"HTTP {resp.status}"
    except urllib.error.HTTPError as e:
        return f"HTTP {e.code}"
    except (urllib.error.URLError, OSError, ValueError) as e:
        return type(e).__name__


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(2 ** max(attempts - 1, 0), 300))


def deliver_due(sessions: sessionmaker, now: Optional[dt.datetime] = None) -> tuple[int, int]:
    """Send every notification that is due, oldest first; (delivered, failed attempts)."""
    now = now or utcnow()
    with sessions() as db:
        due = [(o.id, o.payload_json, s.endpoint, list(s.headers or []))
               for o, s in db.execute(select(FhirOutbox, FhirSubscription)
                                      .join(FhirSubscription, FhirSubscription.id == FhirOutbox.subscription_id)
                                      .where(FhirOutbox.delivered_at.is_(None), FhirOutbox.failed.is_(False),
                                             FhirOutbox.next_attempt_at <= now, FhirSubscription.status != "off")
                                      .order_by(FhirOutbox.id)).all()]
    sent = bad = 0
    for oid, payload, endpoint, headers in due:
        with sessions() as db:  # claim the row: another notifier process that read it too finds it taken
            taken = db.execute(update(FhirOutbox).where(FhirOutbox.id == oid, FhirOutbox.delivered_at.is_(None),
                                                        FhirOutbox.next_attempt_at <= now)
                               .values(next_attempt_at=utcnow() + dt.timedelta(seconds=TIMEOUT * 3)))
            db.commit()
        if taken.rowcount != 1:
            continue
        error = post(endpoint, headers, payload.encode("utf-8"))  # outside any transaction: a slow endpoint holds no lock
        with sessions() as db:
            o = db.get(FhirOutbox, oid)
            o.attempts += 1
            if error is None:
                o.delivered_at, o.last_error = utcnow(), None
                sent += 1
            else:
                bad += 1
                o.last_error = error
                o.next_attempt_at = utcnow() + backoff(o.attempts)
                if o.attempts >= MAX_ATTEMPTS:
                    o.failed = True
                    s = db.get(FhirSubscription, o.subscription_id)
                    s.status, s.error = "error", f"notification {o.event_number} undeliverable: {error}"
                log.warning("notification %s to subscription %s not delivered (%s), attempt %s", o.event_number,
                            o.subscription_id, error, o.attempts)
            db.commit()
    return sent, bad


class Notifier(threading.Thread):
    """Detects changes and delivers notifications every `interval` seconds, in the web process."""

    def __init__(self, sessions: sessionmaker, interval: float = 1.0):
        super().__init__(daemon=True, name="priorauth-pas-notifier")
        self.sessions, self.interval = sessions, interval
        self.stop = threading.Event()

    def run_once(self) -> tuple[int, int]:
        with self.sessions() as db:
            enqueue_changes(db)
            db.commit()
        return deliver_due(self.sessions)

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - the next tick tries again; nothing is lost (the outbox is a table)
                log.exception("PAS notifier tick failed")
