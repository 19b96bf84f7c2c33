"""The vendored MRI-spine guideline, its identity, and verbatim citations into it.

The text ships inside the package so a review never depends on `shared/` at run
time; citations are found by exact substring so a typo fails loudly at import.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources

from priorauth.models import Citation, PolicyIdentity

POLICY_FILE = "mri-spine-guideline.txt"
POLICY_TITLE = "MRI (Magnetic Resonance Imaging) of the Spine (Cervical, Thoracic, Lumbar) Medical Guideline"
POLICY_NUMBER = "PUM 250-0057-1812"
POLICY_EFFECTIVE = "05/01/2026"


@lru_cache(maxsize=1)
def policy_text() -> str:
    return resources.files("priorauth.rules").joinpath("data", POLICY_FILE).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def policy_identity() -> PolicyIdentity:
    text = policy_text()
    return PolicyIdentity(title=POLICY_TITLE, number=POLICY_NUMBER, effective=POLICY_EFFECTIVE,
                          sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


def cite(sentence: str) -> Citation:
    """Locate a verbatim policy sentence; raise if it is not in the vendored text."""
    text = policy_text()
    start = text.find(sentence)
    if start < 0:
        raise ValueError(f"not a verbatim policy sentence: {sentence[:80]!r}")
    return Citation(text=sentence, start=start, end=start + len(sentence))
