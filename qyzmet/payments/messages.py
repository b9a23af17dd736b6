"""The messages the payments app sends to the payer: received, declined, the receipt, a refund. The
context's `link` is the payment's page in the portal. Registered with the notifications outbox
in `PaymentsConfig.ready()`."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from qyzmet.notifications.channels.names import ChannelName
from qyzmet.notifications.events import Event

PAYMENT_LINK = "%(link)s"

EVENTS: tuple[Event, ...] = (
    Event(
        "payment.succeeded",
        gettext_noop("Qyzmet: payment of %(amount)s for %(what)s has been received."),
        gettext_noop("Payment received"),
        link=PAYMENT_LINK,
    ),
    Event(
        "payment.declined",
        gettext_noop(
            "Qyzmet: the payment of %(amount)s for %(what)s was declined. "
            "No money was taken; you can try again."
        ),
        gettext_noop("Payment declined"),
        link=PAYMENT_LINK,
    ),
    Event(
        "payment.refunded",
        gettext_noop(
            "Qyzmet: %(amount)s paid for %(what)s is being returned to the card it was paid "
            "with. It may take a few working days to arrive."
        ),
        gettext_noop("Payment refunded"),
        link=PAYMENT_LINK,
    ),
    Event(
        "payment.receipt",
        gettext_noop("Qyzmet: receipt %(receipt)s for %(amount)s is in your account."),
        gettext_noop("Payment receipt"),
        channels=(ChannelName.EMAIL, ChannelName.INBOX),
        link=PAYMENT_LINK,
    ),
)
