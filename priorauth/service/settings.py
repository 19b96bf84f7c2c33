"""Service settings: where data lives, which database, limits and timings."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from priorauth.ingest.base import _env_number  # a bad value is one sentence (a ValueError)


def default_data_dir() -> Path:
    return Path(os.environ.get("PRIORAUTH_DATA_DIR") or Path.home() / ".local" / "share" / "priorauth")


@dataclass
class Settings:
    """One place for everything the service can be told; the defaults give a working local service."""

    data_dir: Path = field(default_factory=default_data_dir)
    database_url: Optional[str] = None  # None: SQLite file inside data_dir
    workers: int = 1  # background review threads in the web process
    lease_seconds: float = 300.0  # a claimed job whose worker stops is retried after this
    max_attempts: int = 3  # a job whose worker died this many times fails with a reason
    poll_seconds: float = 0.25
    max_file_bytes: int = 20 * 1024 * 1024
    max_files: int = 20
    session_hours: float = 8.0
    token_hours: float = field(default_factory=lambda: _env_number("PRIORAUTH_TOKEN_HOURS", 24.0))
    signin_account_failures: int = field(default_factory=lambda: int(_env_number("PRIORAUTH_SIGNIN_ACCOUNT_FAILURES", 5)))
    signin_address_failures: int = field(default_factory=lambda: int(_env_number("PRIORAUTH_SIGNIN_ADDRESS_FAILURES", 50)))
    signin_window_minutes: float = field(default_factory=lambda: _env_number("PRIORAUTH_SIGNIN_WINDOW_MINUTES", 15.0))
    # behind HTTPS (a TLS-terminating proxy) set PRIORAUTH_SECURE_COOKIES=1 so the session cookie is Secure
    secure_cookies: bool = field(default_factory=lambda: os.environ.get("PRIORAUTH_SECURE_COOKIES", "") in ("1", "true", "yes"))
    # PAS $submit answers within this many seconds: a slower review (OCR) is answered pended and finished in the background
    fhir_answer_seconds: float = field(default_factory=lambda: _env_number("PRIORAUTH_FHIR_ANSWER_SECONDS", 10.0))
    notify_seconds: float = 1.0  # how often PAS subscription notifications are detected and sent
    # the plan's time zone: due dates, decision times, letters and metrics periods are shown in it
    timezone: str = field(default_factory=lambda: os.environ.get("PRIORAUTH_TIMEZONE", "UTC"))
    # the letterhead of letters to requesters
    plan_name: str = field(default_factory=lambda: os.environ.get("PRIORAUTH_PLAN_NAME", "Health Plan Utilization Management"))
    plan_contact: str = field(default_factory=lambda: os.environ.get("PRIORAUTH_PLAN_CONTACT", ""))

    def __post_init__(self) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        self.data_dir = Path(self.data_dir)
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"PRIORAUTH_TIMEZONE {self.timezone!r} is not an IANA time zone such as America/Chicago") from None

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'priorauth.sqlite3'}"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def tmp_dir(self) -> Path:
        """Private temporary files (OCR page images, spooled uploads): `<data dir>/tmp/<host>-<pid>`, never /tmp."""
        return self.data_dir / "tmp"

    def prepare(self) -> None:
        """Create the data directory, the uploads directory and the SQLite file owner-only (they hold PHI).

        Also points this process's temporary files at a private directory under the data directory (umask 077),
        removing what processes that no longer run left there.
        """
        from priorauth.ingest.privatetmp import use_private_tmp

        for d in (self.data_dir, self.uploads_dir):
            d.mkdir(parents=True, exist_ok=True)
            os.chmod(d, 0o700)
        use_private_tmp(self.tmp_dir)
        if self.database_url is None:  # the embedded database holds notes: 0600 (SQLite gives its -wal/-shm the same)
            db = self.data_dir / "priorauth.sqlite3"
            os.close(os.open(db, os.O_WRONLY | os.O_CREAT, 0o600))
            os.chmod(db, 0o600)
