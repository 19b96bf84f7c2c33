"""Load a data file through a pydantic model so a misspelt key fails at load, naming file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class DataFileError(ValueError):
    """A guideline data file that does not match its schema."""


def _line_of(text: str, loc: tuple) -> int | None:
    """The line of the deepest key of `loc` found in order (the parent's line when the key itself is missing)."""
    lines = text.splitlines()
    at, found = 0, None
    for key in loc:
        if not isinstance(key, str):
            continue
        needle = json.dumps(key, ensure_ascii=False) + ":"
        hit = next((i for i in range(at, len(lines)) if needle in lines[i].replace('" :', '":')), None)
        if hit is None:
            break
        at, found = hit, hit + 1
    return found


def load_model(model: type[M], path: Path) -> M:
    """Parse `path` (JSON) as `model`; the error names the file, the line and the offending key."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")  # a misspelt key first
        first = errors[0]
        loc = tuple(first.get("loc") or ())
        line = _line_of(text, loc)
        where = f"{path}" + (f", line {line}" if line else "")
        dotted = ".".join(str(x) for x in loc) or "(top level)"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise DataFileError(f"{where}: {dotted}: {first['msg']}{more}") from None
