"""`$submit`: a PAS request Bundle in, the PAS response Bundle out (ClaimResponse first).

The response carries, after the ClaimResponse, every request entry its
references reach (the Patient, insurer, requestor and what they point at, same
fullUrl), so every reference resolves inside the response; a
CommunicationRequest per document needed when the request is pended for
information; and, only when the client asks for it, the generated
Questionnaire with the QuestionnaireResponse answering it.
"""

from __future__ import annotations

import uuid
from typing import Callable, Iterator, Optional, Union

from priorauth.fhir import systems
from priorauth.fhir.errors import FhirError
from priorauth.fhir.inbound import BundleIndex, PasRequest, read_request
from priorauth.fhir.outbound import Determination, claim_entry, claim_response, now_utc, preauth_ref
from priorauth.fhir.questionnaire import questionnaire, questionnaire_response, questionnaire_url
from priorauth.guidelines import ref_of
from priorauth.fhir.resources import load_json, validate
from priorauth.models import Case, Review

IMAGING_REPORT = "18748-4"  # LOINC Diagnostic imaging study
PROGRESS_NOTE = "11506-3"  # LOINC Progress note


def _references(obj) -> Iterator[dict]:
    if isinstance(obj, dict):
        if isinstance(obj.get("reference"), str):
            yield obj
        for v in obj.values():
            yield from _references(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _references(v)


def _reached(bundle: dict, start: list[dict]) -> list[int]:
    """Indexes of the request entries reachable from `start`'s references (the Claim itself and notes excepted)."""
    index = BundleIndex(bundle)
    out: list[int] = []
    todo = [r for res in start for r in _references(res)]
    while todo:
        found = index.resolve(todo.pop(0))
        if not found or found[0] in out or found[0] == 0 or found[1].get("resourceType") in ("Claim", "DocumentReference", "Binary"):
            continue
        out.append(found[0])
        todo.extend(_references(found[1]))
    return sorted(out)


def _needed(case: Case, review: Optional[Review], d: Determination) -> list[str]:
    """What the requester must send, in plain words: the reviewer's request, else the review's missing items and unreadable files."""
    if d.human == "information_requested":
        return list(d.missing)
    if d.human is not None or review is None or not review.studies:
        return []  # nothing this plan's guidelines cover: a clinician reviews it, no guideline documents to ask for
    out = [m.split(": ", 1)[-1] for m in review.missing] if review.decision == "incomplete" else []
    out += [f"attachment {u.doc} again, readable (it could not be read: {u.error})" for u in case.unreadable]
    return out


def communication_requests(bundle: dict, cr: dict, needed: list[str], ref: str) -> list[dict]:
    """One PAS CommunicationRequest per document needed (PAS allows one payload each)."""
    out = []
    for n, what in enumerate(needed, 1):
        loinc = IMAGING_REPORT if any(w in what.lower() for w in ("imaging", "mri", "x-ray", "radiograph")) else PROGRESS_NOTE
        res = {"resourceType": "CommunicationRequest",
               "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{systems.PRIORAUTH}:{ref}:{cr['created']}:need:{n}")),
               "meta": {"profile": [systems.PROFILE_COMMUNICATION_REQUEST]},
               "identifier": [{"system": f"{systems.PRIORAUTH}:communication-request", "value": f"{ref}-{n}"}],
               "status": "active",
               "category": [{"coding": [{"system": systems.X12_755, "code": "PY", "display": "Physician's Report"}]}],
               "subject": cr["patient"], "authoredOn": cr["created"], "requester": cr["insurer"],
               "payload": [{"contentString": loinc}],
               "reasonCode": [{"text": f"Needed for prior authorization {ref}: {what}"}]}
        out.append(res)
    return out


def response_bundle(bundle: dict, case: Case, review: Optional[Review], created: Optional[str] = None,
                    determination: Optional[Determination] = None, with_questionnaire: bool = False,
                    inquiry: bool = False) -> dict:
    """Assemble and validate the PAS Response Bundle (or Inquiry Response Bundle) for a request."""
    created = created or now_utc()
    d = determination or Determination()
    profile = systems.PROFILE_INQUIRY_RESPONSE if inquiry else systems.PROFILE_CLAIM_RESPONSE
    cr = claim_response(bundle, case, review, created, d, profile)
    _, claim = claim_entry(bundle)
    ref = d.ref or preauth_ref(bundle)
    comms = communication_requests(bundle, cr, _needed(case, review, d), ref)
    if comms:
        cr["communicationRequest"] = [{"reference": f"urn:uuid:{c['id']}"} for c in comms]
    entries = [{"fullUrl": f"urn:uuid:{cr['id']}", "resource": cr}]
    entries += [dict(bundle["entry"][i]) for i in _reached(bundle, [cr])]
    entries += [{"fullUrl": f"urn:uuid:{c['id']}", "resource": c} for c in comms]
    for i, part in enumerate((review.parts or [review]) if with_questionnaire and review is not None else []):
        gref = ref_of(part.policy)  # one Questionnaire and answer per guideline version the request spans
        q = questionnaire(gref)
        qr = questionnaire_response(case, part, cr["patient"], created)
        qr_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{systems.PRIORAUTH}:{ref}:{created}:qr" + (f":{i}" if i else "")))
        q_id = str(uuid.uuid5(uuid.NAMESPACE_URL, questionnaire_url(gref) + "|" + q["version"]))
        entries.append({"fullUrl": f"urn:uuid:{q_id}", "resource": q})
        entries.append({"fullUrl": f"urn:uuid:{qr_id}", "resource": {**qr, "id": qr_id}})
    out = {"resourceType": "Bundle", "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{systems.PRIORAUTH}:{ref}:{created}:bundle")),
           "meta": {"profile": [systems.PROFILE_INQUIRY_RESPONSE_BUNDLE if inquiry else systems.PROFILE_RESPONSE_BUNDLE]},
           "identifier": bundle.get("identifier"), "type": "collection", "timestamp": created, "entry": entries}
    try:  # everything we write parses with the R4 models (the Bundle's model checks each entry's resource by its type);
        validate(out, "Bundle")  # a failure here is ours, not the requester's
    except FhirError as exc:
        raise RuntimeError(f"the response we built is not valid FHIR ({exc.element})") from None
    return out


def review_request(req: PasRequest, extractor=None, reviewer: Optional[Callable[[Case], Review]] = None) -> Review:
    """Review a read request (the pipeline's review, or `reviewer`, which the service passes locked)."""
    from priorauth.pipeline import review

    return reviewer(req.case) if reviewer is not None else review(req.case, extractor)


def review_bundle(data: dict, extractor=None, reviewer: Optional[Callable[[Case], Review]] = None,
                  with_questionnaire: bool = False) -> tuple[Case, Review, dict]:
    """(case, review, PAS response Bundle) for a parsed request Bundle; FhirError when it is malformed.

    `reviewer` replaces `pipeline.review(case, extractor)` (the service passes its locked one, so only the
    review itself, not reading attachments or building the answer, waits for the shared pipeline).
    """
    req = read_request(data)  # validated once; the response echoes elements with their FHIR types
    r = review_request(req, extractor, reviewer)
    d = Determination(cancelled={i.sequence for i in req.items if i.cancelled})
    return req.case, r, response_bundle(req.bundle, req.case, r, determination=d, with_questionnaire=with_questionnaire)


def request_bundle(body: Union[dict, bytes, str]) -> dict:
    """The request as a JSON object whose resourceType is Bundle (bare, or the `resource` parameter of a Parameters
    body, as FHIR operations allow); FhirError otherwise."""
    data = load_json(body)
    if data.get("resourceType") == "Parameters":
        params = [p for p in data.get("parameter") or [] if isinstance(p, dict) and isinstance(p.get("resource"), dict)]
        named = [p for p in params if p.get("name") == "resource"] or params
        if len(named) != 1:
            raise FhirError("Parameters.parameter", "expected one parameter 'resource' carrying the PAS request Bundle")
        data = named[0]["resource"]
    if data.get("resourceType") != "Bundle":
        raise FhirError("Bundle.resourceType", f"expected Bundle, found {data.get('resourceType')!r}")
    return data


def submit(bundle: Union[dict, bytes, str], extractor=None) -> dict:
    """Parse, review and answer one PAS request; FhirError (with `.outcome`) when the request is malformed."""
    return review_bundle(request_bundle(bundle), extractor)[2]
