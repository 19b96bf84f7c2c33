"""Review-action reason codes: our own code system, optionally mapped to licensed X12 886 codes (data file)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict

from priorauth.fhir import systems

DATA = Path(__file__).parent / "data" / "review_reasons.json"


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display: str
    x12_886: Optional[str] = None


class ReasonTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    system: str
    note: str = ""
    reasons: dict[str, Reason]


@lru_cache(maxsize=1)
def reason_table() -> ReasonTable:
    table = ReasonTable.model_validate(json.loads(DATA.read_text(encoding="utf-8")))
    if table.system != systems.REASON_SYSTEM:
        raise ValueError(f"{DATA}: system must be {systems.REASON_SYSTEM}")
    return table


def reason_concept(code: str, text: str) -> dict:
    """A CodeableConcept for the reviewAction reasonCode: our code, the X12 886 code when the payer mapped one."""
    r = reason_table().reasons[code]
    coding = [{"system": systems.REASON_SYSTEM, "code": code, "display": r.display}]
    if r.x12_886:
        coding.insert(0, {"system": systems.X12_886, "code": r.x12_886})
    return {"coding": coding, "text": text}
