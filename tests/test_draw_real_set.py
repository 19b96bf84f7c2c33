"""The check-set draw: seeded, deduplicated on normalised text, exclusions by text."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "draw_real_set.py"


def _pool(tmp_path: Path) -> Path:
    rows = [
        {"id": "mts-1", "text": "Low back pain  radiating to the leg."},
        {"id": "mts-2", "text": "Low back pain radiating to the leg."},  # same note, other spacing
        {"id": "mts-3", "text": "Neck pain after a fall."},
        {"id": "mts-4", "text": "Neck pain  after a fall."},  # reserved through mts-3's text
        {"id": "mts-5", "text": "Operative report, L5-S1 discectomy."},
        {"id": "mts-6", "text": "Dental abscess."},
        {"id": "mts-7", "text": "Thoracic spine x-ray for injury."},
    ]
    pool = tmp_path / "pool.jsonl"
    pool.write_text("".join(json.dumps(r) + "\n" for r in rows))
    labeled = tmp_path / "labeled.jsonl"
    labeled.write_text(json.dumps({"id": "x", "documents": [{"id": "d", "text": "Dental   abscess."}]}) + "\n")
    return pool


def _draw(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    pool = _pool(tmp_path)
    return subprocess.run([sys.executable, str(SCRIPT), str(pool), "--seed", "7",
                           "--exclude-set", str(tmp_path / "labeled.jsonl"), *extra],
                          capture_output=True, text=True, timeout=60)


def test_draw_deduplicates_and_excludes_by_text(tmp_path):
    run = _draw(tmp_path, "--exclude-ids", "mts-3")
    assert run.returncode == 0, run.stderr
    notes = [json.loads(line) for line in run.stdout.splitlines()]
    assert sorted(n["id"] for n in notes) == ["mts-1", "mts-5", "mts-7"]
    first = next(n for n in notes if n["id"] == "mts-1")
    assert first["same_text_ids"] == ["mts-1", "mts-2"]
    assert [n["rank"] for n in notes] == [1, 2, 3]


def test_draw_is_repeatable_for_a_seed(tmp_path):
    a = _draw(tmp_path, "--exclude-ids", "mts-3").stdout
    b = _draw(tmp_path, "--exclude-ids", "mts-3").stdout
    assert a == b


def test_unknown_excluded_id_is_an_error(tmp_path):
    run = _draw(tmp_path, "--exclude-ids", "mts-99")
    assert run.returncode != 0
    assert "mts-99" in run.stderr
