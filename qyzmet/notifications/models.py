from __future__ import annotations

from django.db import models
from django.utils import timezone

from qyzmet.core.crypto import EncryptedTextField
from qyzmet.core.models import UuidRecord
from qyzmet.notifications.channels.names import ChannelName

SINK_CHANNELS = (ChannelName.SMS, ChannelName.EMAIL)  # what the demo providers deliver


class SinkMessage(models.Model):
    """A message that a demo provider 'delivered': kept in the database, shown at /dev/outbox.

    Only demo mode writes here; production providers hand messages to real gateways. Even so,
    recipient and text (which holds one-time codes) are stored encrypted, like all personal data.
    `client_message_id` is the sender's idempotency key: a second send with the same key returns
    the first message instead of making another, as a real provider must.
    """

    channel = models.CharField(
        max_length=16, choices=[(name.value, name.label) for name in SINK_CHANNELS]
    )
    recipient = EncryptedTextField()
    recipient_index = models.CharField(max_length=64, db_index=True)
    subject = EncryptedTextField(blank=True, default="")
    text = EncryptedTextField()
    provider = models.CharField(max_length=32)
    client_message_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}"


class Notification(UuidRecord):
    """One message to one recipient on one channel: the outbox row.

    Written in the transaction of the change that causes it; delivered by the worker (or, for
    urgent codes, right after commit by the requesting process). `dedupe_key` is unique, so an
    action retried with the same key never makes a second row; the row's id is the provider's
    client message id, so a retried delivery never makes a second message.
    """

    class Status(models.TextChoices):
        CREATED = "created", "created"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"  # accepted by a provider, awaiting its delivery receipt
        DELIVERED = "delivered", "delivered"
        FAILED = "failed", "failed"

    class Reason(models.TextChoices):
        NO_ROUTE = "no_route", "no route"
        OPTED_OUT = "opted_out", "opted out"
        PROVIDER_REFUSED = "provider_refused", "provider refused"
        EXPIRED = "expired", "expired"
        RECIPIENT_LIMIT = "recipient_limit", "recipient limit"
        UNDELIVERED = "undelivered", "undelivered"  # the provider's receipt said so

    recipient_ref = models.CharField(max_length=64)
    channel = models.CharField(
        max_length=8, choices=[(name.value, name.label) for name in ChannelName]
    )
    address = EncryptedTextField(blank=True, default="")
    address_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    event = models.CharField(max_length=64)
    language = models.CharField(max_length=2, default="kk")  # of `subject` and `text`
    subject = EncryptedTextField(blank=True, default="")
    text = EncryptedTextField()
    # The event's parameters as JSON, kept where the message is read later (the inbox) so that
    # it is rendered in the reader's language then; empty on the channels delivered once (SMS,
    # e-mail, push), for codes, and on rows older than it (those show `subject` and `text`).
    context = EncryptedTextField(blank=True, default="")
    link = models.CharField(max_length=200, blank=True, default="")
    urgent = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CREATED)
    reason = models.CharField(max_length=32, choices=Reason.choices, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    not_before = models.DateTimeField(null=True, blank=True)  # held for quiet hours
    expires_at = models.DateTimeField(null=True, blank=True)
    provider = models.CharField(max_length=32, blank=True, default="")
    provider_message_id = models.CharField(max_length=128, blank=True, default="")
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due"),
            models.Index(
                fields=["recipient_ref", "channel", "created_at"], name="notification_recipient"
            ),
            models.Index(fields=["provider", "provider_message_id"], name="notification_receipt"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.event} {self.status}"


class SmsProviderState(models.Model):
    """Errors of an SMS provider in the current minute, and until when it is rested. Shared by
    every process through the database (updated under a row lock)."""

    name = models.CharField(max_length=32, primary_key=True)
    window_started_at = models.DateTimeField(null=True, blank=True)
    errors = models.PositiveIntegerField(default=0)
    rested_until = models.DateTimeField(null=True, blank=True)
    demo_failing = models.BooleanField(default=False)  # demo switch on /dev/outbox

    def __str__(self) -> str:
        return self.name


class NotificationPreference(models.Model):
    """A recipient's channels: an e-mail address and what they opted out of. One-time codes
    ignore the opt-outs (they were just asked for); the inbox is always on."""

    recipient_ref = models.CharField(max_length=64, unique=True)
    email = EncryptedTextField(blank=True, default="")
    sms = models.BooleanField(default=True)
    email_enabled = models.BooleanField(default=True)
    push = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.recipient_ref


class PushSubscription(models.Model):
    """A browser's Web Push subscription (the endpoint URL holds a per-browser token)."""

    recipient_ref = models.CharField(max_length=64, db_index=True)
    endpoint = EncryptedTextField()
    endpoint_index = models.CharField(max_length=64, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.recipient_ref
