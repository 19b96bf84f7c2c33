"""The work queue: requests are the jobs; workers claim them atomically under a lease.

A claim is one atomic step: `SELECT ... FOR UPDATE SKIP LOCKED` then UPDATE on
PostgreSQL, a single `UPDATE ... WHERE id = (SELECT ...) AND status = ...` on
SQLite (whose transactions here take the write lock up front). A job whose
worker stops is claimable again once its lease runs out. Finishing is
conditional on still holding the lease, and the reviews table has one row per
request at most, so a packet is reviewed exactly once even if a slow worker
wakes up after its job was handed to another.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from typing import Callable, Optional

from sqlalchemy import and_, null, or_, select, update
from sqlalchemy import case as sql_case
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from priorauth.models import Case, Request, Review, age_on
from priorauth.pipeline import TextTooLong
from priorauth.service.db import AuditEntry, PARequest, StoredFile, StoredReview, utcnow
from priorauth.service.settings import Settings
from priorauth.packet import document_ids, note_document
from priorauth.service.uploads import read_upload


log = logging.getLogger("priorauth.service.jobs")


@dataclass(frozen=True)
class Claim:
    request_id: str
    worker: str
    attempt: int


class ReadError(Exception):
    """A stored file could not be turned into note text; the message is one sentence without note text."""


class LeaseLost(Exception):
    """The worker no longer holds the job (its lease ran out and another worker took it)."""


def _claimable(now: dt.datetime, max_attempts: int):
    return or_(PARequest.status == "queued", and_(PARequest.status == "reviewing", PARequest.lease_until < now,
                                                  PARequest.attempts < max_attempts))


def claim(engine: Engine, worker: str, lease_seconds: float, now: Optional[dt.datetime] = None,
          max_attempts: int = 3) -> Optional[Claim]:
    """Take the queued (or abandoned) job with the earliest deadline, or None when there is none."""
    now = now or utcnow()
    until = now + dt.timedelta(seconds=lease_seconds)
    values = dict(status="reviewing", lease_owner=worker, lease_until=until, attempts=PARequest.attempts + 1)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            rid = conn.execute(select(PARequest.id).where(_claimable(now, max_attempts)).order_by(PARequest.deadline_at, PARequest.id)
                               .limit(1).with_for_update(skip_locked=True)).scalar()
            if rid is None:
                return None
            row = conn.execute(update(PARequest).where(PARequest.id == rid).values(**values)
                               .returning(PARequest.id, PARequest.attempts)).first()
        else:
            first = select(PARequest.id).where(_claimable(now, max_attempts)).order_by(PARequest.deadline_at, PARequest.id).limit(1)
            row = conn.execute(update(PARequest).where(PARequest.id == first.scalar_subquery(), _claimable(now, max_attempts))
                               .values(**values).returning(PARequest.id, PARequest.attempts)).first()
        return Claim(row[0], worker, row[1]) if row else None


def extend(engine: Engine, c: Claim, lease_seconds: float, now: Optional[dt.datetime] = None) -> bool:
    """Renew the lease of a job this worker still holds (the heartbeat of a long review, e.g. OCR of a long fax)."""
    now = now or utcnow()
    with engine.begin() as conn:
        done = conn.execute(update(PARequest).where(PARequest.id == c.request_id, PARequest.status == "reviewing",
                                                    PARequest.lease_owner == c.worker)
                            .values(lease_until=now + dt.timedelta(seconds=lease_seconds)))
        return done.rowcount == 1


class Heartbeat:
    """Renews the lease every third of its length while a job runs; a killed worker stops renewing, so its job is retried."""

    def __init__(self, engine: Engine, c: Claim, lease_seconds: float):
        self.engine, self.c, self.lease = engine, c, lease_seconds
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name="priorauth-lease-heartbeat")

    def _run(self) -> None:
        while not self.stop.wait(self.lease / 3):
            try:
                if not extend(self.engine, self.c, self.lease):
                    return
            except Exception as e:  # noqa: BLE001 - a missed beat only risks a duplicate attempt, never a duplicate review
                log.warning("lease renewal for %s failed (%s)", self.c.request_id, type(e).__name__)

    def __enter__(self) -> "Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def _system_audit(conn, request_id: str, action: str, detail: dict, now: dt.datetime) -> None:
    conn.execute(AuditEntry.__table__.insert().values(request_id=request_id, user_id=None, username="system",
                                                       role="system", action=action, detail=detail, at=now))


def finish(engine: Engine, c: Claim, case_json: str, review_json: str, decision: str, action: str,
           corrected: Optional[Review] = None) -> None:
    """Store the review of the request's current round and mark the job ready, only if this worker still holds it.

    `corrected` is the rule layer on the reviewers' corrections carried over to this round's review (None: none).
    """
    now = utcnow()
    corrected_decision = corrected.decision if corrected else None
    with engine.begin() as conn:
        done = conn.execute(update(PARequest).where(PARequest.id == c.request_id, PARequest.status == "reviewing",
                                                    PARequest.lease_owner == c.worker)
                            .values(status="ready", decision=decision, action=action, lease_owner=None,
                                    lease_until=None, error=None, corrected_decision=corrected_decision)
                            .returning(PARequest.review_round)).first()
        if done is None:
            raise LeaseLost(c.request_id)
        conn.execute(StoredReview.__table__.insert().values(
            request_id=c.request_id, review_round=done[0], case_json=case_json, review_json=review_json, worker=c.worker,
            attempt=c.attempt, created_at=now, corrected_json=corrected.model_dump_json() if corrected else None))
        detail = {"decision": decision, "action": action, "attempt": c.attempt, "round": done[0]}
        if corrected is not None:
            detail["corrected_decision"] = corrected_decision
        _system_audit(conn, c.request_id, "review_ready", detail, now)


def _failed(error: str) -> dict:
    """What a failure sets. A first review fails the request; a later round (the clinic's answer could not be read)
    leaves the previous round's review standing for the reviewers, and the request for information open again so the
    clinic can send a readable file; the error says why either way."""
    later = PARequest.review_round > 1
    return dict(status=sql_case((later, "ready"), else_="failed"), error=error, lease_owner=None, lease_until=None,
                disposition=sql_case((later, "information_requested"), else_=PARequest.disposition),
                information_received_at=sql_case((later, null()), else_=PARequest.information_received_at))


def fail(engine: Engine, c: Claim, reason: str) -> None:
    """Mark the job failed with a one-line reason; the uploads stay."""
    now = utcnow()
    with engine.begin() as conn:
        done = conn.execute(update(PARequest).where(PARequest.id == c.request_id, PARequest.status == "reviewing",
                                                    PARequest.lease_owner == c.worker)
                            .values(**_failed(reason)).returning(PARequest.review_round)).first()
        if done is not None:
            _system_audit(conn, c.request_id, "review_failed", {"reason": reason, "attempt": c.attempt, "round": done[0]}, now)


def give_up_abandoned(engine: Engine, max_attempts: int, now: Optional[dt.datetime] = None) -> int:
    """Jobs whose workers died `max_attempts` times fail instead of being claimed forever."""
    now = now or utcnow()
    with engine.begin() as conn:
        rows = conn.execute(update(PARequest).where(PARequest.status == "reviewing", PARequest.lease_until < now,
                                                    PARequest.attempts >= max_attempts)
                            .values(**_failed(f"the review stopped {max_attempts} times without finishing"))
                            .returning(PARequest.id, PARequest.review_round)).all()
        for rid, round_ in rows:
            _system_audit(conn, rid, "review_failed", {"reason": "worker stopped repeatedly", "round": round_}, now)
        return len(rows)


def carried_corrections(engine: Engine, request_id: str, case: Case, rev: Review) -> Optional[Review]:
    """A later round (after the clinic answered a request for information) keeps the reviewers' corrections: its
    earlier documents are the ones the corrections point into, so a finding marked wrong stays wrong and an added
    one stays; None when nobody corrected anything."""
    from priorauth.service.logic import CORRECTIONS
    from priorauth.service.redecide import corrected_findings, decide_corrected

    with Session(engine) as db:
        trail = list(db.scalars(select(AuditEntry).where(AuditEntry.request_id == request_id,
                                                         AuditEntry.action.in_(CORRECTIONS)).order_by(AuditEntry.id)))
    return decide_corrected(case, rev, corrected_findings(rev, trail)) if trail else None


def build_case(engine: Engine, settings: Settings, request_id: str) -> Case:
    """The packet as the pipeline reads it: request fields and one document per stored file.

    A later review round (the clinic answered a request for information) is the previous round's case as it was
    read (its files, or a PAS Bundle's own documents) plus the files of this answer: every document, none read twice.
    """
    with engine.connect() as conn:
        r = conn.execute(select(PARequest).where(PARequest.id == request_id)).first()
        files = conn.execute(select(StoredFile).where(StoredFile.request_id == request_id,
                                                      StoredFile.review_round == r.review_round)
                             .order_by(StoredFile.created_at, StoredFile.id)).all()
        before = conn.execute(select(StoredReview.case_json).where(StoredReview.request_id == request_id,
                                                                   StoredReview.review_round < r.review_round)
                              .order_by(StoredReview.review_round.desc()).limit(1)).scalar()
    previous = Case.model_validate_json(before) if before else None
    docs = list(previous.documents) if previous else []
    ids = document_ids([*(d.id for d in docs), *(f.filename for f in files)])[len(docs):]
    for f, doc_id in zip(files, ids):
        data = (settings.uploads_dir / request_id / f.id).read_bytes()
        try:
            ingested = read_upload(doc_id, data)
        except ValueError as e:
            raise ReadError(str(e).splitlines()[0][:300] if str(e) else f"{doc_id}: the file could not be read") from None
        docs.append(note_document(doc_id, ingested, r.request_date))  # the CLI's dating: the note's own date of service
    if previous is not None:
        return previous.model_copy(update={"documents": docs})
    age = r.patient_age
    if age is None and r.birth_date is not None:
        on = r.request_date or utcnow().date()
        age = age_on(r.birth_date, on)
    req = Request(cpt_codes=list(r.cpt_codes), icd10_codes=list(r.icd10_codes) or None, patient_age=age,
                  request_date=r.request_date, has_standard_written_order=r.swo)
    return Case(id=request_id, request=req, documents=docs)


def process(engine: Engine, settings: Settings, c: Claim, reviewer: Callable[[Case], object]) -> str:
    """Read, review and store one claimed job; returns the final status. Never logs note text."""
    try:
        with Heartbeat(engine, c, settings.lease_seconds):
            case = build_case(engine, settings, c.request_id)
            rev = reviewer(case)
            corrected = carried_corrections(engine, c.request_id, case, rev)
    except Exception as e:  # noqa: BLE001 - any failure of one packet is recorded, never fatal to the worker
        reason = str(e) if isinstance(e, (ReadError, TextTooLong)) else f"the review failed ({type(e).__name__})"
        log.warning("request %s failed on attempt %d (%s)", c.request_id, c.attempt, type(e).__name__)
        fail(engine, c, reason)
        return "failed"
    try:
        finish(engine, c, case.model_dump_json(), rev.model_dump_json(), rev.decision, rev.action, corrected)
    except (LeaseLost, IntegrityError):
        log.warning("request %s: lease lost before finishing; another worker owns it", c.request_id)
        return "lost"
    log.info("request %s reviewed (attempt %d)", c.request_id, c.attempt)
    return "ready"


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker(threading.Thread):
    """A background review loop: claim, review, store; sleeps briefly when the queue is empty."""

    def __init__(self, engine: Engine, settings: Settings, reviewer: Optional[Callable[[Case], object]] = None):
        super().__init__(daemon=True, name="priorauth-review-worker")
        self.engine, self.settings = engine, settings
        self.reviewer = reviewer
        self.name_ = worker_name()
        self.stop = threading.Event()

    def run_once(self) -> Optional[str]:
        c = claim(self.engine, self.name_, self.settings.lease_seconds, max_attempts=self.settings.max_attempts)
        if c is None:
            give_up_abandoned(self.engine, self.settings.max_attempts)  # only when idle: it takes the write lock
            return None
        return process(self.engine, self.settings, c, self.reviewer or default_reviewer())

    def run(self) -> None:
        self.reviewer = self.reviewer or default_reviewer()  # load the model before claiming anything
        while not self.stop.is_set():
            try:
                if self.run_once() is None:
                    self.stop.wait(self.settings.poll_seconds)
            except Exception as e:  # noqa: BLE001 - a database hiccup must not end the worker
                log.error("worker error (%s); retrying", type(e).__name__)
                self.stop.wait(1.0)


_review_lock = threading.Lock()


def default_reviewer() -> Callable[[Case], object]:
    from priorauth.pipeline import default_extractor, review

    with _review_lock:
        extractor = default_extractor()

    def run(case: Case):
        with _review_lock:  # one review at a time per process: the spaCy pipeline is shared
            return review(case, extractor)

    return run
