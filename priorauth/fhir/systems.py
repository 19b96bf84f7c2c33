"""Canonical URLs and code systems of Da Vinci PAS STU 2.2.1 (http://hl7.org/fhir/us/davinci-pas/) and FHIR R4."""

PAS = "http://hl7.org/fhir/us/davinci-pas"
PAS_VERSION = "2.2.1"
PROFILE_CLAIM_RESPONSE = f"{PAS}/StructureDefinition/profile-claimresponse"
PROFILE_RESPONSE_BUNDLE = f"{PAS}/StructureDefinition/profile-pas-response-bundle"
EXT_REVIEW_ACTION = f"{PAS}/StructureDefinition/extension-reviewAction"
EXT_REVIEW_ACTION_CODE = f"{PAS}/StructureDefinition/extension-reviewActionCode"
EXT_REVIEWER = f"{PAS}/StructureDefinition/extension-claimResponseReviewer"
EXT_PREAUTH_ISSUE_DATE = f"{PAS}/StructureDefinition/extension-itemPreAuthIssueDate"
EXT_PREAUTH_PERIOD = f"{PAS}/StructureDefinition/extension-itemPreAuthPeriod"
EXT_ADMIN_REF = f"{PAS}/StructureDefinition/extension-administrationReferenceNumber"
EXT_TRACE_NUMBER = f"{PAS}/StructureDefinition/extension-itemTraceNumber"
EXT_LEVEL_OF_SERVICE = f"{PAS}/StructureDefinition/extension-levelOfServiceCode"
EXT_CERTIFICATION_TYPE = f"{PAS}/StructureDefinition/extension-certificationType"
EXT_REQUESTED_SERVICE = f"{PAS}/StructureDefinition/extension-requestedService"
EXT_INFO_CANCELLED = f"{PAS}/StructureDefinition/modifierextension-infoCancelled"
PROFILE_CLAIM_UPDATE = f"{PAS}/StructureDefinition/profile-claim-update"
PROFILE_CLAIM_INQUIRY = f"{PAS}/StructureDefinition/profile-claim-inquiry"
PROFILE_INQUIRY_REQUEST_BUNDLE = f"{PAS}/StructureDefinition/profile-pas-inquiry-request-bundle"
PROFILE_REQUEST_BUNDLE = f"{PAS}/StructureDefinition/profile-pas-request-bundle"
PROFILE_INQUIRY_RESPONSE = f"{PAS}/StructureDefinition/profile-claiminquiryresponse"
PROFILE_INQUIRY_RESPONSE_BUNDLE = f"{PAS}/StructureDefinition/profile-pas-inquiry-response-bundle"
PROFILE_COMMUNICATION_REQUEST = f"{PAS}/StructureDefinition/profile-communicationrequest"
PROFILE_SUBSCRIPTION = f"{PAS}/StructureDefinition/profile-subscription"
SUBSCRIPTION_TOPIC = f"{PAS}/SubscriptionTopic/PASSubscriptionTopic"
PAS_TEMP_CODES = f"{PAS}/CodeSystem/PASTempCodes"

X12_306 = "https://codesystem.x12.org/005010/306"  # HCR01 review action (Healthcare Services Outcome)
X12_886 = "https://codesystem.x12.org/external/886"  # HCR03 review decision reason
X12_1338 = "https://codesystem.x12.org/005010/1338"  # UM06 level of service (U urgent, E elective, 03 emergency)
X12_1322 = "https://codesystem.x12.org/005010/1322"  # UM02 certification type (3 = cancel)
X12_755 = "https://codesystem.x12.org/005010/755"  # PWK01 report type
LOINC = "http://loinc.org"
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

# A3 only ever carries a physician's recorded decision; C answers an item the requester cancelled.
ACTION_DISPLAY = {"A1": "Certified in total", "A3": "Not Certified", "A4": "Pended", "C": "Cancelled"}
