"""Certificate authorities and the certificates they issued.

A CA's private key is stored only as ciphertext (`EncryptedTextField`). An issued certificate is
found by its serial or by the blind index of its holder's IIN; the IIN itself is never stored
in clear (it is inside the certificate, which is public by nature, but not in a searchable
column).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qyzmet.core.crypto import EncryptedTextField


class CertificateAuthority(models.Model):
    class Kind(models.TextChoices):
        ROOT = "root", _("root CA")
        INTERMEDIATE = "intermediate", _("intermediate CA")

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    certificate_pem = models.TextField()
    private_key_pem = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("certificate authority")
        verbose_name_plural = _("certificate authorities")

    def __str__(self) -> str:
        return self.name


class IssuedCertificate(models.Model):
    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("citizen")
        AGENCY = "agency", _("agency")

    class RevocationReason(models.TextChoices):
        # RFC 5280 CRLReason values that a holder or the CA may give; "certificateHold" is left
        # out on purpose: a revocation here is final.
        UNSPECIFIED = "unspecified", _("unspecified")
        KEY_COMPROMISE = "key_compromise", _("key compromise")
        AFFILIATION_CHANGED = "affiliation_changed", _("affiliation changed")
        SUPERSEDED = "superseded", _("superseded")
        CESSATION_OF_OPERATION = "cessation_of_operation", _("cessation of operation")
        PRIVILEGE_WITHDRAWN = "privilege_withdrawn", _("privilege withdrawn")

    serial = models.CharField(max_length=40, unique=True)  # lowercase hex, no separators
    ca = models.ForeignKey(CertificateAuthority, on_delete=models.PROTECT, related_name="issued")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    subject_iin_index = models.CharField(max_length=64, db_index=True)
    # Whose signing key this is when the platform itself holds the key ("agency:<code>");
    # empty for citizens, whose keys we never see.
    holder_key = models.CharField(max_length=100, blank=True, default="", db_index=True)
    certificate_pem = models.TextField()
    # Only for certificates whose key the platform signs with (agencies), as AES-GCM ciphertext.
    private_key_pem = EncryptedTextField(blank=True, default="")
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(
        max_length=32, choices=RevocationReason.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("issued certificate")
        verbose_name_plural = _("issued certificates")
        indexes = [models.Index(fields=["ca", "revoked_at"], name="signatures_ca_revoked_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"
