"""Offer a proactive service to a person (what a registry event will trigger)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from qyzmet.applications.actions import application_offer
from qyzmet.core.errors import QyzmetError
from qyzmet.identity.selectors import iin_validated, person_get_by_iin


class Command(BaseCommand):
    help = "Offer a proactive service (e.g. birth-registration) to the person with this IIN."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("service")
        parser.add_argument("--iin", required=True)

    def handle(self, *args: Any, service: str, iin: str, **opts: Any) -> None:
        try:
            person = person_get_by_iin(iin=iin_validated(iin))
            if person is None:
                raise CommandError("No person with this IIN in the registry.")
            application = application_offer(person=person, service_code=service)
        except QyzmetError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"Offered: {application.number} ({application.state}).")
