"""Read-only views of the PKI. CA private keys are never shown; changes go through actions."""

from __future__ import annotations

from django.contrib import admin

from qyzmet.core.admin import ReadOnlyAdmin
from qyzmet.signatures.models import CertificateAuthority, IssuedCertificate


@admin.register(CertificateAuthority)
class CertificateAuthorityAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "parent", "created_at")
    fields = ("name", "kind", "parent", "certificate_pem", "created_at")


@admin.register(IssuedCertificate)
class IssuedCertificateAdmin(ReadOnlyAdmin):
    list_display = (
        "serial",
        "kind",
        "holder_key",
        "ca",
        "not_after",
        "revoked_at",
        "revocation_reason",
    )
    list_filter = ("kind", "ca")
    search_fields = ("serial",)
    fields = (
        "serial",
        "kind",
        "ca",
        "certificate_pem",
        "not_before",
        "not_after",
        "revoked_at",
        "revocation_reason",
        "created_at",
    )
