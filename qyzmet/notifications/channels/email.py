"""E-mail: to the recipient's address (or the one in their preferences), through Django's mail
backend."""

from __future__ import annotations

from django.core.mail import EmailMessage

from qyzmet.notifications.channels.base import Channel, Route, Sent
from qyzmet.notifications.channels.names import ChannelName
from qyzmet.notifications.models import Notification, NotificationPreference
from qyzmet.notifications.recipients import Recipient


def email_send(*, to: str, subject: str, text: str, message_id: str | None = None) -> None:
    """Hand one e-mail to Django's mail backend. `message_id` (the outbox row's id) becomes the
    Message-ID header, which the sink treats as its idempotency key."""
    headers = {"Message-ID": f"<{message_id}@qyzmet>"} if message_id else {}
    EmailMessage(subject=subject, body=text, to=[to], headers=headers).send()


class EmailChannel(Channel):
    name = ChannelName.EMAIL
    limited = True

    def addresses(
        self, *, recipient: Recipient, prefs: NotificationPreference | None
    ) -> list[Route]:
        address = recipient.email or (prefs.email if prefs else "")
        return [Route(address=address)] if address else []

    def send(self, row: Notification) -> Sent:
        key = str(row.pk)
        email_send(to=row.address, subject=row.subject, text=row.text, message_id=key)
        return Sent(provider=self.name, message_id=key)

    def wanted(self, prefs: NotificationPreference) -> bool:
        return prefs.email_enabled
