"""Print the demo accounts (what `make run` shows)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from qyzmet.demo.loading import demo_account_list


class Command(BaseCommand):
    help = "Print the demo accounts."

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stdout.write("  Demo accounts (IIN + password; the SMS code is in the demo outbox):")
        for account in demo_account_list():
            self.stdout.write(
                f"    {account.role:20} {account.login:14} {account.password:18} "
                f"{account.phone or '':14} {account.where}"
            )
        self.stdout.write("  Demo certificates (.p12) for any demo citizen: /dev/certificate/")
