"""FHIR prior authorization (Da Vinci PAS STU 2.2.1, FHIR R4): PAS request Bundles in, ClaimResponse out."""

from priorauth.fhir.errors import FhirError
from priorauth.fhir.inbound import case_from_bundle, case_from_documents
from priorauth.fhir.outbound import claim_response
from priorauth.fhir.questionnaire import questionnaire, questionnaire_response
from priorauth.fhir.submit import response_bundle, review_bundle, submit

__all__ = ["FhirError", "case_from_bundle", "case_from_documents", "claim_response", "questionnaire",
           "questionnaire_response", "response_bundle", "review_bundle", "submit"]
