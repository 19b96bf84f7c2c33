"""The extractor's passes after matching write only what they declare (rules_extractor.PASSES)."""

from __future__ import annotations

from priorauth.extract.mentions import PASS_FIELDS
from priorauth.extract.rules_extractor import PASSES, RulesExtractor
from priorauth.ingest.cases import load_case
from tests.conftest import DEV


def _snap(mentions):
    # repr: a durations list appended to in place still differs from what it was before
    return [(id(m), {k: repr(getattr(m, k)) for k in PASS_FIELDS}, m.exam, m.section, frozenset(m.categories))
            for m in mentions]


def _written(before, after) -> set[str]:
    out = set()
    ids_after = {x[0] for x in after}
    if any(x[0] not in ids_after for x in before) or len(after) > len(before):
        out.add("remove" if len(after) <= len(before) else "add")
    now = {x[0]: x for x in after}
    for x in before:
        y = now.get(x[0])
        if y is None:
            continue
        out |= {k for k in PASS_FIELDS if x[1][k] != y[1][k]}
        out |= {name for name, i in (("exam", 2), ("section", 3), ("categories", 4)) if x[i] != y[i]}
    return out


def test_every_pass_writes_only_what_it_declares():
    extractor = RulesExtractor()
    seen: dict[str, set[str]] = {p.name: set() for p in PASSES}
    for line in DEV.read_text(encoding="utf-8").splitlines():
        case = load_case(line, DEV.parent)
        mentions, docs = extractor.mentions(case)
        for p in PASSES:
            before = _snap(mentions)
            p.run(mentions, docs, case)
            wrote = _written(before, _snap(mentions))
            assert wrote <= p.writes, (p.name, case.id, wrote - p.writes)
            seen[p.name] |= wrote
    assert seen["durations"] == {"durations"} and "reason" in set().union(*seen.values())  # the check saw writes
