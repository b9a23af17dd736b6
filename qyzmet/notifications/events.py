"""What each event says, in the recipient's language: the registry of events and their rendering.

Notifications carry messages; they do not know them. Each app declares its own events (their
texts are gettext msgids in the app's `messages.py`, so the usual catalogues translate them into
kk and ru) and registers them with `event_register` in its `AppConfig.ready()`. `event_render`
renders an event under `translation.override(recipient language)`. A context value may be a dict
of languages ({"kk": …, "ru": …, "en": …}, e.g. a service's state label): the recipient's
language is taken from it. `amount_tiyn` becomes `amount` in the language's money format.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.translation import gettext

from qyzmet.core.mci import format_tenge
from qyzmet.notifications.channels.names import ALL_CHANNELS, ChannelName


@dataclass(frozen=True)
class Event:
    key: str
    text: str  # msgid; the SMS, the inbox item and the e-mail body
    subject: str  # msgid; the e-mail subject, the inbox title and the push title
    channels: tuple[ChannelName, ...] = ALL_CHANNELS
    urgent: bool = False  # codes: sent at once, day or night, never held or limited
    plural: str = ""  # plural msgid of `text`, chosen by context["count"]
    link: str = ""  # a path in the portal, formatted with the context
    ttl_seconds: int | None = None  # useless after this long


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    link: str


class UnknownEvent(KeyError):
    pass


class EventConflict(ValueError):
    """Two different events registered under one key."""


_EVENTS: dict[str, Event] = {}


def event_register(*events: Event) -> None:
    """Make `events` known to `notify`. Registering the same event again changes nothing; another
    event under a key already taken is an error (two apps claiming one key)."""
    for event in events:
        known = _EVENTS.get(event.key)
        if known is not None and known != event:
            raise EventConflict(f"event {event.key!r} is registered twice, differently")
        _EVENTS[event.key] = event


class EventsConfig:
    """Mixed into an app's `AppConfig`, in front of it, to register the app's `events` when the
    app is ready: `class PaymentsConfig(EventsConfig, AppConfig): events = EVENTS`. It is not an
    `AppConfig` itself, so Django still finds exactly one config in the app's `apps.py`."""

    events: tuple[Event, ...] = ()

    def ready(self) -> None:
        event_register(*self.events)


def event_get(key: str) -> Event:
    try:
        return _EVENTS[key]
    except KeyError as exc:
        raise UnknownEvent(key) from exc


def event_keys() -> list[str]:
    """The keys of every registered event, sorted."""
    return sorted(_EVENTS)


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
        text = gettext(event.plural if many else event.text) % values
        subject = gettext(event.subject) % values
    link = event.link % values if event.link else ""
    return Rendered(subject=subject, text=text, link=link if link.startswith("/") else "")


def event_context_dump(key: str, context: Mapping[str, Any]) -> str:
    """The parameters of `key` as JSON, to render the message again when it is read; "" for
    an urgent event (a code is said once, on its channel, and kept nowhere) or parameters that
    are not plain data (the message then keeps its text as written)."""
    if event_get(key).urgent:
        return ""
    try:
        return json.dumps(dict(context), cls=DjangoJSONEncoder, ensure_ascii=False)
    except (TypeError, ValueError):
        return ""


def event_render_again(key: str, *, language: str, context: str, fallback: Rendered) -> Rendered:
    """A stored message in `language`, rendered from its kept parameters (`context`, as
    `event_context_dump` wrote it); `fallback` (its text as written) when it kept none, or its
    event is gone or no longer fits the parameters."""
    if not context:
        return fallback
    try:
        values = json.loads(context)
        if not isinstance(values, dict):
            return fallback
        rendered = event_render(key, language=language, context=values)
    except (UnknownEvent, KeyError, ValueError, TypeError):
        return fallback
    return Rendered(subject=rendered.subject, text=rendered.text, link=fallback.link)
