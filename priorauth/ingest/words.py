"""Is this an English word? The dictionary behind hyphen rejoining and the PDF text engine's page score.

The word list is pyspellchecker's English dictionary (MIT licence, shipped
inside the package, loaded once and lazily, about 0.3 s): about 160,000 words
from its word-frequency lists, chosen over a system word list (absent on a
clean machine) and over wordfreq (larger, and frequencies are not needed). It
covers everyday and general clinical English ('malignancy', 'incontinence', 'stenosis') but not
the spine's own words ('radiculopathy', 'laminectomy', 'gabapentin'):
clinical_words.txt beside this file adds those, and callers also accept a word
the document itself spells out elsewhere.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def english() -> frozenset[str]:
    """Lower-case English words."""
    from importlib import resources

    from spellchecker import SpellChecker

    extra = resources.files("priorauth.ingest").joinpath("clinical_words.txt").read_text(encoding="utf-8").split("\n")
    words = set(SpellChecker(language="en", distance=1).word_frequency.dictionary)
    return frozenset(words | {w.strip().lower() for w in extra if w.strip() and not w.startswith("#")})


def is_word(token: str) -> bool:
    return token.lower() in english()
