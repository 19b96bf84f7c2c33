"""PAS `$submit` of an OCR-heavy packet: time to the response and time to the subscription notification.

    .venv/bin/python benchmarks/pas_pended.py [--pages 8] [--answer-seconds 10]

The service runs in-process (SQLite in a temporary folder, FastAPI's test
client), with a rest-hook subscription whose receiver listens on 127.0.0.1.
Baseline in the same run: the same note as a text attachment (answered with
the determination directly). The OCR packet is the note rendered as scanned
pages (Pillow, DejaVu Sans, 200 dpi) in one multi-page TIFF. Da Vinci PAS
expects a response within 15 seconds; a review that takes longer than
`--answer-seconds` is answered pended and the determination follows by
notification. Figures, not assertions: the test suite never times anything.
"""

from __future__ import annotations

import argparse
import base64
import http.server
import io
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def tiff(text: str, pages: int) -> bytes:
    from ingest import render_page

    lines = text.splitlines()
    imgs = [render_page(lines[:60]) for _ in range(pages)]
    buf = io.BytesIO()
    imgs[0].save(buf, format="TIFF", save_all=True, append_images=imgs[1:], compression="tiff_deflate")
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=8)
    ap.add_argument("--answer-seconds", type=float, default=10.0)
    args = ap.parse_args()

    from fastapi.testclient import TestClient

    from priorauth.fhir import systems
    from priorauth.fhir.build import pas_bundle
    from priorauth.service.app import create_app
    from priorauth.service.pas_notify import Notifier
    from priorauth.service.security import add_user, issue_token
    from priorauth.service.settings import Settings

    got: list[float] = []

    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            got.append(time.perf_counter())
            self.send_response(200)
            self.end_headers()

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    note = (ROOT / "examples" / "lumbar_radiculopathy.txt").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), workers=0, fhir_answer_seconds=args.answer_seconds)
        app = create_app(settings, start_workers=False)
        with TestClient(app, base_url="https://testserver") as c:
            with app.state.sessions() as db:
                token = issue_token(db, add_user(db, "clinic", "benchmark password 1", "submitter", "clinic"))
                db.commit()
            h = {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}
            sub = {"resourceType": "Subscription", "status": "requested", "reason": "bench", "criteria": systems.SUBSCRIPTION_TOPIC,
                   "channel": {"type": "rest-hook", "endpoint": f"http://127.0.0.1:{server.server_address[1]}/n",
                               "payload": "application/fhir+json"}}
            assert c.post("/fhir/Subscription", content=json.dumps(sub), headers=h).status_code == 201
            notifier = Notifier(app.state.sessions, interval=0.1)
            notifier.start()
            # warm up and baseline: the text note
            for bid in ("WARM", "TEXT"):
                b = pas_bundle([note], ["72148"], "1973-06-10", "2026-03-02T10:00:00Z", ("M54.17",), bundle_id=bid)
                t = time.perf_counter()
                r = c.post("/fhir/Claim/$submit", content=json.dumps(b), headers=h)
                text_s = time.perf_counter() - t
            text_code = r.json()["entry"][0]["resource"]["disposition"]
            data = tiff(note, args.pages)
            b = pas_bundle([note], ["72148"], "1973-06-10", "2026-03-02T10:00:00Z", ("M54.17",), bundle_id="OCR")
            doc = next(e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == "DocumentReference")
            doc["content"][0]["attachment"] = {"contentType": "image/tiff", "data": base64.b64encode(data).decode()}
            got.clear()
            t = time.perf_counter()
            r = c.post("/fhir/Claim/$submit", content=json.dumps(b), headers=h)
            answered = time.perf_counter() - t
            first = r.json()["entry"][0]["resource"]["disposition"]
            deadline = time.perf_counter() + 600
            while not got and time.perf_counter() < deadline:
                time.sleep(0.05)
            notified = (got[0] - t) if got else float("nan")
            notifier.stop.set()
            notifier.join()
    server.shutdown()
    print(f"text note: answered in {text_s:.2f} s ({text_code})")
    print(f"OCR packet ({args.pages} scanned pages, {len(data) // 1024} KB TIFF): answered in {answered:.2f} s "
          f"({first}); notification after {notified:.1f} s (answer time {args.answer_seconds:g} s, PAS expects <= 15 s)")


if __name__ == "__main__":
    main()
