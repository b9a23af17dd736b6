"""E-mail goes through Django's mail backend interface; in demo mode, into the sink.

The outbox sets each message's Message-ID from the row id; the sink treats it as the
idempotency key (a second send of the same Message-ID stores nothing), as the SMS sink does
with the client message id.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage
from django.db import IntegrityError

from qyzmet.core.crypto import blind_index
from qyzmet.notifications.channels.names import ChannelName
from qyzmet.notifications.models import SinkMessage


class SinkEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            message_id = str(message.extra_headers.get("Message-ID", "")).strip("<>")
            message_id = message_id.split("@")[0][:64]
            recipients = message.recipients()
            for recipient in recipients:
                key = message_id if message_id and len(recipients) == 1 else None
                if key and SinkMessage.objects.filter(client_message_id=key).exists():
                    continue
                try:
                    SinkMessage.objects.create(
                        channel=ChannelName.EMAIL,
                        recipient=recipient,
                        recipient_index=blind_index(recipient, purpose="recipient"),
                        subject=str(message.subject)[:255],
                        text=str(message.body),
                        provider="sink",
                        client_message_id=key,
                    )
                except IntegrityError:  # the same message sent at once by another process
                    continue
            sent += 1
        return sent
