from __future__ import annotations

from django.contrib import admin

from qyzmet.core.models import CalendarOverride


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Government decrees that move working days, entered without a release."""

    list_display = ("date", "working", "reason", "updated_at")
    list_filter = ("working",)
    ordering = ("-date",)
    search_fields = ("reason",)
