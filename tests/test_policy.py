"""The vendored policy is the shared one, and every citation is a verbatim substring of it."""

from priorauth.rules.catalog import catalog
from priorauth.rules.policy import cite, policy_identity, policy_text
from tests.conftest import SHARED

ALL = catalog().all
ORDER = catalog().order
CONTRACT_IDS = {"A.i", "A.ii", "A.iii", "A.iv", "A.v", "B.a", "B.b", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M",
                "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "W+.a", "W+.b", "W+.c", "REPEAT.a", "REPEAT.b", "REPEAT.c",
                "LIM.E", "LIM.F", "LIM.G", "LIM.H", "LIM.I", "LIM.J", "LIM.K", "DOC.swo", "DOC.records", "DOC.coding"}


def test_vendored_policy_matches_shared_copy():
    assert policy_text() == (SHARED / "policy" / "mri-spine-guideline.txt").read_text(encoding="utf-8")


def test_policy_identity():
    ident = policy_identity()
    assert ident.number == "PUM 250-0057-1812"
    assert ident.effective == "05/01/2026"
    assert ident.number in policy_text() and "Effective Date 05/01/2026" in policy_text()
    assert len(ident.sha256) == 64


def test_every_citation_is_an_exact_substring_at_its_offsets():
    text = policy_text()
    for c in ALL:
        assert c.citations, c.id
        for cit in c.citations:
            assert text[cit.start:cit.end] == cit.text, (c.id, cit.text[:40])


def test_all_contract_criterion_ids_are_implemented_once():
    ids = [c.id for c in ALL]
    assert len(ids) == len(set(ids))
    assert set(ids) == CONTRACT_IDS
    assert set(ORDER) == CONTRACT_IDS


def test_cite_rejects_a_paraphrase():
    import pytest

    with pytest.raises(ValueError):
        cite("MRI is always covered for back pain.")
