"""The LLM step with the real openai client over HTTP to a local scripted server (127.0.0.1 only)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from priorauth.extract.grounding import Aligner
from priorauth.extract.llm_client import LLMConfig
from priorauth.extract.llm_extractor import LLMExtractor, _combine, chunks
from priorauth.models import ConservativeTherapy, Document, EvidenceSpan, TherapyComponent
from priorauth.pipeline import review
from priorauth.prompts import definitions, load
from priorauth.codes import code_table
from tests.conftest import note_case
from tests.fake_openai import FakeOpenAI, answer

NOTE = ("HPI: 51 yo with low back pain x 3 weeks. New left foot drop since yesterday.\n"
        "Exam: left EHL 3/5, ankle dorsiflexion 3/5.\nPlan: MRI L-spine.")
NEGATED = "HPI: low back pain x 3 weeks after lifting. No foot drop. No numbness.\nPlan: MRI L-spine."


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def make(server: FakeOpenAI, tmp_path: Path, mode: str = "hybrid", **kw) -> LLMExtractor:
    cfg = LLMConfig(model="test-model", base_url=server.base_url, api_key="test", timeout=kw.pop("timeout", 5),
                    attempts=kw.pop("attempts", 3), retry_budget=kw.pop("retry_budget", 20), cache_dir=tmp_path / "cache", **kw)
    return LLMExtractor(cfg, mode=mode)


GOOD = answer([{"code": "motor_weakness", "quotes": ["New left foot drop"], "assertion": "present", "exam": False},
               {"code": "back_pain", "quotes": ["low back pain"], "assertion": "present", "exam": False}])


def test_valid_response_is_grounded_and_merged(tmp_path):
    with FakeOpenAI(default=GOOD) as srv:
        r = review(note_case(NOTE), make(srv, tmp_path / "llm", mode="llm"))
        h = review(note_case(NOTE), make(srv, tmp_path / "hybrid", mode="hybrid"))
    assert r.llm and r.llm.status == "ok" and r.llm.prompt_version == load().version and r.llm.prompt_sha256 == load().sha256
    mw = next(f for f in r.findings if f.code == "motor_weakness")
    assert [(s.text, s.alignment) for s in mw.evidence] == [("New left foot drop", "exact")] and mw.source == "llm"
    assert r.decision == "meets_criteria" and "A.i" in r.criteria
    # hybrid: the rules' overlapping span stands, the exam findings only the rules saw are kept too
    hm = next(f for f in h.findings if f.code == "motor_weakness")
    assert {"foot drop", "left EHL 3/5"} <= {s.text for s in hm.evidence} and hm.exam
    assert h.criteria == ["A.i", "A.ii"] and h.extractor == "hybrid"
    assert r.usage.prompt_tokens == 100 and r.usage.completion_tokens == 20 and r.usage.requests == 1
    body = srv.requests[0]
    assert body["temperature"] == 0 and body["response_format"]["json_schema"]["strict"] is True
    assert "New left foot drop" in body["messages"][1]["content"]


def test_malformed_json_then_a_good_reask(tmp_path):
    with FakeOpenAI(default=GOOD) as srv:
        srv.script = [{"content": "this is not json"}]
        r = review(note_case(NOTE), make(srv, tmp_path))
    assert len(srv.requests) == 2 and r.llm.reasks == 1 and r.llm.status == "ok"
    feedback = srv.requests[1]["messages"][-1]["content"]
    assert "could not be used" in feedback and "JSON" in feedback
    assert any(f.code == "motor_weakness" for f in r.findings)


def test_hallucinated_quote_is_rejected_and_listed(tmp_path):
    fake = answer([{"code": "bowel_bladder_dysfunction", "quotes": ["urinary retention for two days"], "assertion": "present", "exam": False},
                   {"code": "back_pain", "quotes": ["low back pain"], "assertion": "present", "exam": False}])
    with FakeOpenAI(default=fake) as srv:
        r = review(note_case(NEGATED), make(srv, tmp_path))
    assert len(srv.requests) == 3  # the first answer and two re-asks naming the missing quote
    assert "not in the excerpt" in srv.requests[1]["messages"][-1]["content"]
    assert [u.quote for u in r.unverified] == ["urinary retention for two days"]
    assert "bowel_bladder_dysfunction" not in {f.code for f in r.findings}
    assert r.decision == "not_met"


def test_negated_finding_claimed_present_is_a_conflict_not_an_approval(tmp_path):
    lie = answer([{"code": "motor_weakness", "quotes": ["foot drop"], "assertion": "present", "exam": True}])
    for mode in ("llm", "hybrid"):
        with FakeOpenAI(default=lie) as srv:
            r = review(note_case(NEGATED), make(srv, tmp_path / mode, mode=mode))
        assert r.decision != "meets_criteria" and r.action == "route_to_clinician"
        assert [(c.code, c.llm, c.context) for c in r.conflicts] == [("motor_weakness", "present", "negated")]
        assert any("conflict on motor_weakness" in x for x in r.reasons)


def test_llm_denial_of_a_rules_finding_withholds_it(tmp_path):
    deny = answer([{"code": "motor_weakness", "quotes": ["New left foot drop"], "assertion": "negated", "exam": False}])
    text = "HPI: low back pain x 3 weeks. New left foot drop since yesterday.\nPlan: MRI L-spine."
    with FakeOpenAI(default=deny) as srv:
        r = review(note_case(text), make(srv, tmp_path))
    assert [(c.code, c.llm, c.context) for c in r.conflicts] == [("motor_weakness", "negated", "present")]
    assert r.decision == "not_met"  # foot drop was the only red flag; disputed, so no approval


def test_refusal_falls_back_to_rules(tmp_path):
    with FakeOpenAI(default={"content": None, "refusal": "I can't help with that."}) as srv:
        r = review(note_case(NOTE), make(srv, tmp_path))
    assert r.llm.status == "fallback" and "refused" in r.llm.reason
    assert r.extractor == "hybrid->rules" and any("LLM step unavailable" in w for w in r.warnings)
    assert r.decision == "meets_criteria"  # the deterministic findings carry the case
    assert len(srv.requests) == 1


def test_length_finish_is_reasked_then_falls_back(tmp_path):
    with FakeOpenAI(default={"content": '{"findings": [', "finish": "length"}) as srv:
        r = review(note_case(NOTE), make(srv, tmp_path))
    assert len(srv.requests) == 3 and r.llm.status == "fallback" and "cut off" in r.llm.reason


def test_429_honours_retry_after(tmp_path):
    with FakeOpenAI(default=GOOD) as srv:
        srv.script = [{"status": 429, "retry_after": "0.6"}]
        t = time.monotonic()
        r = review(note_case(NOTE), make(srv, tmp_path))
        elapsed = time.monotonic() - t
    assert len(srv.requests) == 2 and r.llm.status == "ok" and elapsed >= 0.6


def test_500_is_retried_and_exhausted_retries_fall_back(tmp_path):
    with FakeOpenAI(default=GOOD) as srv:
        srv.script = [{"status": 500}]
        assert review(note_case(NOTE), make(srv, tmp_path / "a")).llm.status == "ok"
        assert len(srv.requests) == 2
    with FakeOpenAI(default={"status": 503}) as srv:
        r = review(note_case(NOTE), make(srv, tmp_path / "b", attempts=3))
    assert len(srv.requests) == 3  # our retries only: the SDK's own are off
    assert r.llm.status == "fallback" and "503" in r.llm.reason


def test_hanging_server_times_out_in_bounded_time(tmp_path):
    with FakeOpenAI(default={"hang": 5}) as srv:
        t = time.monotonic()
        r = review(note_case(NOTE), make(srv, tmp_path, timeout=0.5, attempts=2))
        elapsed = time.monotonic() - t
    assert r.llm.status == "fallback" and "APITimeoutError" in r.llm.reason
    assert elapsed < 4


def test_second_run_is_served_from_the_cache(tmp_path):
    with FakeOpenAI(default=GOOD) as srv:
        first = review(note_case(NOTE), make(srv, tmp_path))
        n = len(srv.requests)
        second = review(note_case(NOTE), make(srv, tmp_path))
    assert n == 1 and len(srv.requests) == 1
    assert second.llm.cached_chunks == 1 and second.usage.requests == 0 and second.usage.cached == 1
    assert second.decision == first.decision and [f.code for f in second.findings] == [f.code for f in first.findings]


def test_long_notes_are_chunked_with_offsets_mapped_back(tmp_path):
    line = "Patient reports stable mild stiffness in the morning. "
    text = line * 60 + "New left foot drop noted today. " + line * 60 + "Low back pain x 3 weeks."
    doc = Document(id="n", text=text)
    parts = chunks(doc, 300)
    assert len(parts) > 2 and parts[0].start == 0 and parts[-1].end == len(text)
    assert all(a.end == b.start for a, b in zip(parts, parts[1:]))
    drop = answer([{"code": "motor_weakness", "quotes": ["New left foot drop"], "assertion": "present", "exam": False}])
    with FakeOpenAI(default=lambda body: drop if "foot drop" in body["messages"][1]["content"] else answer([])) as srv:
        ext = make(srv, tmp_path, mode="llm", chunk_tokens=300)
        r = review(note_case(text), ext)
    assert len(srv.requests) == len(parts)
    mw = next(f for f in r.findings if f.code == "motor_weakness")
    assert text[mw.evidence[0].start:mw.evidence[0].end] == "New left foot drop"


def test_grounding_statuses():
    a = Aligner("Pt c/o LBP x 9 wks.  Denies  Fever. LBP again.")
    assert (a.align("LBP").start, a.align("LBP").start) == (7, 36)  # successive occurrences, in order
    assert a.align("denies fever").status == "normalized"
    assert a.align("LBP x 9 weeks").status == "fuzzy"
    assert a.align("saddle anesthesia with retention") is None


def test_fuzzy_spans_need_checking_and_do_not_count(tmp_path):
    near = answer([{"code": "motor_weakness", "quotes": ["New left foot drops since yesterday"], "assertion": "present", "exam": False}])
    text = "HPI: low back pain x 3 weeks. New left foot drop since yesterday.\nPlan: MRI L-spine."
    with FakeOpenAI(default=near) as srv:
        r = review(note_case(text), make(srv, tmp_path, mode="llm"))
    assert [f.code for f in r.needs_checking] == ["motor_weakness"]
    assert r.needs_checking[0].evidence[0].alignment == "fuzzy"
    assert "motor_weakness" not in {f.code for f in r.findings}


def test_prompt_definitions_come_from_the_registry():
    p = load()
    assert p.version == "1" and len(p.sha256) == 64
    for c in code_table().codes:
        assert f"- {c.code}: {c.definition}" in p.system()
    assert definitions() in p.system()


def test_batch_against_a_misbehaving_endpoint_writes_every_record(tmp_path):
    script = [{"content": "garbage"}, {"status": 500}, {"status": 429, "retry_after": "0.1"}, {"content": None, "refusal": "no"},
              {"content": "{", "finish": "length"}, {"hang": 3}]
    cases = tmp_path / "cases.jsonl"
    lines = [note_case(NOTE).model_copy(update={"id": f"c{i}"}).model_dump_json() for i in range(4)] + ["{broken"]
    cases.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    with FakeOpenAI(default=lambda body, it=iter(script * 10): next(it)) as srv:
        env = {**os.environ, "OPENAI_BASE_URL": srv.base_url, "OPENAI_API_KEY": "x", "PRIORAUTH_LLM_MODEL": "m",
               "PRIORAUTH_LLM_TIMEOUT": "0.5", "PRIORAUTH_CACHE_DIR": str(tmp_path / "c"), "NO_PROXY": "127.0.0.1"}
        t = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "priorauth.cli", "review", "--cases", str(cases), "-o", str(out),
                               "--extractor", "llm"], env=env, capture_output=True, text=True, timeout=120)
        elapsed = time.monotonic() - t
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    recs = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(recs) == 5 and "error" in recs[-1]
    assert all(r["decision"] in ("meets_criteria", "not_met", "incomplete") for r in recs[:4])
    assert elapsed < 100


def test_cache_can_be_turned_off(monkeypatch, tmp_path):
    monkeypatch.setenv("PRIORAUTH_LLM_MODEL", "m")
    monkeypatch.setenv("PRIORAUTH_CACHE_DIR", "off")
    assert LLMConfig.from_env().cache_dir is None
    monkeypatch.setenv("PRIORAUTH_CACHE_DIR", str(tmp_path))
    assert LLMConfig.from_env().cache_dir == tmp_path
    with FakeOpenAI(default=GOOD) as srv:
        cfg = LLMConfig(model="test-model", base_url=srv.base_url, api_key="t", cache_dir=None)
        review(note_case(NOTE), LLMExtractor(cfg))
        review(note_case(NOTE), LLMExtractor(cfg))
    assert len(srv.requests) == 2  # nothing kept, so the second run asks again


def test_cache_is_on_by_default_and_private(monkeypatch, tmp_path):
    monkeypatch.setenv("PRIORAUTH_LLM_MODEL", "m")
    monkeypatch.delenv("PRIORAUTH_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert LLMConfig.from_env().cache_dir == tmp_path / "home" / ".cache" / "priorauth" / "llm"
    assert LLMConfig.from_env(cache_dir=None).cache_dir is not None
    with FakeOpenAI(default=GOOD) as srv:
        review(note_case(NOTE), make(srv, tmp_path))
    cache = tmp_path / "cache"
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert files and all(oct(p.stat().st_mode & 0o777) == oct(0o600) for p in files)
    assert all(oct(d.stat().st_mode & 0o777) == oct(0o700) for d in [cache, *(p for p in cache.rglob("*") if p.is_dir())])


def test_tokens_and_requests_count_when_a_case_falls_back(tmp_path):
    with FakeOpenAI(default={"content": '{"findings": [', "finish": "length"}) as srv:
        r = review(note_case(NOTE), make(srv, tmp_path))
    assert r.llm.status == "fallback"
    assert r.usage.requests == 3 and r.usage.prompt_tokens == 300 and r.usage.completion_tokens == 60
    assert r.llm.reasks == 2


def test_circuit_breaker_stops_calling_a_failing_endpoint(tmp_path):
    from priorauth.extract.llm_client import BREAKER_FAILURES, BREAKER_PREFIX

    with FakeOpenAI(default={"status": 503}) as srv:
        ext = make(srv, tmp_path, attempts=1)
        reviews = [review(note_case(NOTE + f" case {i}"), ext) for i in range(6)]
    assert len(srv.requests) == BREAKER_FAILURES  # after N consecutive failures the endpoint is left alone
    assert all(r.llm.status == "fallback" and r.decision == "meets_criteria" for r in reviews)
    assert [r.llm.reason.startswith(BREAKER_PREFIX) for r in reviews] == [False] * BREAKER_FAILURES + [True] * 3


def test_batch_says_once_that_the_endpoint_was_given_up(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from priorauth.cli import app

    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(note_case(NOTE).model_copy(update={"id": f"c{i}"}).model_dump_json() + "\n" for i in range(6)))
    with FakeOpenAI(default={"status": 401}) as srv:
        for k, v in {"OPENAI_BASE_URL": srv.base_url, "OPENAI_API_KEY": "x", "PRIORAUTH_LLM_MODEL": "m",
                     "PRIORAUTH_CACHE_DIR": "off"}.items():
            monkeypatch.setenv(k, v)
        res = CliRunner().invoke(app, ["review", "--cases", str(cases), "-o", str(tmp_path / "o.jsonl"), "--extractor", "llm"])
    assert res.exit_code == 0, res.output
    assert len(srv.requests) == 3 and res.output.count("endpoint not called") == 1
    assert len((tmp_path / "o.jsonl").read_text().splitlines()) == 6


def test_context_cross_check_reads_a_long_note_in_pieces(tmp_path, monkeypatch):
    from priorauth.extract import pieces as pieces_mod

    monkeypatch.setattr(pieces_mod, "SPLIT_OVER", 3_000)
    monkeypatch.setattr(pieces_mod, "PIECE_CHARS", 1_500)
    filler = "Follow-up visit. Patient doing about the same, stable mild stiffness in the morning.\n"
    text = "HPI: low back pain x 3 weeks.\n" + filler * 60 + "No foot drop.\n" + filler * 5
    lie = answer([{"code": "motor_weakness", "quotes": ["foot drop"], "assertion": "present", "exam": False}])
    with FakeOpenAI(default=lie) as srv:
        r = review(note_case(text), make(srv, tmp_path, mode="llm", chunk_tokens=100_000))
    assert r.llm.status == "ok"
    assert [(c.code, c.llm, c.context) for c in r.conflicts] == [("motor_weakness", "present", "negated")]
    assert text[r.conflicts[0].evidence.start:r.conflicts[0].evidence.end] == "foot drop"


def test_hybrid_therapy_keeps_the_rules_care_named_without_its_kind():
    """A component only the model found is added; the rules' general care (its weeks and evidence) is not lost."""
    text = "Treated conservatively for 3 months. PT for 6 weeks. Naproxen for 2 weeks."
    def span(words: str) -> EvidenceSpan:
        i = text.index(words)
        return EvidenceSpan(doc="d1", start=i, end=i + len(words), text=words)
    pt = TherapyComponent(kind="physical_therapy", category="active", weeks=6.0, within_6_months=True, evidence=[span("PT")])
    general = [span("Treated conservatively"), span("3 months")]
    rules = ConservativeTherapy(weeks=13, active=True, within_6_months=True, response="no_response", components=[pt],
                                general_evidence=general)
    llm = ConservativeTherapy(weeks=6, active=True, inactive=True, response="improved", components=[
        TherapyComponent(kind="physical_therapy", category="active", weeks=1.0, evidence=[span("PT for 6 weeks")]),
        TherapyComponent(kind="medication", category="inactive", weeks=2.0, evidence=[span("Naproxen")])])
    ct = _combine(rules, llm)
    assert ct.weeks == 13 and ct.general_evidence == general
    assert [(c.kind, c.weeks) for c in ct.components] == [("physical_therapy", 6.0), ("medication", 2.0)]
    assert ct.active and ct.inactive and ct.within_6_months is True and ct.response == "no_response"
    # a component known to lie outside the six-month window is an earlier episode's care: it makes no trial inactive
    old = llm.model_copy(update={"components": [llm.components[0], llm.components[1].model_copy(update={"within_6_months": False})]})
    assert not _combine(rules, old).inactive
