"""Background delivery: the batch loop (claim, send, record the outcomes with their retry tasks),
a task per batch of new rows, and a periodic sweep.

`deliver_task` is enqueued by `notify` in the caller's transaction (the database task backend
writes its row there), so a committed message always has a task. The sweep runs every
`QYZMET_NOTIFY_SWEEP_SECONDS` and picks up whatever is due and has no live task: rows whose
worker was killed mid-send (their lease has run out), rows held for quiet hours whose task was
lost. It is a periodic sweep (`qyzmet.core.periodic`): the worker starts it when it starts, and
delivery tasks restart it when it is missing.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from qyzmet.core.periodic import periodic_next, periodic_pending, periodic_schedule
from qyzmet.notifications.delivery import (
    Outcome,
    notification_attempt,
    notification_finish,
    notification_unattempted,
    notifications_claim,
)
from qyzmet.notifications.models import Notification

QUEUE = "notifications"
SWEEP = "outbox"


BATCH = 50
DRAIN_SECONDS = 5.0
# While this many delivery tasks wait to run, `notify` enqueues no more (they drain everything
# due); enough to keep several workers busy.
DELIVERY_TASKS_AHEAD = 4


def notifications_deliver(
    *, ids: list[str] | None = None, limit: int = 100, due_by: datetime | None = None
) -> int:
    """Claim and send due rows; the number handled (sent, failed or put back for later).

    The outcomes of a batch are written together, in one transaction after the sends, with the
    tasks of the rows to retry: one commit per batch instead of one per message. A crash before
    that commit leaves the batch `sending`; it is resent after the lease with the same ids, so
    still nothing twice."""
    rows = notifications_claim(ids=ids, limit=limit, due_by=due_by)
    if not rows:
        return 0
    outcomes: list[tuple[Notification, Outcome]] = []
    # Stop sending well before the lease runs out, or another worker would take the rest over.
    stop_at = timezone.now() + timedelta(seconds=settings.QYZMET_NOTIFY_LEASE_SECONDS / 2)
    for row in rows:
        if timezone.now() >= stop_at:
            outcomes.append((row, notification_unattempted(row)))
            continue
        outcomes.append((row, notification_attempt(row)))
    _record(outcomes)
    return len(rows)


def _record(outcomes: list[tuple[Notification, Outcome]]) -> None:
    retries: dict[datetime, list[str]] = {}
    with transaction.atomic():
        for row, outcome in outcomes:
            when = outcome.get("next_attempt_at")
            if notification_finish(row, **outcome) and when is not None:
                retries.setdefault(when, []).append(str(row.pk))
        for when, ids in retries.items():
            deliver_task.using(run_after=when).enqueue(ids)


def notifications_sweep(*, limit: int = 500) -> int:
    """Everything due (including rows whose sender died mid-send), in batches."""
    handled = 0
    while handled < limit * 20:
        batch = notifications_deliver(limit=limit)
        handled += batch
        if batch < limit:
            break
    return handled


@task(queue_name=QUEUE)
def deliver_task(ids: list[str]) -> int:
    # Rows another process holds, or that are not due yet, are skipped: the sweep or their own
    # retry task gets them.
    _keep_the_sweep_alive()
    handled = notifications_deliver(ids=ids, limit=len(ids)) if ids else 0
    # Then whatever else is due, a batch at a time, for a few seconds: under load one task
    # sends what many were enqueued for (those find their rows done and end at once), so the
    # outbox's commits are per batch, not per message.
    deadline = time.monotonic() + DRAIN_SECONDS
    while True:
        batch = notifications_deliver(limit=BATCH)
        handled += batch
        if batch < BATCH or time.monotonic() >= deadline:
            break
    if batch == BATCH:  # more is due: hand over to a fresh task rather than wait for the sweep
        deliver_task.enqueue([])
    return handled


@task(queue_name=QUEUE)
def notifications_sweep_task() -> int:
    periodic_next(SWEEP)
    return notifications_sweep()


_checked_at = 0.0


def _keep_the_sweep_alive() -> None:
    """Delivery tasks restart the sweep chain if it was never started (or lost): checked at
    most once per sweep interval per process, so it costs nearly nothing."""
    global _checked_at
    if time.monotonic() - _checked_at < settings.QYZMET_NOTIFY_SWEEP_SECONDS:
        return
    _checked_at = time.monotonic()
    if not periodic_pending(name=SWEEP):
        periodic_schedule(name=SWEEP)
