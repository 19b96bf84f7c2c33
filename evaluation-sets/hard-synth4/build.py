"""Build evaluation-sets/hard-synth4.jsonl from the packet sources in this folder.

Evidence is written as (doc, quoted text[, occurrence]) and the exact offsets are computed here,
so every span satisfies document.text[start:end] == text by construction.
"""
from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "hard-synth4.jsonl"


def _span(docs: dict[str, str], ref: tuple) -> dict:
    doc, text = ref[0], ref[1]
    nth = ref[2] if len(ref) > 2 else 0
    body = docs[doc]
    start = -1
    for _ in range(nth + 1):
        start = body.find(text, start + 1)
        if start < 0:
            raise SystemExit(f"span not found in {doc}: {text!r} (occurrence {nth})")
    return {"doc": doc, "start": start, "end": start + len(text), "text": text}


def build(p: dict) -> dict:
    docs = {d[0]: d[3] for d in p["docs"]}
    req = {"cpt_codes": p["cpt"], "icd10_codes": p["icd"], "patient_age": p["age"],
           "request_date": p["date"], "has_standard_written_order": p.get("swo", True)}
    findings = [{"code": code, "evidence": [_span(docs, r) for r in refs]}
                for code, refs in p["findings"].items()]
    distractors = [{"code": code, "reason": reason, "evidence": [_span(docs, r) for r in refs]}
                   for code, reason, refs in p.get("distractors", [])]
    ct = p["ct"]
    gold = {"findings": findings, "distractors": distractors,
            "conservative_therapy": None if ct is None else
            {"weeks": ct[0], "active": ct[1], "inactive": ct[2]},
            "decision": p["decision"], "criteria": p["criteria"]}
    return {"id": p["id"], "request": req,
            "documents": [{"id": i, "type": t, "date": dt, "text": tx} for i, t, dt, tx in p["docs"]],
            "gold": gold}


def main() -> None:
    sys.path.insert(0, str(HERE))
    packets = []
    for mod in sorted(HERE.glob("packets_*.py")):
        packets.extend(importlib.import_module(mod.stem).PACKETS)
    with OUT.open("w", encoding="utf-8") as fh:
        for p in packets:
            fh.write(json.dumps(build(p), ensure_ascii=False) + "\n")
    print(f"{len(packets)} packets -> {OUT}")


if __name__ == "__main__":
    main()
