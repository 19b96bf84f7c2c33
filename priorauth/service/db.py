"""Tables, engine and migrations. Times are stored as naive UTC and read back as aware UTC.

The audit log is append-only three times over: the ORM refuses to flush a
changed or deleted entry, the engine refuses any UPDATE or DELETE statement on
it, and the database itself has triggers that abort them (see the migration).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Optional

from alembic import command
from alembic.config import Config
from sqlalchemy import (JSON, Boolean, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text, TypeDecorator,
                        UniqueConstraint, create_engine, event)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class UTC(TypeDecorator):
    """Aware UTC datetimes in Python, naive UTC in the database (same on SQLite and PostgreSQL)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Optional[dt.datetime], dialect) -> Optional[dt.datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Optional[dt.datetime], dialect) -> Optional[dt.datetime]:
        return value.replace(tzinfo=dt.timezone.utc) if value is not None else None


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    org: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    # printed on determination letters: "Jane Roe, MD"
    full_name: Mapped[Optional[str]] = mapped_column(String(200))
    credentials: Mapped[Optional[str]] = mapped_column(String(80))


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    expires_at: Mapped[Optional[dt.datetime]] = mapped_column(UTC)  # None: issued before tokens expired; refused


class WebSession(Base):
    __tablename__ = "sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTC)


class PARequest(Base):
    """A prior-authorization request; its status columns are also the job of the work queue."""

    __tablename__ = "requests"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org: Mapped[str] = mapped_column(String(120), index=True)
    submitter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    cpt_codes: Mapped[list] = mapped_column(JSON)
    icd10_codes: Mapped[list] = mapped_column(JSON)
    patient_age: Mapped[Optional[int]] = mapped_column(Integer)
    birth_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    request_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    urgency: Mapped[str] = mapped_column(String(12))
    swo: Mapped[Optional[bool]] = mapped_column(Boolean)
    # draft -> queued -> reviewing -> ready | failed; a PAS request the requester cancelled: cancelled
    status: Mapped[str] = mapped_column(String(12), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    submitted_at: Mapped[Optional[dt.datetime]] = mapped_column(UTC)
    deadline_at: Mapped[Optional[dt.datetime]] = mapped_column(UTC, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[Optional[str]] = mapped_column(String(80))
    lease_until: Mapped[Optional[dt.datetime]] = mapped_column(UTC)
    error: Mapped[Optional[str]] = mapped_column(Text)
    decision: Mapped[Optional[str]] = mapped_column(String(20))
    action: Mapped[Optional[str]] = mapped_column(String(30))
    # the latest reviewer disposition; the audit log is the record, this is for the queue
    disposition: Mapped[Optional[str]] = mapped_column(String(30))
    # identity (PHI: never logged; viewing it is audited)
    reference: Mapped[Optional[str]] = mapped_column(String(40), index=True)  # the authorization number on approval
    patient_name: Mapped[Optional[str]] = mapped_column(String(200))
    patient_sex: Mapped[Optional[str]] = mapped_column(String(10))
    member_id: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    ordering_name: Mapped[Optional[str]] = mapped_column(String(200))
    ordering_npi: Mapped[Optional[str]] = mapped_column(String(10))
    servicing_name: Mapped[Optional[str]] = mapped_column(String(200))
    received_at: Mapped[Optional[dt.datetime]] = mapped_column(UTC)
    # work assignment and the clock: decided_at stops it; an extension moves deadline_at once
    # a user id; no foreign key, so that adding the column never rebuilds the table on SQLite
    assignee_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    decided_at: Mapped[Optional[dt.datetime]] = mapped_column(UTC)
    extension_reason: Mapped[Optional[str]] = mapped_column(Text)
    # the rule layer's decision on the reviewers' corrected findings (None: not corrected)
    corrected_decision: Mapped[Optional[str]] = mapped_column(String(20))
    # a request for information: its response deadline, and when the clinic's answer arrived; each answer is
    # reviewed again as review round 2, 3 ... (the first review is round 1)
    information_due_at: Mapped[Optional[dt.datetime]] = mapped_column(UTC)
    information_received_at: Mapped[Optional[dt.datetime]] = mapped_column(UTC)
    review_round: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class StoredFile(Base):
    __tablename__ = "files"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    # the review round the file was sent for: 1 with the request, 2 ... answering a request for information
    review_round: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class StoredReview(Base):
    """A review of a request, one per review round: the first, then one per answer to a request for information.

    The unique (request_id, review_round) is the database's guard against a round being reviewed twice; earlier
    rounds are kept as they were.
    """

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("request_id", "review_round", name="uq_reviews_request_round"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    review_round: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    case_json: Mapped[str] = mapped_column(Text)
    review_json: Mapped[str] = mapped_column(Text)
    worker: Mapped[str] = mapped_column(String(80))
    attempt: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    # the review the rule layer gives on the reviewers' corrected findings; the tool's review above is kept as it was
    corrected_json: Mapped[Optional[str]] = mapped_column(Text)


class Letter(Base):
    """A letter to the requester: every version is kept (a new one never replaces an older row)."""

    __tablename__ = "letters"
    __table_args__ = (UniqueConstraint("request_id", "kind", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer)
    html: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    sent_at: Mapped[Optional[dt.datetime]] = mapped_column(UTC)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[Optional[str]] = mapped_column(ForeignKey("requests.id"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class AppendOnly(Exception):
    """Raised on any attempt to change or remove an audit entry."""


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session: Session, flush_context, instances) -> None:
    if any(isinstance(o, AuditEntry) for o in list(session.dirty) + list(session.deleted)):
        raise AppendOnly("the audit log is append-only: entries are never changed or deleted")


_AUDIT_WRITE = re.compile(r"^\s*(UPDATE\s+\"?audit_log\"?|DELETE\s+FROM\s+\"?audit_log\"?|TRUNCATE\b.*\baudit_log\b)", re.I)


def _sqlite_pragmas(dbapi_conn, record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()
    # transactions are begun explicitly (BEGIN IMMEDIATE below), so that read-then-write never deadlocks
    dbapi_conn.isolation_level = None


def make_engine(url: str) -> Engine:
    """An engine with the audit guard; SQLite gets WAL, a busy timeout and write-locking transactions."""
    sqlite = url.startswith("sqlite")
    kw: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}} if sqlite else \
        {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20}
    engine = create_engine(url, **kw)
    if sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _guard(conn, cursor, statement, parameters, context, executemany):
        if _AUDIT_WRITE.match(statement):
            raise AppendOnly("the audit log is append-only: entries are never changed or deleted")
        return statement, parameters

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (Alembic, run in-process on every start)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
