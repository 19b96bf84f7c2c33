"""Build a PAS request Bundle from plain notes: for examples, tests and trying an endpoint.

The bundle follows the PAS Request Bundle profile as far as the review needs:
Claim first (use preauthorization, CPT items, ICD-10 diagnoses, notes as
supportingInfo `additionalInformation` pointing at DocumentReferences with
base64 text), then Patient, insurer Organization, the requesting
PractitionerRole (PAS: Claim.provider is a PASRequestor or PASPractitionerRole),
Coverage, the notes, the Practitioner and clinic, and, when an order
accompanies the request, a ServiceRequest.
"""

from __future__ import annotations

import base64
from typing import Optional

from priorauth.fhir import systems


def _ref(kind: str, rid: str) -> dict:
    return {"reference": f"{kind}/{rid}"}


def document_reference(rid: str, text: str, date: Optional[str] = None, content_type: str = "text/plain",
                       data: Optional[bytes] = None) -> dict:
    """A US Core-shaped DocumentReference carrying the note inline (base64)."""
    doc = {"resourceType": "DocumentReference", "id": rid, "status": "current",
           "type": {"coding": [{"system": "http://loinc.org", "code": "11506-3", "display": "Progress note"}], "text": "Progress note"},
           "category": [{"coding": [{"system": "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
                                     "code": "clinical-note"}]}],
           "subject": _ref("Patient", "pat-1"),
           "content": [{"attachment": {"contentType": content_type,
                                       "data": base64.b64encode(data if data is not None else text.encode("utf-8")).decode("ascii")}}]}
    if date:
        doc["date"] = f"{date}T12:00:00Z"
    return doc


def pas_bundle(notes: list[str], cpts: list[str], birth_date: str, created: str, icd10: tuple[str, ...] = (),
               with_order: bool = True, bundle_id: str = "REQ-1", note_dates: Optional[list[str]] = None) -> dict:
    """A PAS request Bundle for `notes` requesting `cpts` (system CPT, or HCPCS for S-codes)."""
    base = "http://provider.example.org/fhir"
    docs = [document_reference(f"note-{i}", t, (note_dates or [None] * len(notes))[i - 1] or created[:10])
            for i, t in enumerate(notes, 1)]
    claim = {
        "resourceType": "Claim", "id": "claim-1",
        "identifier": [{"system": "http://provider.example.org/claim-ids", "value": f"{bundle_id}-claim"}],
        "status": "active", "type": {"coding": [{"system": systems.CLAIM_TYPE, "code": "professional"}]},
        "use": "preauthorization", "patient": _ref("Patient", "pat-1"), "created": created,
        "insurer": _ref("Organization", "payer-1"), "provider": _ref("PractitionerRole", "role-1"),
        "priority": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/processpriority", "code": "normal"}]},
        "insurance": [{"sequence": 1, "focal": True, "coverage": _ref("Coverage", "cov-1")}],
        "diagnosis": [{"sequence": n, "diagnosisCodeableConcept": {"coding": [{"system": systems.ICD10[0], "code": c}]}}
                      for n, c in enumerate(icd10, 1)],
        "supportingInfo": [{"sequence": n, "category": {"coding": [{"system": systems.PAS_TEMP_CODES, "code": "additionalInformation"}]},
                            "valueReference": _ref("DocumentReference", d["id"])} for n, d in enumerate(docs, 1)],
        "item": [{"sequence": n, "category": {"coding": [{"system": "https://codesystem.x12.org/005010/1365", "code": "73"}]},
                  "productOrService": {"coding": [{"system": systems.HCPCS[0] if c.startswith("S") else systems.CPT, "code": c}]},
                  "locationCodeableConcept": {"coding": [{"system": "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set", "code": "22"}]},
                  "quantity": {"value": 1}}
                 for n, c in enumerate(cpts, 1)],
    }
    if not icd10:
        del claim["diagnosis"]
    others = [
        {"resourceType": "Patient", "id": "pat-1", "birthDate": birth_date, "gender": "female"},
        {"resourceType": "Organization", "id": "payer-1", "name": "Example Health Plan"},
        {"resourceType": "PractitionerRole", "id": "role-1", "practitioner": _ref("Practitioner", "prac-1"),
         "organization": _ref("Organization", "clinic-1")},
        {"resourceType": "Coverage", "id": "cov-1", "status": "active", "beneficiary": _ref("Patient", "pat-1"),
         "payor": [_ref("Organization", "payer-1")]},
        *docs,
        {"resourceType": "Practitioner", "id": "prac-1", "name": [{"family": "Ordering", "given": ["Dana"]}]},
        {"resourceType": "Organization", "id": "clinic-1", "name": "Example Spine Clinic"},
    ]
    if with_order:
        others.append({"resourceType": "ServiceRequest", "id": "order-1", "status": "active", "intent": "order",
                       "code": {"coding": [{"system": systems.CPT, "code": cpts[0]}]} if cpts else {"text": "MRI"},
                       "subject": _ref("Patient", "pat-1"), "requester": _ref("PractitionerRole", "role-1")})
    return {"resourceType": "Bundle", "identifier": {"system": "http://provider.example.org/submissions", "value": bundle_id},
            "type": "collection", "timestamp": f"{created}",
            "entry": [{"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r} for r in [claim, *others]]}
