"""Build the medspaCy pipeline once per process: tokenizer, sentences, targets, sections, ConText."""

from __future__ import annotations

import bisect
import re
import warnings
from functools import lru_cache

from typing import Iterable, Optional

import ahocorasick
import numpy
import spacy
from medspacy.context import ConText, ConTextGraph, ConTextModifier
from medspacy.section_detection import Section, Sectionizer
from spacy.attrs import IS_SPACE, ORTH, SENT_START
from spacy.strings import hash_string
from medspacy.common.regex_matcher import RegexMatcher
from medspacy.common.util import get_token_for_char
from spacy.language import Language
from spacy.tokens import Doc

from priorauth.extract import resources
from priorauth.extract.anchors import max_width, may_match, merge_windows
from priorauth.extract.context_windows import matches_in, token_pattern_width
from priorauth.extract.starts import HeadIndex
from priorauth.guidelines import DEFAULT
from priorauth.guidelines import get as get_guideline

SPAN_GROUP = "priorauth_targets"
# medspaCy keeps an empty phrase matcher when every rule is a regex; its per-note warning is noise.
warnings.filterwarnings("ignore", message=r"\[W036\]")
SENT_END = {".", "!", "?", ";"}


@Language.component("priorauth_sentences")
def line_sentences(doc: Doc) -> Doc:
    """Sentence starts at line breaks and after terminal punctuation.

    Clinical notes put one statement per line far more often than prose does
    ("Motor: ..." lines with no final period). Computed on token attribute
    arrays, not Token objects, because per-token Python objects cost more than
    the rest of the pipeline on long notes; and with array operations, not a
    Python loop over the tokens, which was most of this component's time.
    """
    if not len(doc):
        return doc
    table = doc.to_array([ORTH, IS_SPACE])
    orth, space = table[:, 0], table[:, 1].astype(bool)
    kinds = numpy.unique(orth[space]).tolist()
    breaks = _among(orth, [o for o in kinds if "\n" in doc.vocab.strings[o]])  # the space tokens holding a line break
    starts = numpy.full(len(doc), -1, dtype="int64")
    words = numpy.flatnonzero(~space)
    if len(words):
        seen = numpy.cumsum(breaks)  # line breaks up to each token
        # a word opens a sentence when it is the first, when the word before ends one, or when a line break lies between
        opens = numpy.ones(len(words), dtype=bool)
        opens[1:] = _among(orth[words[:-1]], _END_IDS) | (seen[words[1:]] > seen[words[:-1]])
        starts[words[opens]] = 1
    starts[0] = 1
    doc.from_array([SENT_START], starts.astype("uint64").reshape(-1, 1))  # spaCy stores attributes as uint64
    return doc


_END_IDS = sorted(hash_string(x) for x in SENT_END)


def _among(values: numpy.ndarray, ids: list[int]) -> numpy.ndarray:
    """Which values are one of a few ids (numpy.isin sorts, which costs more than a few comparisons)."""
    mask = numpy.zeros(len(values), dtype=bool)
    for x in ids:
        mask |= values == numpy.uint64(x)
    return mask


@Language.factory("priorauth_targets", default_config={"guideline": DEFAULT})
def make_target_matcher(nlp, name, guideline):  # no annotations: spaCy's config validation cannot resolve postponed ones
    return RegexTargets(guideline=guideline)


class RegexTargets:
    """Match the lexicons' TargetRules on the document text once per rule.

    medspaCy's TargetMatcher rebuilds `doc.text_with_ws` for every regex rule,
    which made matching ~80% of the time per note; this component keeps its rule
    objects (`span._.target_rule`) and output (a span group, overlaps kept),
    reads the text once, tries a rule only where its leading words stand
    (starts.py), and skips a rule whose required literals are absent.
    """

    def __init__(self, use_anchors: bool = True, guideline: str = DEFAULT) -> None:
        self.rules = [(r, re.compile(r.pattern), r.metadata.get("anchors"), max_width(r.pattern))
                      for r in resources.target_rules(guideline)]
        self.use_anchors = use_anchors
        # All anchors of all rules, found in one pass over the note (Aho-Corasick).
        self.automaton = ahocorasick.Automaton()
        for _, _, anchors, _ in self.rules:
            for a in anchors or ():
                self.automaton.add_word(a, a)
        self.automaton.make_automaton()
        self.heads = HeadIndex(rx for _, rx, _, _ in self.rules)
        # the rules tried in every note (their openings are not read) and those tried where their words stand
        self.scanned = [i for i, (_, rx, _, _) in enumerate(self.rules) if self.heads.heads[rx] is None]
        self.rules_of: dict[re.Pattern[str], list[int]] = {}
        for i, (_, rx, _, _) in enumerate(self.rules):
            if self.heads.heads[rx] is not None:
                self.rules_of.setdefault(rx, []).append(i)

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        lower = text.lower()
        at = self.heads.read(text, lower) if self.use_anchors else None
        found: Optional[dict[str, list[tuple[int, int]]]] = None
        spans = []
        seen = set()
        # in rule order (the first rule of a span keeps it); a rule none of whose words stand in the note has no match
        tried = range(len(self.rules)) if at is None else \
            sorted(self.scanned + [i for rx in at for i in self.rules_of.get(rx, ())])
        for rule, rx, anchors, width in (self.rules[i] for i in tried):
            # A rule opening with known words is tried only where they stand (starts.py); the others are scanned.
            matches = self.heads.matches(rx, text, at)
            if matches is None:
                found = self._anchors_in(lower) if found is None else found
                matches = self._scan(rx, anchors, width, text, lower, found)
            for m in matches:
                span = doc.char_span(m.start(), m.end(), label=rule.category, alignment_mode="expand")
                if span is None or not len(span) or (span.start, span.end, rule.category) in seen:
                    continue
                seen.add((span.start, span.end, rule.category))
                span._.target_rule = rule
                spans.append(span)
        doc.spans[SPAN_GROUP] = sorted(spans, key=lambda s: (s.start, s.end))
        return doc

    def _anchors_in(self, lower: str) -> dict[str, list[tuple[int, int]]]:
        """(start, length) of every anchor of every rule in the lower-cased note, in one pass."""
        found: dict[str, list[tuple[int, int]]] = {}
        if self.use_anchors and len(self.automaton):
            for end, a in self.automaton.iter(lower):
                found.setdefault(a, []).append((end - len(a) + 1, len(a)))
        return found

    def _scan(self, rx: re.Pattern[str], anchors, width: Optional[int], text: str, lower: str,
              found: dict[str, list[tuple[int, int]]]) -> Iterable[re.Match[str]]:
        """A rule's matches by scanning: none without one of its anchors (anchors.py); a bounded rule only in windows
        around its anchors (when lower-casing kept the offsets: a few Unicode letters change length)."""
        if self.use_anchors and anchors:
            occurrences = [o for a in anchors for o in found.get(a, ())]
            if not occurrences:
                return ()
            if width is not None and len(lower) == len(text):
                return (m for s, e in merge_windows(occurrences, width, len(text)) for m in rx.finditer(text, s, e))
        return rx.finditer(text)


TEXT_KEY = "priorauth_text"


class TextKeepingTokenizer:
    """Wraps a tokenizer so the doc remembers its source string.

    spaCy rebuilds `doc.text` from the tokens on every access (about a
    millisecond on a long note); the matchers read it from here instead.
    """

    def __init__(self, inner) -> None:
        self.inner = inner

    def __call__(self, text: str) -> Doc:
        doc = self.inner(text)
        doc.user_data[TEXT_KEY] = text
        return doc

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


def doc_text(doc: Doc) -> str:
    """The doc's text, from the tokenizer's input when available (identical to `doc.text`)."""
    return doc.user_data.get(TEXT_KEY) or doc.text_with_ws


class TextOnceRegexMatcher(RegexMatcher):
    """medspaCy's RegexMatcher, reading `doc.text_with_ws` once per document instead of once per rule.

    Same matches, same order, same callbacks; the original rebuilt the text for
    every rule, which was most of the sectionizer's time on long notes. A header
    pattern is then tried only where its words stand (starts.py), not scanned.
    """

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        text = doc_text(doc)
        lower = text.lower()
        index = self._head_index()
        at = index.read(text, lower)
        matches: list[tuple[int, int, int]] = []
        for match_id, patterns in self._patterns.items():
            on_match = self._callbacks[match_id]
            for pattern in patterns:
                found = index.matches(pattern, text, at)
                if found is None and not may_match(pattern, lower):
                    continue
                for m in found if found is not None else pattern.finditer(text):
                    span = doc.char_span(m.start(), m.end())
                    if span is None:
                        start = get_token_for_char(doc, m.start(), resolve=self.resolve_start)
                        end = get_token_for_char(doc, m.end(), resolve=self.resolve_end)
                        span = doc[start.i: len(doc) if end is None else end.i]
                    if len(span):
                        matches.append((match_id, span.start, span.end))
                    if on_match is not None:
                        on_match(self, doc, len(matches) - 1, matches)
        return matches

    def _head_index(self) -> HeadIndex:
        """Built on first use: this class is swapped onto medspaCy's instance, so it has no constructor of its own."""
        index = self.__dict__.get("_heads")
        if index is None:
            index = self._heads = HeadIndex(p for ps in self._patterns.values() for p in ps)
        return index


def sentence_index(doc: Doc) -> tuple[numpy.ndarray, list[tuple[int, int]]]:
    """The sentence number of each token and (start, end) of each sentence, as `doc.sents` gives them, read from the
    SENT_START array: iterating `doc.sents` makes a Span per sentence, and the numbering was a Python loop."""
    opens = doc.to_array([SENT_START]).reshape(-1) == 1 if len(doc) else numpy.zeros(0, dtype=bool)
    if len(doc):
        opens[0] = True  # doc.sents opens its first sentence at the first token whatever it is marked
    starts = numpy.flatnonzero(opens).tolist()
    return numpy.cumsum(opens, dtype="int64") - 1, list(zip(starts, starts[1:] + [len(doc)]))


class SentenceConText(ConText):
    """medspaCy's ConText, with its graph built per sentence instead of per document.

    A modifier's scope never leaves its sentence, so comparing modifiers and
    targets of different sentences (what the stock graph does, all pairs) can
    never add an edge; grouping by sentence gives the same edges and makes the
    cost grow linearly with note length instead of quadratically. A match in a
    sentence without targets builds no modifier at all, and the token patterns
    are tried only around sentences with targets (context_windows.py).
    """

    def __call__(self, doc: Doc, targets: Optional[str] = None) -> Doc:
        spans = doc.spans[self.span_group_name] if targets is None else getattr(doc._, targets)
        matcher = medspacy_private(self, "matcher")
        sent_of, bounds = sentence_index(doc)
        targets_in: dict[int, list] = {}
        for target in spans:
            targets_in.setdefault(int(sent_of[target.start]), []).append(target)
        found = matches_in(doc, medspacy_private(self, "token_matcher"), medspacy_private(self, "phrase_matcher"),
                           medspacy_private(self, "regex_matcher"), matcher._prune, self._token_width(matcher),
                           [bounds[k] for k in sorted(targets_in)])
        modifiers_in: dict[int, list] = {}
        for match_id, start, end in matcher(doc) if found is None else found:
            k = int(sent_of[start])
            if k not in targets_in:
                continue  # a modifier reaches nothing in a sentence without targets: not built (its scope costs)
            for rule in self._same_words(matcher, self.nlp.vocab[match_id].text):
                modifiers_in.setdefault(k, []).append(ConTextModifier(rule, start, end, doc, max_scope=self.max_scope))
        edges = []
        for k, modifiers in modifiers_in.items():
            graph = ConTextGraph(prune_on_modifier_overlap=self.prune_on_target_overlap)
            graph.targets, graph.modifiers = targets_in[k], modifiers
            graph.update_scopes()
            _terminate_bounded(doc, modifiers)
            graph.apply_modifiers()
            edges.extend(graph.edges)
        for target, modifier in edges:
            target._.modifiers += (modifier,)
        if self.context_attributes_mapping:
            self.set_context_attributes(edges)
        return doc


    def _token_width(self, matcher) -> Optional[int]:
        """The longest match of the token patterns (context_windows.py); None when the whole note must be matched:
        a pattern of unbounded length, or a callback, which would see window offsets."""
        key = len(matcher.rule_map)
        cached = self.__dict__.get("_width")
        if cached is None or cached[0] != key:
            rules = [r for r in matcher.rule_map.values() if isinstance(r.pattern, list)]
            width = None if any(r.on_match is not None for r in rules) else token_pattern_width([r.pattern for r in rules])
            cached = self._width = (key, width)
        return cached[1]

    def _same_words(self, matcher, rule_id: str) -> list:
        """The matched rule and every other rule of the same words: 'offered' is written both as a forward and as a
        backward trigger, and the matcher keeps one match per span, so without this only one of them (which, depended
        on the rules' numbering) ever applied."""
        siblings = getattr(self, "_siblings", None)
        if siblings is None:
            by_words: dict[str, list] = {}
            for rule in matcher.rule_map.values():
                if rule.pattern is None:
                    by_words.setdefault(rule.literal.lower(), []).append(rule)
            siblings = self._siblings = {r._rule_id: group for group in by_words.values() for r in group}
        rule = matcher.rule_map[rule_id]
        return siblings.get(rule_id, [rule])


def _terminate_bounded(doc: Doc, modifiers: list) -> None:
    """A terminating word ends a modifier of bounded reach too: medspaCy's overlap test misses a scope that lies inside
    the terminator's sentence-long one, so 'L EHL 4/5, but cauda equina ruled out' negated the weakness."""
    for m in modifiers:
        if m.rule.max_scope is None or m.direction.upper() in ("TERMINATE", "PSEUDO"):
            continue
        lo, hi = m.scope_span
        start, end = m.modifier_span
        for t in modifiers:
            if t is m or not (t.direction.upper() == "TERMINATE" or t.category.upper() in m.rule.terminated_by):
                continue
            if m.direction.upper() in ("FORWARD", "BIDIRECTIONAL") and end <= t.modifier_span[0] < hi:
                hi = t.modifier_span[0]
            if m.direction.upper() in ("BACKWARD", "BIDIRECTIONAL") and lo < t.modifier_span[1] <= start:
                lo = t.modifier_span[1]
        if (lo, hi) != m.scope_span:
            m.update_scope(doc[lo:hi])


@Language.factory("priorauth_context", default_config={"guideline": DEFAULT, "span_group_name": SPAN_GROUP})
def make_sentence_context(nlp, name, guideline, span_group_name):  # no annotations: see make_target_matcher
    context = SentenceConText(nlp, name=name, rules=None, input_span_type="group", span_group_name=span_group_name,
                              span_attrs=None, prune_on_target_overlap=True)
    context.add(resources.context_rules(guideline))
    return context


class LeanSectionizer(Sectionizer):
    """medspaCy's Sectionizer (same rules, same matcher, same `doc._.sections`) without per-token attributes.

    The stock component also writes `token._.section` on every token, a third of
    its time on long notes; we look sections up by position (`section_at`)
    instead. A test checks the sections equal the stock component's.
    """

    def __call__(self, doc: Doc) -> Doc:
        matcher = medspacy_private(self, "matcher")
        matches = sorted(matcher(doc), key=lambda m: (m[1], m[2]))
        sections = []
        if not matches or matches[0][1] != 0:
            sections.append(Section(None, 0, 0, 0, matches[0][1] if matches else len(doc)))
        for k, (match_id, start, end) in enumerate(matches):
            rule = matcher.rule_map[self.nlp.vocab.strings[match_id]]
            body_end = matches[k + 1][1] if k + 1 < len(matches) else len(doc)
            sections.append(Section(rule.category, start, end, end, body_end, None, rule))
        doc._.sections = sections
        doc.user_data[SECTION_STARTS] = [x.section_span[0] for x in sections]
        return doc


SECTION_STARTS = "priorauth_section_starts"


def section_at(doc: Doc, token_index: int) -> Optional[str]:
    """The category of the section holding a token (None before the first header)."""
    starts = doc.user_data.get(SECTION_STARTS)
    if starts is None:
        return doc[token_index]._.section_category
    k = bisect.bisect_right(starts, token_index) - 1
    return doc._.sections[k].category if k >= 0 else None


@Language.factory("priorauth_sectionizer", default_config={"guideline": DEFAULT, "span_group_name": SPAN_GROUP})
def make_lean_sectionizer(nlp, name, guideline, span_group_name):  # no annotations: see make_target_matcher
    sectionizer = LeanSectionizer(nlp, name=name, rules=None, input_span_type="group", span_group_name=span_group_name,
                                  span_attrs=None)
    sectionizer.add(resources.section_rules(guideline))
    _speed_up_sectionizer(sectionizer)
    return sectionizer


MEDSPACY_VERSION = "1.3.1"  # the private names below are those of this release; tests/test_speedups.py pins it


def medspacy_private(component, what: str):
    """The one place that reads medspaCy internals: a ConText's or Sectionizer's matcher, or one of the three it joins.

    medspaCy exposes no public accessor for these; the fast paths need them.
    """
    owner = "ConText" if isinstance(component, ConText) else "Sectionizer"
    matcher = getattr(component, f"_{owner}__matcher")
    if what == "matcher":
        return matcher
    if what == "regex_matcher":
        return matcher._MedspacyMatcher__regex_matcher
    if what == "token_matcher":
        return matcher._MedspacyMatcher__matcher
    if what == "phrase_matcher":
        return matcher._MedspacyMatcher__phrase_matcher
    raise ValueError(f"unknown medspaCy internal {what!r}")


def _speed_up_sectionizer(sectionizer) -> None:
    """Swap the sectionizer's regex matcher for the text-once version (medspacy is pinned to 1.3.1)."""
    inner = medspacy_private(sectionizer, "regex_matcher")
    assert isinstance(inner, RegexMatcher)
    inner.__class__ = TextOnceRegexMatcher


def build_nlp(guideline: Optional[str] = None) -> Language:
    """The pipeline for a guideline (default: the active one); built once per guideline and reused."""
    return _build_nlp(get_guideline(guideline).id)


@lru_cache(maxsize=None)
def _build_nlp(guideline: str) -> Language:
    from medspacy.custom_tokenizer import create_medspacy_tokenizer

    nlp = spacy.blank("en")
    nlp.tokenizer = TextKeepingTokenizer(create_medspacy_tokenizer(nlp))
    nlp.add_pipe("priorauth_sentences")
    config = {"guideline": guideline}
    nlp.add_pipe("priorauth_targets", config=config)
    nlp.add_pipe("priorauth_sectionizer", name="medspacy_sectionizer", config=config)
    nlp.add_pipe("priorauth_context", name="medspacy_context", config=config)
    return nlp


def refusal_of(span) -> Optional[str]:
    """'declined' or 'contraindicated' when a negation that reaches the target says so (context_rules.json
    `refusal`), else None: "declined NSAIDs" is care offered and refused, "no PT" only care not had."""
    for m in span._.modifiers:
        start, end = m.modifier_span
        if (end <= span.start or start >= span.end) and m.category == "NEGATED_EXISTENCE" and m.rule.metadata:
            return m.rule.metadata.get("refusal")
    return None


def modifier_categories(span) -> set[str]:
    """ConText categories that reach a target, ignoring trigger words inside the target itself.

    "no improvement" or "extremities are without edema" are labelled as a whole;
    the negation inside them does not negate them.
    """
    out = set()
    for m in span._.modifiers:
        start, end = m.modifier_span
        if (end <= span.start or start >= span.end) and not _closed_aside(span, start, end):
            out.add(m.category)
    return out


def _closed_aside(span, start: int, end: int) -> bool:
    """A trigger inside brackets that close before the target ('type 2 DM (no neuropathic symptoms ever), 5 weeks of
    low back pain'): the aside's words do not reach outside it."""
    if end > span.start:
        return False
    doc = span.doc
    text = doc_text(doc)  # `doc.text` is rebuilt from the tokens on every access
    lo = doc[start].idx
    before = text[doc[span.sent.start].idx if span.sent is not None else 0:lo]
    opened = before.rfind("(") > before.rfind(")")
    return opened and ")" in text[doc[end - 1].idx + len(doc[end - 1]):span.start_char]
