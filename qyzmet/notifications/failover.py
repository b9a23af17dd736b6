"""SMS failover: providers by priority; one that errs too often in a minute is rested.

The error counts live in `SmsProviderState` rows, updated under a row lock, so every web and
worker process sees the same state: more than `QYZMET_SMS_PROVIDER_MAX_ERRORS_PER_MINUTE`
errors within a minute rest a provider for `QYZMET_SMS_PROVIDER_REST_SECONDS`, and traffic goes
to the next one. When every provider is rested they are all tried anyway, in order: a message
sent late through a tired provider beats one not sent.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TypedDict

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from qyzmet.notifications.models import SmsProviderState
from qyzmet.notifications.providers.sms import (
    SmsProvider,
    SmsProviderError,
    SmsRefused,
    SmsResult,
    configured_names,
    get_provider,
)

logger = logging.getLogger(__name__)
WINDOW = timedelta(minutes=1)


class ProviderStatus(TypedDict):
    name: str
    errors: int
    rested_until: datetime | None
    demo_failing: bool


def providers_in_order(*, now: datetime | None = None) -> list[SmsProvider]:
    """Configured providers by priority, rested ones moved to the end."""
    now = now or timezone.now()
    names = configured_names()
    rested = set(
        SmsProviderState.objects.filter(name__in=names, rested_until__gt=now).values_list(
            "name", flat=True
        )
    )
    ordered = [n for n in names if n not in rested] + [n for n in names if n in rested]
    return [get_provider(name) for name in ordered]


def provider_error_record(*, name: str, now: datetime | None = None) -> bool:
    """Count an error of provider `name`; True if this error rested it."""
    now = now or timezone.now()
    with transaction.atomic():
        SmsProviderState.objects.get_or_create(name=name)
        state = SmsProviderState.objects.select_for_update().get(name=name)
        if state.window_started_at is None or now - state.window_started_at >= WINDOW:
            state.window_started_at, state.errors = now, 0
        state.errors += 1
        rested = state.errors > settings.QYZMET_SMS_PROVIDER_MAX_ERRORS_PER_MINUTE
        if rested:
            state.rested_until = now + timedelta(seconds=settings.QYZMET_SMS_PROVIDER_REST_SECONDS)
            state.window_started_at, state.errors = None, 0
        state.save(update_fields=["window_started_at", "errors", "rested_until"])
    if rested:
        logger.warning("sms provider rested", extra={"provider": name})
    return rested


def provider_status_list(*, now: datetime | None = None) -> list[ProviderStatus]:
    """For /dev/outbox: each configured provider, whether it is rested or switched to fail."""
    now = now or timezone.now()
    states = {s.name: s for s in SmsProviderState.objects.filter(name__in=configured_names())}
    result: list[ProviderStatus] = []
    for name in configured_names():
        state = states.get(name)
        result.append(
            {
                "name": name,
                "errors": state.errors if state else 0,
                "rested_until": state.rested_until
                if state and state.rested_until and state.rested_until > now
                else None,
                "demo_failing": bool(state and state.demo_failing),
            }
        )
    return result


def provider_demo_failing_set(*, name: str, failing: bool) -> None:
    """Demo switch: make a demo provider fail every send, to watch failover."""
    SmsProviderState.objects.update_or_create(
        name=name, defaults={"demo_failing": failing, "rested_until": None, "errors": 0}
    )


def sms_send(*, to: str, text: str, client_message_id: str | None = None) -> SmsResult:
    """Send `text` to the E.164 number `to`: the first provider that accepts it, by priority,
    rested ones last. Every provider gets the same client message id. A refusal (a bad number)
    is final and tried nowhere else; other errors fail over."""
    last_error: SmsProviderError | None = None
    for provider in providers_in_order():
        try:
            return provider.send(to=to, text=text, client_message_id=client_message_id)
        except SmsRefused:
            raise
        except SmsProviderError as exc:
            logger.warning("sms provider failed", extra={"provider": provider.name})
            provider_error_record(name=provider.name)
            last_error = exc
    assert last_error is not None  # noqa: S101 - configured_names() is never empty
    raise last_error
