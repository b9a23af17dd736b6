"""The messages identity sends: one-time codes (sent at once, day or night, never held or
limited). Registered with the notifications outbox in `IdentityConfig.ready()`."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from qyzmet.notifications.channels.names import ChannelName
from qyzmet.notifications.events import Event

CODE_TTL = 300
CODE_SUBJECT = gettext_noop("Qyzmet code")
CODE_CHANNELS = (ChannelName.SMS,)

EVENTS: tuple[Event, ...] = (
    Event(
        "code.signin",
        gettext_noop("Qyzmet sign-in code: %(code)s. Do not tell it to anyone, not even staff."),
        CODE_SUBJECT,
        channels=CODE_CHANNELS,
        urgent=True,
        ttl_seconds=CODE_TTL,
    ),
    Event(
        "code.register",
        gettext_noop("Qyzmet registration code: %(code)s. Do not tell it to anyone."),
        CODE_SUBJECT,
        channels=CODE_CHANNELS,
        urgent=True,
        ttl_seconds=CODE_TTL,
    ),
    Event(
        "code.sign",
        gettext_noop(
            "Qyzmet code to sign application %(what)s: %(code)s. Do not tell it to anyone."
        ),
        CODE_SUBJECT,
        channels=CODE_CHANNELS,
        urgent=True,
        ttl_seconds=CODE_TTL,
    ),
    Event(
        "code.bind_phone",
        gettext_noop("Qyzmet code to bind this number: %(code)s. Do not tell it to anyone."),
        CODE_SUBJECT,
        channels=CODE_CHANNELS,
        urgent=True,
        ttl_seconds=CODE_TTL,
    ),
)
