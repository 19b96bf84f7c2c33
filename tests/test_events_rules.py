"""The rule layer reads the clinical events: a fact counts only through an event that counts, and the strength
check and 'found on exam' are decided on the events' attributes, so a review's events show what the rules used."""

from __future__ import annotations

from datetime import date

from priorauth.extract.events import build_events, events_of
from priorauth.models import Case, Document, EvidenceSpan, Finding, Qualifier, Request
from priorauth.pipeline import review
from priorauth.rules.decide import decide
from priorauth.rules.facts import Facts
from priorauth.rules.strength import weakness
from tests.conftest import finding

REQ = Request(cpt_codes=["72148"], patient_age=50, request_date=date(2026, 3, 2), has_standard_written_order=True)
NOTE = "Low back pain for two weeks.\nExam: right ankle dorsiflexion 4/5."
DOC = Document(id="n", date=date(2026, 3, 1), text=NOTE)


def span(words: str) -> EvidenceSpan:
    at = NOTE.index(words)
    return EvidenceSpan(doc="n", start=at, end=at + len(words), text=words)


def packet_findings() -> list[Finding]:
    return [Finding(code="back_pain", evidence=[span("Low back pain")]),
            Finding(code="motor_weakness", exam=True, evidence=[span("right ankle dorsiflexion 4/5")])]


def test_facts_are_read_from_counting_events():
    fs = packet_findings()
    events, _ = build_events([DOC], fs, [])
    facts = Facts.from_events(events, fs, None, REQ)
    assert facts.has("motor_weakness") and facts.events_of(fs[1])[0].role == "clinic_note"
    assert decide(facts).decision == "meets_criteria"


def test_an_event_that_does_not_count_never_satisfies_a_criterion():
    fs = packet_findings()
    events, _ = build_events([DOC], fs, [])
    for e in events:
        if e.code == "motor_weakness":
            e.counts = False
    facts = Facts.from_events(events, fs, None, REQ)
    assert not facts.has("motor_weakness") and not facts.on_exam("motor_weakness")
    d = decide(facts)
    assert d.decision == "not_met"
    assert all(s.text != "right ankle dorsiflexion 4/5" for r in d.results for s in r.evidence)


def test_a_finding_without_an_event_is_no_fact():
    fs = packet_findings()
    events, _ = build_events([DOC], fs[:1], [])  # only back pain is told by an event
    assert Facts.from_events(events, fs, None, REQ).findings.keys() == {"back_pain"}


def test_found_on_exam_is_the_events_source():
    fs = packet_findings()
    events, _ = build_events([DOC], fs, [])
    e = next(e for e in events if e.code == "motor_weakness")
    assert e.source == "exam"
    e.source = "reported"
    assert not Facts.from_events(events, fs, None, REQ).on_exam("motor_weakness")


def test_an_exam_reading_outside_any_exam_section_is_an_exam_event():
    f = finding("motor_weakness", exam=True)  # a strength grade read as an exam finding, its document not sectioned
    assert [e.source for e in build_events([], [f], [])[0]] == ["exam"]
    assert [e.source for e in build_events([], [finding("motor_weakness")], [])[0]] == ["reported"]


def test_the_strength_check_decides_on_the_events_attributes():
    f = finding("motor_weakness", exam=True)
    events, _ = build_events([], [f], [])
    assert weakness(f, events) is None
    events[0].uncertainty = True  # the event, not the finding, says hedged
    assert "uncertain" in weakness(f, events)
    pre = finding("sensory_deficit", qualifiers=[Qualifier(name="before_surgery", value=True)])
    told = build_events([], [pre], [])[0]
    assert told[0].history_of and "only before the spine surgery" in weakness(pre, told)


def test_the_contradiction_quoted_is_the_events_contradicted_by():
    later = EvidenceSpan(doc="b", start=10, end=29, text="strength 5/5 throughout")
    f = finding("motor_weakness", exam=True,
                qualifiers=[Qualifier(name="contradicted", value="2026-03-01", evidence=[later])])
    events, _ = build_events([], [f], [])
    assert events[0].contradicted_by == [later]
    assert "the 03/01/2026 exam documents 'strength 5/5 throughout'" in weakness(f, events)


def test_the_first_weak_qualifier_read_is_the_one_said():
    quals = [Qualifier(name="templated_ros", value=True), Qualifier(name="before_surgery", value=True)]
    f = finding("bowel_bladder_dysfunction", qualifiers=quals)
    events, _ = build_events([], [f], [])
    assert events[0].attributes == ["templated_ros", "before_surgery"]
    assert "templated review of systems" in weakness(f, events)


def test_a_review_met_only_on_counting_events(extractor):
    first = "Low back pain for two weeks.\nExam: right ankle dorsiflexion 4/5."
    second = "Back pain follow-up.\nExam: strength 5/5 throughout. Sensation intact."
    case = Case(id="t", request=REQ, documents=[
        Document(id="a", type="progress_note", date=date(2026, 1, 20), text=first),
        Document(id="b", type="progress_note", date=date(2026, 3, 1), text=second)])
    r = review(case, extractor)
    assert r.decision == "not_met"
    weak = [e for e in r.events if e.code == "motor_weakness"]
    assert weak and not any(e.counts for e in weak) and all(e.contradicted_by for e in weak)
    counted = {(s.doc, s.start, s.end) for e in r.events if e.counts for s in e.evidence}
    for f in r.findings:  # every finding the review lists is told by its events
        assert events_of(f, r.events)
    assert all((s.doc, s.start, s.end) in counted for c in r.criteria_results if c.status == "met"
               for s in c.evidence if not any(s in q.evidence for q in c.qualifiers))
