"""A standalone review worker process: `python -m priorauth.service.worker --database-url URL --data-dir DIR`.

Runs the same claim/review/store loop as the web process's worker threads, so
reviews can be scaled out (or a worker killed, to see its job retried).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
from pathlib import Path

from priorauth.ingest.privatetmp import use_private_tmp
from priorauth.service.db import make_engine
from priorauth.service.jobs import Worker
from priorauth.service.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    """The worker's options, built apart from main so the docs test can list them. Like `priorauth serve`, a
    flag not given falls back to PRIORAUTH_DATA_DIR and PRIORAUTH_DATABASE_URL, so one environment configures
    the server and its workers alike (else a worker quietly opened SQLite and never saw the server's jobs)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    data_dir = os.environ.get("PRIORAUTH_DATA_DIR")
    ap.add_argument("--data-dir", type=Path, default=Path(data_dir) if data_dir else None, required=not data_dir,
                    help="uploads and the default SQLite database (else PRIORAUTH_DATA_DIR)")
    ap.add_argument("--database-url", default=os.environ.get("PRIORAUTH_DATABASE_URL") or None,
                    help="SQLAlchemy URL (else PRIORAUTH_DATABASE_URL, else SQLite in the data directory)")
    ap.add_argument("--lease-seconds", type=float, default=300.0,
                    help="how long a claimed job stays with a worker that stops renewing it (default 300)")
    return ap


def main() -> None:
    args = build_parser().parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings(data_dir=args.data_dir, database_url=args.database_url, lease_seconds=args.lease_seconds)
        use_private_tmp(settings.tmp_dir)  # OCR's page images stay under the data directory, owner-only
    except (ValueError, OSError) as e:  # a bad PRIORAUTH_* setting, an unusable data directory: one sentence
        raise SystemExit(f"priorauth worker: {e}") from None
    w = Worker(make_engine(settings.url), settings)
    signal.signal(signal.SIGTERM, lambda *_: w.stop.set())
    w.run()


if __name__ == "__main__":
    main()
