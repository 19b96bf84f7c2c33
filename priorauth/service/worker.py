"""A standalone review worker process: `python -m priorauth.service.worker --database-url URL --data-dir DIR`.

Runs the same claim/review/store loop as the web process's worker threads, so
reviews can be scaled out (or a worker killed, to see its job retried).
"""

from __future__ import annotations

import argparse
import logging
import signal
from pathlib import Path

from priorauth.service.db import make_engine
from priorauth.service.jobs import Worker
from priorauth.service.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    """The worker's options, built apart from main so the docs test can list them."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--lease-seconds", type=float, default=300.0)
    return ap


def main() -> None:
    args = build_parser().parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings(data_dir=args.data_dir, database_url=args.database_url, lease_seconds=args.lease_seconds)
    w = Worker(make_engine(settings.url), settings)
    signal.signal(signal.SIGTERM, lambda *_: w.stop.set())
    w.run()


if __name__ == "__main__":
    main()
