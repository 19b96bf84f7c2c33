"""The request's reference number: shown from intake on, it becomes the authorization number on approval.

One function for the service and the PAS responses: a request that came as a
PAS Bundle keeps the Bundle's `preAuthRef` (the same Bundle always gets the same
number); any other request gets a new random number of the same shape.
"""

from __future__ import annotations

import secrets
from typing import Optional


def reference_number(bundle: Optional[dict] = None) -> str:
    """'PA-' and twelve upper-case hex digits: the PAS preAuthRef of `bundle`, or a fresh one."""
    if bundle is not None:
        from priorauth.fhir.outbound import preauth_ref

        return preauth_ref(bundle)
    return "PA-" + secrets.token_hex(6).upper()
