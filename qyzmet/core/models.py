from __future__ import annotations

import uuid

from django.db import models

from qyzmet.core.crypto import EncryptedTextField


class Record(models.Model):
    """A row with no name of its own (a key, an event, an item): it reads "<Model> #<pk>" in the
    admin and in logs. Abstract: it adds no table and no column."""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} #{self.pk}"


class UuidRecord(models.Model):
    """A row keyed by a random UUID (a key that is handed out or put in a URL, so never
    guessable): it reads "<Model> <uuid>" unless it says otherwise. Abstract: no table."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.id}"


class WorkerHeartbeat(models.Model):
    """One row per running task worker, touched every few seconds; /healthz reads it."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id}@{self.hostname}"


class CalendarOverride(models.Model):
    """An operator's correction of one day of the working-day calendar.

    Transfer decrees are sometimes published weeks before the day they move, between releases;
    deadlines must follow them at once, so an operator enters the day here and it wins over the
    yearly file (qyzmet.core.calendar) until the file catches up. `updated_at` lets every process
    notice a change with one cheap query.
    """

    date = models.DateField(unique=True)
    working = models.BooleanField(help_text="True: a working day; false: a day off.")
    reason = models.CharField(max_length=255, help_text="The act or the reason, as published.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {'working' if self.working else 'day off'}"


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` already used by its owner, with what its first request made (see
    `qyzmet.core.idempotency`)."""

    owner = models.CharField(max_length=80)  # e.g. "identity.account:42"
    key = models.CharField(max_length=100)
    scope = models.CharField(max_length=80)  # the operation, e.g. "applications.submit"
    request_hash = models.CharField(max_length=64)
    # what the first request made: a reference, or a whole answer (which may carry personal
    # data or a single-use code, hence encrypted)
    result = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "key"], name="one_use_per_idempotency_key_owner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.owner}"
