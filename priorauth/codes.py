"""A guideline's finding codes: the concepts it extracts, read from its `codes.json`.

Contract codes (MRI-spine: those of `shared/spec/finding-codes.md`) are the ones
evaluated. Supporting concepts (``contract: false``) carry qualifiers that some
policy items need (an indeterminate prior study, a routine surveillance plan)
and are never scored. Extractors, rules, prompts and reports all ask
`code_table()` for the guideline they work under, so each guideline names its own
codes. Whether past history supports a code is a lexicon flag
(`history_supports` in the guideline's lexicon file), its one source.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from priorauth.guidelines import Guideline, per_guideline
from priorauth.validate import load_model

Group = Literal["complaint", "red_flag", "conservative", "other", "supporting"]
"""How the reviewer's page colours a finding; a closed vocabulary shared by every guideline."""


class CodeSpec(BaseModel):
    """One row of `codes.json`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    group: Group
    label: Optional[str] = Field(default=None, description="How reasons name it ('weakness'); default: the code in words.")
    definition: str = Field(min_length=1, description="What the code means; also the LLM prompt's definition.")
    policy: str = Field(description="The policy items the code serves, for readers.")
    contract: bool = Field(default=True, description="Evaluated (a contract code) or a supporting concept.")
    therapy: Optional[Literal["active", "inactive"]] = Field(
        default=None, description="For a component of conservative care: active or inactive.")
    pain: bool = Field(default=False, description="A pain complaint: durations beside it date the episode, and care counts beside it.")


class CodesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    doc: str = Field(default="", alias="_doc")
    codes: dict[str, CodeSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Code:
    code: str
    group: Group
    definition: str
    policy: str
    contract: bool = True
    therapy: Optional[Literal["active", "inactive"]] = None
    label: str = ""  # how reasons name it; codes.json's label, else the code in words (set by code_table)


@dataclass(frozen=True)
class CodeTable:
    """The finding codes of one guideline, in file order, and the views the code reads."""

    codes: tuple[Code, ...]
    _pain: tuple[str, ...] = ()

    @cached_property
    def by_code(self) -> dict[str, Code]:
        return {c.code: c for c in self.codes}

    def label(self, code: str) -> str:
        """How a reason names the code ('weakness' for motor_weakness)."""
        c = self.by_code.get(code)
        return c.label if c else code.replace("_", " ")

    @cached_property
    def contract(self) -> frozenset[str]:
        """The codes evaluation scores."""
        return frozenset(c.code for c in self.codes if c.contract)

    @cached_property
    def pain(self) -> frozenset[str]:
        """The pain complaints (codes.json `pain`): their durations date the episode of care."""
        return frozenset(self._pain)

    @cached_property
    def therapy(self) -> dict[str, str]:
        """Conservative-care code -> "active" or "inactive"."""
        return {c.code: c.therapy for c in self.codes if c.therapy}


@per_guideline
def code_table(g: Guideline) -> CodeTable:
    """Load the guideline's codes (a misspelt key fails here, naming file and line)."""
    data = load_model(CodesFile, g.path("codes.json"))
    return CodeTable(tuple(Code(k, s.group, s.definition, s.policy, s.contract, s.therapy,
                                s.label or k.replace("_", " ")) for k, s in data.codes.items()),
                     tuple(k for k, s in data.codes.items() if s.pain))
