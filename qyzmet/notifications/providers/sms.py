"""SMS providers behind one interface, found by name in a registry.

A production provider (an operator's or aggregator's HTTP gateway) implements the same
`SmsProvider` protocol as the demo sink and is registered with `@register("name")`;
`QYZMET_SMS_PROVIDERS` lists the ones in use, in order of priority.

Every send carries a client message id (the outbox row's id). A provider must treat it as an
idempotency key: a second send with the same id returns the first result and sends nothing.
That is what makes a delivery retried after a crash send one message, not two; a gateway that
cannot take a client message id cannot be used here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction

from qyzmet.core.crypto import blind_index
from qyzmet.core.providers import ProviderRegistry
from qyzmet.notifications.channels.names import ChannelName
from qyzmet.notifications.models import SinkMessage, SmsProviderState


@dataclass(frozen=True)
class SmsResult:
    provider: str
    provider_message_id: str
    delivered: bool = False  # True when the provider knows at once (the demo sink)


@dataclass(frozen=True)
class Receipt:
    """A provider's delivery report for one message."""

    provider_message_id: str
    delivered: bool


class SmsProviderError(Exception):
    """The provider failed (a timeout, a 5xx): the caller may try the next one or later."""


class SmsRefused(SmsProviderError):
    """The provider refused this message for good (a bad number, a banned text)."""


class ReceiptRejected(Exception):
    """A delivery-receipt callback that does not verify."""


class SmsProvider(Protocol):
    name: str

    def send(self, *, to: str, text: str, client_message_id: str | None = None) -> SmsResult: ...

    def check_config(self) -> list[str]:
        """Configuration problems, empty when ready to send."""
        ...

    def receipts(self, *, body: bytes, headers: Mapping[str, str]) -> list[Receipt]:
        """Parse and verify a delivery-receipt callback; raise ReceiptRejected if it is not
        the provider's."""
        ...


_REGISTRY = ProviderRegistry[SmsProvider]("SMS provider")
register = _REGISTRY.register


def get_provider(name: str) -> SmsProvider:
    return _REGISTRY.get(name)


def configured_names() -> list[str]:
    names: list[str] = list(settings.QYZMET_SMS_PROVIDERS)
    if not names:
        raise ImproperlyConfigured("QYZMET_SMS_PROVIDERS lists no SMS provider")
    return names


# --- The demo sinks -----------------------------------------------------------------------------


class _Sink:
    """Demo provider: the message lands in the database sink, readable at /dev/outbox. It
    honours the client message id (a unique column) and reports delivery at once."""

    name = "sink"

    def send(self, *, to: str, text: str, client_message_id: str | None = None) -> SmsResult:
        if SmsProviderState.objects.filter(name=self.name, demo_failing=True).exists():
            raise SmsProviderError(f"{self.name} is failing (demo switch)")
        try:
            # The unique client message id makes a second send of the same message a no-op.
            with transaction.atomic():
                existing = SinkMessage.objects.create(
                    channel=ChannelName.SMS,
                    recipient=to,
                    recipient_index=blind_index(to, purpose="recipient"),
                    text=text,
                    provider=self.name,
                    client_message_id=client_message_id,
                )
        except IntegrityError:
            earlier = _sink_existing(client_message_id)
            if earlier is None:
                raise
            existing = earlier
        # A slow gateway, for the crash tests and the demo: the message is already "sent".
        delay = settings.QYZMET_DEMO_SINK_DELAY_MS
        if delay:
            time.sleep(delay / 1000)
        return SmsResult(
            provider=existing.provider,
            provider_message_id=f"{existing.provider}-{existing.pk}",
            delivered=True,
        )

    def check_config(self) -> list[str]:
        return [] if settings.QYZMET_DEMO else [f"the {self.name} provider runs only in demo mode"]

    def receipts(self, *, body: bytes, headers: Mapping[str, str]) -> list[Receipt]:
        raise ReceiptRejected("the sink reports delivery itself")


def _sink_existing(client_message_id: str | None) -> SinkMessage | None:
    if client_message_id is None:
        return None
    return SinkMessage.objects.filter(client_message_id=client_message_id).first()


@register("sink")
class SinkSmsProvider(_Sink):
    name = "sink"


@register("sink-reserve")
class ReserveSinkSmsProvider(_Sink):
    """A second demo provider, so that failover can be seen in the demo."""

    name = "sink-reserve"


# --- A generic HTTP JSON gateway ----------------------------------------------------------------


class Response(Protocol):
    """What the gateway's answer must offer (a `requests.Response` does)."""

    @property
    def status_code(self) -> int: ...

    def json(self) -> Any: ...


class Transport(Protocol):
    def post(
        self, url: str, *, data: bytes, headers: dict[str, str], timeout: float
    ) -> Response: ...


def _default_transport() -> Transport:
    import requests

    session: Transport = requests.Session()
    return session


@register("http")
class HttpJsonSmsProvider:
    """An aggregator's JSON gateway:

        POST QYZMET_SMS_HTTP_URL  Authorization: Bearer <token>
        {"to": "+7701…", "text": "…", "client_message_id": "<uuid>"}
        → 200/201 {"message_id": "…"}; 4xx refuses the message; 5xx or no answer is an error.

    Delivery receipts arrive at /api/v1/notifications/receipts/http as
    {"message_id": "…", "status": "delivered"|"failed"} (or a list of them), signed with
    `X-Signature: hex(HMAC-SHA256(QYZMET_SMS_HTTP_RECEIPT_SECRET, body))`.
    """

    name = "http"
    transport_factory: Callable[[], Transport] = staticmethod(_default_transport)

    def send(self, *, to: str, text: str, client_message_id: str | None = None) -> SmsResult:
        body = json.dumps(
            {"to": to, "text": text, "client_message_id": client_message_id}, ensure_ascii=False
        ).encode()
        headers = {
            "Authorization": f"Bearer {settings.QYZMET_SMS_HTTP_TOKEN}",
            "Content-Type": "application/json",
            "Idempotency-Key": client_message_id or "",
        }
        try:
            response = self.transport_factory().post(
                settings.QYZMET_SMS_HTTP_URL, data=body, headers=headers, timeout=10
            )
        except Exception as exc:  # any transport failure is the provider's failure
            raise SmsProviderError(f"{self.name}: {type(exc).__name__}") from exc
        status = int(response.status_code)
        if 400 <= status < 500 and status not in (408, 429):
            raise SmsRefused(f"{self.name}: refused with {status}")
        if status not in (200, 201, 202):
            raise SmsProviderError(f"{self.name}: answered {status}")
        try:
            message_id = str(response.json()["message_id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SmsProviderError(f"{self.name}: an answer without message_id") from exc
        return SmsResult(provider=self.name, provider_message_id=message_id)

    def check_config(self) -> list[str]:
        problems = []
        if not settings.QYZMET_SMS_HTTP_URL.startswith("https://"):
            problems.append("QYZMET_SMS_HTTP_URL must be an https:// URL")
        if not settings.QYZMET_SMS_HTTP_TOKEN:
            problems.append("QYZMET_SMS_HTTP_TOKEN is empty")
        if not settings.QYZMET_SMS_HTTP_RECEIPT_SECRET:
            problems.append("QYZMET_SMS_HTTP_RECEIPT_SECRET is empty")
        return problems

    def receipts(self, *, body: bytes, headers: Mapping[str, str]) -> list[Receipt]:
        secret = settings.QYZMET_SMS_HTTP_RECEIPT_SECRET
        expected = receipt_signature(body, secret)
        if not secret or not hmac.compare_digest(expected, headers.get("X-Signature", "")):
            raise ReceiptRejected("bad signature")
        try:
            data = json.loads(body)
            items = data if isinstance(data, list) else [data]
            return [
                Receipt(
                    provider_message_id=str(item["message_id"]),
                    delivered=item["status"] == "delivered",
                )
                for item in items
            ]
        except (ValueError, KeyError, TypeError) as exc:
            raise ReceiptRejected("malformed receipt") from exc


def receipt_signature(body: bytes, secret: str) -> str:
    """What the HTTP gateway puts in X-Signature (for its tests and simulators)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
