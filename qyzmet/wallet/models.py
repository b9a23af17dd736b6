"""The wallet: the key that signs offline tokens, single-use share codes and their checks.

Wallet entries themselves are not stored: they are drawn live from the registries each time
(`providers/`). A share keeps only which entry (kind and reference), a keyed hash of its code
and what happened to it; the verifier's address is kept only as a keyed hash.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qyzmet.core.crypto import EncryptedTextField
from qyzmet.core.models import UuidRecord


class OfflineKey(models.Model):
    """The platform's P-256 key pair for offline tokens. The private key is AES-GCM ciphertext;
    the public key is published in the JWK Set until every token it signed has expired."""

    kid = models.CharField(max_length=64, unique=True)  # RFC 7638 thumbprint
    public_jwk = models.JSONField()
    private_key_pem = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("offline verification key")
        verbose_name_plural = _("offline verification keys")

    def __str__(self) -> str:
        return f"OfflineKey {self.kid}"


class Share(UuidRecord):
    """One wallet entry shown to a verifier by a single-use code."""

    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(
        "identity.Account", on_delete=models.CASCADE, related_name="wallet_shares"
    )
    kind = models.CharField(max_length=40)
    ref = models.CharField(max_length=64)
    title = models.CharField(max_length=300)  # what was shared, as the holder saw it
    code_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    redeemed_by = models.ForeignKey(
        "identity.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    redeemed_client_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "created_at"], name="wallet_share_person_idx")]


class ShareCheck(models.Model):
    """Every attempt to redeem a code, right or wrong (the throttle counts the wrong ones)."""

    class Outcome(models.TextChoices):
        REDEEMED = "redeemed", _("shown")
        USED = "used", _("refused: already used")
        EXPIRED = "expired", _("refused: expired")
        UNKNOWN = "unknown", _("refused: unknown code")

    share = models.ForeignKey(
        Share, null=True, blank=True, on_delete=models.CASCADE, related_name="checks"
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    account = models.ForeignKey(
        "identity.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["client_hash", "outcome", "created_at"], name="wallet_check_idx")
        ]

    def __str__(self) -> str:
        return f"ShareCheck {self.outcome}"
