"""Operator signals: when a number's SIM card was last changed or the number ported.

A recent change is a risk signal for SMS codes (SIM-swap fraud). Production plugs in the
operators' (or an aggregator's) API behind the same `OperatorProvider` protocol.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from django.conf import settings

from qyzmet.core.providers import ProviderRegistry


class OperatorProvider(Protocol):
    name: str

    def last_sim_change(self, *, phone: str) -> datetime | None:
        """When the SIM behind `phone` (E.164) last changed or the number was ported."""
        ...

    def check_config(self) -> list[str]: ...


_REGISTRY = ProviderRegistry[OperatorProvider]("operator provider")
register = _REGISTRY.register


def get_operator_provider() -> OperatorProvider:
    name: str = settings.QYZMET_OPERATOR_PROVIDER
    return _REGISTRY.get(name)


@register("demo")
class DemoOperatorProvider:
    """Reports what an operator would, from the `DemoSimChange` table (set it in the admin or
    with `manage.py demo_sim_change`)."""

    name = "demo"

    def last_sim_change(self, *, phone: str) -> datetime | None:
        from qyzmet.core.crypto import blind_index
        from qyzmet.identity.models import DemoSimChange

        row = DemoSimChange.objects.filter(phone_index=blind_index(phone, purpose="phone")).first()
        return row.changed_at if row else None

    def check_config(self) -> list[str]:
        return []
