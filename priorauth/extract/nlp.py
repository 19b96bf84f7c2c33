"""Build the medspaCy pipeline once per process: tokenizer, sentences, targets, sections, ConText."""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from priorauth.extract import resources

SPAN_GROUP = "priorauth_targets"
# medspaCy keeps an empty phrase matcher when every rule is a regex; its per-note warning is noise.
warnings.filterwarnings("ignore", message=r"\[W036\]")
SENT_END = {".", "!", "?", ";"}


@Language.component("priorauth_sentences")
def line_sentences(doc: Doc) -> Doc:
    """Sentence starts at line breaks and after terminal punctuation.

    Clinical notes put one statement per line far more often than prose does;
    a rule splitter is also ~6x faster than PyRuSH on these notes.
    """
    start = True  # the next non-space token opens a sentence
    for tok in doc:
        text = tok.text
        if tok.is_space:
            tok.is_sent_start = tok.i == 0
            if "\n" in text:
                start = True
            continue
        tok.is_sent_start = start
        start = text in SENT_END or "\n" in tok.whitespace_
    return doc


@Language.factory("priorauth_targets")
def make_target_matcher(nlp, name):  # no annotations: spaCy's config validation cannot resolve postponed ones
    return RegexTargets()


class RegexTargets:
    """Match the lexicons' TargetRules on the document text once per rule.

    medspaCy's TargetMatcher rebuilds `doc.text_with_ws` for every regex rule,
    which made matching ~80% of the time per note; this component keeps its rule
    objects (`span._.target_rule`) and output (a span group, overlaps kept) and
    reads the text once.
    """

    def __init__(self) -> None:
        self.rules = [(r, re.compile(r.pattern)) for r in resources.target_rules()]

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        spans = []
        seen = set()
        for rule, rx in self.rules:
            for m in rx.finditer(text):
                span = doc.char_span(m.start(), m.end(), label=rule.category, alignment_mode="expand")
                if span is None or not len(span) or (span.start, span.end, rule.category) in seen:
                    continue
                seen.add((span.start, span.end, rule.category))
                span._.target_rule = rule
                spans.append(span)
        doc.spans[SPAN_GROUP] = sorted(spans, key=lambda s: (s.start, s.end))
        return doc


@lru_cache(maxsize=1)
def build_nlp() -> Language:
    """The project's pipeline; built once and reused (rule compilation dominates start-up)."""
    from medspacy.custom_tokenizer import create_medspacy_tokenizer

    nlp = spacy.blank("en")
    nlp.tokenizer = create_medspacy_tokenizer(nlp)
    nlp.add_pipe("priorauth_sentences")
    nlp.add_pipe("priorauth_targets")
    sectionizer = nlp.add_pipe("medspacy_sectionizer", config={
        "rules": None, "input_span_type": "group", "span_group_name": SPAN_GROUP, "span_attrs": None})
    sectionizer.add(resources.section_rules())
    context = nlp.add_pipe("medspacy_context", config={
        "rules": None, "input_span_type": "group", "span_group_name": SPAN_GROUP, "span_attrs": None,
        "prune_on_target_overlap": True})
    context.add(resources.context_rules())
    return nlp


def modifier_categories(span) -> set[str]:
    """ConText categories that reach a target, ignoring trigger words inside the target itself.

    "no improvement" or "extremities are without edema" are labelled as a whole;
    the negation inside them does not negate them.
    """
    out = set()
    for m in span._.modifiers:
        start, end = m.modifier_span
        if end <= span.start or start >= span.end:
            out.add(m.category)
    return out
