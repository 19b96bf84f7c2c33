"""The structured output the model must return, strict-mode compatible.

OpenAI's strict structured outputs reject defaults, so every field is required,
optional values are `Optional[...]` without a default, and enums are Literals
built from the code registry.
"""

from __future__ import annotations

import hashlib
import json
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict

from priorauth.codes import CODES, THERAPY_CODES

CodeName = Literal[tuple(c.code for c in CODES)]  # type: ignore[valid-type]
TherapyKind = Literal[tuple(THERAPY_CODES)]  # type: ignore[valid-type]
AssertionName = Literal["present", "negated", "family", "historical", "hypothetical"]
ResponseName = Literal["no_relief", "partial_relief", "improved", "resolved", "worsening"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LLMFinding(_Strict):
    code: CodeName
    quotes: list[str]
    assertion: AssertionName
    exam: bool


class LLMTherapy(_Strict):
    kind: TherapyKind
    quote: str
    duration_weeks: Optional[float]
    duration_quote: Optional[str]
    start_date: Optional[str]
    end_date: Optional[str]
    response: Optional[ResponseName]


class LLMExtraction(_Strict):
    findings: list[LLMFinding]
    conservative_therapy: list[LLMTherapy]


def schema_sha256() -> str:
    return hashlib.sha256(json.dumps(LLMExtraction.model_json_schema(), sort_keys=True).encode()).hexdigest()
