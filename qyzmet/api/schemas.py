from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator

from qyzmet.core.iin import iin_mask
from qyzmet.identity.actions.otp import IssuedCode
from qyzmet.identity.phones import phone_mask


class ErrorOut(Schema):
    """Every error the API returns has this shape."""

    code: str
    message: str
    details: dict[str, Any] | list[Any]


# A text field built from whatever the object holds there: a lazy translation, a primary key, a
# display method (called). Documented as a plain string.
Text = Annotated[str, BeforeValidator(str)]
# Built from the full value: what the answer shows of an IIN or a phone number.
IinMasked = Annotated[str, BeforeValidator(iin_mask)]
PhoneMasked = Annotated[str, BeforeValidator(phone_mask)]


def _one_value(value: Any) -> Any:
    if isinstance(value, list | dict):
        raise ValueError("an answer is one value, not a list or an object")
    return value


# An answer to a form field: every field type takes one value (a list or an object would be
# stored as its Python spelling).
Answer = Annotated[str | int | float | bool | None, BeforeValidator(_one_value)]


class LanguageOut(Schema):
    code: str
    name: str
    name_local: str


class MetaOut(Schema):
    name: str
    version: str
    language: str
    languages: list[LanguageOut]
    demo: bool


class HealthOut(Schema):
    status: str
    database: dict[str, Any]
    worker: dict[str, Any]
    mci: dict[str, Any] = Field(default_factory=dict)


class CodeSentOut(Schema):
    """A one-time code was sent by SMS (sign-in, registration, a new number, signing)."""

    code_id: str
    phone_masked: str
    expires_at: datetime
    resend_after: int = Field(description="Seconds before another code may be requested")


def code_sent_out(issued: IssuedCode) -> CodeSentOut:
    return CodeSentOut(
        code_id=issued.id,
        phone_masked=phone_mask(issued.phone_e164),
        expires_at=issued.expires_at,
        resend_after=issued.resend_after,
    )
