"""Reconcile a day: the gateway's records against ours, mismatches listed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from qyzmet.core.calendar import local_today
from qyzmet.payments.reconciliation import reconcile


class Command(BaseCommand):
    help = "Compare a day's gateway records with ours (default: yesterday) and list mismatches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", type=date.fromisoformat, default=None)
        parser.add_argument("--gateway", default="")

    def handle(self, *args: Any, day: date | None, gateway: str, **options: Any) -> None:
        day = day or local_today() - timedelta(days=1)
        run = reconcile(gateway_name=gateway or settings.QYZMET_PAYMENT_GATEWAY, day=day)
        for m in run.mismatches.all():
            self.stdout.write(f"{m.kind}\t{m.gateway_ref}\tours={m.ours}\ttheirs={m.theirs}")
        self.stdout.write(f"Checked {run.checked}, mismatches {run.mismatches.count()}.")
