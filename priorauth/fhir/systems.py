"""Canonical URLs and code systems of Da Vinci PAS STU 2.2.1 (http://hl7.org/fhir/us/davinci-pas/) and FHIR R4."""

PAS = "http://hl7.org/fhir/us/davinci-pas"
PAS_VERSION = "2.2.1"
PROFILE_CLAIM_RESPONSE = f"{PAS}/StructureDefinition/profile-claimresponse"
PROFILE_RESPONSE_BUNDLE = f"{PAS}/StructureDefinition/profile-pas-response-bundle"
EXT_REVIEW_ACTION = f"{PAS}/StructureDefinition/extension-reviewAction"
EXT_REVIEW_ACTION_CODE = f"{PAS}/StructureDefinition/extension-reviewActionCode"
EXT_REVIEWER = f"{PAS}/StructureDefinition/extension-claimResponseReviewer"
EXT_PREAUTH_ISSUE_DATE = f"{PAS}/StructureDefinition/extension-itemPreAuthIssueDate"
PAS_TEMP_CODES = f"{PAS}/CodeSystem/PASTempCodes"

X12_306 = "https://codesystem.x12.org/005010/306"  # HCR01 review action (Healthcare Services Outcome)
X12_886 = "https://codesystem.x12.org/external/886"  # HCR03 review decision reason
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
NOTE_TYPE = "http://hl7.org/fhir/note-type"

CPT = "http://www.ama-assn.org/go/cpt"
# PAS's X12278RequestedServiceType uses the http form; HCPCS level I is CPT, and codes relayed from X12 arrive as HCPCS.
HCPCS = ("http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets")
ICD10 = ("http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10")

# Our own vocabularies (no X12 licence needed); see data/review_reasons.json.
PRIORAUTH = "urn:priorauth"
REASON_SYSTEM = f"{PRIORAUTH}:review-reason"
ANSWER_SYSTEM = f"{PRIORAUTH}:criterion-status"

ACTION_DISPLAY = {"A1": "Certified in total", "A4": "Pended"}
