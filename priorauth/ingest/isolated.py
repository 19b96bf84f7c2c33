"""Read a PDF or an image in a child process with a memory cap and a time limit, so a bomb fails only its own file.

A crafted PDF can make PDFium inflate gigabytes, and a native library that
runs out of memory aborts the whole process (no Python exception, no log
line). The service and the CLI therefore read PDFs and images (the formats
that render and OCR) in `python -m priorauth.ingest.isolated`: its address
space is capped (`PRIORAUTH_READ_MEMORY_MB`, default 2048) and it is killed
after `PRIORAUTH_READ_TIMEOUT_S` (default 1200). Whatever kills it becomes an
IngestError naming the file. The file's bytes and name go over stdin, never the
command line (which other users can see); the child's temporary files live in
a private directory that is removed when it ends, however it ends.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional

from priorauth.ingest.base import IngestError, Ingested, Limits, _env_number
from priorauth.ingest.privatetmp import ensure_private_tmp


def memory_mb() -> int:
    return int(_env_number("PRIORAUTH_READ_MEMORY_MB", 2048))


def timeout_s() -> float:
    return _env_number("PRIORAUTH_READ_TIMEOUT_S", 1200)


def read_isolated(data: bytes, name: Optional[str], content_type: Optional[str], limits: Limits) -> Ingested:
    """`read_bytes` of one file, run in a limited child process."""
    label = name or "the document"
    header = json.dumps({"name": name, "content_type": content_type, "max_bytes": limits.max_bytes,
                         "max_pages": limits.max_pages, "max_ocr_pages": limits.max_ocr_pages}).encode()
    work = Path(tempfile.mkdtemp(prefix="read-", dir=ensure_private_tmp()))
    env = dict(os.environ, TMPDIR=str(work), PRIORAUTH_READ_MEMORY_MB=str(memory_mb()))
    cmd = [sys.executable, "-m", "priorauth.ingest.isolated"]
    limit = timeout_s()
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                                cwd=str(work), start_new_session=True)
        try:
            out, _ = proc.communicate(header + b"\n" + data, timeout=limit)
        except BaseException:  # the time limit, or this thread being stopped: the reader and its Tesseract go too
            _kill_group(proc)
            raise
        if proc.returncode != 0:
            _kill_group(proc)  # a Tesseract started by a reader that died must not outlive it
    except subprocess.TimeoutExpired:
        raise IngestError(f"{label} took longer than {limit:g} s to read and was not read "
                          f"(PRIORAUTH_READ_TIMEOUT_S).") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    try:
        answer = json.loads(out) if proc.returncode == 0 else None
    except ValueError:
        answer = None
    if answer is None:
        raise IngestError(f"{label} could not be read within the reading limits ({memory_mb()} MB of memory, "
                          f"PRIORAUTH_READ_MEMORY_MB); it may be a decompression bomb, and it was not read.")
    if "error" in answer:
        raise IngestError(answer["error"])
    return Ingested.model_validate(answer["ok"])


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _child() -> None:
    """Set the limits first, then read stdin's file and print {"ok": Ingested} or {"error": sentence}."""
    import resource

    cap = memory_mb() * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    cpu = int(timeout_s()) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    from priorauth.ingest import privatetmp

    privatetmp.adopt(Path(os.environ.get("TMPDIR") or tempfile.mkdtemp()))
    raw = sys.stdin.buffer.read()
    head, _, data = raw.partition(b"\n")
    meta = json.loads(head)
    limits = Limits(max_bytes=meta["max_bytes"], max_pages=meta["max_pages"], max_ocr_pages=meta["max_ocr_pages"])
    from priorauth.ingest import read_bytes

    try:
        result = {"ok": read_bytes(data, name=meta["name"], content_type=meta["content_type"], limits=limits).model_dump(mode="json")}
    except IngestError as e:
        result = {"error": str(e)}
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    _child()
