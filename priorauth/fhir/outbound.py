"""Review -> PAS ClaimResponse (Da Vinci PAS STU 2.2.1, profile-claimresponse).

Per requested Claim.item, one item with `itemSequence` echoing the Claim's
`sequence` and one `adjudication` (category `submitted`, fixed by PAS) carrying
the reviewAction extension (its `code` slice is the reviewActionCode extension,
so its url is that extension's canonical; `number` and `reasonCode` are local): X12 306 `A1` (certified in total) only when the
whole request meets the guideline and this item's study does; `A4` (pended)
otherwise. Never `A3`: not certifying is a physician's decision. The reasons,
the missing documentation and the met criteria with their policy sentences and
note evidence are `processNote`s, linked from each item by `noteNumber`.
`outcome` is `complete` (PAS 2.2.1 allows complete | error | partial, and its
pended example is `complete` with `A4`), or `partial` when only some items are
certified and the rest still await a determination.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Optional

from priorauth.fhir import systems
from priorauth.fhir.reasons import reason_concept
from priorauth.models import Case, CriterionResult, PolicyIdentity, Review

MAX_EVIDENCE = 5


def now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def claim_entry(bundle: dict) -> tuple[str, dict]:
    entry = next(e for e in bundle.get("entry") or [] if (e.get("resource") or {}).get("resourceType") == "Claim")
    return entry.get("fullUrl", ""), entry["resource"]


def preauth_ref(bundle: dict) -> str:
    """A stable reference for this request: the same bundle always gets the same number."""
    _, claim = claim_entry(bundle)
    ident = bundle.get("identifier") or {}
    key = "|".join([str(ident.get("system")), str(ident.get("value")), str(claim.get("id")),
                    str((claim.get("identifier") or [{}])[0].get("value")), str(claim.get("created"))])
    return "PA-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12].upper()


def _evidence_text(c: CriterionResult) -> str:
    spans = [f"{e.doc}[{e.start}:{e.end}] \u201c{e.text}\u201d" for e in c.evidence[:MAX_EVIDENCE]]
    more = f" (+{len(c.evidence) - MAX_EVIDENCE} more)" if len(c.evidence) > MAX_EVIDENCE else ""
    return "; ".join(spans) + more if spans else "request data"


def _citation_text(c: CriterionResult) -> str:
    return " ".join(f"\u201c{q.text}\u201d (policy chars {q.start}-{q.end})" for q in c.citations)


class Notes:
    """processNote list; each note remembers which CPT codes it concerns (None: every item)."""

    def __init__(self) -> None:
        self.notes: list[dict] = []
        self.scope: list[Optional[set[str]]] = []

    def add(self, text: str, cpts: Optional[set[str]] = None) -> int:
        self.notes.append({"number": len(self.notes) + 1, "type": "display", "text": text})
        self.scope.append(cpts)
        return len(self.notes)

    def for_item(self, cpt: str) -> list[int]:
        return [n for n, s in enumerate(self.scope, 1) if s is None or cpt in s]


def _item_action(review: Review, cpt: str) -> tuple[str, str, str]:
    """(X12 306 code, our reason code, reason text) for one requested code."""
    study = next((s for s in review.studies if s.cpt == cpt), None)
    if review.decision == "incomplete":
        return "A4", "documentation-missing", "Pended until documentation is sent: " + "; ".join(m.split(": ", 1)[-1] for m in review.missing)
    if study is None:
        return "A4", "service-outside-guideline", f"Pended: {cpt} is not a procedure code of this guideline; a clinician reviews it."
    if study.decision == "meets_criteria":
        if review.decision == "meets_criteria":
            return "A1", "criteria-met", f"Certified: {cpt} meets {', '.join(study.criteria)} with evidence in the notes."
        return "A4", "pended-with-request", f"Pended: {cpt} meets {', '.join(study.criteria)}, but another requested service needs clinician review."
    limitations = {c.id for c in review.criteria_results if c.kind == "limitation"}
    lims = [c for c in study.criteria if c in limitations]
    repeat = [c for c in review.criteria_results if c.study == cpt and c.kind == "repeat"]
    if lims:
        return "A4", "limitation-applies", f"Pended for clinician review: limitation {', '.join(lims)} applies to {cpt}; see the process notes."
    if repeat and not any(c.status == "met" for c in repeat):
        return "A4", "repeat-imaging-not-supported", (f"Pended for clinician review: {cpt} repeats an MRI of the past 6 months "
                                                      "without a documented reason; see the process notes.")
    unmet = list(dict.fromkeys(c.id for c in review.criteria_results if c.study == cpt and c.status == "not_met"
                               and c.kind == "indication"))
    which = f" ({', '.join(unmet)} not met)" if unmet else ""
    return "A4", "indication-not-documented", (f"Pended for clinician review: no guideline indication is documented for {cpt}{which}; "
                                               "see the process notes.")


def _policy_words(policy: Optional[PolicyIdentity]) -> str:
    """'title (number, version V, effective D)', and why that version when the review says."""
    if policy is None:
        return "the guideline"
    version = f", version {policy.version}" if policy.version else ""
    note = f"; {policy.version_note}" if policy.version_note else ""
    return f"{policy.title} ({policy.number}{version}, effective {policy.effective}{note})"


def _notes(case: Case, review: Review) -> Notes:
    notes = Notes()
    where = "; ".join(_policy_words(p.policy) for p in review.parts) if review.parts else _policy_words(review.policy)
    banner = {"meets_criteria": "Certified: the guideline is met and every criterion below is documented in the notes.",
              "not_met": "Pended for review by a clinician; this is not a denial. Reasons follow.",
              "incomplete": "Pended: documentation is missing; send the items listed and the request is reviewed again."}
    notes.add(f"Automated review by priorauth against {where}: {review.decision}. {banner[review.decision]}")
    for part in review.parts:
        if part.policy is not None:
            for s in part.studies:
                notes.add(f"{s.cpt} was reviewed under {_policy_words(part.policy)}: {s.decision}.", {s.cpt})
    for m in review.missing:
        notes.add(f"Missing documentation: {m}")
    for r in review.reasons:
        cpt = r.split(" ", 1)[0]
        notes.add(r, {cpt} if cpt in (case.request.cpt_codes or []) else None)
    for c in review.criteria_results:
        if c.status == "met" and c.kind in ("indication", "repeat"):
            notes.add(f"Criterion {c.id} met ({c.title}) for {c.study}. Policy: {_citation_text(c)}. "
                      f"Evidence: {_evidence_text(c)}.", {c.study} if c.study else None)
    return notes


def _disposition(review: Review, certified: int, total: int) -> str:
    if certified == total:
        return "Certified in total"
    if certified:
        return f"{certified} of {total} items certified; the others are pended for clinician review"
    return "Pended: documentation requested" if review.decision == "incomplete" else "Pended for clinician review"


def claim_response(bundle: dict, case: Case, review: Review, created: Optional[str] = None) -> dict:
    """The PAS ClaimResponse answering the bundle's Claim with this review."""
    claim_url, claim = claim_entry(bundle)
    created = created or now_utc()
    ref = preauth_ref(bundle)
    notes = _notes(case, review)
    items, codes = [], []
    for n, it in enumerate(claim.get("item") or []):
        # an item without a CPT/HCPCS code matches no study, so it can only be pended
        cpt = next((c["code"].strip().upper() for c in (it.get("productOrService") or {}).get("coding") or []
                    if c.get("system") in (systems.CPT, *systems.HCPCS) and c.get("code")), "")
        code, reason, text = _item_action(review, cpt)
        codes.append(code)
        action_code = {"coding": [{"system": systems.X12_306, "code": code, "display": systems.ACTION_DISPLAY[code]}]}
        action = [{"url": systems.EXT_REVIEW_ACTION_CODE, "valueCodeableConcept": action_code},
                  {"url": "reasonCode", "valueCodeableConcept": reason_concept(reason, text)}]
        if code == "A1":
            action.insert(1, {"url": "number", "valueString": ref})
        item = {"itemSequence": it.get("sequence", n + 1), "noteNumber": notes.for_item(cpt),
                "adjudication": [{"extension": [{"url": systems.EXT_REVIEW_ACTION, "extension": action}],
                                  "category": {"coding": [{"system": systems.ADJUDICATION, "code": "submitted"}]}}]}
        if code == "A1":
            item["extension"] = [{"url": systems.EXT_PREAUTH_ISSUE_DATE, "valueDate": created[:10]}]
        items.append(item)
    certified = [c for c in codes if c == "A1"]
    request_ref = {"reference": f"Claim/{claim['id']}" if claim.get("id") else claim_url}
    if claim.get("identifier"):
        request_ref["identifier"] = claim["identifier"][0]
    resp = {
        "resourceType": "ClaimResponse",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{systems.PRIORAUTH}:{ref}")),
        "meta": {"profile": [systems.PROFILE_CLAIM_RESPONSE]},
        "extension": [{"url": systems.EXT_REVIEWER, "extension": [{"url": "wasHumanReviewedFlag", "valueBoolean": False}]}],
        "status": "active",
        "type": claim.get("type") or {"coding": [{"system": systems.CLAIM_TYPE, "code": "professional"}]},
        "use": "preauthorization",
        "patient": claim["patient"],
        "created": created,
        "insurer": claim["insurer"],
        "request": request_ref,
        "outcome": "partial" if 0 < len(certified) < len(items) else "complete",
        "disposition": _disposition(review, len(certified), len(items)),
        "preAuthRef": ref,
        "item": items,
        "processNote": notes.notes,
    }
    if claim.get("provider"):
        resp["requestor"] = claim["provider"]
    return resp
