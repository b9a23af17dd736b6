"""Print the demo's banner (what `make run` shows): the addresses, the demo accounts, and what
to try first, read from the database as it is now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from qyzmet.demo.banner import banner_lines
from qyzmet.demo.selectors import demo_guide


class Command(BaseCommand):
    help = "Print the demo accounts and what to try first with them."

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stdout.write("\n".join(banner_lines(demo_guide())))
