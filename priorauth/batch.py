"""Batch review: one output record per input line, in input order, optionally across worker processes."""

from __future__ import annotations

import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from priorauth.extract.spec import ExtractorSpec
from priorauth.jsonl import Line, loads
from priorauth.models import ErrorRecord


def case_id_of(raw: str) -> Optional[str]:
    """The line's case id when it can be read, else None (never raises)."""
    try:
        value = loads(raw)
        return str(value.get("id")) if isinstance(value, dict) and value.get("id") is not None else None
    except Exception:
        return None


def brief(exc: Exception) -> str:
    """The error's gist without echoing input values (they may be note text)."""
    if hasattr(exc, "errors"):
        try:
            return "; ".join((f"{'.'.join(map(str, e['loc']))}: " if e["loc"] else "") + e["msg"]
                             for e in exc.errors()[:5])  # type: ignore[union-attr]
        except Exception:
            pass
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def review_line(n: int, raw: str, extractor, base_dir: Optional[Path] = None, problem: Optional[str] = None) -> dict:
    """Review one JSONL line; any failure becomes an error record naming the line, the case and the reason.

    Documents given by `path` are read relative to `base_dir` (the cases file's directory).
    """
    from priorauth.ingest import IngestError
    from priorauth.ingest.cases import load_case
    from priorauth.pipeline import review

    if problem is not None:
        return ErrorRecord(case_id=None, error=problem, line=n).model_dump()
    if not raw.strip():
        return ErrorRecord(case_id=None, error="empty line", line=n).model_dump()
    try:
        case = load_case(raw, base_dir)
    except IngestError as exc:
        return ErrorRecord(case_id=case_id_of(raw), error=str(exc), line=n).model_dump()
    except RecursionError:
        return ErrorRecord(case_id=None, error="invalid case: the JSON is nested too deeply", line=n).model_dump()
    except Exception as exc:  # a malformed line must not stop the batch
        return ErrorRecord(case_id=case_id_of(raw), error=f"invalid case: {brief(exc)}", line=n).model_dump()
    try:
        rec = review(case, extractor).model_dump(mode="json")
    except RecursionError:
        return ErrorRecord(case_id=case.id, error="processing failed: RecursionError", line=n).model_dump()
    except Exception as exc:
        return ErrorRecord(case_id=case.id, error=f"processing failed: {type(exc).__name__}: {brief(exc)}", line=n).model_dump()
    rec["line"] = n
    return rec


_WORKER_EXTRACTOR = None
_WORKER_BASE: Optional[Path] = None


def _init_worker(spec: ExtractorSpec, base_dir: Optional[Path] = None) -> None:
    global _WORKER_EXTRACTOR, _WORKER_BASE
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker must not inherit the parent's handler
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _WORKER_EXTRACTOR = spec.build()
    _WORKER_BASE = base_dir


def _work(item: Line) -> dict:
    return review_line(item.number, item.text, _WORKER_EXTRACTOR, _WORKER_BASE, item.problem)


def _as_line(n: int, item: Any) -> Line:
    return item if isinstance(item, Line) else Line(n, item)


def run_batch(lines: Iterable[Any], spec: ExtractorSpec, workers: int = 1, extractor=None,
              base_dir: Optional[Path] = None) -> Iterator[dict]:
    """Records in input order, one per line (`Line`s or strings); with workers > 1, in that many processes.

    `base_dir` is where documents given by `path` are looked up (None refuses paths).
    A worker pool that breaks (a worker killed, an extractor that cannot be built)
    turns every line not yet reviewed into an error record. Leaving early (an
    exception, SIGTERM turned into SystemExit, the generator closed) terminates
    the workers, so none outlives the batch.
    """
    items = [_as_line(n, x) for n, x in enumerate(lines, 1)]
    if workers <= 1:
        extractor = extractor or spec.build()
        for it in items:
            yield review_line(it.number, it.text, extractor, base_dir, it.problem)
        return
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(spec, base_dir))
    done, clean = 0, False
    try:
        try:
            for rec in pool.map(_work, items, chunksize=max(1, min(16, len(items) // (4 * workers) or 1))):
                done += 1
                yield rec
        except BrokenProcessPool:
            for it in items[done:]:
                yield ErrorRecord(case_id=case_id_of(it.text), error="processing failed: a worker process stopped",
                                  line=it.number).model_dump()
        clean = True
    finally:
        if not clean:
            for p in list((getattr(pool, "_processes", None) or {}).values()):  # the executor has no public kill
                p.terminate()
        pool.shutdown(wait=clean, cancel_futures=not clean)
