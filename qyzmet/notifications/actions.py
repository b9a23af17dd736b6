"""Writing messages: the outbox row in the caller's transaction, delivery by the worker.

`notify(recipient=…, event=…, context=…, dedupe_key=…)` is the one way to tell someone
something. It renders the event in the recipient's language, writes one `Notification` row per
channel (the inbox row is delivered at once) and enqueues their delivery, all in the caller's
transaction: a rolled-back action leaves neither the rows nor the task. See
docs/notifications.md for the statuses and the exactly-once argument.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.core.calendar import ALMATY
from qyzmet.core.crypto import blind_index
from qyzmet.core.errors import NotFound, ValidationFailed
from qyzmet.core.ids import uuid_or_none
from qyzmet.core.ratelimit import Count, rate_spent
from qyzmet.notifications.events import event_get, event_render
from qyzmet.notifications.failover import provider_demo_failing_set, sms_send
from qyzmet.notifications.models import (
    Notification,
    NotificationPreference,
    PushSubscription,
)
from qyzmet.notifications.recipients import Recipient
from qyzmet.notifications.schedule import parse_quiet_hours, quiet_until

logger = logging.getLogger(__name__)

__all__ = ["Recipient", "email_send", "notify", "provider_demo_failing_set", "sms_send"]

Status = Notification.Status
Reason = Notification.Reason
HELD_AT_NIGHT = ("sms", "push")  # e-mail and the inbox wait for nobody
LIMITED = ("sms", "push", "email")


def email_send(*, to: str, subject: str, text: str, message_id: str | None = None) -> None:
    """Hand one e-mail to Django's mail backend. `message_id` (the outbox row's id) becomes the
    Message-ID header, which the sink treats as its idempotency key."""
    from django.core.mail import EmailMessage

    headers = {"Message-ID": f"<{message_id}@qyzmet>"} if message_id else {}
    EmailMessage(subject=subject, body=text, to=[to], headers=headers).send()


def _quiet() -> tuple[Any, Any] | None:
    return parse_quiet_hours(settings.QYZMET_NOTIFY_QUIET_HOURS)


def _routes(
    channel: str, recipient: Recipient, prefs: NotificationPreference | None, urgent: bool
) -> list[tuple[str, str, str]]:
    """(dedupe suffix, address, failure reason or "") for each copy on `channel`; [] when the
    recipient never set the channel up (no e-mail address, no push subscription)."""
    if channel == "inbox":
        return [("", "", "")]
    opted_out = (
        not urgent
        and prefs is not None
        and not getattr(prefs, {"sms": "sms", "email": "email_enabled", "push": "push"}[channel])
    )
    if channel == "sms":
        if not recipient.phone:
            return [("", "", Reason.NO_ROUTE)]
        return [("", recipient.phone, Reason.OPTED_OUT if opted_out else "")]
    if channel == "email":
        address = recipient.email or (prefs.email if prefs else "")
        if not address:
            return []
        return [("", address, Reason.OPTED_OUT if opted_out else "")]
    if channel == "push":
        from qyzmet.notifications.providers.push import push_configured

        if not push_configured():
            return []
        subscriptions = PushSubscription.objects.filter(recipient_ref=recipient.ref)
        return [
            (f":{s.pk}", str(s.pk), Reason.OPTED_OUT if opted_out else "") for s in subscriptions
        ]
    raise ValueError(f"unknown channel {channel!r}")


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
    language = recipient.language if recipient.language in ("kk", "ru", "en") else "kk"
    rendered = event_render(event, language=language, context=context)
    prefs = NotificationPreference.objects.filter(recipient_ref=recipient.ref).first()
    quiet = _quiet()
    expires_at = expires_at or (
        now + timedelta(seconds=spec.ttl_seconds)
        if spec.ttl_seconds
        else now + timedelta(hours=settings.QYZMET_NOTIFY_EXPIRY_HOURS)
    )
    wanted = [c for c in spec.channels if channels is None or c in channels]
    rows: list[Notification] = []
    for channel in wanted:
        for suffix, address, reason in _routes(channel, recipient, prefs, spec.urgent):
            row = Notification(
                recipient_ref=recipient.ref,
                channel=channel,
                address=address,
                address_index=blind_index(address, purpose="recipient") if address else "",
                event=event,
                language=language,
                subject=rendered.subject,
                text=rendered.text,
                link=rendered.link,
                urgent=spec.urgent,
                dedupe_key=f"{dedupe_key}:{channel}{suffix}"[:200],
                created_at=now,
                next_attempt_at=now,
                expires_at=expires_at,
            )
            limited = not reason and not spec.urgent and channel in LIMITED
            if limited and _over_limit(recipient.ref, channel, now):
                reason = Reason.RECIPIENT_LIMIT
            if reason:
                row.status, row.reason, row.failed_at = Status.FAILED, reason, now
            elif channel == "inbox":
                row.status, row.delivered_at, row.provider = Status.DELIVERED, now, "inbox"
            elif spec.urgent:
                # This process sends it after commit; the worker takes over if that fails.
                fallback = timedelta(seconds=settings.QYZMET_NOTIFY_URGENT_FALLBACK_SECONDS)
                row.next_attempt_at = now + fallback
            elif channel in HELD_AT_NIGHT:
                held = quiet_until(now, quiet, ALMATY)
                if held is not None:
                    row.not_before = row.next_attempt_at = held
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


def _schedule(rows: list[Notification]) -> None:
    from qyzmet.notifications.tasks import deliver_task

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
    from django_tasks_db.models import DBTaskResult

    from qyzmet.notifications.tasks import DELIVERY_TASKS_AHEAD, deliver_task

    waiting = DBTaskResult.objects.ready().filter(task_path=deliver_task.module_path)
    return len(waiting.values_list("pk", flat=True)[:DELIVERY_TASKS_AHEAD]) >= DELIVERY_TASKS_AHEAD


def _deliver_now(ids: list[str]) -> None:
    from qyzmet.notifications.delivery import notifications_deliver

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
            pk=key, recipient_ref=recipient_ref, channel=Notification.Channel.INBOX
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
        recipient_ref=recipient_ref, channel=Notification.Channel.INBOX, read_at__isnull=True
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
            _("This push subscription is not valid."), code="push_subscription_invalid"
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
    from django.core.exceptions import ImproperlyConfigured

    from qyzmet.core.errors import QyzmetError
    from qyzmet.notifications.providers.sms import ReceiptRejected, configured_names, get_provider

    if provider not in configured_names():
        raise NotFound()
    try:
        receipts = get_provider(provider).receipts(body=body, headers=headers)
    except (ReceiptRejected, ImproperlyConfigured):
        raise QyzmetError(
            _("This delivery receipt could not be verified."), code="receipt_rejected", status=403
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
