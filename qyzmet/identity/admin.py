"""Admin: accounts and their permissions only. Personal data is not browsable here; officers
read records through the back office, where every read is recorded."""

from __future__ import annotations

from django.contrib import admin

from qyzmet.identity.models import Account


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("login", "person_id", "is_staff", "is_superuser", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("login",)
    fields = ("login", "is_active", "is_staff", "is_superuser", "groups", "user_permissions")
    readonly_fields = ("login",)
    filter_horizontal = ("groups", "user_permissions")

    def has_add_permission(self, request: object) -> bool:
        return False
