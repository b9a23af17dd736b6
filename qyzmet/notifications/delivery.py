"""Delivering outbox rows: claim with a lease, send with the row id as the idempotency key,
decide the outcome; retry with backoff, fail with a reason.

A claim is one short transaction: due rows are locked (`SKIP LOCKED` on PostgreSQL, so workers
share the work; SQLite runs one writer at a time), set to `sending` with a lease
(`claimed_until`) and their attempt counted. The send happens outside any transaction, through
the row's channel. A worker killed mid-send leaves its rows `sending`; when the lease ends they
are due again, and the resend carries the same client message id, which the provider answers
with the first result. The batch loop that records outcomes and enqueues retries is in `tasks`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TypedDict, Unpack

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from qyzmet.core.calendar import ALMATY
from qyzmet.notifications.channels.base import Refused, Sent
from qyzmet.notifications.channels.registry import channel_find
from qyzmet.notifications.models import Notification
from qyzmet.notifications.schedule import next_attempt, parse_quiet_hours

logger = logging.getLogger(__name__)

Status = Notification.Status
Reason = Notification.Reason


class Outcome(TypedDict, total=False):
    """What to record on a row after an attempt (or after handing it back unattempted)."""

    status: str
    reason: str
    attempts: int
    provider: str
    provider_message_id: str
    sent_at: datetime
    delivered_at: datetime | None
    failed_at: datetime
    next_attempt_at: datetime
    claimed_until: datetime | None


def _due(now: datetime, due_by: datetime) -> Q:
    return Q(status=Status.CREATED, next_attempt_at__lte=due_by) | Q(
        status=Status.SENDING, claimed_until__lt=now
    )


def notifications_claim(
    *, ids: list[str] | None = None, limit: int = 100, due_by: datetime | None = None
) -> list[Notification]:
    """Take up to `limit` due rows (of `ids`, if given) for this process, under a lease."""
    now = timezone.now()
    due_by = max(due_by or now, now)
    with transaction.atomic():
        queryset = Notification.objects.filter(_due(now, due_by))
        if ids is not None:
            queryset = queryset.filter(pk__in=ids)
        if connection.features.has_select_for_update_skip_locked:
            queryset = queryset.select_for_update(skip_locked=True)
        rows = list(queryset.order_by("next_attempt_at")[:limit])
        if not rows:
            return []
        lease = now + timedelta(seconds=settings.QYZMET_NOTIFY_LEASE_SECONDS)
        Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
            status=Status.SENDING, claimed_until=lease, attempts=F("attempts") + 1
        )
    for row in rows:
        row.status, row.claimed_until, row.attempts = Status.SENDING, lease, row.attempts + 1
    return rows


def notification_attempt(row: Notification) -> Outcome:
    """Send one claimed row through its channel; the values to record."""
    now = timezone.now()
    if row.expires_at is not None and now >= row.expires_at:
        return {"status": Status.FAILED, "reason": Reason.EXPIRED}
    try:
        sent = _send(row)
    except Refused as exc:
        return {"status": Status.FAILED, "reason": exc.reason}
    except Exception as exc:  # any failure of a provider or its transport: try again later
        logger.warning(
            "notification not sent",
            extra={"notification": str(row.pk), "channel": row.channel, "error": repr(exc)},
        )
        return _retry_or_fail(row)
    now = timezone.now()
    return {
        "status": Status.DELIVERED if sent.delivered else Status.SENT,
        "provider": sent.provider,
        "provider_message_id": sent.message_id,
        "sent_at": now,
        "delivered_at": now if sent.delivered else None,
    }


def notification_unattempted(row: Notification) -> Outcome:
    """Back in the queue as it was, its claim's attempt not counted."""
    return {"status": Status.CREATED, "attempts": row.attempts - 1}


def _send(row: Notification) -> Sent:
    channel = channel_find(row.channel)
    if channel is None:
        raise Refused(Reason.NO_ROUTE)
    return channel.send(row)


def _retry_or_fail(row: Notification) -> Outcome:
    now = timezone.now()
    if row.attempts >= settings.QYZMET_NOTIFY_MAX_ATTEMPTS:
        return {"status": Status.FAILED, "reason": Reason.PROVIDER_REFUSED}
    channel = channel_find(row.channel)
    when = next_attempt(
        now,
        row.attempts,
        base=settings.QYZMET_NOTIFY_RETRY_BASE_SECONDS,
        cap=settings.QYZMET_NOTIFY_RETRY_MAX_SECONDS,
        quiet=parse_quiet_hours(settings.QYZMET_NOTIFY_QUIET_HOURS)
        if channel is not None and channel.held_at_night
        else None,
        zone=ALMATY,
        urgent=row.urgent,
    )
    if row.expires_at is not None and when >= row.expires_at:
        return {"status": Status.FAILED, "reason": Reason.EXPIRED}
    return {"status": Status.CREATED, "next_attempt_at": when}


def notification_finish(row: Notification, **outcome: Unpack[Outcome]) -> bool:
    """Record the outcome, unless another process has claimed the row since (our lease ran
    out): its outcome is the one that counts."""
    values: dict[str, object] = dict(outcome)
    values.setdefault("claimed_until", None)
    if values.get("status") == Status.FAILED:
        values.setdefault("failed_at", timezone.now())
    values = {k: v for k, v in values.items() if v is not None or k == "claimed_until"}
    updated = Notification.objects.filter(
        pk=row.pk, status=Status.SENDING, attempts=row.attempts
    ).update(**values)
    for name, value in values.items():
        setattr(row, name, value)
    return bool(updated)
