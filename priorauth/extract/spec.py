"""Which extractor to build, as a picklable value: the CLI builds it for one packet, each batch worker for itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from priorauth.guidelines import DEFAULT


@dataclass(frozen=True)
class ExtractorSpec:
    """Picklable description of an extractor, so each worker process builds its own."""

    name: str = "rules"
    llm: dict[str, Any] = field(default_factory=dict)
    guideline: Optional[str] = None  # None: each request goes to the guideline that covers its codes

    @property
    def bound(self) -> str:
        """The guideline the built extractor starts with (a review routes to others as its codes need)."""
        return self.guideline or DEFAULT

    def check(self) -> None:
        """Raise ValueError for a bad configuration without building anything heavy (run before any output)."""
        if self.name not in ("rules", "gold", "llm", "hybrid"):
            raise ValueError(f"unknown extractor {self.name!r}: use rules, llm or hybrid")
        from priorauth.guidelines import get

        get(self.bound)
        if self.name in ("llm", "hybrid"):
            from priorauth.extract.llm_client import LLMConfig

            LLMConfig.from_env(**{k: v for k, v in self.llm.items() if v is not None})

    def build(self):
        from priorauth.pipeline import default_extractor

        self.check()
        if self.name == "rules":
            return default_extractor(self.bound)
        if self.name == "gold":
            from priorauth.extract.gold import GoldExtractor

            return GoldExtractor()
        from priorauth.extract.llm_extractor import llm_extractor_from_env

        return llm_extractor_from_env(self.name, guideline=self.bound,
                                     **{k: v for k, v in self.llm.items() if v is not None})
