"""The guideline's vendored text, its identity, and verbatim citations into it.

The text ships inside the guideline's folder so a review never depends on
`shared/` at run time; citations are found by exact substring so a typo fails
loudly at import.
"""

from __future__ import annotations

from typing import Optional

from priorauth.guidelines import get
from priorauth.models import Citation, PolicyIdentity


def policy_text(guideline: Optional[str] = None) -> str:
    return get(guideline).policy_text


def policy_identity(guideline: Optional[str] = None) -> PolicyIdentity:
    return get(guideline).identity


def cite(sentence: str, guideline: Optional[str] = None) -> Citation:
    """Locate a verbatim policy sentence; raise if it is not in the vendored text."""
    text = policy_text(guideline)
    start = text.find(sentence)
    if start < 0:
        raise ValueError(f"not a verbatim policy sentence: {sentence[:80]!r}")
    return Citation(text=sentence, start=start, end=start + len(sentence))
