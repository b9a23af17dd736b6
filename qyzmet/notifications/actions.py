"""Sending messages. (The outbox with retries and failover arrives with the notifications issue;
until then a message is handed to the first configured provider that accepts it.)"""

from __future__ import annotations

import logging

from django.core.mail import send_mail

from qyzmet.notifications.providers.sms import (
    SmsProviderError,
    SmsResult,
    configured_providers,
)

logger = logging.getLogger(__name__)


def sms_send(*, to: str, text: str) -> SmsResult:
    """Send `text` to the E.164 number `to` through the first provider that accepts it."""
    last_error: SmsProviderError | None = None
    for provider in configured_providers():
        try:
            return provider.send(to=to, text=text)
        except SmsProviderError as exc:
            logger.warning("sms provider failed", extra={"provider": provider.name})
            last_error = exc
    assert last_error is not None  # noqa: S101 - configured_providers() is never empty
    raise last_error


def email_send(*, to: str, subject: str, text: str) -> None:
    send_mail(subject=subject, message=text, from_email=None, recipient_list=[to])
