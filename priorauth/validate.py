"""Load a data file through a pydantic model so a misspelt key fails at load, naming file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class DataFileError(ValueError):
    """A guideline data file that does not match its schema."""


def _line_of(text: str, key: Any) -> int | None:
    needle = json.dumps(key) if isinstance(key, str) else None
    if needle is None:
        return None
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    return None


def load_model(model: type[M], path: Path) -> M:
    """Parse `path` (JSON) as `model`; the error names the file, the line and the offending key."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = first.get("loc") or ()
        key = loc[-1] if loc else None
        line = _line_of(text, key)
        where = f"{path}" + (f", line {line}" if line else "")
        dotted = ".".join(str(x) for x in loc) or "(top level)"
        raise DataFileError(f"{where}: {dotted}: {first['msg']}") from None
