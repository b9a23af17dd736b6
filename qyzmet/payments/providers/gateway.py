"""Payment gateways behind one interface, found by name in a registry.

A bank's or acquirer's gateway implements `PaymentGateway` and registers with
`register("name")`, from its app's `AppConfig.ready()` (the built-in `sandbox` is registered by
`PaymentsConfig.ready()`); `QYZMET_PAYMENT_GATEWAY` names the one new payments go through. The
`sandbox` gateway plays the bank's side offline (demo and tests). docs/providers/payment-gateway.md
says how a real one plugs in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from qyzmet.core.errors import QyzmetError
from qyzmet.core.providers import ProviderRegistry
from qyzmet.payments.errors import ErrorCode

if TYPE_CHECKING:
    from qyzmet.payments.models import Payment


@dataclass(frozen=True)
class GatewayCreated:
    ref: str
    redirect_url: str


@dataclass(frozen=True, kw_only=True)
class GatewayStatus:
    """What a gateway knows of a transaction. `state` is one of the states of `Payment.State` a
    gateway can report: pending, succeeded, declined, failed, refunded."""

    ref: str
    state: str
    amount_tiyn: int
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class GatewayEvent(GatewayStatus):
    """A verified webhook: `order` is our payment id, as we gave it to the gateway."""

    event_id: str
    order: str


@dataclass(frozen=True, kw_only=True)
class GatewayTransaction:
    ref: str
    order: str
    amount_tiyn: int
    state: str
    refunded_tiyn: int = 0


class GatewayError(QyzmetError):
    """The gateway could not be reached or answered an error; nothing was charged."""

    code = ErrorCode.GATEWAY_ERROR
    status = 502
    default_message = _("The payment service did not answer. Please try again shortly.")


class WebhookRejected(QyzmetError):
    """A webhook whose signature or timestamp does not check: ignored, nothing changes."""

    code = ErrorCode.WEBHOOK_REJECTED
    status = 400
    default_message = _("The notification could not be verified.")


class PaymentGateway(Protocol):
    name: str

    def create(self, payment: Payment, *, return_url: str) -> GatewayCreated:
        """Register the payment at the gateway; the payer is sent to `redirect_url`."""
        ...

    def status(self, ref: str) -> GatewayStatus: ...

    def refund(self, ref: str, *, amount_tiyn: int) -> str:
        """Return `amount_tiyn` of a paid transaction; the refund's reference."""
        ...

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        """The event in a notification, or `WebhookRejected`."""
        ...

    def transactions(self, on: date) -> list[GatewayTransaction]:
        """The gateway's records of a business day, for reconciliation."""
        ...

    def check_config(self) -> list[str]:
        """Configuration problems, empty when ready."""
        ...


_REGISTRY = ProviderRegistry[PaymentGateway]("payment gateway")
register = _REGISTRY.register


def gateway_names() -> list[str]:
    return _REGISTRY.names()


def get_gateway(name: str) -> PaymentGateway:
    return _REGISTRY.get(name)


def default_gateway() -> PaymentGateway:
    name: str = settings.QYZMET_PAYMENT_GATEWAY
    if not name:
        raise ImproperlyConfigured("QYZMET_PAYMENT_GATEWAY names no payment gateway")
    return get_gateway(name)
