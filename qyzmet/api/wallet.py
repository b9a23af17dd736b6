"""/api/v1/wallet: the citizen's digital documents, single-use shares, offline tokens, and the
public endpoints verifiers use (redeem a code, the published keys, the revocation list, a token
check)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from pydantic import AliasPath, BeforeValidator

from qyzmet.api.idempotency import idempotent
from qyzmet.api.schemas import ErrorOut, Text
from qyzmet.api.security import AccessToken, current_account, optional_account
from qyzmet.core.client import client_address
from qyzmet.wallet.actions import (
    IssuedShare,
    IssuedToken,
    Redemption,
    offline_key_ensure,
    offline_token_issue,
    revocation_list_sign,
    share_create,
    share_redeem,
)
from qyzmet.wallet.links import offline_verify_url, qr_svg, share_check_url
from qyzmet.wallet.models import Share, ShareCheck
from qyzmet.wallet.providers.entries import (
    PRESENTATION_LABELS,
    WalletEntry,
    provider_list,
)
from qyzmet.wallet.selectors import (
    TokenCheck,
    entry_list,
    published_keys,
    revoked_ids,
    share_history,
    token_check,
)

ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 410: ErrorOut, 422: ErrorOut, 429: ErrorOut}
# The QR code of a link: the field's alias names the link field it draws (its resolver answers).
QrSvg = Annotated[str, BeforeValidator(qr_svg)]
KEYS_MAX_AGE = 3600  # keys change rarely: a verifier may cache them for an hour
REVOCATIONS_MAX_AGE = 300


class FieldOut(Schema):
    name: str
    label: str
    value: str


class PresentationOut(Schema):
    name: str
    label: str


# Built from a `WalletEntry`.
class EntryOut(Schema):
    kind: str
    ref: str
    title: str
    number: str
    status: str
    status_label: str
    issuer: str
    issued_on: date | None
    valid_until: date | None
    fields: list[FieldOut]
    presentations: list[PresentationOut]

    @staticmethod
    def resolve_presentations(entry: WalletEntry) -> list[dict[str, str]]:
        return [
            {"name": name, "label": str(PRESENTATION_LABELS[name])} for name in entry.presentations
        ]


# Built from a `WalletProvider`.
class KindOut(Schema):
    kind: str
    label: Text
    connected: bool


class WalletOut(Schema):
    entries: list[EntryOut]
    kinds: list[KindOut]


class EntryRef(Schema):
    kind: str = Field(max_length=40)
    ref: str = Field(max_length=64)


# Built from an `IssuedShare`.
class ShareOut(Schema):
    id: Text = Field(validation_alias=AliasPath("share", "pk"))
    code: str = Field(description="8 digits; shown once, stored only as a keyed hash")
    expires_at: datetime = Field(validation_alias=AliasPath("share", "expires_at"))
    check_url: str
    qr_svg: QrSvg = Field(validation_alias="check_url")

    @staticmethod
    def resolve_check_url(issued: IssuedShare) -> str:
        return share_check_url(issued.code)


class RedeemIn(Schema):
    code: str = Field(max_length=40)


class RedemptionOut(Schema):
    checked_at: datetime
    entry: EntryOut


# Built from a `ShareCheck`.
class CheckOut(Schema):
    at: datetime = Field(validation_alias="created_at")
    outcome: str
    outcome_label: Text = Field(validation_alias="get_outcome_display")
    by_signed_in_user: bool
    verifier: str = Field(description="A short fingerprint of the verifier's device address")

    @staticmethod
    def resolve_by_signed_in_user(check: ShareCheck) -> bool:
        return check.account_id is not None

    @staticmethod
    def resolve_verifier(check: ShareCheck) -> str:
        return check.client_hash[:8]


# Built from a `Share` (its checks prefetched).
class HistoryOut(Schema):
    id: Text
    kind: str
    title: str
    created_at: datetime
    expires_at: datetime
    redeemed_at: datetime | None
    checks: list[CheckOut]


class TokenIn(EntryRef):
    presentation: str = Field(max_length=40)
    ttl_seconds: int | None = None


# Built from an `IssuedToken`.
class TokenOut(Schema):
    token: str
    presentation: str
    claims: dict[str, Any]
    expires_at: datetime
    verify_url: str
    qr_svg: QrSvg = Field(validation_alias="verify_url")

    @staticmethod
    def resolve_verify_url(issued: IssuedToken) -> str:
        return offline_verify_url(issued.token)


class VerifyIn(Schema):
    token: str = Field(max_length=4000)


# Built from a `TokenCheck`.
class VerifyOut(Schema):
    code: str
    valid: bool = Field(validation_alias="ok")
    message: str
    claims: dict[str, Any]


class RevocationsOut(Schema):
    token: str = Field(description="The list as an ES256 JWS, typ qyzmet-revocations+jwt")
    revoked: list[str]


def build_router() -> Router:
    """A fresh router (the API mounts one; a router belongs to one API)."""
    router = Router(tags=["wallet"])

    @router.get("/", auth=AccessToken(), response={200: WalletOut, **ERRORS}, summary="My wallet")
    def wallet(request: HttpRequest) -> dict[str, Any]:
        person = current_account(request).person
        entries = entry_list(person=person) if person is not None else []
        return {"entries": entries, "kinds": provider_list()}

    @router.post(
        "/shares",
        auth=AccessToken(),
        response={201: ShareOut, **ERRORS},
        summary="Share one entry: a single-use code and its QR code, valid a few minutes",
    )
    @idempotent(scope="wallet.share")
    def share(request: HttpRequest, body: EntryRef) -> Status[IssuedShare]:
        issued = share_create(account=current_account(request), kind=body.kind, ref=body.ref)
        return Status(201, issued)

    @router.post(
        "/shares/redeem",
        response={200: RedemptionOut, **ERRORS},
        summary="See the document shared with a code, once (public; a bearer token optional)",
        description=(
            "The document as the registry has it now (a revoked document shows `revoked`). "
            "A code works once: a second use answers 410 `share_used`, an expired one 410 "
            "`share_expired`, an unknown one 404 `share_not_found`; too many wrong codes from "
            "one address answer 429."
        ),
    )
    def redeem(request: HttpRequest, body: RedeemIn) -> Redemption:
        return share_redeem(
            code=body.code,
            client=client_address(request),
            account=optional_account(request),
            channel="api",
        )

    @router.get(
        "/history",
        auth=AccessToken(),
        response={200: list[HistoryOut], **ERRORS},
        summary="My shares and who checked them, newest first",
    )
    def history(request: HttpRequest) -> list[Share]:
        return share_history(person_id=current_account(request).person_id)

    @router.post(
        "/tokens",
        auth=AccessToken(),
        response={201: TokenOut, **ERRORS},
        summary="An offline token proving one fact (e.g. age 18+, document valid)",
    )
    def token(request: HttpRequest, body: TokenIn) -> Status[IssuedToken]:
        issued = offline_token_issue(
            account=current_account(request),
            kind=body.kind,
            ref=body.ref,
            presentation=body.presentation,
            ttl_seconds=body.ttl_seconds,
        )
        return Status(201, issued)

    @router.post(
        "/tokens/verify",
        response={200: VerifyOut, **ERRORS},
        summary="Check an offline token on the server (public)",
        description=(
            "`code` is `valid`, `expired`, `not_yet_valid`, `revoked`, `altered`, "
            "`unknown_key` or `malformed`, decided as the offline verifier decides."
        ),
    )
    def verify(request: HttpRequest, body: VerifyIn) -> TokenCheck:
        return token_check(token=body.token)

    @router.get(
        "/jwks.json",
        summary="The public keys of offline tokens (JWK Set, public, cacheable)",
        response={200: dict[str, Any]},
    )
    def jwks(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
        offline_key_ensure()
        response["Cache-Control"] = f"public, max-age={KEYS_MAX_AGE}"
        return published_keys()

    @router.get(
        "/revocations.json",
        summary="Revoked documents' ids, signed (public, cacheable for a few minutes)",
        response={200: RevocationsOut},
    )
    def revocations(request: HttpRequest, response: HttpResponse) -> RevocationsOut:
        revoked = revoked_ids()
        response["Cache-Control"] = f"public, max-age={REVOCATIONS_MAX_AGE}"
        return RevocationsOut(token=revocation_list_sign(revoked=revoked), revoked=sorted(revoked))

    return router


router = build_router()
