"""Administration: surveys are read here and opened or closed through the actions; responses
are never edited (they are the respondents' words)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from qyzmet.core.errors import QyzmetError
from qyzmet.surveys.actions import survey_close, survey_open
from qyzmet.surveys.models import Survey


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "status", "opens_on", "closes_on", "sample_size")
    list_filter = ("status",)
    search_fields = ("code",)
    readonly_fields = ("code", "status", "created_at", "opened_at", "closed_at")
    actions = ("open_surveys", "close_surveys")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # surveys are created from their definition (actions.survey_create)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _move(self, request: HttpRequest, queryset: QuerySet[Survey], move: Any) -> None:
        for survey in queryset:
            try:
                move(survey=survey)
            except QyzmetError as exc:
                self.message_user(request, f"{survey.code}: {exc.message}", messages.ERROR)

    @admin.action(description=_("Open the chosen surveys"))
    def open_surveys(self, request: HttpRequest, queryset: QuerySet[Survey]) -> None:
        self._move(request, queryset, survey_open)

    @admin.action(description=_("Close the chosen surveys"))
    def close_surveys(self, request: HttpRequest, queryset: QuerySet[Survey]) -> None:
        self._move(request, queryset, survey_close)
