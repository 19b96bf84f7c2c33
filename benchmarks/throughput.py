"""Throughput of the full deterministic review, under each shipped guideline, against medspaCy's default pipeline and bare tokenization.

Run from the repository root (it reads ../shared/data, which is not shipped):

    .venv/bin/python benchmarks/throughput.py [--json] [--rounds 5] [--limit N]

All contenders run in one process, after a warm-up, interleaved round by round
on the same texts; the figure for each is its median round. The review runs
twice: requesting an MRI of the lumbar spine (72148, MRI-spine guideline) and a
lumbar transforaminal epidural steroid injection (64483, LCD L39240), so both
guidelines' pipelines are timed on the same notes. Also reported: peak
resident memory, the cold start of `priorauth review` on one note in a fresh
process, time per note at 1x/4x/16x note length, and batch scaling from 1 to 2
worker processes. Figures, not assertions: the test suite never times anything.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")


def corpus(limit: int | None) -> list[str]:
    """MTSamples spine notes deduplicated by text, plus the dev set's documents."""
    texts = [json.loads(line)["text"] for line in (SHARED / "data/external/mtsamples/spine_notes.jsonl").read_text().splitlines()]
    texts += [d["text"] for line in (SHARED / "data/cases/dev.jsonl").read_text().splitlines() for d in json.loads(line)["documents"]]
    texts = [t for t in dict.fromkeys(texts) if t.strip()]
    return texts[:limit] if limit else texts


def contenders():
    from loguru import logger  # PyRuSH logs every sentence through loguru

    logger.remove()
    import medspacy
    import spacy

    from priorauth.models import Case, Document, Request
    from priorauth.pipeline import default_extractor, review

    extractor = default_extractor()
    request = Request(cpt_codes=["72148"], patient_age=50, has_standard_written_order=True)
    esi_request = Request(cpt_codes=["64483"], patient_age=50, has_standard_written_order=True)

    def ours(texts):
        for i, t in enumerate(texts):
            review(Case(id=str(i), request=request, documents=[Document(id="n", text=t)]), extractor)

    def ours_esi(texts):  # routed by its code to the ESI guideline's own extractor
        for i, t in enumerate(texts):
            review(Case(id=str(i), request=esi_request, documents=[Document(id="n", text=t)]), extractor)

    stock = medspacy.load()
    stock.add_pipe("medspacy_sectionizer")

    def medspacy_default(texts):
        for _ in stock.pipe(texts):
            pass

    blank = spacy.blank("en")

    def tokenizer(texts):
        for _ in blank.pipe(texts):
            pass

    return {"priorauth_review": ours, "priorauth_review_esi": ours_esi, "medspacy_default": medspacy_default,
            "spacy_tokenizer": tokenizer}


def interleaved(fns: dict, texts: list[str], rounds: int) -> dict[str, float]:
    """Median seconds per contender over `rounds`, the order rotating each round."""
    for fn in fns.values():
        fn(texts[:10])  # warm-up: caches, lazy imports, first-call allocations
    times: dict[str, list[float]] = {k: [] for k in fns}
    names = list(fns)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            t = time.perf_counter()
            fns[name](texts)
            times[name].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}


def length_scaling(texts: list[str], fn) -> dict[str, float]:
    """Milliseconds per note when each note is repeated 1, 4 and 16 times."""
    sample = texts[:20]
    out = {}
    for k in (1, 4, 16):
        longer = ["\n".join([t] * k) for t in sample]
        fn(longer[:2])
        t = time.perf_counter()
        fn(longer)
        out[f"{k}x"] = (time.perf_counter() - t) / len(longer) * 1000
    return out


def cold_start(note: str) -> float:
    """Seconds for `priorauth review note.txt` in a fresh process."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write(note)
    try:
        cmd = [sys.executable, "-m", "priorauth.cli", "review", fh.name, "--cpt", "72148", "--age", "50", "--json"]
        subprocess.run(cmd, capture_output=True, check=True, cwd=ROOT)  # warm the OS file cache
        best = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True, cwd=ROOT)
            best.append(time.perf_counter() - t)
        return min(best)
    finally:
        os.unlink(fh.name)


def worker_scaling(texts: list[str]) -> dict[str, float]:
    """Notes per second for a batch through `run_batch` with 1 and 2 worker processes."""
    from priorauth.batch import ExtractorSpec, run_batch
    from priorauth.models import Case, Document, Request

    request = Request(cpt_codes=["72148"], patient_age=50, has_standard_written_order=True)
    lines = [Case(id=str(i), request=request, documents=[Document(id="n", text=t)]).model_dump_json()
             for i, t in enumerate(texts)]
    out = {}
    for w in (1, 2):
        t = time.perf_counter()
        n = sum(1 for _ in run_batch(lines, ExtractorSpec("rules"), workers=w))
        out[f"{w}_workers_notes_per_s"] = n / (time.perf_counter() - t)
    out["scaling_1_to_2"] = out["2_workers_notes_per_s"] / out["1_workers_notes_per_s"]
    return out


def dev_accuracy() -> dict[str, float]:
    from priorauth.evaluation.metrics import evaluate
    from priorauth.models import Case
    from priorauth.pipeline import review

    cases = [Case.model_validate_json(line) for line in (SHARED / "data/cases/dev.jsonl").read_text().splitlines() if line.strip()]
    s = evaluate([(c, review(c)) for c in cases]).summary()
    esi = [Case.model_validate_json(line) for line in (ROOT / "evaluation-sets/esi-dev.jsonl").read_text().splitlines() if line.strip()]
    e = evaluate([(c, review(c)) for c in esi]).summary()
    return {"findings_f1": s["findings"]["f1"], "decision_accuracy": s["decision_accuracy"],
            "conservative_therapy_accuracy": s["conservative_therapy_accuracy"],
            "esi_decision_accuracy": e["decision_accuracy"], "esi_approval_precision": e["approval"]["precision"],
            "esi_approval_recall": e["approval"]["recall"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--limit", type=int, default=None, help="use only the first N notes")
    ap.add_argument("--skip-slow", action="store_true", help="skip cold start and worker scaling")
    args = ap.parse_args()

    texts = corpus(args.limit)
    words = sum(len(t.split()) for t in texts)
    fns = contenders()
    secs = interleaved(fns, texts, args.rounds)
    nps = {k: len(texts) / v for k, v in secs.items()}
    result = {
        "notes": len(texts), "words_per_note": words / len(texts), "rounds": args.rounds,
        "notes_per_s": nps["priorauth_review"], "words_per_s": words / secs["priorauth_review"],
        "esi_notes_per_s": nps["priorauth_review_esi"], "esi_words_per_s": words / secs["priorauth_review_esi"],
        "esi_over_mri_spine": nps["priorauth_review_esi"] / nps["priorauth_review"],
        "medspacy_default_notes_per_s": nps["medspacy_default"], "tokenizer_notes_per_s": nps["spacy_tokenizer"],
        "speedup_vs_medspacy_default": nps["priorauth_review"] / nps["medspacy_default"],
        "fraction_of_tokenizer": nps["priorauth_review"] / nps["spacy_tokenizer"],
        "ms_per_note_by_length": length_scaling(texts, fns["priorauth_review"]),
        "dev_accuracy": dev_accuracy(),
    }
    scale = result["ms_per_note_by_length"]
    result["length_16x_over_1x"] = scale["16x"] / scale["1x"]
    if not args.skip_slow:
        result["cold_start_s"] = cold_start(texts[0])
        result.update(worker_scaling(texts[:200]))
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['notes']} notes, {result['words_per_note']:.0f} words/note, median of {args.rounds} interleaved rounds")
    print(f"priorauth full review   {result['notes_per_s']:8.1f} notes/s {result['words_per_s']:10.0f} words/s (MRI spine, 72148)")
    print(f"priorauth full review   {result['esi_notes_per_s']:8.1f} notes/s {result['esi_words_per_s']:10.0f} words/s "
          f"(epidural steroid injection, 64483; {result['esi_over_mri_spine']:.2f}x MRI spine)")
    print(f"medspaCy default        {result['medspacy_default_notes_per_s']:8.1f} notes/s")
    print(f"spaCy tokenizer         {result['tokenizer_notes_per_s']:8.1f} notes/s")
    print(f"speedup vs medspaCy default {result['speedup_vs_medspacy_default']:.2f}x; "
          f"fraction of tokenizer {result['fraction_of_tokenizer']:.3f}")
    print("ms/note by length: " + ", ".join(f"{k} {v:.1f}" for k, v in scale.items())
          + f" (16x/1x = {result['length_16x_over_1x']:.1f})")
    if "cold_start_s" in result:
        print(f"cold start of `priorauth review note.txt`: {result['cold_start_s']:.2f} s")
        print(f"batch workers: 1 -> {result['1_workers_notes_per_s']:.1f}, 2 -> {result['2_workers_notes_per_s']:.1f} notes/s "
              f"({result['scaling_1_to_2']:.2f}x)")
    print(f"peak RSS {result['peak_rss_mb']:.0f} MB; dev accuracy {result['dev_accuracy']}")


if __name__ == "__main__":
    main()
