"""The structured output the model must return, strict-mode compatible, built per guideline.

OpenAI's strict structured outputs reject defaults, so every field is required,
optional values are `Optional[...]` without a default, and the code and therapy
enums are Literals built from the guideline's `codes.json`, so the model can
only name codes the guideline has.
"""

from __future__ import annotations

import hashlib
import json
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, create_model

from priorauth.codes import code_table
from priorauth.guidelines import Guideline, per_guideline

AssertionName = Literal["present", "negated", "family", "historical", "hypothetical"]
ResponseName = Literal["no_relief", "partial_relief", "improved", "resolved", "worsening"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LLMFinding(_Strict):
    """One finding the model reports, with the quotes it read it from (`code` narrowed per guideline)."""

    code: str
    quotes: list[str]
    assertion: AssertionName
    exam: bool


class LLMTherapy(_Strict):
    """One component of conservative care the model reports (`kind` narrowed per guideline)."""

    kind: str
    quote: str
    duration_weeks: Optional[float]
    duration_quote: Optional[str]
    start_date: Optional[str]
    end_date: Optional[str]
    response: Optional[ResponseName]


class LLMExtraction(_Strict):
    """The model's whole answer for one chunk; the guideline's own model subclasses it."""

    findings: list[LLMFinding]
    conservative_therapy: list[LLMTherapy]


def _literal(values: tuple[str, ...]) -> object:
    return Literal[values]  # type: ignore[valid-type]


@per_guideline
def extraction_model(g: Guideline) -> type[LLMExtraction]:
    """`LLMExtraction` whose code and therapy-kind fields accept only the guideline's codes."""
    table = code_table(g.id)
    suffix = "".join(p.title() for p in g.id.replace("-", "_").split("_"))
    finding = create_model(f"LLMFinding{suffix}", __base__=LLMFinding,
                           code=(_literal(tuple(c.code for c in table.codes)), ...))
    fields: dict = {"findings": (list[finding], ...)}  # type: ignore[valid-type]
    if table.therapy:
        therapy = create_model(f"LLMTherapy{suffix}", __base__=LLMTherapy, kind=(_literal(tuple(table.therapy)), ...))
        fields["conservative_therapy"] = (list[therapy], ...)  # type: ignore[valid-type]
    return create_model(f"LLMExtraction{suffix}", __base__=LLMExtraction, **fields)


def schema_sha256(guideline: Optional[str] = None) -> str:
    """Hash of the JSON schema sent to the model (part of the cache key and of the review's LLM record)."""
    schema = extraction_model(guideline).model_json_schema()
    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()
