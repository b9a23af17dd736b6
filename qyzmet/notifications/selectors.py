from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from qyzmet.core.crypto import blind_index
from qyzmet.notifications.channels.names import ChannelName
from qyzmet.notifications.events import Rendered, event_render_again
from qyzmet.notifications.failover import provider_status_list as provider_status_list
from qyzmet.notifications.models import Notification, NotificationPreference, SinkMessage


class SinkMessageRow(TypedDict):
    id: int
    channel: str
    recipient: str
    subject: str
    text: str
    provider: str
    time: str


class OutboxRow(TypedDict):
    id: str
    channel: str
    event: str
    status: str
    reason: str
    provider: str
    attempts: int
    urgent: bool
    time: str
    not_before: str | None


def sink_message_list(*, limit: int = 100, recipient: str | None = None) -> list[SinkMessageRow]:
    """Messages the demo sink received, newest first."""
    queryset = SinkMessage.objects.order_by("-created_at", "-id")
    if recipient:
        queryset = queryset.filter(recipient_index=blind_index(recipient, purpose="recipient"))
    return [
        {
            "id": message.pk,
            "channel": message.channel,
            "recipient": message.recipient,
            "subject": message.subject,
            "text": message.text,
            "provider": message.provider,
            "time": message.created_at.isoformat(),
        }
        for message in queryset[:limit]
    ]


def outbox_list(*, limit: int = 100) -> list[OutboxRow]:
    """The outbox, newest first: what was asked to be sent, its status and provider. The text
    is not shown (it may hold a code); the demo sink's page shows what was delivered."""
    return [
        {
            "id": str(n.pk),
            "channel": n.channel,
            "event": n.event,
            "status": n.status,
            "reason": n.reason,
            "provider": n.provider,
            "attempts": n.attempts,
            "urgent": n.urgent,
            "time": n.created_at.isoformat(),
            "not_before": n.not_before.isoformat() if n.not_before else None,
        }
        for n in Notification.objects.exclude(channel=ChannelName.INBOX)
        .defer("address", "subject", "text")
        .order_by("-created_at")[:limit]
    ]


def inbox_unread_count(*, recipient_ref: str) -> int:
    return Notification.objects.filter(
        recipient_ref=recipient_ref, channel=ChannelName.INBOX, read_at__isnull=True
    ).count()


@dataclass(frozen=True, slots=True)
class InboxItem:
    """A message in the inbox as its reader reads it: in the reader's language, whatever the
    language it was written in (a message older than the kept parameters shows its text as
    written)."""

    id: str
    event: str
    subject: str
    text: str
    link: str
    created_at: datetime
    read_at: datetime | None

    @property
    def read(self) -> bool:
        return self.read_at is not None


def inbox_item_of(item: Notification, *, language: str) -> InboxItem:
    """One inbox row rendered in `language` from the event's parameters it keeps."""
    written = Rendered(subject=item.subject, text=item.text, link=item.link)
    shown = event_render_again(
        item.event, language=language, context=item.context, fallback=written
    )
    return InboxItem(
        id=str(item.pk),
        event=item.event,
        subject=shown.subject,
        text=shown.text,
        link=shown.link,
        created_at=item.created_at,
        read_at=item.read_at,
    )


def inbox_list(
    *, recipient_ref: str, language: str, limit: int = 50, offset: int = 0
) -> list[InboxItem]:
    """The recipient's messages, newest first, in `language` (the reader's, now)."""
    rows = Notification.objects.filter(
        recipient_ref=recipient_ref, channel=ChannelName.INBOX
    ).order_by("-created_at", "-id")[offset : offset + limit]
    return [inbox_item_of(row, language=language) for row in rows]


def preferences_get(*, recipient_ref: str) -> NotificationPreference:
    """The recipient's preferences (defaults, unsaved, when they never set any)."""
    return NotificationPreference.objects.filter(
        recipient_ref=recipient_ref
    ).first() or NotificationPreference(recipient_ref=recipient_ref)
