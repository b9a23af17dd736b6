"""/api/v1/auth: registration, sign-in (password + SMS, certificate, QR approval), tokens."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Field, Router, Schema, Status

from qyzmet.api.schemas import CodeSentOut, ErrorOut, code_sent_out
from qyzmet.api.security import AccessToken, current_account, current_session
from qyzmet.core.client import client_address
from qyzmet.identity.actions.qr import qr_signin_approve
from qyzmet.identity.actions.registration import registration_complete, registration_start
from qyzmet.identity.actions.sessions import (
    TokenPair,
    app_sign_in,
    app_tokens_refresh,
    session_end,
)
from qyzmet.identity.actions.signin import (
    SignInStep,
    certificate_challenge_create,
    signin_certificate,
    signin_code_verify,
    signin_password,
)
from qyzmet.identity.models import AuthSession
from qyzmet.identity.selectors import QrRequest, qr_request_of, qr_signin_describe

router = Router(tags=["auth"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut,
          503: ErrorOut}  # fmt: skip

IIN = Field(..., min_length=1, max_length=20, examples=["791028302728"])
# The app's own random id for the phone it runs on (22 to 128 letters, digits, "-" or "_"), sent
# on every sign-in call: a phone that signed in to an account before is not locked out of it by
# a stranger's wrong passwords.
DEVICE_HEADER = "X-Device-Id"


def _device_id(request: HttpRequest) -> str:
    return request.headers.get(DEVICE_HEADER, "")


class TokensOut(Schema):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int
    session_id: str


class StepOut(Schema):
    next: str = Field(description='"code": type the SMS code; "done": signed in')
    code: CodeSentOut | None = None
    tokens: TokensOut | None = None


def _step_out(request: HttpRequest, step: SignInStep, device: str) -> StepOut:
    if step.code is not None:
        return StepOut(next="code", code=code_sent_out(step.code))
    pair = app_sign_in(
        account=step.account,
        method=AuthSession.Method.CERTIFICATE,
        device=device,
        client=client_address(request),
        language=get_language(),
        device_id=_device_id(request),
    )
    return StepOut(next="done", tokens=TokensOut.model_validate(pair))


class RegisterStartIn(Schema):
    iin: str = IIN
    phone: str = Field(..., max_length=32, examples=["+7 701 123 45 67"])


class RegisterCompleteIn(Schema):
    code_id: str
    code: str = Field(..., max_length=12)
    password: str = Field(..., max_length=256)
    device: str = Field("", max_length=200, description="e.g. the phone model, for my sessions")


class PasswordIn(Schema):
    iin: str = IIN
    password: str = Field(..., max_length=256)


class CodeIn(Schema):
    code_id: str
    code: str = Field(..., max_length=12)
    device: str = Field("", max_length=200)


class ChallengeOut(Schema):
    challenge_id: str
    challenge: str = Field(description="Base64 bytes to sign as CMS with the certificate's key")
    expires_at: datetime


class CertificateIn(Schema):
    challenge_id: str
    signature: str = Field(..., description="Base64 DER CMS SignedData over the challenge")
    device: str = Field("", max_length=200)


class RefreshIn(Schema):
    refresh_token: str = Field(..., max_length=200)


class QrApproveIn(Schema):
    token: str = Field(..., max_length=200, description="What the QR code on the web page holds")


# Built from a `QrRequest`: who asks to be signed in, for the phone to show before approving.
class QrRequestOut(Schema):
    browser: str = Field(description='"Chrome · Windows"; empty when unknown')
    browser_shown: str = Field(description="The browser as the person is shown it, translated")
    network: str = Field(description='The network it asked from ("203.0.113.0/24"), or empty')
    same_network: bool = Field(description="Asked from this phone's own network")
    network_shown: str = Field(description='Translated; "this network …" when it is the same')
    requested_at: datetime
    expires_at: datetime


class QrApprovedOut(Schema):
    approved: bool
    request: QrRequestOut


@router.post("/register/start", response={202: CodeSentOut, **ERRORS},
             summary="Start registration: an SMS goes to the phone",
             description="The answer is the same whatever the IIN's state: the SMS carries the "
             "code, or why registration cannot go on (no such IIN in the registry, too young, "
             "an account already, the number someone else's).")  # fmt: skip
def register_start(request: HttpRequest, body: RegisterStartIn) -> Status[CodeSentOut]:
    issued = registration_start(
        iin=body.iin, phone=body.phone, client=client_address(request), language=get_language()
    )
    return Status(202, code_sent_out(issued))


@router.post("/register/complete", response={201: TokensOut, **ERRORS},
             summary="Finish registration with the SMS code and a password; signs in")  # fmt: skip
def register_complete(request: HttpRequest, body: RegisterCompleteIn) -> Status[TokenPair]:
    client = client_address(request)
    account = registration_complete(
        code_id=body.code_id,
        code=body.code,
        password=body.password,
        client=client,
        language=get_language(),
    )
    pair = app_sign_in(
        account=account,
        method=AuthSession.Method.REGISTRATION,
        device=body.device,
        client=client,
        language=get_language(),
        device_id=_device_id(request),
    )
    return Status(201, pair)


@router.post("/signin/password", response={200: StepOut, **ERRORS},
             summary="Sign in with IIN and password; an SMS code follows")  # fmt: skip
def signin_with_password(request: HttpRequest, body: PasswordIn) -> StepOut:
    step = signin_password(
        iin=body.iin, password=body.password, client=client_address(request),
        language=get_language(), device_id=_device_id(request),
    )  # fmt: skip
    return _step_out(request, step, "")


@router.get("/signin/certificate/challenge", response={200: ChallengeOut, **ERRORS},
            summary="A fresh challenge to sign with the certificate")  # fmt: skip
def certificate_challenge(request: HttpRequest) -> ChallengeOut:
    challenge = certificate_challenge_create()
    return ChallengeOut(
        challenge_id=str(challenge.id), challenge=challenge.nonce, expires_at=challenge.expires_at
    )


@router.post("/signin/certificate", response={200: StepOut, **ERRORS},
             summary="Sign in with a CMS signature of the challenge")  # fmt: skip
def signin_with_certificate(request: HttpRequest, body: CertificateIn) -> StepOut:
    step = signin_certificate(
        challenge_id=body.challenge_id,
        signature_b64=body.signature,
        client=client_address(request),
        language=get_language(),
    )
    return _step_out(request, step, body.device)


@router.post("/signin/verify", response={200: TokensOut, **ERRORS},
             summary="Finish a sign-in with the SMS code")  # fmt: skip
def signin_verify(request: HttpRequest, body: CodeIn) -> TokenPair:
    client = client_address(request)
    account, method = signin_code_verify(code_id=body.code_id, code=body.code, client=client)
    return app_sign_in(
        account=account, method=method, device=body.device, client=client,
        language=get_language(), device_id=_device_id(request),
    )  # fmt: skip


@router.post("/refresh", response={200: TokensOut, **ERRORS},
             summary="Exchange a refresh token for new tokens (single use)")  # fmt: skip
def refresh(request: HttpRequest, body: RefreshIn) -> TokenPair:
    return app_tokens_refresh(refresh_token=body.refresh_token)


@router.post("/signout", auth=AccessToken(), response={204: None, **ERRORS},
             summary="End this session")  # fmt: skip
def signout(request: HttpRequest) -> Status[None]:
    session_end(session=current_session(request), reason="signed_out")
    return Status(204, None)


@router.post("/qr/approve", auth=AccessToken(), response={200: QrApprovedOut, **ERRORS},
             summary="Approve a web sign-in by the QR code scanned from the screen")  # fmt: skip
def qr_approve(request: HttpRequest, body: QrApproveIn) -> dict[str, object]:
    qr = qr_signin_approve(token=body.token, account=current_account(request))
    return {"approved": True, "request": qr_request_of(qr, client=client_address(request))}


@router.post("/qr/inspect", auth=AccessToken(), response={200: QrRequestOut, **ERRORS},
             summary="Who asks: the browser, network and time of a QR sign-in, before approving",
             description="Show this to the person before they approve; 404 `qr_expired` when "
                         "the code no longer waits.")  # fmt: skip
def qr_inspect(request: HttpRequest, body: QrApproveIn) -> QrRequest:
    return qr_signin_describe(token=body.token, client=client_address(request))
