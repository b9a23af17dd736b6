"""Reads of the wallet: the holder's entries (live from the registries), the published keys and
revocation list, the server-side token check, and the holder's share history."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qyzmet.core.errors import NotFound
from qyzmet.identity.models import Person
from qyzmet.wallet import tokens
from qyzmet.wallet.errors import ErrorCode
from qyzmet.wallet.models import OfflineKey, Share, ShareCheck
from qyzmet.wallet.providers.entries import (
    WalletEntry,
    provider_get,
    provider_list,
)

# What a token check answers, one message per outcome; the same words on the page, in the
# browser verifier and in the API.
TOKEN_MESSAGES: dict[str, Promise] = {
    tokens.VALID: _("Genuine: signed by Qyzmet and still valid."),
    tokens.EXPIRED: _("Expired: ask the holder to show a new code."),
    tokens.NOT_YET_VALID: _("Not valid yet: check the clock of this device."),
    tokens.ALTERED: _("Altered or forged: the signature does not match. Do not rely on it."),
    tokens.REVOKED: _("Revoked: the document has been withdrawn."),
    tokens.UNKNOWN_KEY: _(
        "Signed with a key this verifier does not know. Update the keys when online."
    ),
    tokens.MALFORMED: _("This is not a Qyzmet verification code."),
}


def entry_list(*, person: Person) -> list[WalletEntry]:
    """Every wallet entry of the person, drawn from the connected registries now."""
    entries: list[WalletEntry] = []
    for provider in provider_list():
        if provider.connected:
            entries.extend(provider.entries(person))
    return entries


def entry_get(*, person: Person, kind: str, ref: str) -> WalletEntry:
    """One of the person's entries; `NotFound` alike for another person's and a missing one."""
    provider = provider_get(kind)
    entry = provider.entry(person, ref) if provider is not None and provider.connected else None
    if entry is None:
        raise NotFound(
            _("This document is not in your wallet."), code=ErrorCode.WALLET_ENTRY_NOT_FOUND
        )
    return entry


def published_keys() -> dict[str, Any]:
    """The JWK Set: every key that signed a token that may still be valid."""
    since = timezone.now() - dt.timedelta(seconds=settings.QYZMET_WALLET_TOKEN_MAX_SECONDS)
    rows = OfflineKey.objects.filter(retired_at__isnull=True) | OfflineKey.objects.filter(
        retired_at__gt=since
    )
    return {
        "keys": [
            {**row.public_jwk, "kid": row.kid, "alg": tokens.ALG, "use": "sig"}
            for row in rows.order_by("-created_at")
        ]
    }


def revoked_ids() -> list[str]:
    """The revocation ids of everything a token might vouch for that is no longer valid: each
    kind of wallet entry lists its own."""
    return [rid for provider in provider_list() for rid in provider.revoked_ids()]


@dataclass(frozen=True)
class TokenCheck:
    code: str
    message: str
    claims: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.code == tokens.VALID


def token_check(*, token: str) -> TokenCheck:
    """The server's check of a token: the same rules as the offline verifier, against the keys
    and revocation list of now."""
    verdict = tokens.token_verify(
        token=token, jwks=published_keys(), revoked=set(revoked_ids()), now=int(time.time())
    )
    # A forged token's claims are not shown: nothing in them can be trusted.
    shown = verdict.claims if verdict.code in {tokens.VALID, tokens.EXPIRED, tokens.REVOKED} else {}
    return TokenCheck(code=verdict.code, message=str(TOKEN_MESSAGES[verdict.code]), claims=shown)


def share_history(*, person_id: int | None, limit: int = 100) -> list[Share]:
    """The holder's shares, newest first, with who checked each and when."""
    if person_id is None:
        return []
    return list(
        Share.objects.filter(person_id=person_id)
        .select_related("redeemed_by")
        .prefetch_related(
            Prefetch("checks", queryset=ShareCheck.objects.order_by("created_at", "pk"))
        )
        .order_by("-created_at", "-pk")[:limit]
    )
