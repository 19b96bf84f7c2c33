"""`priorauth serve`: the app on uvicorn, with access logs that carry method, path and status only (never bodies)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

from priorauth.service.settings import Settings


def serve(host: str = "127.0.0.1", port: int = 8000, data_dir: Optional[Path] = None, database_url: Optional[str] = None,
          workers: int = 1, lease_seconds: float = 300.0) -> None:
    """Create and migrate the database if needed, start the review workers, and serve until interrupted."""
    import uvicorn

    from priorauth.service.app import create_app

    from priorauth.service.db import make_engine, migrate

    try:
        settings = Settings(database_url=database_url, workers=workers, lease_seconds=lease_seconds,
                            **({"data_dir": data_dir} if data_dir else {}))
    except ValueError as e:  # a bad PRIORAUTH_* setting
        raise SystemExit(f"priorauth serve: {e}") from None
    try:  # fail with one sentence, before uvicorn starts, when the data directory or database is unusable
        settings.prepare()
        engine = make_engine(settings.url)
        migrate(engine)
        engine.dispose()
    except Exception as e:  # noqa: BLE001 - any setup failure is reported the same way
        first = (str(e).strip().splitlines() or [type(e).__name__])[0][:300]
        raise SystemExit(f"priorauth serve: cannot use the data directory or database ({type(e).__name__}: {first})") from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", access_log=True, server_header=False)
