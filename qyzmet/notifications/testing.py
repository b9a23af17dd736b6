"""For tests: deliver what the worker would, now, without a worker."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from qyzmet.notifications.tasks import notifications_deliver


def deliver_due(*, past_quiet_hours: bool = True) -> int:
    """Send every message waiting in the outbox, as the worker would; with `past_quiet_hours`
    also those held for the night (tests run at any hour). Returns how many were handled."""
    due_by = timezone.now() + (timedelta(days=1) if past_quiet_hours else timedelta(0))
    handled = 0
    while batch := notifications_deliver(limit=500, due_by=due_by):
        handled += batch
    return handled
