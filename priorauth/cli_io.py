"""Command-line input and output safety: output files that are never truncated or clobbered, and dates as users type them.

A batch writes to `<output>.partial` beside the output (owner-only, flushed
per record) and renames it over the output only when every line has a record,
so a crash or a kill never leaves a truncated output and never destroys an
existing one. `--resume` continues an interrupted run from that partial file
(or extends a finished output), skipping the cases already written.
"""

from __future__ import annotations

import errno
import json
import os
import re
import tempfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import IO, Optional

from priorauth.jsonl import InputError, Line

DATE_FORMS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y")
DATE_HINT = "YYYY-MM-DD or MM/DD/YYYY (e.g. 2026-04-21 or 04/21/2026)"


def parse_cli_date(value: Optional[str], flag: str) -> Optional[date]:
    """YYYY-MM-DD, MM/DD/YYYY, M/D/YY or MM-DD-YYYY; anything else is an InputError naming the expected form."""
    if value is None:
        return None
    text = value.strip()
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2}", text):  # two-digit years are this century
        m, d, y = text.split("/")
        text = f"{m}/{d}/20{y}"
    for form in DATE_FORMS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise InputError(f"{flag} {value!r} is not a date: use {DATE_HINT}")


def check_writable(path: Optional[Path], flag: str) -> None:
    """A file the user asked us to write must not be a directory and must have an existing directory."""
    if path is None:
        return
    if path.is_dir():
        raise InputError(f"{flag} {path} is a directory: name a file")
    if not path.parent.is_dir():
        raise InputError(f"{flag} {path}: the directory {path.parent} does not exist")


def _same_file(a: Path, b: Path) -> bool:
    """One file on disk (a hard link or symlink to it included), or the same path once resolved."""
    try:
        if a.exists() and b.exists() and os.path.samefile(a, b):
            return True
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _cannot_write(path: Path, exc: OSError) -> InputError:
    why = "it is a symbolic link, which is not followed" if exc.errno == errno.ELOOP else (exc.strerror or type(exc).__name__).lower()
    return InputError(f"cannot write {path}: {why}")


def _open_private(path: Path, mode: str) -> IO[str]:
    """Open for writing, owner-only (records hold PHI), never through a symbolic link someone planted there.

    "w" replaces the file: any old one is removed and a new one created exclusively (O_EXCL), so a link
    planted between the two steps makes the open fail instead of writing elsewhere.
    """
    try:
        if mode == "a":
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW, 0o600)
        else:
            if path.is_symlink() or path.exists():
                path.unlink()
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    return os.fdopen(fd, mode, encoding="utf-8")


def write_private(path: Path, text: str) -> None:
    """Write a whole file readable by its owner only (pages and reports quote notes, which are PHI).

    Written to a new private file in the same directory (mkstemp) and renamed over `path`: a symbolic link at
    `path` is replaced, never followed, and a reader never sees half a file. One sentence when it cannot be written.
    """
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class OutputFile:
    """One JSON line per record, written to `<path>.partial` and renamed to `path` by `commit()`."""

    def __init__(self, path: Path, inputs: list[Path], force: bool = False, resume: bool = False):
        if force and resume:
            raise InputError("use either --force (start again) or --resume (continue), not both")
        if path.is_dir():
            raise InputError(f"-o {path} is a directory: name a file to write the records to")
        if not path.parent.is_dir():
            raise InputError(f"-o {path}: the directory {path.parent} does not exist")
        for src in inputs:
            if _same_file(path, src):
                raise InputError(f"-o {path} is the input file itself: name another file")
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        self.resume = resume
        if not (force or resume):
            if path.exists():
                raise InputError(f"{path} already exists: use --force to replace it or --resume to continue it")
            if self.partial.exists():
                raise InputError(f"an interrupted run left {self.partial}: use --resume to continue it or --force to start again")
        self.done_ids: Counter[str] = Counter()
        self.done_lines: set[int] = set()
        self.kept = 0
        self._fh: Optional[IO[str]] = None

    def open(self) -> "OutputFile":
        """Start the partial file; with --resume, keep its complete records (or the finished output's) and note them."""
        if self.partial.is_symlink():
            raise InputError(f"cannot write {self.partial}: it is a symbolic link, which is not followed")
        if self.resume:
            if not self.partial.exists() and self.path.exists():
                write_private(self.partial, self.path.read_text(encoding="utf-8"))
            if self.partial.exists():
                self._keep_complete_records()
                self._fh = _open_private(self.partial, "a")
                return self
        self._fh = _open_private(self.partial, "w")  # a new file: owner-only whatever an old one's mode was
        return self

    def _keep_complete_records(self) -> None:
        data = self.partial.read_bytes()
        cut = data.rfind(b"\n") + 1  # a record cut off by a kill is dropped and done again
        if cut < len(data):
            with open(self.partial, "r+b") as fh:
                fh.truncate(cut)
        for raw in data[:cut].split(b"\n"):
            try:
                rec = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(rec, dict):
                continue
            self.kept += 1
            if rec.get("case_id") is not None:
                self.done_ids[str(rec["case_id"])] += 1
            elif isinstance(rec.get("line"), int):
                self.done_lines.add(rec["line"])

    def already_done(self, line: Line, case_id: Optional[str]) -> bool:
        """True when a resumed run has this line's record already (by case id, else by line number)."""
        if case_id is not None and self.done_ids[case_id] > 0:
            self.done_ids[case_id] -= 1
            return True
        return case_id is None and line.number in self.done_lines

    def write(self, rec: dict) -> None:
        assert self._fh is not None
        self._fh.write(json.dumps(rec) + "\n")
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def commit(self) -> None:
        """Every record is written: replace the output with the partial file in one rename."""
        self.close()
        os.replace(self.partial, self.path)
