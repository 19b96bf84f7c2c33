"""The section-3 metrics on hand-made cases whose numbers were computed by hand."""

from priorauth.evaluation.metrics import evaluate, prf, therapy_correct
from priorauth.models import Case, ConservativeTherapy, Document, EvidenceSpan, Finding, Gold, GoldFinding, Distractor, Review

TEXT = "low back pain, denies fever, weakness of the left leg"


def span(s, e):
    return EvidenceSpan(doc="n", start=s, end=e, text=TEXT[s:e])


def case(cid, gold_codes, decision="meets_criteria", criteria=("A.i",), ct=None, distractors=()):
    g = Gold(findings=[GoldFinding(code=c, evidence=[sp]) for c, sp in gold_codes], decision=decision,
             criteria=list(criteria), conservative_therapy=ct, distractors=list(distractors))
    return Case(id=cid, documents=[Document(id="n", text=TEXT)], gold=g)


def review(cid, pred, decision="meets_criteria", criteria=("A.i",), ct=None):
    return Review(case_id=cid, decision=decision, criteria=list(criteria), action="approve",
                  findings=[Finding(code=c, evidence=[sp]) for c, sp in pred], conservative_therapy=ct)


def test_prf_zero_division():
    assert prf(0, 0, 0) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert prf(1, 1, 0) == {"precision": 0.5, "recall": 1.0, "f1": 2 * 0.5 / 1.5}


def test_hand_computed_case_set():
    c1 = case("c1", [("back_pain", span(0, 13)), ("motor_weakness", span(29, 37))],
              distractors=[Distractor(code="infection_suspected", reason="negated", evidence=[span(22, 27)])])
    # predicted: back_pain grounded, motor_weakness at a non-overlapping span (TP, not grounded), fever from a distractor
    r1 = review("c1", [("back_pain", span(4, 8)), ("motor_weakness", span(41, 45)), ("infection_suspected", span(22, 27))])
    c2 = case("c2", [("neck_pain", span(0, 4))], decision="not_met", criteria=(),
              ct=ConservativeTherapy(weeks=6, active=True, inactive=True))
    r2 = review("c2", [], decision="incomplete", criteria=("DOC.swo",), ct=ConservativeTherapy(weeks=7, active=True, inactive=True))
    s = evaluate([(c1, r1), (c2, r2)]).summary()
    # tp=2 (c1), fp=1, fn=1 (neck_pain)
    assert s["findings"]["precision"] == 2 / 3 and s["findings"]["recall"] == 2 / 3
    # grounded tp=1: P 1/3, R 1/3
    assert abs(s["grounded_findings"]["f1"] - 1 / 3) < 1e-9
    assert s["assertion_errors"] == {"negated": 1}
    assert s["decision_accuracy"] == 0.5
    assert s["confusion"]["not_met"]["incomplete"] == 1 and s["confusion"]["meets_criteria"]["meets_criteria"] == 1
    assert s["criteria_exact"] == 1.0
    assert s["conservative_therapy_accuracy"] == 1.0  # c1 null/null, c2 6 vs 7 within a week
    assert s["per_code"]["neck_pain"] == {"support": 1, "precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_therapy_correct_edges():
    ct = ConservativeTherapy(weeks=6, active=True, inactive=False)
    assert not therapy_correct(None, ct) and therapy_correct(None, None)
    assert not therapy_correct(ct, ConservativeTherapy(weeks=8, active=True, inactive=False))
    assert not therapy_correct(ct, ConservativeTherapy(weeks=6, active=True, inactive=True))


def test_empty_set_is_all_zero():
    s = evaluate([]).summary()
    assert s["cases"] == 0 and s["decision_accuracy"] == 0.0 and s["criteria_exact"] == 0.0
