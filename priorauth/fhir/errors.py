"""FhirError: one sentence naming the element that is wrong, plus the OperationOutcome for the API."""

from __future__ import annotations

from typing import Optional


class FhirError(ValueError):
    """A request that cannot be read as a PAS bundle.

    `str()` is one sentence naming the element (a FHIRPath-like location such as
    `Bundle.entry[0].resource.item`); `.outcome` is the OperationOutcome a PAS
    endpoint returns for it (PAS returns a single OperationOutcome on a 4xx).
    """

    def __init__(self, element: str, problem: str, code: str = "invalid"):
        self.element = element
        self.problem = problem.rstrip(".")
        self.code = code
        super().__init__(f"{element}: {self.problem}.")

    @property
    def outcome(self) -> dict:
        return operation_outcome(str(self), self.element, self.code)


def operation_outcome(text: str, element: Optional[str] = None, code: str = "invalid") -> dict:
    """An R4 OperationOutcome with one error issue; `expression` names the element."""
    issue: dict = {"severity": "error", "code": code, "diagnostics": text}
    if element:
        issue["expression"] = [element]
    return {"resourceType": "OperationOutcome", "issue": [issue]}
