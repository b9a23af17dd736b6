"""Administration: payments are read here, never edited (every change goes through an action)."""

from __future__ import annotations

from django.contrib import admin

from qyzmet.core.admin import ReadOnlyAdmin
from qyzmet.payments.models import (
    Invoice,
    Payment,
    ReconciliationRun,
    UtilityAccount,
    UtilityProvider,
)


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("purpose_ref", "kind", "status", "amount_tiyn", "mci_multiple", "due_date")
    list_filter = ("kind", "status")
    search_fields = ("purpose_ref",)
    raw_id_fields = ("payer",)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("id", "state", "amount_tiyn", "gateway", "gateway_ref", "created_at")
    list_filter = ("state", "gateway")
    search_fields = ("gateway_ref",)
    raw_id_fields = ("payer",)


@admin.register(UtilityProvider)
class UtilityProviderAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "service")


@admin.register(UtilityAccount)
class UtilityAccountAdmin(ReadOnlyAdmin):
    list_display = ("provider", "number", "linked_at")
    list_filter = ("provider",)
    search_fields = ("number",)
    raw_id_fields = ("person",)


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = ("day", "gateway", "checked", "created_at")
