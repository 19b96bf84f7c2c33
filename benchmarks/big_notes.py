"""Big notes through the service's reading and review path: time and peak memory per size, each in a fresh process.

    .venv/bin/python benchmarks/big_notes.py [--mb 0.25 0.5 1 1.9 5 20] [--max-text-chars N] [--one-line] [--json]

Builds a plain-text note of N MB from the dev set's documents (repeated), then in
a child process reads it as an upload would be read (priorauth.ingest.read_bytes)
and reviews it (priorauth.pipeline.review) with the default extractor, and prints
the outcome (reviewed, or refused over PRIORAUTH_MAX_TEXT_CHARS with its
sentence), the seconds of read + review (the pipeline is built before the clock
starts), and the child's peak resident memory. `--one-line` replaces line breaks
by spaces (one huge line, the worst case for sentence splitting). The baseline in
the same run is the smallest size. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time, warnings
warnings.filterwarnings("ignore")
sys.path.insert(0, sys.argv[1])
from priorauth.ingest import read_bytes
from priorauth.models import Case, Request
from priorauth.pipeline import TextTooLong, default_extractor, review
data = sys.stdin.buffer.read()
extractor = default_extractor()
t0 = time.perf_counter()
try:
    ing = read_bytes(data, name="note.txt")
    case = Case(id="big", request=Request(cpt_codes=["72148"], patient_age=50), documents=[ing.to_document("note.txt")])
    r = review(case, extractor)
    outcome = f"reviewed: {r.decision}, {sum(len(f.evidence) for f in r.findings)} spans kept, review JSON {len(r.model_dump_json()) // 1024} KB"
except TextTooLong as e:
    outcome = "refused: " + str(e)
secs = time.perf_counter() - t0
print(json.dumps({"seconds": round(secs, 2), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                  "outcome": outcome}))
"""


def note(mb: float, one_line: bool) -> bytes:
    dev = ROOT.parent / "shared" / "data" / "cases" / "dev.jsonl"
    texts = [d["text"] for line in dev.read_text(encoding="utf-8").split("\n") if line.strip()
             for d in json.loads(line)["documents"]]
    base = "\n\n".join(texts)
    n = int(mb * 1024 * 1024)
    text = (base * (n // len(base) + 1))[:n]
    return (text.replace("\n", " ") if one_line else text).encode("utf-8", "replace")[:n]


def run(mb: float, one_line: bool, max_chars: int | None) -> dict:
    env = dict(os.environ)
    if max_chars:
        env["PRIORAUTH_MAX_TEXT_CHARS"] = str(max_chars)
    p = subprocess.run([sys.executable, "-c", CHILD, str(ROOT)], input=note(mb, one_line), capture_output=True, env=env,
                       timeout=3600)
    if p.returncode != 0:
        return {"mb": mb, "outcome": f"child failed ({p.returncode}): {p.stderr.decode()[-300:]}"}
    return {"mb": mb, **json.loads(p.stdout.decode().strip().splitlines()[-1])}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, nargs="+", default=[0.25, 0.5, 1, 1.9, 5, 20])
    ap.add_argument("--max-text-chars", type=int, default=None, help="PRIORAUTH_MAX_TEXT_CHARS for the run")
    ap.add_argument("--one-line", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = [run(mb, args.one_line, args.max_text_chars) for mb in args.mb]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    for r in rows:
        print(f"{r['mb']:>6} MB{' one line' if args.one_line else ''}: {r.get('seconds', '-')} s, "
              f"peak {r.get('peak_mb', '-')} MB; {r['outcome']}")


if __name__ == "__main__":
    main()
