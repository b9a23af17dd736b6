"""Writing messages: the outbox row in the caller's transaction, delivery by the worker.

`notify(recipient=…, event=…, context=…, dedupe_key=…)` is the one way to tell someone
something. It renders the event in the recipient's language, writes one `Notification` row per
channel (the inbox row is delivered at once, and keeps the event's parameters to be rendered in
the reader's language when read) and enqueues their delivery, all in the caller's transaction:
a rolled-back action leaves neither the rows nor the task. See docs/notifications.md for the
statuses and the exactly-once argument.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from qyzmet.core.calendar import ALMATY
from qyzmet.core.crypto import blind_index
from qyzmet.core.errors import NotFound, QyzmetError, ValidationFailed
from qyzmet.core.ids import uuid_or_none
from qyzmet.core.ratelimit import Count, rate_spent
from qyzmet.notifications.channels.base import Channel, Route
from qyzmet.notifications.channels.email import email_send
from qyzmet.notifications.channels.names import ChannelName
from qyzmet.notifications.channels.registry import channel_get
from qyzmet.notifications.errors import ErrorCode
from qyzmet.notifications.events import Event, event_context_dump, event_get, event_render
from qyzmet.notifications.failover import provider_demo_failing_set, sms_send
from qyzmet.notifications.models import (
    Notification,
    NotificationPreference,
    PushSubscription,
)
from qyzmet.notifications.providers.sms import ReceiptRejected, configured_names, get_provider
from qyzmet.notifications.recipients import Recipient
from qyzmet.notifications.schedule import parse_quiet_hours, quiet_until
from qyzmet.notifications.tasks import DELIVERY_TASKS_AHEAD, deliver_task, notifications_deliver

logger = logging.getLogger(__name__)

__all__ = ["Recipient", "email_send", "notify", "provider_demo_failing_set", "sms_send"]

Status = Notification.Status
Reason = Notification.Reason
LANGUAGES = ("kk", "ru", "en")


def _quiet() -> tuple[time, time] | None:
    return parse_quiet_hours(settings.QYZMET_NOTIFY_QUIET_HOURS)


def _over_limit(recipient_ref: str, channel: str, now: datetime) -> bool:
    return rate_spent(
        rows=Notification.objects.filter(channel=channel, urgent=False).exclude(
            status=Status.FAILED
        ),
        count=Count(budget="notify.recipient.channel", key=recipient_ref, field="recipient_ref"),
        now=now,
    )


def notify(
    *,
    recipient: Recipient,
    event: str,
    context: Mapping[str, Any],
    dedupe_key: str,
    channels: Sequence[str] | None = None,
    now: datetime | None = None,
    expires_at: datetime | None = None,
) -> list[Notification]:
    """Tell `recipient` about `event` on the event's channels (or the given subset of them).

    Call it inside the transaction of the change that causes the message. `dedupe_key` names
    the occurrence ("payment:<id>:succeeded"): calling again with the same key (a retried
    request or task) changes nothing and returns the rows of the first call. Urgent events
    (codes) are sent right after commit by this process, with the worker as the fallback.
    """
    spec = event_get(event)
    now = now or timezone.now()
    language = recipient.language if recipient.language in LANGUAGES else "kk"
    rendered = event_render(event, language=language, context=context)
    kept = event_context_dump(event, context)
    prefs = NotificationPreference.objects.filter(recipient_ref=recipient.ref).first()
    expires_at = expires_at or (
        now + timedelta(seconds=spec.ttl_seconds)
        if spec.ttl_seconds
        else now + timedelta(hours=settings.QYZMET_NOTIFY_EXPIRY_HOURS)
    )
    wanted = [channel_get(c) for c in spec.channels if channels is None or c in channels]
    rows: list[Notification] = []
    for channel in wanted:
        for route in channel.routes(recipient=recipient, prefs=prefs, urgent=spec.urgent):
            row = Notification(
                recipient_ref=recipient.ref,
                channel=channel.name,
                address=route.address,
                address_index=blind_index(route.address, purpose="recipient")
                if route.address
                else "",
                event=event,
                language=language,
                subject=rendered.subject,
                text=rendered.text,
                context=kept if channel.read_later else "",
                link=rendered.link,
                urgent=spec.urgent,
                dedupe_key=f"{dedupe_key}:{channel.name}{route.dedupe_suffix}"[:200],
                created_at=now,
                next_attempt_at=now,
                expires_at=expires_at,
            )
            _row_settle(row, channel=channel, route=route, spec=spec, now=now)
            rows.append(row)
    if not rows:
        return []
    # no savepoint: nothing in here raises on a duplicate (ignore_conflicts), and inside the
    # caller's transaction a savepoint would cost two more statements per message
    with transaction.atomic(savepoint=False):
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        stored = list(Notification.objects.filter(dedupe_key__in=[r.dedupe_key for r in rows]))
        ours = {r.pk for r in rows}  # rows an earlier call with the same key wrote are left be
        _schedule([r for r in stored if r.status == Status.CREATED and r.pk in ours])
    return stored


def _row_settle(
    row: Notification, *, channel: Channel, route: Route, spec: Event, now: datetime
) -> None:
    """Failed at once (no route, opted out, over the limit), delivered at once (the inbox), or
    when to send it: right after commit (urgent), after the quiet hours, or now."""
    reason = route.refusal
    limited = reason is None and not spec.urgent and channel.limited
    if limited and _over_limit(row.recipient_ref, channel.name, now):
        reason = Reason.RECIPIENT_LIMIT
    if reason is not None:
        row.status, row.reason, row.failed_at = Status.FAILED, reason, now
    elif channel.delivered_on_write:
        row.status, row.delivered_at, row.provider = Status.DELIVERED, now, channel.name
    elif spec.urgent:
        # This process sends it after commit; the worker takes over if that fails.
        fallback = timedelta(seconds=settings.QYZMET_NOTIFY_URGENT_FALLBACK_SECONDS)
        row.next_attempt_at = now + fallback
    elif channel.held_at_night:
        held = quiet_until(now, _quiet(), ALMATY)
        if held is not None:
            row.not_before = row.next_attempt_at = held


def _schedule(rows: list[Notification]) -> None:
    by_time: dict[datetime, list[str]] = {}
    for row in rows:
        by_time.setdefault(row.next_attempt_at, []).append(str(row.pk))
    now = timezone.now()
    for when, ids in by_time.items():
        if when > now:
            deliver_task.using(run_after=when).enqueue(ids)
        elif urgent_only(rows) or not deliveries_waiting():
            deliver_task.enqueue(ids)
        # else: enough delivery tasks are waiting to run, and each sends whatever is due (ours
        # too, once committed); at worst the sweep sends it. Under load this saves the task
        # queue's own two commits per message.
    urgent = [str(r.pk) for r in rows if r.urgent]
    if urgent:
        transaction.on_commit(lambda: _deliver_now(urgent))


def urgent_only(rows: list[Notification]) -> bool:
    return all(row.urgent for row in rows)


def deliveries_waiting() -> bool:
    """Whether `DELIVERY_TASKS_AHEAD` delivery tasks are due and not started yet."""
    waiting = DBTaskResult.objects.ready().filter(task_path=deliver_task.module_path)
    return len(waiting.values_list("pk", flat=True)[:DELIVERY_TASKS_AHEAD]) >= DELIVERY_TASKS_AHEAD


def _deliver_now(ids: list[str]) -> None:
    try:
        notifications_deliver(ids=ids, due_by=timezone.now() + timedelta(days=1))
    except Exception:  # the worker's fallback task will try again
        logger.exception("urgent delivery failed; the worker will retry")


# --- The inbox ----------------------------------------------------------------------------------


def access_inbox_item_by_id(*, recipient_ref: str, item_id: str) -> Notification:
    """One of the recipient's inbox items; someone else's looks like none."""
    key = uuid_or_none(item_id)
    item = (
        Notification.objects.filter(
            pk=key, recipient_ref=recipient_ref, channel=ChannelName.INBOX
        ).first()
        if key
        else None
    )
    if item is None:
        raise NotFound()
    return item


def inbox_item_mark_read(*, recipient_ref: str, item_id: str, read: bool = True) -> Notification:
    item = access_inbox_item_by_id(recipient_ref=recipient_ref, item_id=item_id)
    item.read_at = (item.read_at or timezone.now()) if read else None
    item.save(update_fields=["read_at"])
    return item


def inbox_mark_all_read(*, recipient_ref: str) -> int:
    return Notification.objects.filter(
        recipient_ref=recipient_ref, channel=ChannelName.INBOX, read_at__isnull=True
    ).update(read_at=timezone.now())


# --- Preferences and push subscriptions ---------------------------------------------------------


def preferences_update(
    *, recipient_ref: str, email: str, sms: bool, email_enabled: bool, push: bool
) -> NotificationPreference:
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationFailed(
                details={"fields": [{"field": "email", "message": _("Enter a valid e-mail.")}]}
            ) from None
    prefs, _created = NotificationPreference.objects.update_or_create(
        recipient_ref=recipient_ref,
        defaults={"email": email, "sms": sms, "email_enabled": email_enabled, "push": push},
    )
    return prefs


def push_subscription_add(
    *, recipient_ref: str, endpoint: str, p256dh: str, auth: str
) -> PushSubscription:
    if not endpoint.startswith("https://") or len(endpoint) > 2000 or not p256dh or not auth:
        raise ValidationFailed(
            _("This push subscription is not valid."), code=ErrorCode.PUSH_SUBSCRIPTION_INVALID
        )
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint_index=blind_index(endpoint, purpose="push"),
        defaults={
            "recipient_ref": recipient_ref,
            "endpoint": endpoint,
            "p256dh": p256dh[:200],
            "auth": auth[:100],
        },
    )
    return subscription


def push_subscription_remove(*, recipient_ref: str, endpoint: str) -> int:
    deleted, _rest = PushSubscription.objects.filter(
        recipient_ref=recipient_ref, endpoint_index=blind_index(endpoint, purpose="push")
    ).delete()
    return deleted


# --- Delivery receipts --------------------------------------------------------------------------


def receipts_apply(*, provider: str, body: bytes, headers: Mapping[str, str]) -> int:
    """A provider's delivery-receipt callback: verified by the provider (its signature), then
    each message it names moves from sent to delivered or failed. Returns how many changed."""
    if provider not in configured_names():
        raise NotFound()
    try:
        receipts = get_provider(provider).receipts(body=body, headers=headers)
    except (ReceiptRejected, ImproperlyConfigured):
        raise QyzmetError(
            _("This delivery receipt could not be verified."),
            code=ErrorCode.RECEIPT_REJECTED,
            status=403,
        ) from None
    now = timezone.now()
    changed = 0
    for receipt in receipts:
        rows = Notification.objects.filter(
            provider=provider,
            provider_message_id=receipt.provider_message_id,
            status__in=[Status.SENT, Status.SENDING],
        )
        if receipt.delivered:
            changed += rows.update(status=Status.DELIVERED, delivered_at=now, claimed_until=None)
        else:
            changed += rows.update(
                status=Status.FAILED, reason=Reason.UNDELIVERED, failed_at=now, claimed_until=None
            )
    return changed
