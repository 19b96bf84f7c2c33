"""Required literals of a regex: strings one of which every match contains (a prefilter).

Most lexicon rules cannot match a note that lacks their words, and a substring
test is two orders of magnitude cheaper than a case-insensitive regex scan, so
the target matcher skips a rule whose anchors are all absent. The anchors are
derived from the regex's own parse tree, so they cannot drift from the rule.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

try:  # Python 3.11+
    import re._constants as C
    import re._parser as sre_parse
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

REPEATS = tuple(x for x in (getattr(C, "MAX_REPEAT", None), getattr(C, "MIN_REPEAT", None), getattr(C, "POSSESSIVE_REPEAT", None)) if x)


def _required(items) -> Optional[set[str]]:
    candidates: list[set[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            candidates.append({"".join(run)})
            run.clear()

    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av).lower())
            continue
        flush()
        found: Optional[set[str]] = None
        if op is C.SUBPATTERN:
            found = _required(av[-1])
        elif op is C.BRANCH:
            subs = [_required(b) for b in av[1]]
            if all(s is not None for s in subs):
                found = set().union(*subs)  # type: ignore[arg-type]
        elif op in REPEATS:
            lo, _hi, body = av
            if lo >= 1:
                found = _required(body)
        elif op is C.IN:
            lits = [chr(a).lower() for o, a in av if o is C.LITERAL]
            if lits and len(lits) == len(av):
                found = set(lits)
        if found is not None:
            candidates.append(found)
    flush()
    if not candidates:
        return None
    return max(candidates, key=lambda s: (min(len(x) for x in s), -len(s)))


def required_literals(pattern: str, min_length: int = 2) -> Optional[tuple[str, ...]]:
    """Lower-case literals one of which any match of `pattern` (case-insensitive) contains, or None."""
    try:
        tree = sre_parse.parse(pattern, re.I)
    except re.error:
        return None
    found = _required(list(tree))
    if not found or min(len(x) for x in found) < min_length:
        return None
    return tuple(sorted(found))


@lru_cache(maxsize=None)
def _anchors(rx: re.Pattern[str]) -> Optional[tuple[str, ...]]:
    return None if rx.flags & re.VERBOSE else required_literals(rx.pattern)


def may_match(rx: re.Pattern[str], lower: str) -> bool:
    """False when `rx` cannot match a text whose lower-cased form is `lower` (none of its required literals is in it).

    A substring test per anchor instead of a regex scan: the cheap way to skip a cue a note does not contain.
    """
    anchors = _anchors(rx)
    return anchors is None or any(a in lower for a in anchors)


ASSERTS = (C.ASSERT, C.ASSERT_NOT)


def _look_reach(items, repeated: bool = False) -> Optional[int]:
    """How far past the match (or before it) the pattern's lookarounds may read: the sum of their widths, an upper
    bound; None when a lookaround sits inside a repeat or is itself unbounded."""
    total = 0
    for op, av in items:
        subs: list = []
        if op in ASSERTS:
            if repeated:
                return None
            _lo, hi = av[1].getwidth()
            inner = _look_reach(av[1])
            if inner is None:
                return None
            total += hi + inner
            continue
        if op is C.SUBPATTERN:
            subs = [av[-1]]
        elif op is C.BRANCH:
            subs = list(av[1])
        elif op in REPEATS:
            sub = _look_reach(av[2], repeated or av[1] > 1)
            if sub is None:
                return None
            total += sub
            continue
        for sub in subs:
            reach = _look_reach(sub, repeated)
            if reach is None:
                return None
            total += reach
    return total


def max_width(pattern: str, limit: int = 1000) -> Optional[int]:
    """The widest stretch of text a match of `pattern` depends on, or None when unbounded (or wider than `limit`).

    That is the match's own width plus what its lookarounds read beyond it: a window cut at the match's width
    would hide the words a lookahead needs ('an MRI of her low back ...: mild disc bulge')."""
    try:
        tree = sre_parse.parse(pattern, re.I)
        _lo, hi = tree.getwidth()
    except re.error:
        return None
    reach = _look_reach(list(tree))
    if reach is None:
        return None
    return hi + reach if hi + reach <= limit else None


def merge_windows(occurrences: list[tuple[int, int]], width: int, limit: int, slack: int = 16) -> list[tuple[int, int]]:
    """Merged [start, end) ranges that contain every possible match around each anchor occurrence.

    `occurrences` are (start, length) of anchors in the text. A match contains
    an anchor occurrence at p and is at most `width` long, so it lies within
    [p - width, p + length + width]; the slack past the end keeps a window's
    edge from cutting a word in a way that would let a shorter match appear
    (`\b` and `$` see the window end as the string's end).
    """
    spans = sorted((max(0, p - width), min(limit, p + n + width + slack)) for p, n in occurrences)
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged
