"""What `make run` does before it serves, in one process: migrate, load the demo (quick and
changing nothing when it is loaded already), print the banner."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Migrate, load the demo data and print the demo's banner (demo mode only)."

    def handle(self, *args: Any, **opts: Any) -> None:
        if not settings.QYZMET_DEMO:
            raise CommandError("The demo is prepared only in demo mode (QYZMET_DEMO=1).")
        call_command("migrate", interactive=False, verbosity=0, stdout=self.stdout)
        call_command("demo_load", stdout=self.stdout)
        call_command("demo_accounts", stdout=self.stdout)
