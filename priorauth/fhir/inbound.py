"""PAS request Bundle (or US Core DocumentReferences) -> Case.

Checks what PAS STU 2.2.1 requires of a request and what the review needs:
Bundle.type collection with identifier, timestamp and a fullUrl per entry, the
Claim first (invariant ClaimFirst), Claim.use = preauthorization, at least one
item, attachments carried inline as base64. Any code of the PAS requested-service
value set is accepted: an item this plan's guidelines do not cover is pended for
a clinician, never refused. An attachment that cannot be read is listed as
missing (`Case.unreadable`) and the rest of the packet is reviewed.

Readings: the standard written order is a ServiceRequest coding the requested
CPT/HCPCS code (a consultation referral is not an order for an MRI); urgency is
expedited for `levelOfServiceCode` U (urgent) or 03 (emergency) and for
`Claim.priority` stat; a DTR QuestionnaireResponse in `supportingInfo` is read
as a note of its answers; an item carrying the `infoCancelled` modifier
extension is cancelled, not reviewed.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

from pydantic import BaseModel

from priorauth.fhir import systems
from priorauth.fhir.attachments import attachment_document, decode_base64
from priorauth.fhir.dtr import questionnaire_response_document
from priorauth.fhir.errors import FhirError
from priorauth.fhir.resources import normalize
from priorauth.models import Case, Document, Request, SourceFile
from priorauth.models import age_on as years_old

NOTE_RESOURCES = ("DocumentReference", "Binary", "QuestionnaireResponse")
URGENT_LEVELS = {"U", "03"}  # X12 1338: U urgent, 03 emergency (E elective)


class PasItem(BaseModel):
    """One requested service line as the response needs it."""

    sequence: int
    system: Optional[str] = None
    code: Optional[str] = None
    reviewable: Optional[str] = None  # the CPT/HCPCS code a guideline may cover, upper case
    cancelled: bool = False
    trace_numbers: list[dict] = []


class PasRequest(BaseModel):
    """A PAS request Bundle as read: the case to review and what the answer and the queue need to know."""

    kind: Literal["submit", "update"]
    case: Case
    bundle: dict
    urgency: Literal["standard", "expedited"]
    items: list[PasItem]
    claim_identifiers: list[dict]
    related: list[dict] = []  # identifiers (system, value) of the claims this one updates
    bundle_identifier: dict

    @property
    def all_cancelled(self) -> bool:
        return all(i.cancelled for i in self.items)


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


def reviewable_code(item: dict) -> Optional[str]:
    """The item's CPT/HCPCS code (five characters, upper case), or None: then no guideline covers it and it is pended."""
    for code in _codes(item.get("productOrService"), (systems.CPT, *systems.HCPCS)):
        code = code.strip().upper()
        if len(code) == 5 and code.isalnum():
            return code
    return None


def _ext(element: dict, url: str, key: str = "extension") -> list[dict]:
    return [e for e in element.get(key) or [] if e.get("url") == url]


def is_cancelled(item: dict) -> bool:
    """PAS marks a cancelled line with the infoCancelled modifier extension (certificationType 3 says the same)."""
    if any(e.get("valueBoolean") is True for e in _ext(item, systems.EXT_INFO_CANCELLED, "modifierExtension")):
        return True
    return any(c.get("code") == "3" for e in _ext(item, systems.EXT_CERTIFICATION_TYPE)
               for c in (e.get("valueCodeableConcept") or {}).get("coding") or [] if c.get("system") == systems.X12_1322)


def _item(it: dict, n: int) -> PasItem:
    coding = next(iter((it.get("productOrService") or {}).get("coding") or []), {})
    return PasItem(sequence=it.get("sequence", n + 1), system=coding.get("system"), code=coding.get("code"),
                   reviewable=reviewable_code(it), cancelled=is_cancelled(it),
                   trace_numbers=[e["valueIdentifier"] for e in _ext(it, systems.EXT_TRACE_NUMBER) if e.get("valueIdentifier")])


def urgency(claim: dict) -> Literal["standard", "expedited"]:
    """Expedited for levelOfServiceCode U or 03, or Claim.priority stat: the 72-hour clock; otherwise the 7-day one."""
    levels = {c.get("code") for e in _ext(claim, systems.EXT_LEVEL_OF_SERVICE)
              for c in (e.get("valueCodeableConcept") or {}).get("coding") or []}
    priority = {c.get("code") for c in (claim.get("priority") or {}).get("coding") or []}
    return "expedited" if levels & URGENT_LEVELS or "stat" in priority else "standard"


def written_order(claim: dict, index: "BundleIndex", codes: list[str]) -> Optional[bool]:
    """True when a ServiceRequest in the bundle orders one of the requested codes; False when the bundle carries
    orders but none for these codes (a referral for a consultation is not an MRI order); None when it carries none."""
    orders = [r for _, r in index.entries if r.get("resourceType") == "ServiceRequest"]
    for it in claim.get("item") or []:
        for e in _ext(it, systems.EXT_REQUESTED_SERVICE):
            found = index.resolve(e.get("valueReference"))
            if found and found[1] not in orders:
                orders.append(found[1])
    if not orders:
        return None
    wanted = set(codes)
    return any(c.strip().upper() in wanted for r in orders for c in _codes(r.get("code"), (systems.CPT, *systems.HCPCS)))


def _doc_from_attachment(att: dict, element: str, doc_id: str, type_: Optional[str], date: Optional[dt.date]) -> Document:
    if "data" not in att:
        raise FhirError(f"{element}.data", "the attachment carries no data (PAS requires the content inline, base64, not a url)",
                        "not-supported")
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


def _read_one(doc_id: str, docs: list[Document], unreadable: list[SourceFile], read, *args) -> None:
    """Run one document reader; an attachment that cannot be read (format, OCR, no inline data) is listed, not fatal."""
    try:
        docs.append(read(*args))
    except FhirError as exc:
        if exc.code != "not-supported":
            raise
        unreadable.append(SourceFile(doc=doc_id, name=exc.element, error=exc.problem))


def _documents(claim: dict, ci: int, index: BundleIndex, request_date: Optional[dt.date]) -> tuple[list[Document], list[SourceFile]]:
    docs: list[Document] = []
    unreadable: list[SourceFile] = []
    seen: set[int] = set()
    for k, si in enumerate(claim.get("supportingInfo") or []):
        el = f"Bundle.entry[{ci}].resource.supportingInfo[{k}]"
        seq = si.get("sequence", k + 1)
        if "valueAttachment" in si:
            _read_one(f"supportingInfo-{seq}", docs, unreadable, _doc_from_attachment, si["valueAttachment"],
                      f"{el}.valueAttachment", f"supportingInfo-{seq}", _concept_text(si.get("code")) or "clinical_note",
                      request_date)
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
            rid = res.get("id") or f"{res['resourceType'].lower()}-{i}"
            if res["resourceType"] == "QuestionnaireResponse":
                docs.append(questionnaire_response_document(res, rid, request_date))
            elif res["resourceType"] == "Binary":
                att = {"data": res.get("data"), "contentType": res.get("contentType")} if "data" in res else {}
                _read_one(rid, docs, unreadable, _doc_from_attachment, att, rel, rid, "clinical_note", request_date)
            else:
                _read_one(rid, docs, unreadable, document_from_reference, res, rel, request_date)
    return _unique_ids(docs), unreadable


def case_from_bundle(bundle: dict) -> Case:
    """Read a PAS request Bundle (R4 JSON) into a Case; FhirError naming the element when it is not one."""
    return read_request(bundle).case


def read_bundle(bundle: dict) -> tuple[Case, dict]:
    """(Case, the Bundle as the R4 model reads it back): the response echoes the request's elements with their FHIR types."""
    r = read_request(bundle)
    return r.case, r.bundle


def checked_bundle(bundle: dict, first: str = "Claim") -> dict:
    """The Bundle normalised by the R4 models, with what every PAS request Bundle (submit, update, inquiry) requires."""
    bundle = normalize(bundle, "Bundle", "Bundle")
    if bundle.get("type") != "collection":
        raise FhirError("Bundle.type", f"a PAS request Bundle is a collection, found {bundle.get('type')!r}")
    for name in ("identifier", "timestamp"):
        if not bundle.get(name):
            raise FhirError(f"Bundle.{name}", "required by the PAS Request Bundle profile and missing")
    entries = bundle.get("entry") or []
    if not any((e.get("resource") or {}).get("resourceType") == first for e in entries):
        raise FhirError("Bundle.entry", f"the bundle has no {first} (a PAS request carries one {first}, first)")
    if (entries[0].get("resource") or {}).get("resourceType") != first:
        raise FhirError("Bundle.entry[0].resource", f"the {first} must be the first entry (PAS invariant {first}First)")
    for i, e in enumerate(entries):
        if not e.get("fullUrl"):
            raise FhirError(f"Bundle.entry[{i}].fullUrl", "required by the PAS Request Bundle profile and missing")
    claim = entries[0]["resource"]
    if claim.get("use") != "preauthorization":
        raise FhirError("Bundle.entry[0].resource.use", f"must be 'preauthorization' for a prior-authorization request, found {claim.get('use')!r}")
    if claim.get("status") != "active":
        raise FhirError("Bundle.entry[0].resource.status", f"PAS fixes Claim.status to 'active', found {claim.get('status')!r}")
    if not claim.get("insurer"):
        raise FhirError("Bundle.entry[0].resource.insurer", "required by the PAS Claim profile and missing")
    return bundle


def related_identifiers(claim: dict, index: BundleIndex) -> list[dict]:
    """Identifiers of the claims `Claim.related` points at: the reference's identifier, or the related Claim's own
    identifiers when it is carried in the bundle (as the PAS update example does)."""
    out: list[dict] = []
    for rel in claim.get("related") or []:
        ref = rel.get("claim") or {}
        if ref.get("identifier"):
            out.append(ref["identifier"])
        found = index.resolve(ref)
        if found and found[1].get("resourceType") == "Claim":
            out.extend(found[1].get("identifier") or [])
    return out


def is_update(claim: dict) -> bool:
    return bool(claim.get("related")) or systems.PROFILE_CLAIM_UPDATE in ((claim.get("meta") or {}).get("profile") or [])


def is_inquiry(bundle: dict) -> bool:
    """A PAS inquiry Bundle (its own profile, or its Claim's): answered by Claim/$inquire, never reviewed."""
    claim = next(iter(bundle.get("entry") or []), {}).get("resource") or {}
    return systems.PROFILE_INQUIRY_REQUEST_BUNDLE in ((bundle.get("meta") or {}).get("profile") or []) or \
        systems.PROFILE_CLAIM_INQUIRY in ((claim.get("meta") or {}).get("profile") or [])


def read_request(bundle: dict, read_documents: bool = True) -> PasRequest:
    """Read a PAS request or update Bundle: the Case to review, the items as the response echoes them, urgency, identifiers.

    `read_documents=False` leaves the attachments unread (no documents): what a pended answer needs while OCR runs.
    """
    raw = bundle
    bundle = checked_bundle(bundle)
    if is_inquiry(bundle):
        raise FhirError("Bundle.meta.profile", "this is a PAS inquiry Bundle; send it to Claim/$inquire, not Claim/$submit")
    entries = bundle["entry"]
    claim = entries[0]["resource"]
    el = "Bundle.entry[0].resource"
    raw_items = claim.get("item") or []
    if not raw_items:
        raise FhirError(f"{el}.item", "the Claim requests no service (no item)")
    items = [_item(it, n) for n, it in enumerate(raw_items)]
    cpts = [i.reviewable for i in items if i.reviewable and not i.cancelled]
    index = BundleIndex(bundle)
    found = index.resolve(claim.get("patient"))
    if found is None or found[1].get("resourceType") != "Patient":
        raise FhirError(f"{el}.patient", "does not resolve to a Patient in the bundle")
    request_date = _date(claim.get("created"))
    if request_date is None or not isinstance(raw["entry"][0]["resource"].get("created"), str):
        raise FhirError(f"{el}.created", "is not a full date")
    birth = raw["entry"][found[0]]["resource"].get("birthDate")
    if birth is not None and not isinstance(birth, str):
        raise FhirError(f"Bundle.entry[{found[0]}].resource.birthDate", "must be a FHIR date string")
    age = age_on(birth, request_date)
    if age is not None and not 0 <= age <= 130:
        raise FhirError(f"Bundle.entry[{found[0]}].resource.birthDate", f"gives an age of {age} at Claim.created")
    icd = [c for d in claim.get("diagnosis") or [] for c in _codes(d.get("diagnosisCodeableConcept"), systems.ICD10)]
    served = [d for d in map(_served, raw_items) if isinstance(raw_items, list) and d]  # the planned date of service picks the guideline version
    request = Request(cpt_codes=list(dict.fromkeys(cpts)), icd10_codes=icd or None,
                      patient_age=age, request_date=request_date, service_date=min(served) if served else None,
                      has_standard_written_order=written_order(claim, index, cpts))
    ident = (claim.get("identifier") or [{}])[0].get("value") or claim.get("id") or bundle["identifier"].get("value") or "claim"
    docs, unreadable = _documents(claim, 0, index, request_date) if read_documents else ([], [])
    case = Case(id=str(ident), request=request, documents=docs, unreadable=unreadable)
    return PasRequest(kind="update" if is_update(claim) else "submit", case=case, bundle=bundle, urgency=urgency(claim),
                      items=items, claim_identifiers=claim.get("identifier") or [],
                      related=related_identifiers(claim, index) if is_update(claim) else [],
                      bundle_identifier=bundle["identifier"])


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
