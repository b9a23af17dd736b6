"""Background delivery: a task per batch of new rows, and a periodic sweep.

`deliver_task` is enqueued by `notify` in the caller's transaction (the database task backend
writes its row there), so a committed message always has a task. The sweep runs every
`QYZMET_NOTIFY_SWEEP_SECONDS` and picks up whatever is due and has no live task: rows whose
worker was killed mid-send (their lease has run out), rows held for quiet hours whose task was
lost. It is a periodic sweep (`qyzmet.core.periodic`): the worker starts it when it starts, and
delivery tasks restart it when it is missing.
"""

from __future__ import annotations

import time

from django.conf import settings
from django_tasks import task

from qyzmet.core.periodic import periodic_next, periodic_pending, periodic_schedule
from qyzmet.notifications.delivery import notifications_deliver, notifications_sweep

QUEUE = "notifications"
SWEEP = "outbox"


BATCH = 50
DRAIN_SECONDS = 5.0
# While this many delivery tasks wait to run, `notify` enqueues no more (they drain everything
# due); enough to keep several workers busy.
DELIVERY_TASKS_AHEAD = 4


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
