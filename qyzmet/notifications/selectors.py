from __future__ import annotations

from typing import Any

from qyzmet.core.crypto import blind_index
from qyzmet.notifications.models import SinkMessage


def sink_message_list(*, limit: int = 100, recipient: str | None = None) -> list[dict[str, Any]]:
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
