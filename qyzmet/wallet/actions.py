"""Writes of the wallet: the offline signing key, offline tokens, single-use shares and their
redemption."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
import uuid
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qyzmet.core.client import client_fingerprint
from qyzmet.core.crypto import keyed_hash
from qyzmet.core.errors import NotFound, QyzmetError, RateLimited, ValidationFailed
from qyzmet.core.public_url import public_base
from qyzmet.core.ratelimit import Count, rate_check
from qyzmet.identity.models import Account, Person
from qyzmet.trust.actions import data_access_record
from qyzmet.wallet import tokens
from qyzmet.wallet.errors import ErrorCode
from qyzmet.wallet.models import OfflineKey, Share, ShareCheck
from qyzmet.wallet.providers.entries import WalletEntry, provider_get
from qyzmet.wallet.selectors import entry_get

logger = logging.getLogger(__name__)

CODE_DIGITS = 8
MIN_TOKEN_SECONDS = 60


class ShareRefused(QyzmetError):
    status = 410
    code: str = ErrorCode.SHARE_REFUSED
    default_message = gettext_lazy("This code can no longer be used.")


# --- the offline signing key -------------------------------------------------------------------


def _private_key(row: OfflineKey) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(row.private_key_pem.encode(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)  # noqa: S101 - we only store P-256 keys
    return key


def offline_key_ensure() -> OfflineKey:
    """The current offline signing key, made on first use (a concurrent maker wins)."""
    current = OfflineKey.objects.filter(retired_at__isnull=True).order_by("-created_at").first()
    if current is not None:
        return current
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = tokens.public_jwk(key.public_key())
    kid = tokens.jwk_thumbprint(jwk)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    try:
        with transaction.atomic():
            row = OfflineKey.objects.create(kid=kid, public_jwk=jwk, private_key_pem=pem)
    except IntegrityError:  # pragma: no cover - a 2^-128 thumbprint collision
        row = OfflineKey.objects.get(kid=kid)
    logger.info("offline verification key created", extra={"kid": kid})
    return row


def offline_key_rotate() -> OfflineKey:
    """Retire the current key and make a new one. The retired key stays published until every
    token it signed has expired (`QYZMET_WALLET_TOKEN_MAX_SECONDS`)."""
    OfflineKey.objects.filter(retired_at__isnull=True).update(retired_at=timezone.now())
    return offline_key_ensure()


def _sign(claims: dict[str, object], *, typ: str = tokens.TYP) -> str:
    row = offline_key_ensure()
    return tokens.jws_sign(claims=claims, key=_private_key(row), kid=row.kid, typ=typ)


# --- offline tokens ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: str
    presentation: str
    claims: dict[str, object]
    expires_at: dt.datetime


def _person_of(account: Account) -> Person:
    if account.person_id is None:
        raise NotFound(_("Your account is not linked to a person in the registry."))
    person = account.person
    assert person is not None  # noqa: S101 - checked above
    return person


def offline_token_issue(
    *, account: Account, kind: str, ref: str, presentation: str, ttl_seconds: int | None = None
) -> IssuedToken:
    """A signed token proving one fact of one of the holder's wallet entries (e.g. "age 18+:
    yes", "document valid"), with nothing else of the document, valid for `ttl_seconds`."""
    person = _person_of(account)
    ttl = ttl_seconds if ttl_seconds is not None else settings.QYZMET_WALLET_TOKEN_SECONDS
    if not MIN_TOKEN_SECONDS <= ttl <= settings.QYZMET_WALLET_TOKEN_MAX_SECONDS:
        raise ValidationFailed(
            _("The token lifetime must be between %(min)s and %(max)s seconds.")
            % {"min": MIN_TOKEN_SECONDS, "max": settings.QYZMET_WALLET_TOKEN_MAX_SECONDS},
            code=ErrorCode.TOKEN_LIFETIME,
            details={"fields": [{"field": "ttl_seconds", "message": _("Out of range.")}]},
        )
    entry = entry_get(person=person, kind=kind, ref=ref)
    provider = provider_get(kind)
    proof = (
        provider.presentation(person, entry, presentation)
        if provider is not None and presentation in entry.presentations
        else None
    )
    if proof is None:
        raise ValidationFailed(
            _("This document cannot prove that."),
            code=ErrorCode.PRESENTATION_UNSUPPORTED,
            details={"fields": [{"field": "presentation", "message": _("Not available.")}]},
        )
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": public_base() or "qyzmet",
        "iat": now,
        "exp": now + ttl,
        "jti": secrets.token_urlsafe(12),
        "kind": kind,
        "prs": proof.name,
        **proof.claims,
    }
    if proof.rid:
        claims["rid"] = proof.rid
    token = _sign(claims)
    logger.info("offline token issued", extra={"kind": kind, "presentation": proof.name})
    return IssuedToken(
        token=token,
        presentation=proof.name,
        claims=claims,
        expires_at=dt.datetime.fromtimestamp(now + ttl, tz=dt.UTC),
    )


def revocation_list_sign(*, revoked: list[str]) -> str:
    """The revocation list as a signed token (same key as the presentations), so a verifier
    that downloaded it once can trust its cached copy offline."""
    now = int(time.time())
    return _sign(
        {
            "iss": public_base() or "qyzmet",
            "iat": now,
            "exp": now + settings.QYZMET_WALLET_REVOCATIONS_SECONDS,
            "revoked": sorted(revoked),
        },
        typ=tokens.REVOCATION_TYP,
    )


# --- shares ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedShare:
    share: Share
    code: str  # only here, in memory: the row keeps a keyed hash

    @property
    def code_display(self) -> str:
        return f"{self.code[:4]} {self.code[4:]}"


def _code_hash(code: str) -> str:
    return keyed_hash(code, purpose="wallet-share")


def code_normalize(text: str) -> str:
    digits = "".join(c for c in (text or "") if c in "0123456789")  # not other scripts' digits
    return digits if len(digits) == CODE_DIGITS and len(text or "") <= 40 else ""


def share_create(*, account: Account, kind: str, ref: str) -> IssuedShare:
    """A single-use code for one of the holder's wallet entries, valid
    `QYZMET_WALLET_SHARE_SECONDS`. Only a keyed hash of the code is stored."""
    person = _person_of(account)
    entry = entry_get(person=person, kind=kind, ref=ref)
    now = timezone.now()
    with transaction.atomic():
        for _attempt in range(5):
            code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
            # Codes are found by their hash alone: never two live shares with the same code.
            if not Share.objects.filter(
                code_hash=_code_hash(code), redeemed_at__isnull=True, expires_at__gt=now
            ).exists():
                break
        share = Share.objects.create(
            person=person,
            account=account,
            kind=kind,
            ref=ref,
            title=entry.title[:300],
            code_hash=_code_hash(code),
            created_at=now,
            expires_at=now + dt.timedelta(seconds=settings.QYZMET_WALLET_SHARE_SECONDS),
        )
    logger.info("wallet share created", extra={"share": str(share.id), "kind": kind})
    return IssuedShare(share=share, code=code)


@dataclass(frozen=True)
class Redemption:
    share: Share
    entry: WalletEntry
    checked_at: dt.datetime


def _wrong_codes(wait: int) -> RateLimited:
    return RateLimited(
        _("Too many wrong codes. Try again in %(n)s min.") % {"n": -(-wait // 60)},
        retry_after=wait,
        code=ErrorCode.SHARE_RATE_LIMITED,
    )


def _check_limit(client_hash: str, now: dt.datetime) -> None:
    """Wrong codes from this client, and from everyone together (guessing spread over many
    addresses), each within their budget; checked before any code is looked up."""
    counts = [
        Count(budget="wallet.check.client", key=client_hash, field="client_hash"),
        Count(budget="wallet.check.all", key="all", field="counted"),
    ]
    rate_check(
        rows=ShareCheck.objects.filter(
            outcome__in=[ShareCheck.Outcome.UNKNOWN, ShareCheck.Outcome.EXPIRED]
        ).annotate(counted=Value("all")),
        counts=counts,
        now=now,
        refuse=_wrong_codes,
    )


def share_claim(
    *, share_id: uuid.UUID, now: dt.datetime, account_id: int | None, client: str
) -> bool:
    """Mark the share redeemed if nobody has: one conditional UPDATE, so of two verifiers
    entering the same code at the same moment exactly one gets it."""
    return (
        Share.objects.filter(pk=share_id, redeemed_at__isnull=True, expires_at__gt=now).update(
            redeemed_at=now, redeemed_by_id=account_id, redeemed_client_hash=client
        )
        == 1
    )


def share_redeem(
    *, code: str, client: str, account: Account | None = None, channel: str = "api"
) -> Redemption:
    """Show the wallet entry a code was made for, once, as the registry has it now.

    `client` is the verifier's address. Refusals (unknown, used, expired) are recorded and
    committed before they are raised: call this outside a transaction. Wrong codes are limited
    per client address (`QYZMET_WALLET_CHECK_FAILURES_PER_HOUR`). The showing is a read of the
    holder's record and is written to the data-access log."""
    now = timezone.now()
    account_id = account.pk if account is not None and account.is_authenticated else None
    # Client addresses are personal data too: kept only as a keyed hash, as sign-in does.
    client_hash = client_fingerprint(client)
    _check_limit(client_hash, now)
    normalized = code_normalize(code)
    share = (
        Share.objects.filter(code_hash=_code_hash(normalized)).order_by("-created_at").first()
        if normalized
        else None
    )

    def refuse(outcome: str, error: QyzmetError) -> QyzmetError:
        ShareCheck.objects.create(
            share=share, outcome=outcome, account_id=account_id, client_hash=client_hash
        )
        return error

    if share is None:
        raise refuse(
            ShareCheck.Outcome.UNKNOWN,
            NotFound(_("No document is shared with this code."), code=ErrorCode.SHARE_NOT_FOUND),
        )
    if share.redeemed_at is not None:
        raise refuse(ShareCheck.Outcome.USED, _used())
    if share.expires_at <= now:
        raise refuse(
            ShareCheck.Outcome.EXPIRED,
            ShareRefused(
                _("This code has expired. Ask the holder for a new one."),
                code=ErrorCode.SHARE_EXPIRED,
            ),
        )
    with transaction.atomic():
        if not share_claim(share_id=share.pk, now=now, account_id=account_id, client=client_hash):
            claimed = False
        else:
            claimed = True
            entry = entry_get(person=share.person, kind=share.kind, ref=share.ref)
            ShareCheck.objects.create(
                share=share,
                outcome=ShareCheck.Outcome.REDEEMED,
                account_id=account_id,
                client_hash=client_hash,
                created_at=now,
            )
            data_access_record(
                person_id=share.person_id,
                actor_id=account_id,
                actor_system="" if account_id else "wallet.share",
                channel=channel,
                fields=[f.name for f in entry.fields],
                purpose=f"wallet share {share.kind} shown by single-use code",
            )
    if not claimed:
        raise refuse(ShareCheck.Outcome.USED, _used())
    share.redeemed_at = now
    share.redeemed_by_id = account_id
    share.redeemed_client_hash = client_hash
    logger.info("wallet share redeemed", extra={"share": str(share.id), "kind": share.kind})
    return Redemption(share=share, entry=entry, checked_at=now)


def _used() -> ShareRefused:
    return ShareRefused(
        _("This code has already been used. Ask the holder for a new one."),
        code=ErrorCode.SHARE_USED,
    )
