"""Load the demo data (idempotent: a second run changes nothing)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qyzmet.demo.loading import demo_data_load
from qyzmet.demo.payments import payments_demo_load


class Command(BaseCommand):
    help = "Load demo data (demo mode only); safe to run again."

    def handle(self, *args: Any, **opts: Any) -> None:
        if not settings.QYZMET_DEMO:
            raise CommandError("Demo data is loaded only in demo mode (QYZMET_DEMO=1).")
        demo_data_load()
        payments_demo_load()
