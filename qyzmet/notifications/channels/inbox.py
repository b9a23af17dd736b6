"""The inbox in the portal: the row is the message, delivered when written; always on. It is read
later, so the row keeps the event's parameters and is rendered in the reader's language."""

from __future__ import annotations

from qyzmet.notifications.channels.base import Channel, Reason, Refused, Route, Sent
from qyzmet.notifications.channels.names import ChannelName
from qyzmet.notifications.models import Notification, NotificationPreference
from qyzmet.notifications.recipients import Recipient


class InboxChannel(Channel):
    name = ChannelName.INBOX
    delivered_on_write = True
    read_later = True

    def addresses(
        self, *, recipient: Recipient, prefs: NotificationPreference | None
    ) -> list[Route]:
        return [Route()]

    def send(self, row: Notification) -> Sent:
        raise Refused(Reason.NO_ROUTE)  # written delivered, never claimed
