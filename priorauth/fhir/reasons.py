"""Review-action reason codes: our own reasons (data/review_reasons.json), each mapped by the payer to an X12 886 code.

X12 886 (HCR03) is the code system PAS binds `reviewAction.reasonCode` to
(required). Its code values are identifiers; their descriptions are licensed by
X12, so none are shipped. The payer's mapping file (`x12_886.json` here, or the
file named by PRIORAUTH_X12_886_MAP) gives the code value for each of our
reasons. A reason the payer has not mapped gets no reasonCode at all (the
element is optional), never a code from another system in its place; its plain
text is still the item's note and the response's disposition.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, field_validator

from priorauth.fhir import systems

DATA = Path(__file__).parent / "data" / "review_reasons.json"
X12_MAP = Path(__file__).parent / "data" / "x12_886.json"
MAP_ENV = "PRIORAUTH_X12_886_MAP"
CODE = re.compile(r"^[A-Z0-9]{1,3}$")  # 886 code values are short alphanumerics


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display: str


class ReasonTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    system: str
    note: str = ""
    reasons: dict[str, Reason]


class X12Map(BaseModel):
    """The payer's mapping: our reason -> X12 886 code value (or null)."""

    model_config = ConfigDict(extra="forbid")
    note: str = ""
    codes: dict[str, Optional[str]]

    @field_validator("codes")
    @classmethod
    def _values(cls, v: dict[str, Optional[str]]) -> dict[str, Optional[str]]:
        bad = [k for k, c in v.items() if c is not None and not CODE.match(c)]
        if bad:
            raise ValueError(f"not an X12 886 code value (1-3 letters or digits) for: {', '.join(bad)}")
        return v


@lru_cache(maxsize=1)
def reason_table() -> ReasonTable:
    table = ReasonTable.model_validate(json.loads(DATA.read_text(encoding="utf-8")))
    if table.system != systems.REASON_SYSTEM:
        raise ValueError(f"{DATA}: system must be {systems.REASON_SYSTEM}")
    return table


def x12_map_path() -> Path:
    return Path(os.environ.get(MAP_ENV) or X12_MAP)


@lru_cache(maxsize=4)
def _x12_map(path: str) -> X12Map:
    try:
        m = X12Map.model_validate(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: the X12 886 mapping file cannot be used ({exc})") from None
    unknown = set(m.codes) - set(reason_table().reasons)
    if unknown:
        raise ValueError(f"{path}: unknown reasons {sorted(unknown)}; known: {sorted(reason_table().reasons)}")
    return m


def x12_map() -> X12Map:
    """The payer's mapping, validated when loaded (read again when the configured path changes)."""
    return _x12_map(str(x12_map_path()))


def reason_concept(code: str, text: str) -> Optional[dict]:
    """The reviewAction reasonCode: the payer's X12 886 code value (no display: licensed) and our plain text; None when
    the payer mapped none. Only the 886 coding: the binding is required, so no coding of another system rides along."""
    reason_table().reasons[code]  # an unknown reason is our bug: KeyError here, not a silent omission
    x12 = x12_map().codes.get(code)
    if not x12:
        return None
    return {"coding": [{"system": systems.X12_886, "code": x12}], "text": text}
