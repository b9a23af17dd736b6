"""SMS: to the recipient's phone number, through the SMS providers with failover."""

from __future__ import annotations

from qyzmet.notifications.channels.base import Channel, Reason, Refused, Route, Sent
from qyzmet.notifications.channels.names import ChannelName
from qyzmet.notifications.failover import sms_send
from qyzmet.notifications.models import Notification, NotificationPreference
from qyzmet.notifications.providers.sms import SmsRefused
from qyzmet.notifications.recipients import Recipient


class SmsChannel(Channel):
    name = ChannelName.SMS
    held_at_night = True
    limited = True
    unreachable = Reason.NO_ROUTE  # the failed copy tells the sender the person has no phone

    def addresses(
        self, *, recipient: Recipient, prefs: NotificationPreference | None
    ) -> list[Route]:
        return [Route(address=recipient.phone)] if recipient.phone else []

    def send(self, row: Notification) -> Sent:
        try:
            result = sms_send(to=row.address, text=row.text, client_message_id=str(row.pk))
        except SmsRefused as exc:
            raise Refused(Reason.PROVIDER_REFUSED) from exc
        return Sent(
            provider=result.provider,
            message_id=result.provider_message_id,
            delivered=result.delivered,
        )

    def wanted(self, prefs: NotificationPreference) -> bool:
        return prefs.sms
