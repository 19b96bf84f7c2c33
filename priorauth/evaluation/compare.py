"""Differences between two saved evaluation runs (`priorauth evaluate --json > run.json`)."""

from __future__ import annotations

from typing import Any

HEADLINE = (("findings", "f1"), ("grounded_findings", "f1"), ("conservative_therapy_accuracy", None),
            ("decision_accuracy", None), ("criteria_exact", None), ("approval", "precision"), ("approval", "recall"),
            ("approval", "false_approval_rate"))


def _get(run: dict[str, Any], key: str, sub: str | None) -> float | None:
    v = run.get(key)
    if sub is not None:
        v = v.get(sub) if isinstance(v, dict) else None
    return v if isinstance(v, (int, float)) else None


def compare(a: dict[str, Any], b: dict[str, Any], tolerance: float = 1e-9) -> dict[str, Any]:
    """Metrics that moved (b minus a), per-code F1 changes, and cases whose decision correctness flipped."""
    moved = {}
    for key, sub in HEADLINE:
        va, vb = _get(a, key, sub), _get(b, key, sub)
        if va is not None and vb is not None and abs(vb - va) > tolerance:
            moved[f"{key}.{sub}" if sub else key] = {"a": va, "b": vb, "delta": vb - va}
    per_code = {}
    for code in sorted(set(a.get("per_code", {})) | set(b.get("per_code", {}))):
        fa = a.get("per_code", {}).get(code, {}).get("f1", 0.0)
        fb = b.get("per_code", {}).get(code, {}).get("f1", 0.0)
        if abs(fb - fa) > tolerance:
            per_code[code] = {"a": fa, "b": fb, "delta": fb - fa}
    ca = {c["case_id"]: c for c in a.get("case_results", [])}
    cb = {c["case_id"]: c for c in b.get("case_results", [])}
    fixed, broken, changed = [], [], []
    for cid in sorted(set(ca) & set(cb)):
        ok_a = ca[cid]["decision"] == ca[cid]["gold_decision"]
        ok_b = cb[cid]["decision"] == cb[cid]["gold_decision"]
        if ok_a != ok_b:
            (fixed if ok_b else broken).append({"case_id": cid, "a": ca[cid]["decision"], "b": cb[cid]["decision"],
                                                "gold": cb[cid]["gold_decision"]})
        elif (ca[cid]["fp"], ca[cid]["fn"]) != (cb[cid]["fp"], cb[cid]["fn"]):
            changed.append({"case_id": cid, "fp": [ca[cid]["fp"], cb[cid]["fp"]], "fn": [ca[cid]["fn"], cb[cid]["fn"]]})
    return {"metrics": moved, "per_code_f1": per_code, "fixed": fixed, "broken": broken, "findings_changed": changed,
            "only_in_a": sorted(set(ca) - set(cb)), "only_in_b": sorted(set(cb) - set(ca))}
