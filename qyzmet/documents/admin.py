"""Read-only view of issued documents; changes go through actions (revoking: the
`document_revoke` command)."""

from __future__ import annotations

from django.contrib import admin

from qyzmet.core.admin import ReadOnlyAdmin
from qyzmet.documents.models import Document


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
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
