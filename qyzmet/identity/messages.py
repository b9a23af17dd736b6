"""The messages identity sends: one-time codes (sent at once, day or night, never held or
limited), and in place of a registration code, why registration cannot go on (the answer on the
screen is the same whatever the IIN's state, so the truth goes only to the number's phone).
Registered with the notifications outbox in `IdentityConfig.ready()`."""

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
    *(
        Event(
            f"register.{reason}",
            text,
            CODE_SUBJECT,
            channels=CODE_CHANNELS,
            urgent=True,
            ttl_seconds=CODE_TTL,
        )
        for reason, text in (
            (
                "account_exists",
                gettext_noop(
                    "Qyzmet: registration with this number was asked for, but the IIN given "
                    "already has an account. Sign in instead. If it was not you, ignore this."
                ),
            ),
            (
                "iin_not_in_registry",
                gettext_noop(
                    "Qyzmet: registration with this number was asked for, but the IIN given is "
                    "not in the population registry. Check the IIN and try again."
                ),
            ),
            (
                "phone_taken",
                gettext_noop(
                    "Qyzmet: registration with this number was asked for, but the number is "
                    "registered to another person in the mobile citizens database. Its owner "
                    "must release it first."
                ),
            ),
            (
                "too_young",
                gettext_noop(
                    "Qyzmet: registration with this number was asked for, but accounts are for "
                    "people aged 16 and over; parents act for younger children."
                ),
            ),
        )
    ),
)
