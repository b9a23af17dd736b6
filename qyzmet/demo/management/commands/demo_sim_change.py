"""Demo operator: record that a number's SIM card was changed (or clear it), to try the
SIM-change block on SMS sign-in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qyzmet.core.crypto import blind_index
from qyzmet.core.errors import QyzmetError
from qyzmet.identity.models import DemoSimChange
from qyzmet.identity.phones import phone_parse


class Command(BaseCommand):
    help = "Demo mode: set or clear a number's last SIM change as the demo operator reports it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("phone")
        parser.add_argument("--hours-ago", type=float, default=0.0)
        parser.add_argument("--clear", action="store_true")

    def handle(self, *args: Any, phone: str, hours_ago: float, clear: bool, **opts: Any) -> None:
        if not settings.QYZMET_DEMO:
            raise CommandError("The demo operator exists only in demo mode (QYZMET_DEMO=1).")
        try:
            number = phone_parse(phone)
        except QyzmetError as exc:
            raise CommandError(str(exc.message)) from exc
        index = blind_index(number.e164, purpose="phone")
        if clear:
            DemoSimChange.objects.filter(phone_index=index).delete()
            self.stdout.write("Cleared.")
            return
        changed_at = timezone.now() - timedelta(hours=hours_ago)
        DemoSimChange.objects.update_or_create(
            phone_index=index, defaults={"changed_at": changed_at}
        )
        self.stdout.write(f"SIM change recorded at {changed_at.isoformat()}.")
