"""Who a request is about and who asked: the identity fields taken at intake, with the NPI's check digit verified.

Every field is PHI or close to it: never logged, and shown only on pages whose
viewing is audited (see logic.audit_view).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

Sex = Literal["female", "male", "other", "unknown"]


def npi_valid(npi: str) -> bool:
    """A National Provider Identifier: ten digits whose last is the Luhn check digit of '80840' + the first nine (CMS)."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed("80840" + npi)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


class Identity(BaseModel):
    """The patient, the member, the ordering and servicing providers; all optional except where the form requires them."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    patient_name: Optional[str] = Field(default=None, max_length=200)
    patient_sex: Optional[Sex] = None
    member_id: Optional[str] = Field(default=None, max_length=64)
    ordering_provider_name: Optional[str] = Field(default=None, max_length=200)
    ordering_provider_npi: Optional[str] = Field(default=None, max_length=10)
    servicing_provider: Optional[str] = Field(default=None, max_length=200)
    received_at: Optional[dt.datetime] = None

    @field_validator("patient_name", "member_id", "ordering_provider_name", "servicing_provider", "ordering_provider_npi")
    @classmethod
    def _blank_is_none(cls, v: Optional[str]) -> Optional[str]:
        return v or None

    @field_validator("ordering_provider_npi")
    @classmethod
    def _npi(cls, v: Optional[str]) -> Optional[str]:
        if v is not None and not npi_valid(v):
            raise ValueError("the ordering provider's NPI is not valid: ten digits with a correct check digit")
        return v

    @field_validator("received_at")
    @classmethod
    def _aware(cls, v: Optional[dt.datetime]) -> Optional[dt.datetime]:
        if v is not None and v.tzinfo is None:
            raise ValueError("the received time needs a time zone offset (e.g. 2026-03-02T09:30:00-05:00)")
        return v


COLUMNS = {"patient_name": "patient_name", "patient_sex": "patient_sex", "member_id": "member_id",
           "ordering_provider_name": "ordering_name", "ordering_provider_npi": "ordering_npi",
           "servicing_provider": "servicing_name"}


def identity_json(r) -> dict:
    """The identity fields of a stored request, under their API names."""
    out = {api: getattr(r, col) for api, col in COLUMNS.items()}
    out["received_at"] = r.received_at.isoformat() if r.received_at else None
    out["reference"] = r.reference
    return out
