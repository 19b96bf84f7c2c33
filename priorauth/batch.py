"""Batch review: one output record per input line, in input order, optionally across worker processes."""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from priorauth.models import ErrorRecord


@dataclass(frozen=True)
class ExtractorSpec:
    """Picklable description of an extractor, so each worker process builds its own."""

    name: str = "rules"
    llm: dict[str, Any] = field(default_factory=dict)

    def build(self):
        from priorauth.pipeline import default_extractor

        if self.name == "rules":
            return default_extractor()
        if self.name == "gold":
            from priorauth.extract.gold import GoldExtractor

            return GoldExtractor()
        if self.name in ("llm", "hybrid"):
            from priorauth.extract.llm_extractor import llm_extractor_from_env

            return llm_extractor_from_env(self.name, **{k: v for k, v in self.llm.items() if v is not None})
        raise ValueError(f"unknown extractor {self.name!r}: use rules, llm or hybrid")


def case_id_of(raw: str) -> Optional[str]:
    try:
        value = json.loads(raw)
        return str(value.get("id")) if isinstance(value, dict) and value.get("id") is not None else None
    except (json.JSONDecodeError, AttributeError):
        return None


def brief(exc: Exception) -> str:
    """The error's gist without echoing input values (they may be note text)."""
    if hasattr(exc, "errors"):
        try:
            return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])  # type: ignore[union-attr]
        except Exception:
            pass
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def review_line(n: int, raw: str, extractor, base_dir: Optional[Path] = None) -> dict:
    """Review one JSONL line; any failure becomes an error record naming the case and the reason.

    Documents given by `path` are read relative to `base_dir` (the cases file's directory).
    """
    from priorauth.ingest import IngestError
    from priorauth.ingest.cases import load_case
    from priorauth.pipeline import review

    if not raw.strip():
        return ErrorRecord(case_id=None, error="empty line", line=n).model_dump()
    try:
        case = load_case(raw, base_dir)
    except IngestError as exc:
        return ErrorRecord(case_id=case_id_of(raw), error=str(exc), line=n).model_dump()
    except Exception as exc:  # a malformed line must not stop the batch
        return ErrorRecord(case_id=case_id_of(raw), error=f"invalid case: {brief(exc)}", line=n).model_dump()
    try:
        return review(case, extractor).model_dump(mode="json")
    except Exception as exc:
        return ErrorRecord(case_id=case.id, error=f"processing failed: {type(exc).__name__}: {brief(exc)}", line=n).model_dump()


_WORKER_EXTRACTOR = None
_WORKER_BASE: Optional[Path] = None


def _init_worker(spec: ExtractorSpec, base_dir: Optional[Path] = None) -> None:
    global _WORKER_EXTRACTOR, _WORKER_BASE
    _WORKER_EXTRACTOR = spec.build()
    _WORKER_BASE = base_dir


def _work(item: tuple[int, str]) -> dict:
    return review_line(item[0], item[1], _WORKER_EXTRACTOR, _WORKER_BASE)


def run_batch(lines: Iterable[str], spec: ExtractorSpec, workers: int = 1, base_dir: Optional[Path] = None) -> Iterator[dict]:
    """Records in input order; with workers > 1, cases are reviewed in that many processes.

    `base_dir` is where documents given by `path` are looked up (None refuses paths).
    """
    items = list(enumerate(lines, 1))
    if workers <= 1:
        extractor = spec.build()
        for n, raw in items:
            yield review_line(n, raw, extractor, base_dir)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(spec, base_dir)) as pool:
        yield from pool.map(_work, items, chunksize=max(1, min(16, len(items) // (4 * workers) or 1)))
