"""Rejoin words a layout hyphenated at a line end ('malignan-\\ncy' -> 'malignancy').

A word split by the typesetter or the dictating system at a line end is two
tokens to the extractor, and 'malignan-' matches no term. The halves are
joined, dropping the hyphen and the line break, only when the joined word is
a word (priorauth.ingest.words) or is spelled whole elsewhere on the same page,
and the second half starts in lower case; otherwise the text is left as it is
('follow-\\nup', 'L4-\\n5', 'T2-\\nweighted' keep their hyphen and break).
`removed` lists the offsets of each dropped hyphen in the input, so word
positions (OCR boxes) can be moved to the new text (`moved`).
"""

from __future__ import annotations

import bisect
import re

_SPLIT = re.compile(r"([A-Za-z]{2,})-\n([a-z]{2,})")


def dehyphenate(text: str) -> tuple[str, list[int]]:
    """(text with hyphenated line ends rejoined, offsets of the removed '-\\n' pairs in `text`)."""
    if "-\n" not in text:
        return text, []
    lower = text.lower()
    out: list[str] = []
    removed: list[int] = []
    last = 0
    for m in _SPLIT.finditer(text):
        joined = m[1] + m[2]
        if not _joinable(joined, lower):
            continue
        hyphen = m.start(2) - 2
        out.append(text[last:hyphen])
        last = hyphen + 2
        removed.append(hyphen)
    out.append(text[last:])
    return "".join(out), removed


def _joinable(joined: str, lower: str) -> bool:
    from priorauth.ingest.words import is_word

    return is_word(joined) or re.search(rf"\b{re.escape(joined.lower())}\b", lower) is not None


def moved(offset: int, removed: list[int]) -> int:
    """Where an offset of the input text lands in the rejoined text (each removal drops two characters)."""
    k = bisect.bisect_right(removed, offset - 1)  # removals starting before this offset
    shift = 2 * k
    if k and offset < removed[k - 1] + 2:  # inside a removed '-\n': at the join
        shift = 2 * (k - 1) + (offset - removed[k - 1])
    return offset - shift
