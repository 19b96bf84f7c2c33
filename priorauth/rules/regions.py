"""Requested CPT codes mapped to spinal region, contrast and field strength."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

Region = Literal["cervical", "thoracic", "lumbar"]


@dataclass(frozen=True)
class Study:
    cpt: str
    region: Optional[Region]
    contrast: Optional[Literal["without", "with", "without_then_with"]]
    low_field: bool = False


POLICY_CODES: dict[str, Study] = {
    "72141": Study("72141", "cervical", "without"),
    "72142": Study("72142", "cervical", "with"),
    "72156": Study("72156", "cervical", "without_then_with"),
    "72146": Study("72146", "thoracic", "without"),
    "72147": Study("72147", "thoracic", "with"),
    "72157": Study("72157", "thoracic", "without_then_with"),
    "72148": Study("72148", "lumbar", "without"),
    "72149": Study("72149", "lumbar", "with"),
    "72158": Study("72158", "lumbar", "without_then_with"),
    "S8042": Study("S8042", None, None, low_field=True),
}


def studies_for(cpt_codes: list[str] | None) -> list[Study]:
    """The requested studies this policy covers, in request order, duplicates dropped."""
    seen: list[Study] = []
    for raw in cpt_codes or []:
        study = POLICY_CODES.get(raw.strip().upper())
        if study is not None and study not in seen:
            seen.append(study)
    return seen
