"""Parse and validate FHIR R4 JSON with the fhir.resources R4B models (R4B Claim, ClaimResponse,
Bundle, DocumentReference, Binary and QuestionnaireResponse are the R4 structures).

Errors come back as FhirError naming the element, e.g. `Bundle.entry[2].resource.content[0].attachment.data`.
"""

from __future__ import annotations

import json
from typing import Any, Union

from pydantic import ValidationError

from priorauth.fhir.attachments import decode_base64
from priorauth.fhir.errors import FhirError


def _model(resource_type: str):
    from fhir.resources.R4B import get_fhir_model_class

    try:
        return get_fhir_model_class(resource_type)
    except (ValueError, KeyError):
        return None


def path_of(root: str, loc: tuple) -> str:
    """('entry', 0, 'resource', 'birthDate') -> 'Bundle.entry[0].resource.birthDate'."""
    out = root
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith("function-") and "[" not in str(part):
            out += f".{part}"
    return out


def load_json(data: Union[dict, bytes, str]) -> dict:
    """Accept a parsed dict, or JSON text/bytes; anything else is a FhirError."""
    if isinstance(data, dict):
        return data
    try:
        obj = json.loads(data)
    except (ValueError, TypeError) as exc:
        raise FhirError("Bundle", f"the request body is not JSON ({type(exc).__name__})", "structure") from None
    except RecursionError:
        raise FhirError("Bundle", "the request body is nested too deeply to be FHIR", "structure") from None
    if not isinstance(obj, dict):
        raise FhirError("Bundle", "the request body is not a JSON object", "structure")
    return obj


def _check_types(obj: Any, path: str) -> None:
    """Every nested `resourceType` must name an R4 resource (the library raises KeyError otherwise)."""
    if isinstance(obj, dict):
        rt = obj.get("resourceType")
        if rt is not None and (not isinstance(rt, str) or _model(rt) is None):
            raise FhirError(f"{path}.resourceType", f"{rt!r} is not a FHIR R4 resource type")
        for k, v in obj.items():
            _check_types(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            _check_types(v, f"{path}[{i}]")


def _check_base64(obj: Any, path: str, key: str = "") -> None:
    """Attachment and Binary `data` must be strict base64: the R4B models silently drop invalid characters."""
    if isinstance(obj, dict):
        if "data" in obj and ("contentType" in obj or obj.get("resourceType") == "Binary" or "ttachment" in key):
            decode_base64(obj["data"], f"{path}.data")
        for k, v in obj.items():
            _check_base64(v, f"{path}.{k}", k)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            _check_base64(v, f"{path}[{i}]", key)


def validate(resource: dict, expected: str | None = None, root: str | None = None):
    """Parse one resource with its R4B model and return the model; FhirError on the first problem."""
    rt = resource.get("resourceType")
    root = root or (rt if isinstance(rt, str) else expected or "resource")
    if expected and rt != expected:
        raise FhirError(f"{root}.resourceType", f"expected {expected}, found {rt!r}")
    try:
        _check_types(resource, root)
        _check_base64(resource, root)
    except RecursionError:
        raise FhirError(root, "nested too deeply to be FHIR", "structure") from None
    model = _model(rt) if isinstance(rt, str) else None
    if model is None:
        raise FhirError(f"{root}.resourceType", "missing or not a FHIR R4 resource type")
    try:
        return model.model_validate(resource)
    except ValidationError as exc:
        first = exc.errors()[0]
        msg = first["msg"].removeprefix("Value error, ").rstrip(".").replace(". ", "; ")
        if first["type"] == "missing":
            msg = "required element is missing"
        raise FhirError(path_of(root, tuple(first["loc"])), f"{msg} (checked against the FHIR R4 {rt} model)") from None
    except Exception as exc:  # the library's own checks raise plain errors on some inputs
        raise FhirError(root, f"not a valid FHIR R4 {rt} ({type(exc).__name__})") from None


def normalize(resource: dict, expected: str | None = None, root: str | None = None) -> dict:
    """Validate, then read back the model's own JSON: every element downstream has the type FHIR gives it."""
    return validate(resource, expected, root).model_dump(mode="json", exclude_none=True)
