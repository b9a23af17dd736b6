"""E-mail goes through Django's mail backend interface; in demo mode, into the sink."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class SinkEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from qyzmet.core.crypto import blind_index
        from qyzmet.notifications.models import SinkMessage

        sent = 0
        for message in email_messages:
            for recipient in message.recipients():
                SinkMessage.objects.create(
                    channel=SinkMessage.Channel.EMAIL,
                    recipient=recipient,
                    recipient_index=blind_index(recipient, purpose="recipient"),
                    subject=str(message.subject)[:255],
                    text=str(message.body),
                    provider="sink",
                )
            sent += 1
        return sent
