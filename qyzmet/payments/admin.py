"""Administration: payments are read here, never edited (every change goes through an action)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from qyzmet.payments.models import (
    Invoice,
    Payment,
    ReconciliationRun,
    UtilityAccount,
    UtilityProvider,
)


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnly):
    list_display = ("purpose_ref", "kind", "status", "amount_tiyn", "mci_multiple", "due_date")
    list_filter = ("kind", "status")
    search_fields = ("purpose_ref",)
    raw_id_fields = ("payer",)


@admin.register(Payment)
class PaymentAdmin(ReadOnly):
    list_display = ("id", "state", "amount_tiyn", "gateway", "gateway_ref", "created_at")
    list_filter = ("state", "gateway")
    search_fields = ("gateway_ref",)
    raw_id_fields = ("payer",)


@admin.register(UtilityProvider)
class UtilityProviderAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "service")


@admin.register(UtilityAccount)
class UtilityAccountAdmin(ReadOnly):
    list_display = ("provider", "number", "linked_at")
    list_filter = ("provider",)
    search_fields = ("number",)
    raw_id_fields = ("person",)


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnly):
    list_display = ("day", "gateway", "checked", "created_at")
