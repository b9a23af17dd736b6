"""Delivering outbox rows: claim with a lease, send with the row id as the idempotency key,
record the result; retry with backoff, fail with a reason.

A claim is one short transaction: due rows are locked (`SKIP LOCKED` on PostgreSQL, so workers
share the work; SQLite runs one writer at a time), set to `sending` with a lease
(`claimed_until`) and their attempt counted. The send happens outside any transaction. A worker
killed mid-send leaves its rows `sending`; when the lease ends they are due again, and the
resend carries the same client message id, which the provider answers with the first result.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from qyzmet.core.calendar import ALMATY
from qyzmet.notifications.failover import sms_send
from qyzmet.notifications.models import Notification, PushSubscription
from qyzmet.notifications.providers.sms import SmsRefused
from qyzmet.notifications.schedule import next_attempt, parse_quiet_hours

logger = logging.getLogger(__name__)

Status = Notification.Status
Reason = Notification.Reason


class Refused(Exception):
    """Final: no retry will help."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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


def notifications_deliver(
    *, ids: list[str] | None = None, limit: int = 100, due_by: datetime | None = None
) -> int:
    """Claim and send due rows; the number handled (sent, failed or put back for later).

    The outcomes of a batch are written together, in one transaction after the sends: one
    commit per batch instead of one per message. A crash before that commit leaves the batch
    `sending`; it is resent after the lease with the same ids, so still nothing twice."""
    rows = notifications_claim(ids=ids, limit=limit, due_by=due_by)
    if not rows:
        return 0
    outcomes: list[tuple[Notification, dict[str, Any]]] = []
    # Stop sending well before the lease runs out, or another worker would take the rest over.
    stop_at = timezone.now() + timedelta(seconds=settings.QYZMET_NOTIFY_LEASE_SECONDS / 2)
    for row in rows:
        if timezone.now() >= stop_at:
            # Not attempted: back in the queue as it was.
            outcomes.append((row, {"status": Status.CREATED, "attempts": row.attempts - 1}))
            continue
        outcomes.append((row, _deliver_one(row)))
    _record(outcomes)
    return len(rows)


def _deliver_one(row: Notification) -> dict[str, Any]:
    """Send one claimed row; the values to record."""
    now = timezone.now()
    if row.expires_at is not None and now >= row.expires_at:
        return {"status": Status.FAILED, "reason": Reason.EXPIRED}
    try:
        provider, message_id, delivered = _send(row)
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
        "status": Status.DELIVERED if delivered else Status.SENT,
        "provider": provider,
        "provider_message_id": message_id,
        "sent_at": now,
        "delivered_at": now if delivered else None,
    }


def _record(outcomes: list[tuple[Notification, dict[str, Any]]]) -> None:
    from qyzmet.notifications.tasks import deliver_task

    retries: dict[datetime, list[str]] = {}
    with transaction.atomic():
        for row, values in outcomes:
            when = values.get("next_attempt_at")
            if _finish(row, **values) and when is not None:
                retries.setdefault(when, []).append(str(row.pk))
        for when, ids in retries.items():
            deliver_task.using(run_after=when).enqueue(ids)


def _send(row: Notification) -> tuple[str, str, bool]:
    key = str(row.pk)
    if row.channel == Notification.Channel.SMS:
        try:
            result = sms_send(to=row.address, text=row.text, client_message_id=key)
        except SmsRefused as exc:
            raise Refused(Reason.PROVIDER_REFUSED) from exc
        return result.provider, result.provider_message_id, result.delivered
    if row.channel == Notification.Channel.EMAIL:
        from qyzmet.notifications.actions import email_send

        email_send(to=row.address, subject=row.subject, text=row.text, message_id=key)
        return "email", key, False
    if row.channel == Notification.Channel.PUSH:
        from qyzmet.notifications.providers.push import push_send

        subscription = PushSubscription.objects.filter(pk=row.address).first()
        if subscription is None:
            raise Refused(Reason.NO_ROUTE)
        pushed = push_send(
            endpoint=subscription.endpoint,
            p256dh=subscription.p256dh,
            auth=subscription.auth,
            title=row.subject,
            link=row.link or "/me/inbox/",
            tag=key,
        )
        if pushed.gone:
            subscription.delete()
            raise Refused(Reason.NO_ROUTE)
        return "push", key, False
    raise Refused(Reason.NO_ROUTE)


def _retry_or_fail(row: Notification) -> dict[str, Any]:
    now = timezone.now()
    if row.attempts >= settings.QYZMET_NOTIFY_MAX_ATTEMPTS:
        return {"status": Status.FAILED, "reason": Reason.PROVIDER_REFUSED}
    when = next_attempt(
        now,
        row.attempts,
        base=settings.QYZMET_NOTIFY_RETRY_BASE_SECONDS,
        cap=settings.QYZMET_NOTIFY_RETRY_MAX_SECONDS,
        quiet=parse_quiet_hours(settings.QYZMET_NOTIFY_QUIET_HOURS)
        if row.channel in ("sms", "push")
        else None,
        zone=ALMATY,
        urgent=row.urgent,
    )
    if row.expires_at is not None and when >= row.expires_at:
        return {"status": Status.FAILED, "reason": Reason.EXPIRED}
    return {"status": Status.CREATED, "next_attempt_at": when}


def _finish(row: Notification, **values: Any) -> bool:
    """Record the outcome, unless another process has claimed the row since (our lease ran
    out): its outcome is the one that counts."""
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


def notifications_sweep(*, limit: int = 500) -> int:
    """Everything due (including rows whose sender died mid-send), in batches."""
    handled = 0
    while handled < limit * 20:
        batch = notifications_deliver(limit=limit)
        handled += batch
        if batch < limit:
            break
    return handled
