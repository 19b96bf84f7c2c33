"""Where a match of a regex can start: its leading literals, found in one pass, instead of a scan of every position.

A case-insensitive pattern that opens with `\\b` or `^` gets none of the regex
engine's own prefix search, so `finditer` tries the whole pattern at every
character of the note, and the text is read once per rule. Most lexicon and
section patterns open with a few words ('history', 'ibuprofen|advil|...'),
possibly after `^[ \\t]*`; `heads` derives those words from the pattern's parse
tree, and `finditer_from` runs the pattern only where one of them stands. The
matches are those of `rx.finditer(text)`: the candidates cover every position
a match can start at, and trying them in order, each from where the previous
match ended, is what `finditer` itself does.
"""

from __future__ import annotations

import bisect
import re
import string
from functools import lru_cache
from typing import Iterable, Iterator, NamedTuple, Optional

import ahocorasick

from priorauth.extract.anchors import C, REPEATS, sre_parse

MAX_HEADS = 256  # more leading words than this: not worth the bookkeeping, scan instead
MIN_FREE_LENGTH = 2  # a one-letter leading word not tied to a line start would be tried almost everywhere
# ... except a digit: far rarer than a letter, and a note dense with digits is scanned anyway (DENSE)
DENSE = 16  # more than one candidate per this many characters: a scan in C is cheaper than tries from Python
LONG_ENOUGH = 3  # a leading word is read on past classes and optional items until it is this long
MAX_CLASS = 16  # a character class of more characters ends the word (or, opening the match, is not read)
SPACE = frozenset(c for c in map(chr, range(128)) if c.isspace())  # what `\s` matches in ASCII text (\x1c-\x1f too)
DIGITS = frozenset("0123456789")


class Head(NamedTuple):
    """A match starts at a line start when `line`, then a run of `skip` characters, then `word` (lower-cased)."""

    line: bool
    skip: frozenset[str]
    word: str


Item = tuple  # (op, av, flags): a parse-tree item with the flags in force where it stands


def _flatten(sub, flags: int) -> list[Item]:
    return [(op, av, flags) for op, av in sub]


def _chars(av, flags: int) -> Optional[frozenset[str]]:
    """The characters (both cases when case-insensitive) a character class matches, or None when not a small set."""
    out: set[str] = set()
    for op, a in av:
        if op is C.LITERAL:
            out.add(chr(a))
        elif op is C.RANGE and a[1] - a[0] < 64:
            out.update(chr(c) for c in range(a[0], a[1] + 1))
        elif op is C.CATEGORY and a is C.CATEGORY_SPACE:
            out |= SPACE
        elif op is C.CATEGORY and a is C.CATEGORY_DIGIT:
            out |= DIGITS
        else:
            return None
    if flags & re.IGNORECASE:
        out |= {c.upper() for c in out} | {c.lower() for c in out}
    return frozenset(out)


def _one_char(body) -> Optional[frozenset[str]]:
    """The characters of a repeat's body when it is one character wide (a literal or a class), else None."""
    items = list(body)
    if len(items) != 1:
        return None
    op, av, flags = items[0]
    if op is C.LITERAL:
        return _chars([(op, av)], flags)
    if op is C.IN:
        return _chars(av, flags)
    return None


class _Unknown(Exception):
    """The pattern opens with something `heads` does not read: scan it instead."""


def _heads(items: list[Item], line: bool = False, skip: frozenset[str] = frozenset(), word: str = "") -> set[Head]:
    """Every way a match of `items` can open, given what was read before (a line start, skipped characters, a word)."""
    for k, (op, av, flags) in enumerate(items):
        rest = items[k + 1:]
        if op is C.LITERAL:
            word += chr(av).lower()
        elif op is C.AT and av in (C.AT_BOUNDARY, C.AT_NON_BOUNDARY) or op in (C.ASSERT, C.ASSERT_NOT):
            pass  # zero-width: narrows where a match starts, never moves it
        elif word and (len(word) >= LONG_ENOUGH or op is C.AT):
            return {Head(line, skip, word)}
        elif op is C.AT and av in (C.AT_BEGINNING, C.AT_BEGINNING_STRING) and not skip:
            line = True
        elif op is C.SUBPATTERN:
            _group, add, drop, sub = av
            return _heads(_flatten(sub, (flags | add) & ~drop) + rest, line, skip, word)
        elif op is C.BRANCH:
            return _union(_heads(_flatten(b, flags) + rest, line, skip, word) for b in av[1])
        elif op is C.IN:
            return _each_char(_chars(av, flags), flags, rest, line, skip, word)
        elif op in REPEATS:
            return _repeat(av, flags, rest, line, skip, word)
        elif word:
            return {Head(line, skip, word)}
        else:
            raise _Unknown
    if not word:
        raise _Unknown
    return {Head(line, skip, word)}


def _each_char(chars: Optional[frozenset[str]], flags: int, rest: list[Item], line: bool, skip: frozenset[str],
               word: str) -> set[Head]:
    """A character class read as one branch per character (when it has few), so the word goes on past it."""
    if chars is None or len(chars) > MAX_CLASS:
        if word:
            return {Head(line, skip, word)}
        raise _Unknown
    return _union(_heads([(C.LITERAL, ord(c), flags)] + rest, line, skip, word) for c in chars)


def _repeat(av, flags: int, rest: list[Item], line: bool, skip: frozenset[str], word: str) -> set[Head]:
    """A repeat: before the word, a run of one-character items is skipped over; an optional item is read both with
    and without it; a word under way takes the run's first character; any other repeat opens with its body."""
    lo, hi, body = av
    body_items = _flatten(body, flags)
    chars = _one_char(body_items)
    if not word and lo == 0 and chars is not None and hi > 1:
        return _heads(rest, line, skip | chars)
    if body.getwidth()[0] == 0:
        raise _Unknown
    if hi == 1:
        opened = _heads(body_items + rest, line, skip, word)
    elif word and chars is not None and len(chars) <= MAX_CLASS:
        opened = {Head(line, skip, word + c.lower()) for c in chars}  # one of the run's characters follows the word
    elif word:
        return {Head(line, skip, word)}
    else:
        opened = _heads(body_items, line, skip)
    return _union((opened, _heads(rest, line, skip, word))) if lo == 0 else opened


def _union(parts) -> set[Head]:
    out: set[Head] = set()
    for p in parts:
        out |= p
        if len(out) > MAX_HEADS:
            raise _Unknown
    return out


@lru_cache(maxsize=None)
def heads(rx: re.Pattern[str]) -> Optional[tuple[Head, ...]]:
    """The ways a match of `rx` opens, or None when they cannot be read or would not narrow the scan.

    Sound for the text `sound_for` accepts (case-insensitive matching maps a
    few other letters onto ASCII ones), and only for patterns that cannot match empty.
    """
    try:
        tree = sre_parse.parse(rx.pattern, rx.flags & ~re.UNICODE)
        if tree.getwidth()[0] == 0:
            return None
        found = _heads(_flatten(tree, tree.state.flags))
    except (_Unknown, re.error, RecursionError):
        return None
    if any(not h.word.isascii() for h in found):
        return None
    if any(not h.line and len(h.word) < MIN_FREE_LENGTH and not h.word.isdigit() for h in found):
        return None
    return tuple(sorted(found))


def starts_at(text: str, q: int, line: bool, skip: frozenset[str]) -> list[int]:
    """Where a match may start whose leading word stands at `q`: there, or back over a run of `skip` characters,
    kept only at a line start when the match opens with `^`."""
    ks = [q]
    k = q
    while skip and k > 0 and text[k - 1] in skip:
        k -= 1
        ks.append(k)
    return [k for k in ks if k == 0 or text[k - 1] == "\n"] if line else ks


def finditer_from(rx: re.Pattern[str], text: str, candidates: list[int]) -> Iterator[re.Match[str]]:
    """The matches of `rx.finditer(text)`, trying the pattern only at `candidates` (every position one may start at)."""
    pos = 0
    for k in candidates:
        if k < pos:
            continue
        m = rx.match(text, k)
        if m is not None:
            yield m
            pos = m.end()


Starts = dict[re.Pattern[str], set[int]]  # where a match of each pattern may start, in one note


def sound_for(text: str) -> bool:
    """Whether heads (ASCII words, runs of ASCII characters) find every start in `text`: when it is ASCII, or when its
    other characters are inert. Notes with a dash or a curly quote were scanned with every pattern, a quarter of the
    matching time on the benchmark corpus for a thirtieth of its notes."""
    return text.isascii() or all(_inert(c) for c in set(text) if not c.isascii())


@lru_cache(maxsize=None)
def _inert(c: str) -> bool:
    """A character no head can miss: no case-insensitive equal of an ASCII one (the Kelvin sign is a 'k', the long s
    an 's'), no space or digit that `\\s` or `\\d` would take in a skipped run or a word, and one character when
    lower-cased (the heads are found in the lower-cased text, at the same offsets)."""
    forms = c.lower() + c.upper() + c.casefold() + c.title()
    if len(c.lower()) != 1 or any(x.isascii() for x in forms) or c.isspace() or c.isdigit() or c.isdecimal():
        return False
    return not any(re.fullmatch(re.escape(a), c, re.IGNORECASE) for a in string.ascii_letters)


class HeadIndex:
    """The leading words of a matcher's patterns, found in a note in one pass (Aho-Corasick)."""

    def __init__(self, patterns: Iterable[re.Pattern[str]]) -> None:
        self.heads = {rx: heads(rx) for rx in patterns}
        self.by_word: dict[str, list[tuple[re.Pattern[str], bool, frozenset[str]]]] = {}
        for rx, hs in self.heads.items():
            for h in hs or ():
                self.by_word.setdefault(h.word, []).append((rx, h.line, h.skip))
        self.automaton = ahocorasick.Automaton()
        for word in self.by_word:
            self.automaton.add_word(word, word)
        if len(self.automaton):
            self.automaton.make_automaton()

    def read(self, text: str, lower: str) -> Optional[Starts]:
        """Where a match of each pattern may start in the note; None when heads are not sound for it (`sound_for`)."""
        if not len(self.automaton) or not sound_for(text):
            return None
        where: dict[str, list[int]] = {}
        for end, word in self.automaton.iter(lower):
            where.setdefault(word, []).append(end - len(word) + 1)
        out: Starts = {}
        for word, qs in where.items():
            for rx, line, skip in self.by_word[word]:
                at = out.setdefault(rx, set())
                if line or skip:
                    at.update(k for q in qs for k in starts_at(text, q, line, skip))
                else:
                    at.update(qs)
        return out

    def finditer(self, rx: re.Pattern[str], text: str, at: Optional[Starts]) -> Iterable[re.Match[str]]:
        """`rx.finditer(text)`: tried at its leading words when that is cheaper, else scanned."""
        found = self.matches(rx, text, at)
        return found if found is not None else rx.finditer(text)

    def matches(self, rx: re.Pattern[str], text: str, at: Optional[Starts]) -> Optional[Iterable[re.Match[str]]]:
        """`rx.finditer(text)`, tried only where a match may start; None when that is not cheaper (no heads, dense)."""
        if at is None or self.heads.get(rx) is None:
            return None
        candidates = at.get(rx)
        if not candidates:
            return ()
        if len(candidates) * DENSE > len(text):
            return None
        return finditer_from(rx, text, sorted(candidates))


@lru_cache(maxsize=None)
def index_of(patterns: tuple[re.Pattern[str], ...]) -> HeadIndex:
    """One index per set of patterns, built once (compiled patterns are hashable)."""
    return HeadIndex(patterns)


def finditer_at_heads(rx: re.Pattern[str], text: str) -> Iterable[re.Match[str]]:
    """`rx.finditer(text)` for a pattern asked alone: tried where its leading words stand when that is cheaper."""
    index = index_of((rx,))
    return index.finditer(rx, text, index.read(text, text.lower()))


def search_at_heads(rx: re.Pattern[str], text: str) -> Optional[re.Match[str]]:
    """`rx.search(text)`, which is the first match finditer yields, tried where the pattern's leading words stand."""
    return next(iter(finditer_at_heads(rx, text)), None)


class Sites:
    """Where each pattern of an index may start in one text, to ask whether a match can lie in a range.

    A pass that searches every sentence (`rx.search(text, s0, e0)`) skips the
    sentences where none of the pattern's leading words stands: a match inside
    a range opens with one of them inside that range, and the index finds them
    all in one pass over the text.
    """

    def __init__(self, index: HeadIndex, text: str, lower: str) -> None:
        self.index = index
        self.at = index.read(text, lower)
        self._sorted: dict[re.Pattern[str], list[int]] = {}

    def may_start_in(self, rx: re.Pattern[str], lo: int, hi: int) -> bool:
        """False only when no match of `rx` can start in [lo, hi) (its openings were read, none stands there)."""
        if self.at is None or self.index.heads.get(rx) is None:
            return True
        ks = self._sorted.get(rx)
        if ks is None:
            ks = self._sorted[rx] = sorted(self.at.get(rx, ()))
        i = bisect.bisect_left(ks, lo)
        return i < len(ks) and ks[i] < hi
