"""Compare two batch outputs of `priorauth review --cases`: same decision, criteria and reasons for every case?

Used to show that a refactoring of the reading keeps every decision: review a set before and after, then
`python scripts/compare_reviews.py BEFORE.jsonl AFTER.jsonl` (pairs of files; exit status 1 on any difference).
Also compares each part's decision, criteria and reasons when the requested codes span guidelines.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

KEYS = ("decision", "criteria", "reasons")


def _key(r: dict) -> dict:
    return {k: r.get(k) for k in KEYS} | {"parts": [_key(p) for p in r.get("parts") or []]}


def _read(path: Path) -> dict[str, dict]:
    out = {}
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if line.strip():
            r = json.loads(line)
            out[r.get("case_id") or f"line {i + 1}"] = _key(r)
    return out


def compare(before: Path, after: Path) -> list[str]:
    """The differences, one line each ('' none)."""
    a, b = _read(before), _read(after)
    diffs = [f"{c}: only in {before}" for c in a.keys() - b.keys()] + [f"{c}: only in {after}" for c in b.keys() - a.keys()]
    for c in sorted(a.keys() & b.keys()):
        for k in (*KEYS, "parts"):
            if a[c][k] != b[c][k]:
                diffs.append(f"{c}: {k} {a[c][k]!r} -> {b[c][k]!r}")
    return diffs


def main(argv: list[str]) -> int:
    if len(argv) < 2 or len(argv) % 2:
        print(__doc__, file=sys.stderr)
        return 2
    bad = 0
    for before, after in zip(argv[::2], argv[1::2]):
        diffs = compare(Path(before), Path(after))
        n = len(_read(Path(before)))
        print(f"{Path(before).name}: {n} cases, {len(diffs)} differences")
        for d in diffs:
            print("  " + d)
        bad += len(diffs)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
