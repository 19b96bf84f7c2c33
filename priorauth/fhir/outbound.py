"""Review -> PAS ClaimResponse (Da Vinci PAS STU 2.2.1, profile-claimresponse).

Per requested Claim.item, one item with `itemSequence` echoing the Claim's
`sequence`, its trace numbers, and one `adjudication` (category `submitted`,
fixed by PAS) carrying the reviewAction extension: X12 306 `A1` (certified in
total) only when the whole request meets the guideline and this item's study
does, or when a nurse or physician certified it in the service; `A4` (pended)
otherwise; `C` for an item the requester cancelled. `A3` (not certified) only
when a physician recorded "not approved" in the service: the tool never denies.
A certified item carries the preAuthRef as the review number, its issue date
and its validity period; a pended item carries our reference as its
administration reference number (the preAuthRef it will have if certified).
The reason code is the payer's X12 886 code for our reason (reasons.py); the
plain reason is an item note and, for the whole response, the disposition.
`outcome` is `complete` (PAS 2.2.1 allows complete | error | partial, and its
pended example is `complete` with `A4`), or `partial` when only some items are
certified and the rest still await a determination.

References (patient, insurer, requestor) are the fullUrls of the request's
entries, which the response Bundle carries, so they resolve inside it whatever
the ClaimResponse's own fullUrl; `request` is the Claim's identifier.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from typing import Literal, Optional

from pydantic import BaseModel

from priorauth.fhir import systems
from priorauth.fhir.reasons import reason_concept
from priorauth.models import Case, CriterionResult, PolicyIdentity, Review

MAX_EVIDENCE = 5


def now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


VALID_DAYS_ENV = "PRIORAUTH_PREAUTH_VALID_DAYS"
HumanDecision = Literal["approved", "physician_approved", "physician_not_approved", "information_requested"]


class Determination(BaseModel):
    """What the service knows beyond the automated review: the reference, a human decision, cancelled lines."""

    ref: Optional[str] = None  # the preAuthRef of the request (an update keeps the original's); default from the bundle
    human: Optional[HumanDecision] = None
    human_reason: str = ""  # the reviewer's note, quoted in the disposition of a physician's decision
    missing: list[str] = []  # documents a nurse requested (information_requested)
    in_progress: bool = False  # the review is still running (OCR-heavy packet): pended, a notification follows
    cancelled: set[int] = set()  # item sequences cancelled by the requester


def valid_days() -> int:
    """How long a certification is valid (days from issue); a payer setting, 90 unless configured."""
    try:
        days = int(os.environ.get(VALID_DAYS_ENV, "90"))
    except ValueError:
        raise ValueError(f"{VALID_DAYS_ENV} must be a whole number of days") from None
    if not 1 <= days <= 3660:
        raise ValueError(f"{VALID_DAYS_ENV} must be between 1 and 3660")
    return days


def claim_entry(bundle: dict) -> tuple[str, dict]:
    entry = next(e for e in bundle.get("entry") or [] if (e.get("resource") or {}).get("resourceType") == "Claim")
    return entry.get("fullUrl", ""), entry["resource"]


def preauth_ref(bundle: dict) -> str:
    """THE reference number of a request (preAuthRef once certified, the administration reference while pended, the
    number people quote): the same bundle always gets the same number; an update keeps its original's (the service
    stores it). Every other place that needs the number calls this function."""
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


OUTSIDE = "Pended: service outside the guidelines this plan automates; a clinician reviews it."


def _item_action(review: Review, cpt: Optional[str]) -> tuple[str, str, str]:
    """(X12 306 code, our reason code, reason text) for one requested code, from the automated review."""
    study = next((s for s in review.studies if s.cpt == cpt), None) if cpt else None
    if study is None:
        return "A4", "service-outside-guideline", (f"{OUTSIDE[:-1]} ({cpt})." if cpt else OUTSIDE)
    if review.decision == "incomplete":
        return "A4", "documentation-missing", "Pended until documentation is sent: " + "; ".join(m.split(": ", 1)[-1] for m in review.missing)
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


def _action(review: Optional[Review], cpt: Optional[str], d: Determination, seq: int) -> tuple[str, str, str]:
    """The item's action with the service's knowledge applied: cancellation, a human decision, a running review."""
    if seq in d.cancelled:
        return "C", "cancelled-by-requester", "Cancelled by the requester; no determination is made for this service."
    if d.human == "physician_not_approved":
        why = f": {d.human_reason}" if d.human_reason else ""
        return "A3", "not-certified-by-physician", f"Not certified: decision of a physician reviewer{why}."
    if d.human == "physician_approved":
        return "A1", "certified-by-reviewer", "Certified by a physician reviewer after review of the notes."
    if d.human == "approved" and review is not None:  # a nurse confirms what the review proved, and only that
        code, reason, text = _item_action(review, cpt)
        if code == "A1":
            return "A1", "certified-by-reviewer", "Certified: a nurse reviewer confirmed that the guideline is met. " + text
        return code, reason, text
    if d.human == "information_requested":
        return "A4", "documentation-missing", "Pended until documentation is sent: " + ("; ".join(d.missing) or "see the process notes")
    if d.in_progress or review is None:
        return "A4", "review-in-progress", "Pended: the attached documents are being read; a notification follows the determination."
    code, reason, text = _item_action(review, cpt)
    return code, reason, text


def _notes(case: Case, review: Optional[Review]) -> Notes:
    notes = Notes()
    if review is None:
        notes.add("Received; the attached documents are being read and reviewed. The determination follows by notification "
                  "and can be asked for with Claim/$inquire.")
        return notes
    if not review.studies:  # nothing requested is in a guideline: its documentation list does not apply
        notes.add("No requested service is covered by the guidelines this plan automates; a clinician reviews the request.")
        for u in case.unreadable:
            notes.add(f"Attachment {u.doc} could not be read ({u.error}).")
        return notes
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
    for u in case.unreadable:
        notes.add(f"Missing documentation: attachment {u.doc} could not be read ({u.error}); send it again as text, PDF or image.")
    for r in review.reasons:
        cpt = r.split(" ", 1)[0]
        notes.add(r, {cpt} if cpt in (case.request.cpt_codes or []) else None)
    for c in review.criteria_results:
        if c.status == "met" and c.kind in ("indication", "repeat"):
            notes.add(f"Criterion {c.id} met ({c.title}) for {c.study}. Policy: {_citation_text(c)}. "
                      f"Evidence: {_evidence_text(c)}.", {c.study} if c.study else None)
    return notes


def _disposition(codes: list[str], texts: list[str], reasons: list[str], d: Determination) -> str:
    """The response's one-line plain reason (PAS shows it to the requester)."""
    live = [(c, t) for c, t in zip(codes, texts) if c != "C"]
    live_reasons = {r for c, r in zip(codes, reasons) if c != "C"}
    if live_reasons == {"service-outside-guideline"}:
        return OUTSIDE
    if not live:
        return "Cancelled by the requester"
    if d.human == "physician_not_approved":
        return live[0][1]
    certified = sum(1 for c, _ in live if c == "A1")
    if certified == len(live):
        return "Certified in total" if d.human is None or len(live) > 1 else live[0][1]
    if certified:
        return f"{certified} of {len(live)} items certified; the others are pended for clinician review"
    distinct = list(dict.fromkeys(t for _, t in live))
    return distinct[0] if len(distinct) == 1 else "Pended for clinician review; each item's note gives its reason."


def _full_ref(bundle: dict, ref: Optional[dict]) -> Optional[dict]:
    """A reference of the request rewritten to the fullUrl of the entry it points at (so it resolves in the response)."""
    from priorauth.fhir.inbound import BundleIndex

    found = BundleIndex(bundle).resolve(ref)
    if not found:
        return ref
    url = (bundle.get("entry") or [])[found[0]].get("fullUrl")
    return {**ref, "reference": url} if url else ref


def claim_response(bundle: dict, case: Case, review: Optional[Review], created: Optional[str] = None,
                   determination: Optional[Determination] = None, profile: str = systems.PROFILE_CLAIM_RESPONSE) -> dict:
    """The PAS ClaimResponse answering the bundle's Claim with this review (None: the review is still running)."""
    d = determination or Determination()
    claim_url, claim = claim_entry(bundle)
    created = created or now_utc()
    ref = d.ref or preauth_ref(bundle)
    notes = _notes(case, review)
    issued = dt.date.fromisoformat(created[:10])
    period = {"start": issued.isoformat(), "end": (issued + dt.timedelta(days=valid_days() - 1)).isoformat()}
    items, codes, texts, reasons = [], [], [], []
    for n, it in enumerate(claim.get("item") or []):
        seq = it.get("sequence", n + 1)
        # an item without a CPT/HCPCS code matches no study, so it can only be pended
        cpt = next((c["code"].strip().upper() for c in (it.get("productOrService") or {}).get("coding") or []
                    if c.get("system") in (systems.CPT, *systems.HCPCS) and c.get("code")), None)
        code, reason, text = _action(review, cpt, d, seq)
        codes.append(code)
        texts.append(text)
        reasons.append(reason)
        action = [{"url": systems.EXT_REVIEW_ACTION_CODE, "valueCodeableConcept": {
            "coding": [{"system": systems.X12_306, "code": code, "display": systems.ACTION_DISPLAY[code]}]}}]
        concept = reason_concept(reason, text)
        if concept is not None:
            action.append({"url": "reasonCode", "valueCodeableConcept": concept})
        ext = [e for e in it.get("extension") or [] if e.get("url") == systems.EXT_TRACE_NUMBER]
        if code == "A1":
            action.insert(0, {"url": "number", "valueString": ref})
            ext += [{"url": systems.EXT_PREAUTH_ISSUE_DATE, "valueDate": issued.isoformat()},
                    {"url": systems.EXT_PREAUTH_PERIOD, "valuePeriod": period}]
        elif code in ("A4",):
            ext.append({"url": systems.EXT_ADMIN_REF, "valueString": ref})
        item = {"itemSequence": seq, "noteNumber": [notes.add(text, {f"#item-{seq}"})] + notes.for_item(cpt or ""),
                "adjudication": [{"extension": [{"url": systems.EXT_REVIEW_ACTION, "extension": action}],
                                  "category": {"coding": [{"system": systems.ADJUDICATION, "code": "submitted"}]}}]}
        if ext:
            item = {"extension": ext, **item}
        items.append(item)
    for item in items:  # notes added while building items: keep each item's list sorted and unique
        item["noteNumber"] = sorted(set(item["noteNumber"]))
    live = [c for c in codes if c != "C"]
    certified = [c for c in live if c == "A1"]
    request_ref: dict = {"identifier": claim["identifier"][0]} if claim.get("identifier") else {"reference": claim_url}
    reviewer = [{"url": "wasHumanReviewedFlag", "valueBoolean": d.human is not None}]
    resp = {
        "resourceType": "ClaimResponse",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{systems.PRIORAUTH}:{ref}:{created}")),
        "meta": {"profile": [profile]},
        "extension": [{"url": systems.EXT_REVIEWER, "extension": reviewer}],
        "identifier": claim.get("identifier") or None,
        "status": "active",
        "type": claim.get("type") or {"coding": [{"system": systems.CLAIM_TYPE, "code": "professional"}]},
        "use": "preauthorization",
        "patient": _full_ref(bundle, claim["patient"]),
        "created": created,
        "insurer": _full_ref(bundle, claim["insurer"]),
        "request": request_ref,
        "outcome": "partial" if 0 < len(certified) < len(live) else "complete",
        "disposition": _disposition(codes, texts, reasons, d),
        "item": items,
        "processNote": notes.notes,
    }
    if certified:
        resp["preAuthRef"] = ref
        resp["preAuthPeriod"] = period
    if claim.get("provider"):
        resp["requestor"] = _full_ref(bundle, claim["provider"])
    return {k: v for k, v in resp.items() if v is not None}
