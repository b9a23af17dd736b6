"""Load the demo data (idempotent: a second run changes nothing)"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from qyzmet.demo import accounts


class Command(BaseCommand):
    help = "Load demo data (demo mode only); safe to run again."

    def handle(self, *args: Any, **opts: Any) -> None:
        if not settings.QYZMET_DEMO:
            raise CommandError("Demo data is loaded only in demo mode (QYZMET_DEMO=1).")
        with transaction.atomic():
            self._admin()

    def _admin(self) -> None:
        user_model = get_user_model()
        admin = user_model.objects.filter(username=accounts.ADMIN.login).first()
        if admin is None:
            user_model.objects.create_superuser(
                username=accounts.ADMIN.login, email="", password=accounts.ADMIN.password
            )
