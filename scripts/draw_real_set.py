"""Draw real notes for a labeled check set from the MTSamples labeling pool.

Why: a check set measures generalization only if nobody chose its notes. The draw
is a seeded shuffle of the pool's distinct texts (MTSamples files one note under
several row ids, so rows are deduplicated on whitespace-normalised text), leaving
out every text already used by another labeled set and every text reserved for
other work. Re-running with the same pool, seed and exclusions gives the same order.

Usage:
    python scripts/draw_real_set.py POOL --seed 20261207 \
        --exclude-set evaluation-sets/mtsamples-dev.jsonl \
        --exclude-ids mts-1970,mts-1974 [--limit 80] > drawn.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path


def normalise(text: str) -> str:
    """Whitespace-normalised text, the key notes are deduplicated on."""
    return " ".join(text.split())


def load_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def excluded_texts(pool: list[dict], sets: list[Path], ids: set[str]) -> set[str]:
    """Normalised texts of every document in `sets` and of the pool rows in `ids`."""
    texts = {normalise(r["text"]) for r in pool if r["id"] in ids}
    missing = ids - {r["id"] for r in pool}
    if missing:
        raise SystemExit(f"excluded ids not in the pool: {sorted(missing)}")
    for path in sets:
        for case in load_jsonl(path):
            texts.update(normalise(d["text"]) for d in case.get("documents", []))
    return texts


def draw(pool: list[dict], seed: int, exclude: set[str]) -> list[dict]:
    """Distinct pool texts not in `exclude`, in a seeded random order.

    Each drawn note keeps the first pool row id of its text as its id and lists
    every row id filed under the same text.
    """
    by_text: dict[str, dict] = {}
    for row in pool:
        key = normalise(row["text"])
        if key in exclude:
            continue
        if key in by_text:
            by_text[key]["same_text_ids"].append(row["id"])
        else:
            by_text[key] = {**row, "same_text_ids": [row["id"]]}
    notes = list(by_text.values())  # pool order, deterministic
    random.Random(seed).shuffle(notes)
    return notes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pool", type=Path)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--exclude-set", type=Path, action="append", default=[],
                    help="labeled case file whose document texts are left out (repeatable)")
    ap.add_argument("--exclude-ids", default="",
                    help="comma-separated pool row ids whose texts are left out")
    ap.add_argument("--limit", type=int, default=0, help="print at most this many (0: all)")
    args = ap.parse_args(argv)

    pool = load_jsonl(args.pool)
    ids = {i.strip() for i in args.exclude_ids.split(",") if i.strip()}
    notes = draw(pool, args.seed, excluded_texts(pool, args.exclude_set, ids))
    if args.limit:
        notes = notes[: args.limit]
    for rank, note in enumerate(notes, 1):
        sys.stdout.write(json.dumps({"rank": rank, **note}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
