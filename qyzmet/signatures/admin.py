"""Read-only views of the PKI. CA private keys are never shown; changes go through actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from qyzmet.signatures.models import CertificateAuthority, IssuedCertificate


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
