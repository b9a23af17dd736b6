"""What each event says, in the recipient's language: a registry of events and their texts.

The texts are gettext msgids in this module (so the usual catalogues translate them into kk and
ru); `event_render` renders them under `translation.override(recipient language)`. A context
value may be a dict of languages ({"kk": …, "ru": …, "en": …}, e.g. a service's state label):
the recipient's language is taken from it. `amount_tiyn` becomes `amount` in the language's
money format. Adding an event is adding an `Event` here (and its translations).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qyzmet.core.mci import format_tenge

ALL = ("sms", "push", "email", "inbox")


@dataclass(frozen=True)
class Event:
    key: str
    text: str  # msgid; the SMS, the inbox item and the e-mail body
    subject: str  # msgid; the e-mail subject, the inbox title and the push title
    channels: tuple[str, ...] = ALL
    urgent: bool = False  # codes: sent at once, day or night, never held or limited
    plural: str = ""  # plural msgid of `text`, chosen by context["count"]
    link: str = ""  # a path in the portal, formatted with the context
    ttl_seconds: int | None = None  # useless after this long


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    link: str


CODE_TTL = 300
_CODE_SUBJECT = gettext_noop("Qyzmet code")

EVENTS: dict[str, Event] = {
    e.key: e
    for e in [
        Event(
            "code.signin",
            gettext_noop(
                "Qyzmet sign-in code: %(code)s. Do not tell it to anyone, not even staff."
            ),
            _CODE_SUBJECT,
            channels=("sms",),
            urgent=True,
            ttl_seconds=CODE_TTL,
        ),
        Event(
            "code.register",
            gettext_noop("Qyzmet registration code: %(code)s. Do not tell it to anyone."),
            _CODE_SUBJECT,
            channels=("sms",),
            urgent=True,
            ttl_seconds=CODE_TTL,
        ),
        Event(
            "code.sign",
            gettext_noop(
                "Qyzmet code to sign application %(what)s: %(code)s. Do not tell it to anyone."
            ),
            _CODE_SUBJECT,
            channels=("sms",),
            urgent=True,
            ttl_seconds=CODE_TTL,
        ),
        Event(
            "code.bind_phone",
            gettext_noop("Qyzmet code to bind this number: %(code)s. Do not tell it to anyone."),
            _CODE_SUBJECT,
            channels=("sms",),
            urgent=True,
            ttl_seconds=CODE_TTL,
        ),
        Event(
            "application.status_changed",
            gettext_noop("Qyzmet: application %(number)s — %(state)s."),
            gettext_noop("Application %(number)s: %(state)s"),
            link="/applications/%(application_id)s/",
        ),
        Event(
            "application.confirmation_asked",
            gettext_noop(
                "Qyzmet: you are asked to confirm and sign application %(number)s "
                "(%(what)s). Open it in Qyzmet."
            ),
            gettext_noop("Application %(number)s waits for your confirmation"),
            link="/applications/%(application_id)s/",
        ),
        Event(
            "application.deadline_passed",
            gettext_noop(
                "Qyzmet: the deadline for application %(number)s has passed; "
                "the agency's supervisor has been told."
            ),
            gettext_noop("Application %(number)s: the deadline has passed"),
            link="/applications/%(application_id)s/",
        ),
        Event(
            "deadline.escalated",
            gettext_noop(
                "Qyzmet: application %(number)s of %(agency)s has passed its deadline; "
                "it is in your escalated queue."
            ),
            gettext_noop("Applications past their deadline"),
            plural=gettext_noop(
                "Qyzmet: %(count)s applications of %(agency)s have passed their deadlines, "
                "the oldest %(number)s; they are in your escalated queue."
            ),
            link="/office/",
        ),
        Event(
            "payment.succeeded",
            gettext_noop("Qyzmet: payment of %(amount)s for %(what)s has been received."),
            gettext_noop("Payment received"),
            link="%(link)s",
        ),
        Event(
            "payment.declined",
            gettext_noop(
                "Qyzmet: the payment of %(amount)s for %(what)s was declined. "
                "No money was taken; you can try again."
            ),
            gettext_noop("Payment declined"),
            link="%(link)s",
        ),
        Event(
            "payment.receipt",
            gettext_noop("Qyzmet: receipt %(receipt)s for %(amount)s is in your account."),
            gettext_noop("Payment receipt"),
            channels=("email", "inbox"),
            link="%(link)s",
        ),
    ]
}


class UnknownEvent(KeyError):
    pass


def event_get(key: str) -> Event:
    try:
        return EVENTS[key]
    except KeyError as exc:
        raise UnknownEvent(key) from exc


def _localise(context: Mapping[str, Any], language: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in context.items():
        if isinstance(value, Mapping):
            value = value.get(language) or value.get("kk") or next(iter(value.values()), "")
        values[name] = value
    if "amount_tiyn" in values:
        values["amount"] = format_tenge(int(values["amount_tiyn"]), language)
    return values


def event_render(key: str, *, language: str, context: Mapping[str, Any]) -> Rendered:
    """The event's subject, text and link in `language`. A missing context value is an error
    (KeyError), caught by the caller's tests, not sent as a broken message."""
    event = event_get(key)
    values = _localise(context, language)
    with translation.override(language):
        # The two forms are catalogued as two messages, each translated for any count
        # (ngettext would look for one plural entry, find none, and answer in English).
        many = bool(event.plural) and int(values.get("count", 1)) != 1
        text = _(event.plural if many else event.text) % values
        subject = _(event.subject) % values
    link = event.link % values if event.link else ""
    return Rendered(subject=subject, text=text, link=link if link.startswith("/") else "")
