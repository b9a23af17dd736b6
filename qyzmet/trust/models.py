"""Data-access events: who read which fields of whose record, when and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from qyzmet.core.models import Record


class DataAccessEvent(Record):
    class Channel(models.TextChoices):
        BACKOFFICE = "backoffice"
        API = "api"
        SYSTEM = "system"

    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_system = models.CharField(max_length=64, blank=True)  # e.g. "applications.prefill"
    channel = models.CharField(max_length=16, choices=Channel.choices)
    fields = models.JSONField(default=list)
    purpose = models.CharField(max_length=200)
    legal_basis = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["person", "created_at"])]
