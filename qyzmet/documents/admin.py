"""Read-only view of issued documents; changes go through actions (revoking: the
`document_revoke` command)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from qyzmet.documents.models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("number", "service_code", "agency_code", "status", "issued_at")
    list_filter = ("status", "service_code", "agency_code")
    search_fields = ("number", "application_id")
    fields = (
        "number",
        "service_code",
        "agency_code",
        "application_id",
        "language",
        "title",
        "issued_at",
        "valid_until",
        "status",
        "status_changed_at",
        "revocation_reason",
        "superseded_by",
        "sha256",
        "signer_serial",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
