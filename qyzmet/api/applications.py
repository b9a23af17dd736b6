"""/api/v1/applications (the citizen's) and /api/v1/office (an agency's officers)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Field, Router, Schema, Status

from qyzmet.api.idempotency import idempotency_header, idempotent
from qyzmet.api.schemas import Answer, CodeSentOut, ErrorOut, code_sent_out
from qyzmet.api.security import AccessToken, current_account
from qyzmet.applications.actions import (
    access_application_by_id,
    application_claim,
    application_countersign,
    application_countersign_sms_start,
    application_draft_save,
    application_open_for_officer,
    application_resubmit,
    application_sign_sms_start,
    application_start,
    application_submit,
    application_transition,
    signing_content,
)
from qyzmet.applications.models import Application
from qyzmet.applications.overview import (
    ApplicationOverview,
    application_overview,
    application_overview_list,
)
from qyzmet.applications.selectors import agency_queue
from qyzmet.applications.words import DRAFT, Role
from qyzmet.core.calendar import WorkingCalendar, local_today, working_calendar
from qyzmet.core.client import client_address
from qyzmet.identity.actions.otp import IssuedCode

router = Router(tags=["applications"], auth=AccessToken())
office = Router(tags=["office"], auth=AccessToken())
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class StepOut(Schema):
    name: str
    label: str
    requires: list[str]


class EventOut(Schema):
    transition: str
    from_state: str
    to_state: str
    actor_role: str
    comment: str
    grounds: str
    changes: dict[str, Any] = Field(
        description="What the step wrote: the registry change (certificate, plate, licence…), "
        "the registry's refusal code, the duty paid"
    )
    at: datetime


class SubjectOut(Schema):
    make: str
    model: str
    year: int | None
    colour: str = Field(description="In the language of the answer")
    vin: str
    plate: str
    seller_name: str
    price_tiyn: int | None
    price_text: str = Field(description="The price in the language's money format")


class RefusalOut(Schema):
    code: str = Field(
        description="The reason's stable code: the registry's (under_age, "
        "no_medical, exam_not_passed, vehicle_arrested…) or not_eligible"
    )
    message: str = Field(description="The reason, in the language of the answer")
    field: str = Field(description="The form field it concerns; empty for the whole application")


class ApplicationOut(Schema):
    id: str
    number: str | None
    service: str
    service_version: int
    service_name: str
    agency: str
    state: str
    state_label: str
    party: str = Field(description="applicant, or counterparty (the second party, e.g. the buyer)")
    waiting_for_you: bool
    outcome: str
    answers: dict[str, Any]
    correction_fields: list[str]
    fee_tiyn: int
    payment: str
    payer: str = Field(
        description="Who pays the duty: applicant, or counterparty (asked when they confirm; "
        "until then `payment` is not_required)"
    )
    submitted_at: datetime | None
    due_date: date | None
    working_days_left: int | None = Field(description="Countdown to the due date")
    next_steps: list[StepOut]
    history: list[EventOut]
    version: int
    subject: SubjectOut | None = Field(
        None,
        description="What a sale is about, as the buyer confirms it: the vehicle from the "
        "registry (empty once it no longer has that plate), the seller, the price. Absent from "
        "lists and for other services",
    )
    blockers: list[RefusalOut] | None = Field(
        None,
        description="Why the application would be refused, checked now against the service's "
        "eligibility and the registries, while you may still sign or pay it: signing (and so "
        "paying) is refused with would_be_refused unless it is empty. Absent from lists and "
        "when there is nothing left for you to sign or pay",
    )


class StartIn(Schema):
    service: str = Field(..., max_length=80)


class DraftIn(Schema):
    answers: dict[str, Answer]


class DraftOut(Schema):
    application: ApplicationOut
    errors: dict[str, str]


class SubmitIn(Schema):
    code_id: str = ""
    code: str = Field("", max_length=12)
    signature: str = Field("", description="Base64 detached CMS over /signing-content")


class SigningContentOut(Schema):
    content: str = Field(description="Base64 of the exact bytes to sign")
    sha256: str


class StepIn(Schema):
    name: str = Field(..., max_length=60)
    comment: str = Field("", max_length=2000)
    grounds: str = Field("", max_length=80)
    fields: list[str] | None = None
    expected_version: int | None = None
    code_id: str = Field("", description="Resubmitting a correction: the code from /sign/sms")
    code: str = Field("", max_length=12)
    signature: str = Field(
        "", description="Resubmitting a correction: base64 detached CMS over /signing-content"
    )


def _out(
    request: HttpRequest,
    application: Application,
    role: Role | None = None,
    calendar: WorkingCalendar | None = None,
) -> ApplicationOverview:
    """`application` as the signed-in account sees it (as its party unless `role` says); the
    answer is the overview itself, in the shape of `ApplicationOut`."""
    return application_overview(
        account=current_account(request), application=application, language=get_language(),
        role=role, calendar=calendar,
    )  # fmt: skip


def _step(request: HttpRequest, application_id: str, body: StepIn, role: Role) -> Application:
    """A step through the citizen's or the officer's door: only an officer gives grounds or
    names the fields to correct."""
    officer = role == Role.OFFICER
    return application_transition(
        actor=current_account(request),
        application_id=application_id,
        name=body.name,
        role=role,
        comment=body.comment,
        grounds=body.grounds if officer else "",
        fields=body.fields if officer else None,
        expected_version=body.expected_version,
    )


def _code_sent(
    request: HttpRequest, application_id: str, start: Callable[..., IssuedCode]
) -> Status[CodeSentOut]:
    """Send the signed-in party a code to sign with (`start`: as applicant or second party)."""
    issued = start(
        account=current_account(request),
        application_id=application_id,
        client=client_address(request),
        language=get_language(),
    )
    return Status(202, code_sent_out(issued))


@router.post("", response={201: ApplicationOut, **ERRORS}, summary="Start a draft")
@idempotent(scope="applications.start")
def start(request: HttpRequest, body: StartIn) -> Status[ApplicationOverview]:
    application = application_start(
        account=current_account(request), service_code=body.service, channel="app"
    )
    return Status(201, _out(request, application, Role.CITIZEN))


@router.get("", response=list[ApplicationOut],
            summary="My applications, and those where I am the second party")  # fmt: skip
def my_applications(request: HttpRequest) -> list[ApplicationOverview]:
    return application_overview_list(account=current_account(request), language=get_language())


@router.get(
    "/{application_id}",
    response={200: ApplicationOut, 304: None, **ERRORS},
    summary="One of mine (send If-None-Match with the last ETag: 304 when nothing changed)",
)
def mine(
    request: HttpRequest, response: HttpResponse, application_id: str
) -> ApplicationOverview | Status[None]:
    account = current_account(request)
    application = access_application_by_id(account=account, application_id=application_id)
    # What the answer depends on: the row (every change bumps the version or the time), the day
    # (the countdown) and the language; and, while someone may still sign or pay it, what the
    # registries would refuse it for (they change without the row changing).
    changed = int(application.updated_at.timestamp() * 1_000_000)
    version = application.lock_version
    tag = f"{application.pk.hex}.{version}.{changed}.{local_today()}.{get_language()}"
    overview = None
    signable = application.state == DRAFT or (
        application.counterparty_id is not None and not application.outcome
    )
    if signable or application.payment == Application.Payment.AWAITING:
        overview = _out(request, application)
        if overview.blockers is not None:
            reasons = "|".join(f"{b.code}:{b.message}" for b in overview.blockers)
            tag += "." + hashlib.sha256(reasons.encode()).hexdigest()[:16]
    tag = f'"{tag}"'
    response["ETag"] = tag
    response["Cache-Control"] = "private, no-cache"
    if tag in (t.strip() for t in request.headers.get("If-None-Match", "").split(",")):
        return Status(304, None)
    return overview or _out(request, application)


@router.patch("/{application_id}", response={200: DraftOut, **ERRORS},
              summary="Save answers (kept even when some are wrong; errors per field)")  # fmt: skip
def save(request: HttpRequest, application_id: str, body: DraftIn) -> dict[str, Any]:
    application, errors = application_draft_save(
        account=current_account(request), application_id=application_id, answers=body.answers
    )
    return {"application": _out(request, application, Role.CITIZEN), "errors": errors}


@router.get("/{application_id}/signing-content", response={200: SigningContentOut, **ERRORS},
            summary="The exact bytes a certificate signature must cover")  # fmt: skip
def content(request: HttpRequest, application_id: str) -> dict[str, str]:
    application = access_application_by_id(
        account=current_account(request), application_id=application_id
    )
    raw = signing_content(application)
    return {"content": base64.b64encode(raw).decode(), "sha256": hashlib.sha256(raw).hexdigest()}


@router.post("/{application_id}/sign/sms", response={202: CodeSentOut, **ERRORS},
             summary="Send a code to sign a draft or a correction by SMS")  # fmt: skip
def sign_sms(request: HttpRequest, application_id: str) -> Status[CodeSentOut]:
    return _code_sent(request, application_id, application_sign_sms_start)


IDEMPOTENCY_HEADER = idempotency_header(
    required=True, description="A retried submit with the same key returns the same application"
)


@router.post("/{application_id}/submit", response={201: ApplicationOut, **ERRORS},
             summary="Sign and submit", openapi_extra=IDEMPOTENCY_HEADER)  # fmt: skip
def submit(
    request: HttpRequest, application_id: str, body: SubmitIn
) -> Status[ApplicationOverview]:
    application = application_submit(
        account=current_account(request),
        application_id=application_id,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
        client=client_address(request),
        code_id=body.code_id,
        code=body.code,
        signature_b64=body.signature,
    )
    return Status(201, _out(request, application, Role.CITIZEN))


@router.post("/{application_id}/countersign/sms", response={202: CodeSentOut, **ERRORS},
             summary="As the second party (the buyer): send me a code to sign")  # fmt: skip
def countersign_sms(request: HttpRequest, application_id: str) -> Status[CodeSentOut]:
    return _code_sent(request, application_id, application_countersign_sms_start)


@router.post("/{application_id}/countersign", response={200: ApplicationOut, **ERRORS},
             summary="As the second party: confirm by signing (code or certificate)")  # fmt: skip
def countersign(request: HttpRequest, application_id: str, body: SubmitIn) -> ApplicationOverview:
    account = current_account(request)
    application = application_countersign(
        account=account,
        application_id=application_id,
        client=client_address(request),
        code_id=body.code_id,
        code=body.code,
        signature_b64=body.signature,
    )
    return _out(request, application, Role.COUNTERPARTY)


@router.post("/{application_id}/steps", response={200: ApplicationOut, **ERRORS},
             summary="Take a step: withdraw, object, … or resubmit after correction, signed "
             "again (code_id and code, or signature)")  # fmt: skip
def citizen_step(request: HttpRequest, application_id: str, body: StepIn) -> ApplicationOverview:
    if not (body.code_id or body.signature):
        return _out(request, _step(request, application_id, body, Role.CITIZEN))
    application = application_resubmit(
        account=current_account(request), application_id=application_id,
        client=client_address(request), code_id=body.code_id, code=body.code,
        signature_b64=body.signature, expected_version=body.expected_version,
    )  # fmt: skip
    return _out(request, application, Role.CITIZEN)


@office.get("/queue", response=list[ApplicationOut], summary="An agency's open applications")
def queue(request: HttpRequest, agency: str) -> list[ApplicationOverview]:
    account = current_account(request)
    calendar = working_calendar()
    queued = agency_queue(account=account, agency=agency)
    return [
        application_overview(
            account=account,
            application=a,
            language=get_language(),
            role=Role.OFFICER,
            calendar=calendar,
            with_subject=False,
        )
        for a in queued
    ]


@office.get("/applications/{application_id}", response={200: ApplicationOut, **ERRORS},
            summary="Open an application (recorded as a data access)")  # fmt: skip
def office_view(request: HttpRequest, application_id: str) -> ApplicationOverview:
    application = application_open_for_officer(
        account=current_account(request), application_id=application_id
    )
    return _out(request, application, Role.OFFICER)


@office.post("/applications/{application_id}/claim", response={200: ApplicationOut, **ERRORS},
             summary="Take the application into my work")  # fmt: skip
def claim(request: HttpRequest, application_id: str) -> ApplicationOverview:
    application = application_claim(actor=current_account(request), application_id=application_id)
    return _out(request, application, Role.OFFICER)


@office.post("/applications/{application_id}/steps", response={200: ApplicationOut, **ERRORS},
             summary="Decide: approve, refuse with grounds, return for correction")  # fmt: skip
def officer_step(request: HttpRequest, application_id: str, body: StepIn) -> ApplicationOverview:
    return _out(request, _step(request, application_id, body, Role.OFFICER), Role.OFFICER)
