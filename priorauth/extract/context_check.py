"""Run the project's sections and ConText on spans another extractor found (the LLM cross-check)."""

from __future__ import annotations

from typing import Optional

from priorauth.extract import pieces as pieces_mod
from priorauth.extract.mentions import resolve_reason, span_context
from priorauth.extract.nlp import SPAN_GROUP, build_nlp
from priorauth.extract.pieces import pieces
from priorauth.models import Document


def context_assertions(document: Document, spans: list[tuple[int, int, str]]) -> list[tuple[Optional[str], bool]]:
    """For each (start, end, code): the assertion that rules it out (None if present) and whether it is on exam.

    A note over spaCy's length limit is read piece by piece (pieces.py), each span in the piece holding its start.
    """
    if len(document.text) > pieces_mod.SPLIT_OVER:
        found: dict[int, tuple[Optional[str], bool]] = {}
        for s, e in pieces(document.text):
            mine = [(i, a - s, min(b, e) - s, c) for i, (a, b, c) in enumerate(spans) if s <= a < e]
            if mine:
                part = document.model_copy(update={"text": document.text[s:e]})
                for (i, *_), res in zip(mine, context_assertions(part, [(a, b, c) for _, a, b, c in mine])):
                    found[i] = res
        return [found.get(i, (None, False)) for i in range(len(spans))]
    nlp = build_nlp()
    doc = nlp.make_doc(document.text)
    nlp.get_pipe("priorauth_sentences")(doc)
    targets = []
    for s, e, code in spans:
        targets.append(doc.char_span(s, e, label=code.upper(), alignment_mode="expand"))
    doc.spans[SPAN_GROUP] = [t for t in targets if t is not None]
    nlp.get_pipe("medspacy_sectionizer")(doc)
    nlp.get_pipe("medspacy_context")(doc)
    by_key = {(t.start, t.end, t.label_): t for t in doc.spans[SPAN_GROUP]}
    text = doc.text  # built once: spaCy rebuilds it on every access
    out: list[tuple[Optional[str], bool]] = []
    for (_s, _e, code), t in zip(spans, targets):
        if t is None:
            out.append((None, False))
            continue
        _, cats, exam = span_context(by_key[(t.start, t.end, t.label_)], text=text)
        out.append((resolve_reason(code, cats), exam))
    return out
