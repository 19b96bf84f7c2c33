"""Private temporary files: page images and OCR text are PHI, so they never sit world-readable in a shared /tmp.

pytesseract writes the page image and Tesseract's output to `tempfile`'s
directory, and Starlette spools large uploads there too. A process that reads
notes therefore points `tempfile` (and its reader processes, through their TMPDIR) at
a directory of its own, mode 0700, named `<host>-<pid>`, removed at exit (the
environment's TMPDIR is left alone: other programs the process starts, such as a
browser in tests, keep theirs; the reader processes are given their own). A
directory left by a killed process is removed by the next process that starts
on the same base directory (its pid no longer runs). The service keeps these
under its data directory (`<data dir>/tmp`); the CLI and library callers under
the system temporary directory, as `priorauth-<uid>-<host>-<pid>`.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import stat
import tempfile
import threading
from pathlib import Path
from typing import Optional

_lock = threading.Lock()
_current: Optional[Path] = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _owned_dir(path: Path) -> bool:
    """A real directory (not a symlink) owned by this user."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid()


def clean_leftovers(base: Path, prefix: str = "") -> int:
    """Remove private directories under `base` left by processes of this host that no longer run; returns how many."""
    host = socket.gethostname()
    removed = 0
    try:
        entries = list(base.iterdir())
    except OSError:
        return 0
    for entry in entries:
        name = entry.name
        if not name.startswith(f"{prefix}{host}-"):
            continue
        pid_text = name.rsplit("-", 1)[-1]
        if not pid_text.isdigit() or int(pid_text) == os.getpid() or _alive(int(pid_text)) or not _owned_dir(entry):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed += 1
    return removed


def use_private_tmp(base: Optional[Path] = None) -> Path:
    """Make this process's temporary directory a private one under `base` (default: the system's) and return it.

    Also sets umask 077, so files any library creates are owner-only. Idempotent for the same base (a second
    service in one process, as in tests, moves to its own data directory's).
    """
    global _current
    with _lock:
        if _current is not None and _current.is_dir() and (base is None or _current.parent == Path(base)):
            return _current
        os.umask(0o077)
        shared = base is None
        root = Path(base) if base is not None else Path(tempfile.gettempdir())
        if not shared:
            root.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(root, 0o700)
        prefix = f"priorauth-{os.getuid()}-" if shared else ""
        clean_leftovers(root, prefix)
        path = root / f"{prefix}{socket.gethostname()}-{os.getpid()}"
        if path.exists() and not _owned_dir(path):
            raise OSError(f"{path} exists and is not a private directory of this user")
        path.mkdir(mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)
        tempfile.tempdir = str(path)  # the process's own temporary files; its reader processes get theirs (isolated.py)
        _current = path
        atexit.register(shutil.rmtree, path, True)
        return path


def adopt(path: Path) -> None:
    """A child process given a private directory by its parent (TMPDIR) uses it as is; the parent removes it."""
    global _current
    with _lock:
        os.umask(0o077)
        tempfile.tempdir = str(path)
        os.environ["TMPDIR"] = str(path)
        _current = path


def ensure_private_tmp() -> Path:
    """The private directory of this process, made on first use (for callers that did not choose a base)."""
    return _current if _current is not None else use_private_tmp()
