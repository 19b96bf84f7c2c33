"""Batch review: one output record per input line, in input order, optionally across worker processes."""

from __future__ import annotations

import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from priorauth.extract.spec import ExtractorSpec
from priorauth.jsonl import Line, loads
from priorauth.models import Case, ErrorRecord


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


def review_line(n: int, raw: str, extractor, base_dir: Optional[Path] = None, problem: Optional[str] = None,
                guideline: Optional[str] = None) -> dict:
    """Review one JSONL line; any failure becomes an error record naming the line, the case and the reason.

    Documents given by `path` are read relative to `base_dir` (the cases file's directory). `guideline`
    forces one guideline (else each request goes to the guideline covering its codes).
    """
    return _reviewed(n, raw, extractor, base_dir, problem, guideline)[0]


def _reviewed(n: int, raw: str, extractor, base_dir: Optional[Path], problem: Optional[str],
              guideline: Optional[str] = None) -> tuple[dict, Optional[Case]]:
    """`review_line`'s record, and the case it reviewed when it succeeded (for pages written from the same read)."""
    from priorauth.ingest import IngestError
    from priorauth.ingest.cases import load_case
    from priorauth.pipeline import TextTooLong, review

    def error(case_id: Optional[str], message: str) -> tuple[dict, None]:
        return ErrorRecord(case_id=case_id, error=message, line=n).model_dump(), None

    if problem is not None:
        return error(None, problem)
    if not raw.strip():
        return error(None, "empty line")
    try:
        case = load_case(raw, base_dir)
    except IngestError as exc:
        return error(case_id_of(raw), str(exc))
    except RecursionError:
        return error(None, "invalid case: the JSON is nested too deeply")
    except Exception as exc:  # a malformed line must not stop the batch
        return error(case_id_of(raw), f"invalid case: {brief(exc)}")
    try:
        rec = review(case, extractor, guideline).model_dump(mode="json")
    except TextTooLong as exc:
        return error(case.id, str(exc))
    except RecursionError:
        return error(case.id, "processing failed: RecursionError")
    except Exception as exc:
        return error(case.id, f"processing failed: {type(exc).__name__}: {brief(exc)}")
    rec["line"] = n
    return rec, case


_WORKER_EXTRACTOR = None
_WORKER_BASE: Optional[Path] = None
_WORKER_KEEP = False
_WORKER_GUIDELINE: Optional[str] = None


def _init_worker(spec: ExtractorSpec, base_dir: Optional[Path] = None, keep_cases: bool = False) -> None:
    global _WORKER_EXTRACTOR, _WORKER_BASE, _WORKER_KEEP, _WORKER_GUIDELINE
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker must not inherit the parent's handler
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _WORKER_EXTRACTOR = spec.build()
    _WORKER_BASE = base_dir
    _WORKER_KEEP = keep_cases
    _WORKER_GUIDELINE = spec.guideline


def _work(item: Line) -> Any:
    out = _reviewed(item.number, item.text, _WORKER_EXTRACTOR, _WORKER_BASE, item.problem, _WORKER_GUIDELINE)
    return out if _WORKER_KEEP else out[0]


def _as_line(n: int, item: Any) -> Line:
    return item if isinstance(item, Line) else Line(n, item)


def run_batch(lines: Iterable[Any], spec: ExtractorSpec, workers: int = 1, extractor=None,
              base_dir: Optional[Path] = None, keep_cases: bool = False) -> Iterator[Any]:
    """Records in input order, one per line (`Line`s or strings); with workers > 1, in that many processes.

    `base_dir` is where documents given by `path` are looked up (None refuses paths).
    With `keep_cases`, each item is `(record, case)` (case None for an error record), so pages
    can be written from the documents as reviewed, without reading (and OCR-ing) files again.
    A worker pool that breaks (a worker killed, an extractor that cannot be built)
    turns every line not yet reviewed into an error record. Leaving early (an
    exception, SIGTERM turned into SystemExit, the generator closed) terminates
    the workers, so none outlives the batch.
    """
    items = [_as_line(n, x) for n, x in enumerate(lines, 1)]
    if workers <= 1:
        extractor = extractor or spec.build()
        for it in items:
            out = _reviewed(it.number, it.text, extractor, base_dir, it.problem, spec.guideline)
            yield out if keep_cases else out[0]
        return
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(spec, base_dir, keep_cases))
    done, clean = 0, False
    try:
        try:
            for rec in pool.map(_work, items, chunksize=max(1, min(16, len(items) // (4 * workers) or 1))):
                done += 1
                yield rec
        except BrokenProcessPool:
            for it in items[done:]:
                rec = ErrorRecord(case_id=case_id_of(it.text), error="processing failed: a worker process stopped",
                                  line=it.number).model_dump()
                yield (rec, None) if keep_cases else rec
        clean = True
    finally:
        if not clean:
            for p in list((getattr(pool, "_processes", None) or {}).values()):  # the executor has no public kill
                p.terminate()
        pool.shutdown(wait=clean, cancel_futures=not clean)
