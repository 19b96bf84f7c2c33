"""Load a guideline's prompt templates for the optional LLM extraction step, versioned and hashed.

The finding definitions are rendered from the guideline's `codes.json`, the table
the rules and the extractor use, so the prompt never drifts from the code table.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from priorauth.codes import code_table
from priorauth.guidelines import Guideline, per_guideline

VERSION_RX = re.compile(r"<!--\s*prompt-version:\s*(\S+)\s*-->")


@dataclass(frozen=True)
class Prompts:
    system_template: str
    user_template: str
    version: str
    sha256: str

    definitions: str

    def system(self) -> str:
        return self.system_template.replace("{definitions}", self.definitions)

    def user(self, text: str, doc_type: str, doc_date: str, part: int, parts: int) -> str:
        return (self.user_template.replace("{doc_type}", doc_type).replace("{doc_date}", doc_date)
                .replace("{part}", str(part)).replace("{parts}", str(parts)).replace("{text}", text))


def definitions(guideline: str | None = None) -> str:
    """One line per finding code of the guideline: `- code: definition`."""
    return "\n".join(f"- {c.code}: {c.definition}" for c in code_table(guideline).codes)


@per_guideline
def load(g: Guideline) -> Prompts:
    """The guideline's prompt templates (`prompts/system.md`, `prompts/user.md`), checked for one version."""
    system = g.read_text("prompts", "system.md")
    user = g.read_text("prompts", "user.md")
    versions = {m.group(1) for m in VERSION_RX.finditer(system + user)}
    if len(versions) != 1:
        raise ValueError(f"prompt templates must carry one prompt-version, found {sorted(versions)}")
    defs = definitions(g.id)
    digest = hashlib.sha256((system + "\0" + user + "\0" + defs).encode("utf-8")).hexdigest()
    return Prompts(VERSION_RX.sub("", system).strip() + "\n", VERSION_RX.sub("", user).strip() + "\n", versions.pop(), digest,
                   defs)
