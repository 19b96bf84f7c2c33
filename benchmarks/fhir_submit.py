"""Time of `priorauth.fhir.submit` on the example PAS bundle: the whole answer, and the parse/validation part alone.

    .venv/bin/python benchmarks/fhir_submit.py [--rounds 20]

After a warm-up (the extractor is built once per process); median of the rounds.
Figures, not assertions: the test suite never times anything.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _median_ms(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    from priorauth.fhir import case_from_bundle, submit
    from priorauth.pipeline import default_extractor

    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    bundle = json.loads((ROOT / "examples" / "fhir" / "lumbar_radiculopathy.bundle.json").read_text(encoding="utf-8"))
    extractor = default_extractor()
    response = submit(bundle, extractor)
    whole = _median_ms(lambda: submit(bundle, extractor), args.rounds)
    parse = _median_ms(lambda: case_from_bundle(bundle), args.rounds)
    print(f"submit: {whole:.0f} ms per bundle (median of {args.rounds}); reading and validating the request: {parse:.1f} ms; "
          f"response {len(json.dumps(response)) // 1024} KB")


if __name__ == "__main__":
    main()
