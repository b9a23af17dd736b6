"""/api/v1/me: my profile, my phone number, my sessions and devices."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import AliasPath

from qyzmet.api.schemas import CodeSentOut, ErrorOut, IinMasked, PhoneMasked, Text, code_sent_out
from qyzmet.api.security import AccessToken, current_account, current_session
from qyzmet.core.client import client_address
from qyzmet.core.errors import NotFound
from qyzmet.identity.actions.phone import phone_change_confirm, phone_change_start
from qyzmet.identity.actions.sessions import (
    access_session_by_id,
    session_end,
    session_list_for_account,
)
from qyzmet.identity.actions.signin import certificate_signature_iin
from qyzmet.identity.models import Account, AuthSession, Person, PhoneBinding
from qyzmet.identity.selectors import phone_binding_history

router = Router(tags=["me"], auth=AccessToken())
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class AddressOut(Schema):
    region: str
    settlement: str
    street: str


# Built from the signed-in citizen's `Person`.
class ProfileOut(Schema):
    iin: str
    iin_masked: IinMasked = Field(validation_alias="iin")
    surname: str
    given_name: str
    patronymic: str
    surname_latin: str
    given_name_latin: str
    birth_date: date
    sex: str
    citizenship: str
    address: AddressOut
    language: str = Field(validation_alias=AliasPath("account", "language"))

    @staticmethod
    def resolve_address(person: Person) -> Person:
        return person  # the address is three of the person's fields


# Built from a `PhoneBinding`.
class BindingOut(Schema):
    phone_masked: PhoneMasked = Field(validation_alias="phone")
    operator: str = Field(description="By the number's original prefix; a hint only")
    method: str
    active: bool
    bound_at: datetime
    ended_at: datetime | None


class PhoneOut(Schema):
    current: BindingOut | None
    history: list[BindingOut]


class PhoneStartIn(Schema):
    phone: str = Field(..., max_length=32)
    password: str = Field("", max_length=256, description="Your password, or sign instead:")
    challenge_id: str = Field("", description="From /auth/signin/certificate/challenge")
    signature: str = Field("", description="Base64 CMS over that challenge, with your certificate")


class PhoneConfirmIn(Schema):
    code_id: str
    code: str = Field(..., max_length=12)


# Built from an `AuthSession`; `current` compares it with the request's own session.
class SessionOut(Schema):
    id: Text
    kind: str
    method: str
    device: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    current: bool

    @staticmethod
    def resolve_current(session: AuthSession, context: dict[str, Any]) -> bool:
        return bool(session.pk == current_session(context["request"]).pk)


def _citizen(request: HttpRequest) -> Account:
    account = current_account(request)
    if account.person is None:
        raise NotFound()
    return account


@router.get("", response={200: ProfileOut, **ERRORS}, summary="My profile from the registry")
def profile(request: HttpRequest) -> Person:
    person = _citizen(request).person
    assert person is not None  # noqa: S101
    return person


@router.get("/phone", response={200: PhoneOut, **ERRORS}, summary="My number and its history")
def phone(request: HttpRequest) -> dict[str, Any]:
    account = _citizen(request)
    assert account.person is not None  # noqa: S101
    history = phone_binding_history(person=account.person)
    return {"current": next((b for b in history if b.active), None), "history": history}


@router.post("/phone/start", response={202: CodeSentOut, **ERRORS},
             summary="Bind a new number: password or certificate, then a code to it")  # fmt: skip
def phone_start(request: HttpRequest, body: PhoneStartIn) -> Status[CodeSentOut]:
    certificate_iin = (
        certificate_signature_iin(challenge_id=body.challenge_id, signature_b64=body.signature)
        if body.signature
        else ""
    )
    issued = phone_change_start(
        account=_citizen(request),
        phone=body.phone,
        password=body.password,
        certificate_iin=certificate_iin,
        client=client_address(request),
    )
    return Status(202, code_sent_out(issued))


@router.post("/phone/confirm", response={200: BindingOut, **ERRORS},
             summary="Confirm the new number with the code sent to it")  # fmt: skip
def phone_confirm(request: HttpRequest, body: PhoneConfirmIn) -> PhoneBinding:
    return phone_change_confirm(
        account=_citizen(request),
        code_id=body.code_id,
        code=body.code,
        client=client_address(request),
    )


@router.get("/sessions", response={200: list[SessionOut], **ERRORS},
            summary="My signed-in browsers and devices")  # fmt: skip
def sessions(request: HttpRequest) -> list[AuthSession]:
    return session_list_for_account(account=current_account(request))


@router.delete("/sessions/{session_id}", response={204: None, **ERRORS},
               summary="End one of my sessions")  # fmt: skip
def end_session(request: HttpRequest, session_id: str) -> Status[None]:
    session = access_session_by_id(account=current_account(request), session_id=session_id)
    session_end(session=session, reason="ended_by_owner")
    return Status(204, None)
