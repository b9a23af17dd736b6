"""Web Push: one copy per browser the recipient subscribed, when push is configured."""

from __future__ import annotations

from qyzmet.notifications.channels.base import Channel, Reason, Refused, Route, Sent
from qyzmet.notifications.channels.names import ChannelName
from qyzmet.notifications.models import Notification, NotificationPreference, PushSubscription
from qyzmet.notifications.providers.push import push_configured, push_send
from qyzmet.notifications.recipients import Recipient

INBOX_PATH = "/me/inbox/"  # where a push without a link of its own opens


class PushChannel(Channel):
    name = ChannelName.PUSH
    held_at_night = True
    limited = True

    def addresses(
        self, *, recipient: Recipient, prefs: NotificationPreference | None
    ) -> list[Route]:
        if not push_configured():
            return []
        subscriptions = PushSubscription.objects.filter(recipient_ref=recipient.ref)
        return [Route(address=str(s.pk), dedupe_suffix=f":{s.pk}") for s in subscriptions]

    def send(self, row: Notification) -> Sent:
        key = str(row.pk)
        subscription = PushSubscription.objects.filter(pk=row.address).first()
        if subscription is None:
            raise Refused(Reason.NO_ROUTE)
        pushed = push_send(
            endpoint=subscription.endpoint,
            p256dh=subscription.p256dh,
            auth=subscription.auth,
            title=row.subject,
            link=row.link or INBOX_PATH,
            tag=key,
        )
        if pushed.gone:
            subscription.delete()
            raise Refused(Reason.NO_ROUTE)
        return Sent(provider=self.name, message_id=key)

    def wanted(self, prefs: NotificationPreference) -> bool:
        return prefs.push
