"""Spinal regions; the CPT-to-study map itself is guideline data (`guideline.json`)."""

from __future__ import annotations

from typing import Literal

from priorauth.guidelines import Study, studies_for

Region = Literal["cervical", "thoracic", "lumbar"]

__all__ = ["Region", "Study", "studies_for"]
