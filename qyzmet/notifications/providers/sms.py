"""SMS providers behind one interface, found by name in a registry.

A production provider (an operator's or aggregator's HTTP gateway) implements the same
`SmsProvider` protocol as the demo sink and is registered with `@register("name")`;
`QYZMET_SMS_PROVIDERS` lists the ones in use, in order of priority.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class SmsResult:
    provider: str
    provider_message_id: str


class SmsProviderError(Exception):
    """The provider refused or failed; the caller may try the next one."""


class SmsProvider(Protocol):
    name: str

    def send(self, *, to: str, text: str) -> SmsResult: ...

    def check_config(self) -> list[str]:
        """Configuration problems, empty when ready to send."""
        ...


_REGISTRY: dict[str, Callable[[], SmsProvider]] = {}


def register(name: str) -> Callable[[Callable[[], SmsProvider]], Callable[[], SmsProvider]]:
    def decorator(factory: Callable[[], SmsProvider]) -> Callable[[], SmsProvider]:
        _REGISTRY[name] = factory
        return factory

    return decorator


def get_provider(name: str) -> SmsProvider:
    try:
        return _REGISTRY[name]()
    except KeyError as exc:
        raise ImproperlyConfigured(f"Unknown SMS provider {name!r}") from exc


def configured_providers() -> list[SmsProvider]:
    names: list[str] = list(settings.QYZMET_SMS_PROVIDERS)
    if not names:
        raise ImproperlyConfigured("QYZMET_SMS_PROVIDERS lists no SMS provider")
    return [get_provider(name) for name in names]


@register("sink")
class SinkSmsProvider:
    """Demo provider: the message lands in the database sink, readable at /dev/outbox."""

    name = "sink"

    def send(self, *, to: str, text: str) -> SmsResult:
        from qyzmet.core.crypto import blind_index
        from qyzmet.notifications.models import SinkMessage

        message = SinkMessage.objects.create(
            channel=SinkMessage.Channel.SMS,
            recipient=to,
            recipient_index=blind_index(to, purpose="recipient"),
            text=text,
            provider=self.name,
        )
        return SmsResult(provider=self.name, provider_message_id=f"sink-{message.pk}")

    def check_config(self) -> list[str]:
        return [] if settings.QYZMET_DEMO else ["the sink provider runs only in demo mode"]
