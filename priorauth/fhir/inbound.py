"""PAS request Bundle (or US Core DocumentReferences) -> Case.

Checks what PAS STU 2.2.1 requires of a request and what the review needs:
Bundle.type collection with identifier, timestamp and a fullUrl per entry, the
Claim first (invariant ClaimFirst), Claim.use = preauthorization, at least one
item coded in CPT (or HCPCS, for S8042), attachments carried inline as base64.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from priorauth.fhir import systems
from priorauth.fhir.attachments import attachment_document, decode_base64
from priorauth.fhir.errors import FhirError
from priorauth.fhir.resources import normalize
from priorauth.models import Case, Document, Request
from priorauth.models import age_on as years_old

NOTE_RESOURCES = ("DocumentReference", "Binary")


class BundleIndex:
    """Resolve references inside a bundle by fullUrl, `Type/id` or a fullUrl ending in `Type/id`."""

    def __init__(self, bundle: dict):
        self.entries: list[tuple[int, dict]] = []
        self.by_key: dict[str, int] = {}
        for i, e in enumerate(bundle.get("entry") or []):
            res = e.get("resource") or {}
            self.entries.append((i, res))
            if e.get("fullUrl"):
                self.by_key[e["fullUrl"]] = i
            if res.get("id"):
                self.by_key[f"{res.get('resourceType')}/{res['id']}"] = i

    def resolve(self, ref: Optional[dict]) -> Optional[tuple[int, dict]]:
        target = (ref or {}).get("reference")
        if not target:
            return None
        i = self.by_key.get(target)
        if i is None and "/" in target:
            i = self.by_key.get("/".join(target.rstrip("/").split("/")[-2:]))
        return (i, self.entries[i][1]) if i is not None else None


def _served(item: dict) -> Optional[dt.date]:
    """A Claim item's planned date of service: servicedDate, else servicedPeriod.start."""
    if isinstance(item.get("servicedDate"), str):
        return _date(item["servicedDate"])
    period = item.get("servicedPeriod")
    return _date(period.get("start")) if isinstance(period, dict) and isinstance(period.get("start"), str) else None


def _date(value: Optional[str]) -> Optional[dt.date]:
    """The calendar date of a FHIR date/dateTime/instant; partial dates (YYYY, YYYY-MM) give None."""
    if not value or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def age_on(birth: Optional[str], on: Optional[dt.date]) -> Optional[int]:
    b = _date(birth)
    if b is None or on is None:
        return None
    return years_old(b, on)


def _codes(concept: Optional[dict], allowed: tuple[str, ...]) -> list[str]:
    return [c["code"] for c in (concept or {}).get("coding") or [] if c.get("system") in allowed and c.get("code")]


def _procedure_code(item: dict, element: str) -> str:
    codes = _codes(item.get("productOrService"), (systems.CPT, *systems.HCPCS))
    if not codes:
        found = ", ".join(f"{c.get('system')}|{c.get('code')}" for c in (item.get("productOrService") or {}).get("coding") or [])
        raise FhirError(f"{element}.productOrService", f"no CPT code (system {systems.CPT}) or HCPCS code; found {found or 'none'}")
    code = codes[0].strip().upper()
    if not (len(code) == 5 and code[:4].isalnum()):
        raise FhirError(f"{element}.productOrService", f"{code!r} is not a five-character CPT/HCPCS code")
    return code


def _doc_from_attachment(att: dict, element: str, doc_id: str, type_: Optional[str], date: Optional[dt.date]) -> Document:
    if "data" not in att:
        raise FhirError(f"{element}.data", "the attachment carries no data (PAS requires the content inline, base64, not a url)")
    raw = decode_base64(att["data"], f"{element}.data")
    return attachment_document(raw, att.get("contentType"), doc_id, f"{element}.data", type=type_,
                               date=_date(att.get("creation")) or date)


def _concept_text(c: Optional[dict]) -> Optional[str]:
    if not c:
        return None
    return c.get("text") or next((x.get("display") or x.get("code") for x in c.get("coding") or []), None)


def _pick_content(content: list[dict]) -> int:
    """The content entry to read: plain text when the document comes in several formats."""
    for j, c in enumerate(content):
        if ((c.get("attachment") or {}).get("contentType") or "").lower().startswith("text/plain"):
            return j
    return 0


def document_from_reference(res: dict, element: str, fallback_date: Optional[dt.date]) -> Document:
    """One US Core DocumentReference -> Document (its id, type, date and first readable attachment)."""
    content = res.get("content") or []
    if not content:
        raise FhirError(f"{element}.content", "the DocumentReference has no content")
    j = _pick_content(content)
    date = _date(res.get("date")) or _date(((res.get("context") or {}).get("period") or {}).get("start")) or fallback_date
    doc_id = res.get("id") or element.rsplit(".", 1)[-1]
    return _doc_from_attachment(content[j].get("attachment") or {}, f"{element}.content[{j}].attachment", doc_id,
                                _concept_text(res.get("type")) or "clinical_note", date)


def _unique_ids(docs: list[Document]) -> list[Document]:
    """Documents sharing an id get `-<position>` appended, so every evidence span names one document."""
    ids = [d.id for d in docs]
    return [d if ids.count(d.id) == 1 else d.model_copy(update={"id": f"{d.id}-{n}"}) for n, d in enumerate(docs, 1)]


def _documents(claim: dict, ci: int, index: BundleIndex, request_date: Optional[dt.date]) -> list[Document]:
    docs: list[Document] = []
    seen: set[int] = set()
    for k, si in enumerate(claim.get("supportingInfo") or []):
        el = f"Bundle.entry[{ci}].resource.supportingInfo[{k}]"
        seq = si.get("sequence", k + 1)
        if "valueAttachment" in si:
            docs.append(_doc_from_attachment(si["valueAttachment"], f"{el}.valueAttachment", f"supportingInfo-{seq}",
                                             _concept_text(si.get("code")) or "clinical_note", request_date))
        elif "valueReference" in si:
            found = index.resolve(si["valueReference"])
            target = si["valueReference"].get("reference")
            if found is None:
                raise FhirError(f"{el}.valueReference", f"{target!r} is not in the bundle (PAS carries supporting documents inside "
                                "the request)" if target else "has no reference to a resource in the bundle")
            i, res = found
            if i in seen or res.get("resourceType") not in NOTE_RESOURCES:
                continue  # other clinical resources (Observation, Condition ...) are not notes
            seen.add(i)
            rel = f"Bundle.entry[{i}].resource"
            if res["resourceType"] == "Binary":
                att = {"data": res.get("data"), "contentType": res.get("contentType")} if "data" in res else {}
                docs.append(_doc_from_attachment(att, rel, res.get("id") or f"binary-{i}", "clinical_note", request_date))
            else:
                docs.append(document_from_reference(res, rel, request_date))
    return _unique_ids(docs)


def case_from_bundle(bundle: dict) -> Case:
    """Read a PAS request Bundle (R4 JSON) into a Case; FhirError naming the element when it is not one."""
    return read_bundle(bundle)[0]


def read_bundle(bundle: dict) -> tuple[Case, dict]:
    """(Case, the Bundle as the R4 model reads it back): the response echoes the request's elements with their FHIR types."""
    raw = bundle
    bundle = normalize(bundle, "Bundle", "Bundle")
    if bundle.get("type") != "collection":
        raise FhirError("Bundle.type", f"a PAS request Bundle is a collection, found {bundle.get('type')!r}")
    for name in ("identifier", "timestamp"):
        if not bundle.get(name):
            raise FhirError(f"Bundle.{name}", "required by the PAS Request Bundle profile and missing")
    entries = bundle.get("entry") or []
    claims = [i for i, e in enumerate(entries) if (e.get("resource") or {}).get("resourceType") == "Claim"]
    if not claims:
        raise FhirError("Bundle.entry", "the bundle has no Claim (a PAS request carries one Claim, first)")
    ci = claims[0]
    if ci != 0:
        raise FhirError("Bundle.entry[0].resource", "the Claim must be the first entry (PAS invariant ClaimFirst)")
    for i, e in enumerate(entries):
        if not e.get("fullUrl"):
            raise FhirError(f"Bundle.entry[{i}].fullUrl", "required by the PAS Request Bundle profile and missing")
    claim = entries[ci]["resource"]
    el = f"Bundle.entry[{ci}].resource"
    if claim.get("use") != "preauthorization":
        raise FhirError(f"{el}.use", f"must be 'preauthorization' for a prior-authorization request, found {claim.get('use')!r}")
    if claim.get("status") != "active":
        raise FhirError(f"{el}.status", f"PAS fixes Claim.status to 'active', found {claim.get('status')!r}")
    if not claim.get("insurer"):
        raise FhirError(f"{el}.insurer", "required by the PAS Claim profile and missing")
    items = claim.get("item") or []
    if not items:
        raise FhirError(f"{el}.item", "the Claim requests no service (no item)")
    cpts = [_procedure_code(it, f"{el}.item[{n}]") for n, it in enumerate(items)]
    index = BundleIndex(bundle)
    found = index.resolve(claim.get("patient"))
    if found is None or found[1].get("resourceType") != "Patient":
        raise FhirError(f"{el}.patient", "does not resolve to a Patient in the bundle")
    request_date = _date(claim.get("created"))
    if request_date is None or not isinstance(raw["entry"][ci]["resource"].get("created"), str):
        raise FhirError(f"{el}.created", "is not a full date")
    birth = raw["entry"][found[0]]["resource"].get("birthDate")
    if birth is not None and not isinstance(birth, str):
        raise FhirError(f"Bundle.entry[{found[0]}].resource.birthDate", "must be a FHIR date string")
    age = age_on(birth, request_date)
    if age is not None and not 0 <= age <= 130:
        raise FhirError(f"Bundle.entry[{found[0]}].resource.birthDate", f"gives an age of {age} at Claim.created")
    icd = [c for d in claim.get("diagnosis") or [] for c in _codes(d.get("diagnosisCodeableConcept"), systems.ICD10)]
    has_order = any(r.get("resourceType") == "ServiceRequest" for _, r in index.entries) or bool(claim.get("referral")) or None
    served = [d for d in map(_served, items) if d]  # the planned date of service picks the guideline version
    request = Request(cpt_codes=list(dict.fromkeys(cpts)), icd10_codes=icd or None,
                      patient_age=age, request_date=request_date, service_date=min(served) if served else None,
                      has_standard_written_order=has_order)
    ident = (claim.get("identifier") or [{}])[0].get("value") or claim.get("id") or bundle["identifier"].get("value") or "claim"
    return Case(id=str(ident), request=request, documents=_documents(claim, ci, index, request_date)), bundle


def case_from_documents(resource: dict, request: Request, case_id: str = "packet") -> Case:
    """A US Core DocumentReference, or a Bundle of them, with the request fields given separately."""
    rt = resource.get("resourceType")
    if rt == "DocumentReference":
        resource = normalize(resource, "DocumentReference")
        return Case(id=case_id, request=request, documents=[document_from_reference(resource, "DocumentReference", request.request_date)])
    if rt != "Bundle":
        raise FhirError("resourceType", f"expected a DocumentReference or a Bundle of them, found {rt!r}")
    resource = normalize(resource, "Bundle")
    docs = [document_from_reference(e["resource"], f"Bundle.entry[{i}].resource", request.request_date)
            for i, e in enumerate(resource.get("entry") or []) if (e.get("resource") or {}).get("resourceType") == "DocumentReference"]
    if not docs:
        raise FhirError("Bundle.entry", "the bundle holds no DocumentReference")
    return Case(id=case_id, request=request, documents=_unique_ids(docs))
