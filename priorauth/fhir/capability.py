"""The CapabilityStatement of the PAS endpoint: exactly what `priorauth serve` answers, nothing it does not.

It does not claim to instantiate the PAS Intermediary CapabilityStatement:
XML, X12 278 translation and Subscription topic discovery are not offered
(docs/api-fhir.md lists what is left out and why).
"""

from __future__ import annotations

from priorauth import __version__
from priorauth.fhir import systems

BACKPORT_TOPIC = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/capabilitystatement-subscriptiontopic-canonical"


def capability_statement(base: str) -> dict:
    """The CapabilityStatement served at `GET {base}/metadata`."""
    pas = systems.PAS
    return {
        "resourceType": "CapabilityStatement", "id": "priorauth-pas", "status": "active", "date": "2026-12-07",
        "kind": "instance", "fhirVersion": "4.0.1", "format": ["json"], "patchFormat": [],
        "publisher": "priorauth",
        "description": "Payer-side Da Vinci PAS 2.2.1 endpoint: reviews MRI-spine requests against the plan's guideline with "
                       "evidence from the notes; certifies only what is proven, pends the rest for clinicians; never denies "
                       "on its own (A3 only carries a physician's recorded decision).",
        "software": {"name": "priorauth", "version": __version__},
        "implementation": {"description": "priorauth review service", "url": base},
        "implementationGuide": [f"{pas}/ImplementationGuide/hl7.fhir.us.davinci-pas|{systems.PAS_VERSION}"],
        "rest": [{
            "mode": "server",
            "security": {"description": "Bearer tokens (POST /api/tokens); one organization sees only its own requests.",
                         "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                                  "code": "OAuth", "display": "OAuth"}],
                                      "text": "Bearer token issued by the service (not SMART on FHIR)"}]},
            "resource": [
                {"type": "Claim",
                 "supportedProfile": [f"{pas}/StructureDefinition/profile-claim|{systems.PAS_VERSION}",
                                      f"{pas}/StructureDefinition/profile-claim-update|{systems.PAS_VERSION}",
                                      f"{pas}/StructureDefinition/profile-claim-inquiry|{systems.PAS_VERSION}"],
                 "operation": [{"name": "submit", "definition": f"{pas}/OperationDefinition/Claim-submit|{systems.PAS_VERSION}",
                                "documentation": "Request and update (Claim.related; infoCancelled lines) Bundles, bare or in "
                                                 "Parameters.resource; idempotent by Bundle and Claim identifiers; "
                                                 "?questionnaire=true adds the guideline Questionnaire and its answers."},
                               {"name": "inquire", "definition": f"{pas}/OperationDefinition/Claim-inquiry|{systems.PAS_VERSION}",
                                "documentation": "By Claim identifier (and member id), for any system of the submitting organization; "
                                                 "returns Parameters with a 'return' Bundle per match."}]},
                {"type": "ClaimResponse",
                 "supportedProfile": [f"{systems.PROFILE_CLAIM_RESPONSE}|{systems.PAS_VERSION}",
                                      f"{systems.PROFILE_INQUIRY_RESPONSE}|{systems.PAS_VERSION}"],
                 "documentation": "Returned inside response Bundles only (no ClaimResponse read or search)."},
                {"type": "Bundle", "interaction": [{"code": "read", "documentation": "The newest response Bundle of a "
                                                    "request, by the id an id-only notification names."}],
                 "supportedProfile": [f"{systems.PROFILE_RESPONSE_BUNDLE}|{systems.PAS_VERSION}",
                                      f"{systems.PROFILE_INQUIRY_RESPONSE_BUNDLE}|{systems.PAS_VERSION}"]},
                {"type": "Subscription",
                 "extension": [{"url": BACKPORT_TOPIC, "valueCanonical": systems.SUBSCRIPTION_TOPIC}],
                 "supportedProfile": [f"{systems.PROFILE_SUBSCRIPTION}|{systems.PAS_VERSION}"],
                 "interaction": [{"code": "create"}, {"code": "read"}, {"code": "update"}, {"code": "delete"}],
                 "documentation": "R4 Subscriptions Backport, the PAS topic only, rest-hook channel, payload content "
                                  "empty, id-only or full-resource; notified when a request answered pended changes."},
            ],
        }],
    }
