"""Print the demo accounts (what `make run` shows)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from qyzmet.demo.accounts import all_accounts


class Command(BaseCommand):
    help = "Print the demo accounts."

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stdout.write("  Demo accounts:")
        for account in all_accounts():
            self.stdout.write(
                f"    {account.role:22} {account.login:14} {account.password:18} {account.where}"
            )
