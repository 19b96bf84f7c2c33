"""Align a model's quote to character offsets in the note, in our code: exact, normalized, then fuzzy.

Offsets never come from the model. A quote found verbatim is `exact`; found
after folding case and whitespace (and typographic quotes and dashes),
`normalized`; found approximately above a similarity threshold, `fuzzy` (shown
to reviewers as "needs checking", never counted); otherwise unaligned.
Repeated quotes take successive occurrences, so the order of the model's
claims is preserved.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Optional

from priorauth.models import Alignment

FUZZY_THRESHOLD = 0.88
FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "})


@dataclass(frozen=True)
class Match:
    """Where a quote sits in the note, and how well it matched (models.Alignment)."""

    start: int
    end: int
    status: Alignment
    score: float = 1.0


def _normalize(text: str) -> tuple[str, list[int]]:
    """Folded text and, for each of its characters, the index it came from."""
    out, index = [], []
    prev_space = False
    for i, ch in enumerate(text.translate(FOLD)):
        if ch.isspace():
            if prev_space:
                continue
            out.append(" ")
            prev_space = True
        else:
            out.append(ch.lower())
            prev_space = False
        index.append(i)
    return "".join(out), index


@dataclass
class Aligner:
    """Aligns quotes against one text, remembering where each repeated quote was last found."""

    text: str
    _norm: Optional[tuple[str, list[int]]] = None
    _next: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def norm(self) -> tuple[str, list[int]]:
        if self._norm is None:
            self._norm = _normalize(self.text)
        return self._norm

    def align(self, quote: str) -> Optional[Match]:
        q = quote.strip()
        if not q:
            return None
        found = self._exact(q) or self._normalized(q) or self._fuzzy(q)
        return found

    def _successive(self, kind: str, key: str, haystack: str, needle: str) -> Optional[int]:
        start = self._next.get((kind, key), 0)
        pos = haystack.find(needle, start)
        if pos < 0 and start:
            pos = haystack.find(needle)  # more claims than occurrences: reuse the first
        if pos >= 0:
            self._next[(kind, key)] = pos + 1
        return pos if pos >= 0 else None

    def _exact(self, q: str) -> Optional[Match]:
        pos = self._successive("exact", q, self.text, q)
        return Match(pos, pos + len(q), "exact") if pos is not None else None

    def _normalized(self, q: str) -> Optional[Match]:
        norm, index = self.norm
        nq = _normalize(q)[0].strip()
        pos = self._successive("norm", nq, norm, nq)
        if pos is None:
            return None
        return Match(index[pos], index[pos + len(nq) - 1] + 1, "normalized")

    def _fuzzy(self, q: str) -> Optional[Match]:
        norm, index = self.norm
        nq = _normalize(q)[0].strip()
        if len(nq) < 8:
            return None
        sm = difflib.SequenceMatcher(None, norm, nq, autojunk=False)
        m = sm.find_longest_match(0, len(norm), 0, len(nq))
        if m.size == 0:
            return None
        best: Optional[tuple[float, int, int]] = None
        origin = m.a - m.b
        for shift in range(-4, 5):
            for extra in (-2, -1, 0, 1, 2):
                s, e = max(0, origin + shift), min(len(norm), origin + shift + len(nq) + extra)
                if e <= s:
                    continue
                ratio = difflib.SequenceMatcher(None, norm[s:e], nq, autojunk=False).ratio()
                if best is None or ratio > best[0]:
                    best = (ratio, s, e)
        if best is None or best[0] < FUZZY_THRESHOLD:
            return None
        ratio, s, e = best
        while s < e and norm[s] == " ":
            s += 1
        while e > s and norm[e - 1] == " ":
            e -= 1
        return Match(index[s], index[e - 1] + 1, "fuzzy", round(ratio, 3))
