"""`$submit`: a PAS request Bundle in, the PAS response Bundle out (ClaimResponse first).

The response carries, after the ClaimResponse, the request's Patient, insurer
and requestor entries it references (same fullUrl) and the generated
Questionnaire with the QuestionnaireResponse answering it.
"""

from __future__ import annotations

import uuid
from typing import Callable, Optional, Union

from priorauth.fhir import systems
from priorauth.fhir.errors import FhirError
from priorauth.fhir.inbound import BundleIndex, read_bundle
from priorauth.fhir.outbound import claim_entry, claim_response, now_utc, preauth_ref
from priorauth.fhir.questionnaire import questionnaire, questionnaire_response, questionnaire_url
from priorauth.guidelines import ref_of
from priorauth.fhir.resources import load_json, validate
from priorauth.models import Case, Review


def response_bundle(bundle: dict, case: Case, review: Review, created: Optional[str] = None) -> dict:
    """Assemble and validate the PAS Response Bundle for a reviewed request."""
    created = created or now_utc()
    cr = claim_response(bundle, case, review, created)
    _, claim = claim_entry(bundle)
    ref = preauth_ref(bundle)
    entries = [{"fullUrl": f"urn:uuid:{cr['id']}", "resource": cr}]
    index = BundleIndex(bundle)
    seen = set()
    for key in ("patient", "insurer", "provider"):
        found = index.resolve(claim.get(key))
        if found and found[0] not in seen:
            seen.add(found[0])
            entries.append(dict(bundle["entry"][found[0]]))
    for i, part in enumerate(review.parts or [review]):  # one Questionnaire and answer per guideline the request spans
        gref = ref_of(part.policy)
        q = questionnaire(gref)
        qr = questionnaire_response(case, part, claim.get("patient"), created)
        qr_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{systems.PRIORAUTH}:{ref}:qr" + (f":{i}" if i else "")))
        q_id = str(uuid.uuid5(uuid.NAMESPACE_URL, questionnaire_url(gref) + "|" + q["version"]))
        entries.append({"fullUrl": f"urn:uuid:{q_id}", "resource": q})
        entries.append({"fullUrl": f"urn:uuid:{qr_id}", "resource": {**qr, "id": qr_id}})
    out = {"resourceType": "Bundle", "meta": {"profile": [systems.PROFILE_RESPONSE_BUNDLE]},
           "identifier": bundle.get("identifier"), "type": "collection", "timestamp": created, "entry": entries}
    try:  # everything we write parses with the R4 models (the Bundle's model checks each entry's resource by its type);
        validate(out, "Bundle")  # a failure here is ours, not the requester's
    except FhirError as exc:
        raise RuntimeError(f"the response we built is not valid FHIR ({exc.element})") from None
    return out


def review_bundle(data: dict, extractor=None, reviewer: Optional[Callable[[Case], Review]] = None) -> tuple[Case, Review, dict]:
    """(case, review, PAS response Bundle) for a parsed request Bundle; FhirError when it is malformed.

    `reviewer` replaces `pipeline.review(case, extractor)` (the service passes its locked one, so only the
    review itself, not reading attachments or building the answer, waits for the shared pipeline).
    """
    from priorauth.pipeline import review

    case, data = read_bundle(data)  # validated once; the response echoes elements with their FHIR types
    r = reviewer(case) if reviewer is not None else review(case, extractor)
    return case, r, response_bundle(data, case, r)


def request_bundle(body: Union[dict, bytes, str]) -> dict:
    """The request as a JSON object whose resourceType is Bundle; FhirError otherwise."""
    data = load_json(body)
    if data.get("resourceType") != "Bundle":
        raise FhirError("Bundle.resourceType", f"expected Bundle, found {data.get('resourceType')!r}")
    return data


def submit(bundle: Union[dict, bytes, str], extractor=None) -> dict:
    """Parse, review and answer one PAS request; FhirError (with `.outcome`) when the request is malformed."""
    return review_bundle(request_bundle(bundle), extractor)[2]
