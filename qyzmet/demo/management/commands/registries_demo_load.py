"""Load the registries' demo data (run after the demo population is loaded)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from qyzmet.demo.registries import registries_demo_load


class Command(BaseCommand):
    help = "Load demo plates, vehicles, licences, medical certificates and exam results."

    def handle(self, *args: Any, **opts: Any) -> None:
        registries_demo_load()
        self.stdout.write("registries demo data loaded")
