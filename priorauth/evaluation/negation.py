"""The project's ConText configuration scored on the NegEx test set (Chapman et al., 2,376 rows).

Each row names a concept inside a sentence; we mark that concept as the only
target, run our sentence splitter and ConText rules, and call it negated when a
NEGATED_EXISTENCE modifier reaches it. The same rules serve the extractor.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from priorauth.evaluation.metrics import prf
from priorauth.extract.nlp import SPAN_GROUP, build_nlp, modifier_categories

TARGET_LABEL = "CONCEPT"


@dataclass(frozen=True)
class NegexRow:
    report: str
    concept: str
    sentence: str
    negated: bool


def read_negex(path: Path) -> list[NegexRow]:
    """Tab-delimited with spreadsheet quoting: the csv module un-doubles the quotes."""
    with open(path, newline="", encoding="utf-8", errors="replace") as fh:
        reader = csv.reader(fh, delimiter="\t")
        header = next(reader)
        if [h.strip().lower() for h in header[:4]] != ["report no.", "concept", "sentence", "negation"]:
            raise ValueError(f"unexpected header {header!r}")
        return [NegexRow(r[0], r[1], r[2], r[3].strip().lower() == "negated") for r in reader if len(r) >= 4]


def _locate(concept: str, sentence: str) -> Optional[tuple[int, int]]:
    """The annotated occurrence: the upper-cased one when marked so, else the first case-insensitive match."""
    words = [re.escape(w) for w in concept.split()]
    if not words:
        return None
    rx = re.compile(r"\s+".join(words), re.I)
    matches = list(rx.finditer(sentence))
    if not matches:
        return None
    upper = [m for m in matches if m.group(0).upper() == m.group(0) and any(c.isalpha() for c in m.group(0))]
    m = (upper or matches)[0]
    return m.start(), m.end()


def is_negated(concept: str, sentence: str) -> Optional[bool]:
    """None when the concept cannot be found in its sentence."""
    nlp = build_nlp()
    where = _locate(concept, sentence)
    if where is None:
        return None
    doc = nlp.make_doc(sentence)
    nlp.get_pipe("priorauth_sentences")(doc)
    span = doc.char_span(where[0], where[1], label=TARGET_LABEL, alignment_mode="expand")
    if span is None:
        return None
    doc.spans[SPAN_GROUP] = [span]
    nlp.get_pipe("medspacy_context")(doc)
    return "NEGATED_EXISTENCE" in modifier_categories(doc.spans[SPAN_GROUP][0])


def score(rows: Iterable[NegexRow]) -> dict[str, float | int]:
    tp = fp = fn = tn = unlocated = 0
    for r in rows:
        pred = is_negated(r.concept, r.sentence)
        if pred is None:
            unlocated += 1
            pred = False
        tp += pred and r.negated
        fp += pred and not r.negated
        fn += (not pred) and r.negated
        tn += (not pred) and not r.negated
    n = tp + fp + fn + tn
    return {**prf(tp, fp, fn), "accuracy": (tp + tn) / n if n else 0.0, "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "rows": n, "unlocated": unlocated}
