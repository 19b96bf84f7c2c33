"""A packet over spaCy's 1,000,000-character limit, reviewed in pieces (extract/pieces.py).

    .venv/bin/python benchmarks/long_notes.py [--mb 2] [--json]

Builds a note of about N MB from the dev set's documents (repeated, with a red
flag only at the very end), reviews it once after a warm-up and prints its size,
pieces, seconds, characters per second, and whether the last finding was found
with exact offsets. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=2.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    # a size above the default note-text limit (PRIORAUTH_MAX_TEXT_CHARS) is measured too: this measures reading in pieces
    os.environ.setdefault("PRIORAUTH_MAX_TEXT_CHARS", str(int(args.mb * 1_100_000) + 1))
    from priorauth.extract.pieces import pieces
    from priorauth.models import Case, Document, Request
    from priorauth.pipeline import default_extractor, review

    dev = ROOT.parent / "shared" / "data" / "cases" / "dev.jsonl"
    texts = [d["text"] for line in dev.read_text(encoding="utf-8").split("\n") if line.strip()
             for d in json.loads(line)["documents"]]
    body, size = [], 0
    target = int(args.mb * 1_000_000)
    while size < target:
        for t in texts:
            body.append(t)
            size += len(t) + 2
            if size >= target:
                break
    text = "\n\n".join(body) + "\n\nNew left foot drop noted today.\n"
    extractor = default_extractor()
    request = Request(cpt_codes=["72148"], patient_age=50, has_standard_written_order=True)
    review(Case(id="warm", request=request, documents=[Document(id="n", text=texts[0])]), extractor)
    t = time.perf_counter()
    r = review(Case(id="long", request=request, documents=[Document(id="n", text=text)]), extractor)
    seconds = time.perf_counter() - t
    last = max((s for f in r.findings for s in f.evidence), key=lambda s: s.start)
    out = {"characters": len(text), "pieces": len(pieces(text)), "seconds": round(seconds, 2),
           "characters_per_second": round(len(text) / seconds), "decision": r.decision,
           "last_span_exact": text[last.start:last.end] == last.text and last.start > len(text) - 40,
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:>22}: {v}")


if __name__ == "__main__":
    main()
