"""The speed-ups change nothing: anchors and windows find exactly what full scans find."""

from __future__ import annotations

import json
import re

from priorauth.extract.anchors import max_width, may_match, merge_windows, required_literals
from priorauth.extract.nlp import SPAN_GROUP, RegexTargets, build_nlp
from tests.conftest import DEV, SHARED


def _spans(matcher, nlp, text):
    doc = nlp.make_doc(text)
    matcher(doc)
    return sorted((s.start_char, s.end_char, s.label_) for s in doc.spans[SPAN_GROUP])


def test_anchored_matching_equals_full_scans():
    nlp = build_nlp()
    fast, slow = RegexTargets(use_anchors=True), RegexTargets(use_anchors=False)
    texts = [d["text"] for line in DEV.read_text().splitlines() for d in json.loads(line)["documents"]]
    mts = SHARED / "data" / "external" / "mtsamples" / "spine_notes.jsonl"
    texts += list(dict.fromkeys(json.loads(line)["text"] for line in mts.read_text().splitlines()))[:150]
    texts.append("İstanbul résumé: LBP x 6 wks, naproxen; DTRs 2+ sym except absent L achilles.")  # length-changing lower()
    # a rule's lookahead reads past its match: the window must reach the words it needs
    texts.append("Seen by ortho in Nov - they got an MRI of her low back at Lakeside Imaging right before Thanksgiving: "
                 "mild L4-5 disc bulge, no stenosis.")
    for t in texts:
        assert _spans(fast, nlp, t) == _spans(slow, nlp, t)


def test_max_width_counts_what_lookarounds_read():
    assert max_width(r"foo(?=.{0,10}bar)") == 16 and max_width(r"(?<!ab)foo") == 5
    assert max_width(r"(?:x(?=y))+") is None and max_width(r"foo(?=.*bar)") is None


def test_required_literals():
    assert required_literals(r"(?i)\bfoot[- ]?drop\b") == ("foot",)
    assert required_literals(r"(?i)\b(?:sciatica|radiculopathy)\b") == ("radiculopathy", "sciatica")
    assert required_literals(r"(?i)\bweak(?:ness)?\b") == ("weak",)
    assert required_literals(r"(?i)(?:x)?\d+") is None  # nothing every match must contain
    assert required_literals(r"(?i)(?=abc)x") is None  # lookaheads are not part of the match


def test_every_match_contains_an_anchor():
    rx = re.compile(r"(?i)\b(?:left|right) (?:EHL|ankle) \d/5")
    anchors = required_literals(rx.pattern)
    text = "Right EHL 4/5, left ankle 3/5; weak."
    for m in rx.finditer(text):
        assert any(a in m.group(0).lower() for a in anchors)


def test_windows_cover_matches_and_merge():
    # anchors at 3 and 13 (length 3), matches at most 4 long, slack 2: [0, 12) and [9, 22) merge; 90 stays apart
    assert merge_windows([(3, 3), (13, 3), (90, 3)], 4, 200, slack=2) == [(0, 22), (86, 99)]
    assert merge_windows([(1, 3)], 10, 8, slack=2) == [(0, 8)]  # clipped to the text
    assert max_width(r"(?i)foo.{0,4}") == 7 and max_width(r"(?i)foo\w+") is None


def test_sectionizer_speedup_keeps_sections():
    nlp = build_nlp()
    doc = nlp("HPI: back pain.\nExam: L EHL 4/5.\nFHx: mother with MS.\nPlan: MRI.")
    cats = [s.category for s in doc._.sections]
    assert cats == ["hpi", "exam", "family_history", "plan"]


def test_lean_sectionizer_equals_medspacy_sectionizer():
    import spacy
    from medspacy.custom_tokenizer import create_medspacy_tokenizer

    from priorauth.extract import resources

    nlp = build_nlp()
    stock_nlp = spacy.blank("en")
    stock_nlp.tokenizer = create_medspacy_tokenizer(stock_nlp)
    stock = stock_nlp.add_pipe("medspacy_sectionizer", config={"rules": None, "span_attrs": None})
    stock.add(resources.section_rules())
    texts = [d["text"] for line in DEV.read_text().splitlines() for d in json.loads(line)["documents"]]
    mts = SHARED / "data" / "external" / "mtsamples" / "spine_notes.jsonl"
    texts += list(dict.fromkeys(json.loads(line)["text"] for line in mts.read_text().splitlines()))[:100]
    lean = nlp.get_pipe("medspacy_sectionizer")
    for t in texts:
        a = lean(nlp.make_doc(t))
        b = stock(stock_nlp(t))
        assert [(s.category, s.title_span, s.body_span) for s in a._.sections] == \
               [(s.category, s.title_span, s.body_span) for s in b._.sections]


def test_medspacy_internals_are_read_for_the_pinned_release():
    """The fast paths read medspaCy private names (extract/nlp.py: medspacy_private); a new release must be re-checked."""
    from importlib.metadata import version

    from medspacy.common.medspacy_matcher import MedspacyMatcher
    from priorauth.extract.nlp import MEDSPACY_VERSION, medspacy_private

    assert version("medspacy") == MEDSPACY_VERSION
    nlp = build_nlp()
    for name in ("medspacy_sectionizer", "medspacy_context"):
        assert isinstance(medspacy_private(nlp.get_pipe(name), "matcher"), MedspacyMatcher)


def test_may_match_skips_only_what_cannot_match():
    rx = re.compile(r"\b(?:sciatica|radiculopathy)\b", re.I)
    assert not may_match(rx, "low back pain")
    assert may_match(rx, "Right L5 RADICULOPATHY".lower())
    assert may_match(re.compile(r"\d+"), "no digits")  # nothing every match must contain: always scanned
    assert may_match(re.compile(r"sci atica", re.X), "sciatica")  # verbose patterns are not read for anchors


def test_cue_prefilter_skips_no_match():
    """Every cue the qualifiers, attribution and care skip by their anchors has no match in the note."""
    from priorauth.extract.attribution import config
    from priorauth.extract.care import cues
    from priorauth.extract.qualifiers import vocabulary

    patterns = [rx for lst in vocabulary().cues.values() for _, rx in lst]
    patterns += [rx for _, crx, srx, _ in config().causes for rx in (crx, srx) if rx is not None]
    patterns += [getattr(cues(), k) for k in ("general", "improved")]
    texts = [d["text"] for line in DEV.read_text().splitlines() for d in json.loads(line)["documents"]]
    skipped = 0
    for t in texts:
        lower = t.lower()
        for rx in patterns:
            if not may_match(rx, lower):
                skipped += 1
                assert rx.search(t) is None, rx.pattern
    assert skipped  # the prefilter does skip cues


def test_heads_read_the_words_a_match_opens_with():
    from priorauth.extract.starts import Head, heads

    assert heads(re.compile(r"(?i)\b(?:ibuprofen|advil)\s+\d+")) == (Head(False, frozenset(), "advil"),
                                                                      Head(False, frozenset(), "ibuprofen"))
    line, = heads(re.compile(r"(?m:^[ \t]*HPI[ \t]*:)"))
    assert line.line and line.skip == frozenset(" \t") and line.word == "hpi"
    assert {h.word for h in heads(re.compile(r"(?i)\b[LS]\d nerve"))} == {f"{c}{d} nerve" for c in "ls" for d in range(10)}
    assert {h.word for h in heads(re.compile(r"(?i)\bT\s*:?\s*3[89]"))} >= {"t38", "t:3", "t: ", "t "}
    assert heads(re.compile(r"(?i)\w+ pain")) is None  # opens with any word: scanned
    assert heads(re.compile(r"(?i)\b(?:L|R) leg")) is not None and heads(re.compile(r"(?i)\b[LR]\w*")) is None  # 'l' alone
    assert heads(re.compile(r"(?i)(?:foo)?")) is None  # can match empty
    assert {h.word for h in heads(re.compile(r"(?i)\b\d+ visits?"))} == set("0123456789")  # digits are rare enough


def test_tries_at_leading_words_equal_full_scans():
    """Every target and section pattern of every guideline finds by its leading words what finditer finds."""
    from priorauth.extract.nlp import medspacy_private
    from priorauth.extract.starts import HeadIndex

    texts = [d["text"] for line in DEV.read_text().splitlines() for d in json.loads(line)["documents"]]
    texts += ["HPI:\nx\n \tHistory :\nhistory\n:\n\x1cPlan: T 38.5 C\nt:39C, L5-S1 laminectomy; s/p fall; ED course:",
              "Exam\nPE: 4/5 L EHL\n  Assessment\tand  plan:\nA:\n" * 3]
    for guideline in ("wps-mri-spine", "cms-lcd-esi"):
        nlp = build_nlp(guideline)
        sections = medspacy_private(nlp.get_pipe("medspacy_sectionizer"), "regex_matcher")._patterns.values()
        for patterns in ([rx for _, rx, _, _ in nlp.get_pipe("priorauth_targets").rules], [p for ps in sections for p in ps]):
            index = HeadIndex(patterns)
            assert sum(index.heads[rx] is not None for rx in patterns) > 0.8 * len(patterns)
            for t in texts:
                at = index.read(t, t.lower())
                for rx in patterns:
                    found = index.matches(rx, t, at)
                    if found is not None:
                        assert [m.span() for m in found] == [m.span() for m in rx.finditer(t)], rx.pattern


def _target_sentence_matches(context, doc):
    """The full matcher's matches that start in a sentence with targets, and those sentences' token ranges."""
    from priorauth.extract.nlp import medspacy_private

    bounds = [(s.start, s.end) for s in doc.sents]
    sent_of = {i: k for k, (a, b) in enumerate(bounds) for i in range(a, b)}
    with_targets = sorted({sent_of[t.start] for t in doc.spans[SPAN_GROUP]})
    full = [m for m in medspacy_private(context, "matcher")(doc) if sent_of[m[1]] in set(with_targets)]
    return full, [bounds[k] for k in with_targets]


def _windowed(context, doc, sentences):
    from priorauth.extract.context_windows import matches_in
    from priorauth.extract.nlp import medspacy_private

    matcher = medspacy_private(context, "matcher")
    return matches_in(doc, *(medspacy_private(context, w) for w in ("token_matcher", "phrase_matcher", "regex_matcher")),
                      matcher._prune, context._token_width(matcher), sentences)


def test_context_windows_equal_the_full_matcher():
    """ConText's token patterns tried around target sentences find what the whole note gives, in the same order."""
    texts = [d["text"] for line in DEV.read_text().splitlines() for d in json.loads(line)["documents"]]
    mts = SHARED / "data" / "external" / "mtsamples" / "spine_notes.jsonl"
    texts += list(dict.fromkeys(json.loads(line)["text"] for line in mts.read_text().splitlines()))[:150]
    for guideline in ("wps-mri-spine", "cms-lcd-esi"):
        nlp = build_nlp(guideline)
        context = nlp.get_pipe("medspacy_context")
        with nlp.select_pipes(disable=["medspacy_context"]):
            for doc in nlp.pipe(texts):
                full, sentences = _target_sentence_matches(context, doc)
                assert _windowed(context, doc, sentences) == full


def test_context_windows_give_way_when_a_match_crosses_a_window_edge():
    """A trigger cut by a window's edge makes pruning there depend on what lies outside: the whole note is matched."""
    from priorauth.extract.context_windows import token_pattern_width

    nlp = build_nlp()
    context = nlp.get_pipe("medspacy_context")
    with nlp.select_pipes(disable=["medspacy_context"]):
        doc = nlp("Straight leg raise (-) on the left")
    dash = [t.text for t in doc].index("-")
    assert _windowed(context, doc, [(0, len(doc))]) is not None
    assert _windowed(context, doc, [(0, dash)]) is None  # '(' '-' ')' crosses the edge at the dash
    assert token_pattern_width([[{"LOWER": "a"}, {"LOWER": "b", "OP": "?"}], [{"LOWER": "c"}]]) == 2
    assert token_pattern_width([[{"LOWER": "a", "OP": "+"}]]) is None


def _texts(n: int = 150) -> list[str]:
    texts = [d["text"] for line in DEV.read_text().splitlines() for d in json.loads(line)["documents"]]
    mts = SHARED / "data" / "external" / "mtsamples" / "spine_notes.jsonl"
    return texts + list(dict.fromkeys(json.loads(line)["text"] for line in mts.read_text().splitlines()))[:n]


def test_duration_patterns_tried_at_leading_words_equal_full_scans():
    from priorauth.extract.dates import _COMPILED, _duration_heads

    index = _duration_heads()
    for text in _texts():
        for sentence in [text] + text.split("\n"):
            at = index.read(sentence, sentence.lower())
            for rx, _, _ in _COMPILED:
                assert [m.span() for m in index.finditer(rx, sentence, at)] == [m.span() for m in rx.finditer(sentence)]


def test_headers_before_a_colon_tried_at_their_words_equal_a_search():
    from priorauth.extract.qualifiers import _first_match, _header_heads, vocabulary
    from priorauth.guidelines import using

    for guideline in ("wps-mri-spine", "cms-lcd-esi"):
        with using(guideline):
            rx = vocabulary().header_at_colon
            index = _header_heads(rx)
            assert index.heads[rx] is not None
            for text in _texts(60):
                at = index.read(text, text.lower())
                starts = sorted((at or {}).get(rx, ()))
                for colon in re.finditer(":", text):
                    lo = max(0, colon.start() - 45)
                    expected = rx.search(text, lo, colon.start())
                    got = _first_match(rx, text, [k for k in starts if lo <= k < colon.start()], colon.start()) \
                        if at is not None else expected
                    assert (got and (got.span(), got.lastgroup)) == (expected and (expected.span(), expected.lastgroup))


def test_line_sentences_equal_a_walk_over_the_tokens():
    """The array version opens a sentence where the plain reading does: at a line break or after . ! ? ;"""
    from priorauth.extract.nlp import SENT_END

    nlp = build_nlp()
    texts = _texts(60) + ["", " ", "\n", "\n\nA.", "  x", ". ; !", "a\n\n b. c;d ! ?\r\n e", "x \t y\n", "No.\u2028Yes"]
    with nlp.select_pipes(enable=["priorauth_sentences"]):
        for doc in nlp.pipe(texts):
            expected, start = [], True
            for token in doc:
                if token.is_space:
                    start = start or "\n" in token.text
                    continue
                expected.append((token.i, start or token.i == 0))
                start = token.text in SENT_END
            assert [(i, bool(doc[i].is_sent_start)) for i, _ in expected] == expected


def test_sites_skip_only_ranges_without_matches():
    from priorauth.extract.attribution import config
    from priorauth.extract.care import SENTENCE, cues
    from priorauth.extract.starts import Sites, index_of

    patterns = tuple(rx for _, crx, srx, _ in config().causes for rx in (crx, srx) if rx is not None)
    patterns += (cues().improved, *cues().score_change)
    skipped = 0
    for text in _texts(100):
        sites = Sites(index_of(patterns), text, text.lower())
        for seg in SENTENCE.finditer(text):
            for rx in patterns:
                if not sites.may_start_in(rx, *seg.span()):
                    skipped += 1
                    assert rx.search(text, *seg.span()) is None, rx.pattern
    assert skipped


def test_single_patterns_at_their_heads_equal_search_and_finditer():
    from priorauth.extract.dates import _YEAR_DATE, DOS_LABELLED
    from priorauth.extract.mentions import EMG_RESULTS
    from priorauth.extract.starts import finditer_at_heads, search_at_heads

    for text in _texts(100) + ["EMG: 3/2/2025", "\n  NCS findings: x", "date of service 4/1/2024", "May 2023 and 1/2/2020"]:
        for rx in (EMG_RESULTS, DOS_LABELLED, _YEAR_DATE):
            expected = rx.search(text)
            got = search_at_heads(rx, text)
            assert (got and got.span()) == (expected and expected.span()), rx.pattern
            assert [m.span() for m in finditer_at_heads(rx, text)] == [m.span() for m in rx.finditer(text)]
