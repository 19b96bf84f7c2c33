"""Who a PAS request is about and who ordered it, read from the request Bundle's Patient, Coverage and Practitioner.

Patient: name, birthDate, gender. Coverage (Claim.insurance, the focal one
first): subscriberId, else an identifier typed MB (member number), else the
first identifier. Ordering provider: the ServiceRequest's requester, else
Claim.provider, through a PractitionerRole to its Practitioner (name, and the
identifier in the US NPI system). Servicing provider: Claim.facility, else the
PractitionerRole's organization. Anything absent is None; nothing here is logged.
"""

from __future__ import annotations

from typing import Optional

from priorauth.fhir.inbound import BundleIndex

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
SEX = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}


def _name(res: dict) -> Optional[str]:
    if res.get("resourceType") in ("Organization", "Location"):
        return res.get("name")
    for n in res.get("name") or []:
        if n.get("text"):
            return n["text"]
        parts = [*(n.get("prefix") or []), *(n.get("given") or []), n.get("family") or "", *(n.get("suffix") or [])]
        text = " ".join(p for p in parts if p)
        if text:
            return text
    return None


def _claim(bundle: dict) -> dict:
    return next(((e.get("resource") or {}) for e in bundle.get("entry") or []
                 if (e.get("resource") or {}).get("resourceType") == "Claim"), {})


def _member_id(cov: dict) -> Optional[str]:
    if cov.get("subscriberId"):
        return cov["subscriberId"]
    ids = cov.get("identifier") or []
    typed = [i for i in ids if any(c.get("code") == "MB" for c in ((i.get("type") or {}).get("coding") or []))]
    return next((i.get("value") for i in typed + ids if i.get("value")), None)


def identity_from_bundle(bundle: dict) -> dict:
    """The identity fields (priorauth.service.identity.Identity's names, plus birth_date) a PAS Bundle carries."""
    index, claim = BundleIndex(bundle), _claim(bundle)
    out: dict = {}
    found = index.resolve(claim.get("patient"))
    if found:
        pat = found[1]
        out.update(patient_name=_name(pat), birth_date=pat.get("birthDate"), patient_sex=SEX.get(pat.get("gender") or ""))
    insurances = sorted(claim.get("insurance") or [], key=lambda i: not i.get("focal"))
    for ins in insurances:
        cov = index.resolve(ins.get("coverage"))
        if cov and cov[1].get("resourceType") == "Coverage":
            out["member_id"] = _member_id(cov[1])
            break
    order = next((r for _, r in index.entries if r.get("resourceType") == "ServiceRequest" and r.get("requester")), None)
    who = index.resolve(order.get("requester")) if order else None
    who = who or index.resolve(claim.get("provider"))
    role = None
    if who and who[1].get("resourceType") == "PractitionerRole":
        role = who[1]
        who = index.resolve(role.get("practitioner"))
    if who and who[1].get("resourceType") == "Practitioner":
        prac = who[1]
        out["ordering_provider_name"] = _name(prac)
        out["ordering_provider_npi"] = next((i.get("value") for i in prac.get("identifier") or []
                                             if i.get("system") == NPI_SYSTEM), None)
    place = index.resolve(claim.get("facility")) or (index.resolve(role.get("organization")) if role else None)
    if place:
        out["servicing_provider"] = _name(place[1])
    return {k: v for k, v in out.items() if v is not None}
