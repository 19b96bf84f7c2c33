"""Read a JSON Lines file line by line, so one bad line never costs the others.

Lines are split on "\\n" only: U+2028, U+2029 and U+0085 are legal raw inside a
JSON string (`JSON.stringify` writes U+2028 raw), and `str.splitlines()` would
cut a case in two there. Each line is decoded on its own, so an invalid UTF-8
byte turns that line into an error record, not the whole batch into a
traceback. A UTF-8 byte-order mark at the start of the file is skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

BOM = b"\xef\xbb\xbf"


class InputError(Exception):
    """An input file the user named cannot be read; the message is one sentence for the user."""


@dataclass(frozen=True)
class Line:
    """One line of the file: its 1-based number and text, or why it could not be decoded."""

    number: int
    text: str
    problem: Optional[str] = None


def split_lines(data: bytes) -> Iterator[Line]:
    """Lines of `data` split on b"\\n"; a final line without newline counts, a trailing newline adds none."""
    if data.startswith(BOM):
        data = data[len(BOM):]
    parts = data.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    for n, raw in enumerate(parts, 1):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            yield Line(n, raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield Line(n, "", f"the line is not valid UTF-8 (byte {exc.start + 1})")


def read_bytes(path: Path, what: str = "cases file") -> bytes:
    """The file's bytes, or an InputError saying in one sentence why it cannot be read."""
    if not path.exists():
        raise InputError(f"the {what} {path} does not exist")
    if path.is_dir():
        raise InputError(f"the {what} {path} is a directory, not a file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"the {what} {path} cannot be read ({exc.strerror or type(exc).__name__})") from None


def read_lines(path: Path, what: str = "cases file") -> list[Line]:
    return list(split_lines(read_bytes(path, what)))


def loads(text: str) -> Any:
    """json.loads that reports a too-deeply nested value as a ValueError instead of RecursionError."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None
