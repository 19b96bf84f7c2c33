"""ConText's trigger matches, with its token patterns tried only around the sentences that hold targets.

medspaCy's combined matcher runs spaCy's token Matcher over the whole note,
making a Python Token and calling Python predicates at every token; that was
most of ConText's time, yet a trigger outside a sentence with targets is
dropped. Here the token patterns run only on windows reaching `width` tokens
(their longest possible match) beyond each run of target sentences; phrases
and regexes, which are cheap, still read the whole note.

The result equals the full matcher's (pruned) matches that start in those
sentences: the windows hold every token match that lies in or crosses a run's
edges, and when no match crosses an edge the edge cuts medspaCy's pairwise
pruning in two (nothing before it can change what is kept after it). When a
match does cross an edge, or a pattern has no bounded length, or a rule has a
callback (which would see window offsets), or matches are not pruned, the whole
note is matched as before.
"""

from __future__ import annotations

import bisect
from typing import Optional

from medspacy.common.util import prune_overlapping_matches
from spacy.tokens import Doc

Match = tuple[int, int, int]  # (match_id, start token, end token)


def token_pattern_width(patterns: list[list[dict]]) -> Optional[int]:
    """The most tokens a match of any of these token patterns can cover; None when unbounded or not read."""
    width = 0
    for pattern in patterns:
        n = 0
        for token in pattern:
            op = token.get("OP")
            if op not in (None, "?", "1"):
                return None  # '*', '+', '{n,m}' and negation: not worth reading, match the whole note
            n += 1
        width = max(width, n)
    return width


def runs(sentences: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Adjacent (start, end) token ranges, in order, joined into runs."""
    out: list[tuple[int, int]] = []
    for start, end in sentences:
        if out and out[-1][1] == start:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def windows(spans: list[tuple[int, int]], width: int, length: int) -> list[tuple[int, int]]:
    """Each run widened by `width` tokens each side, clipped to the note, overlapping ones merged."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        a, b = max(0, start - width), min(length, end + width)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def matches_in(doc: Doc, token_matcher, phrase_matcher, regex_matcher, prune: bool, width: Optional[int],
               sentences: list[tuple[int, int]]) -> Optional[list[Match]]:
    """The combined matcher's matches starting in `sentences` (sorted (start, end) token ranges), or None when the
    windows cannot be shown to give what the whole note gives (the caller then matches the whole note)."""
    if width is None or not prune:
        return None
    spans = runs(sentences)
    found: list[Match] = []
    if len(token_matcher):
        for a, b in windows(spans, width, len(doc)):
            found.extend((key, a + s, a + e) for key, s, e in token_matcher(doc[a:b]))
    found += phrase_matcher(doc)
    found += regex_matcher(doc)
    edges = {x for span in spans for x in span}
    if any(x in edges for _, s, e in found for x in range(s + 1, e)):
        return None  # a match crosses a run's edge: what pruning keeps there depends on what lies outside
    starts = [a for a, _ in spans]
    kept = []
    for m in found:
        k = bisect.bisect_right(starts, m[1]) - 1
        if k >= 0 and m[2] <= spans[k][1]:
            kept.append(m)
    return prune_overlapping_matches(kept)
