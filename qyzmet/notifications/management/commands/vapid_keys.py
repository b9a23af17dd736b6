"""Print a new VAPID key pair for Web Push."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from qyzmet.notifications.providers.push import vapid_key_pair


class Command(BaseCommand):
    help = "Print a new VAPID key pair (P-256, base64url) as environment lines."

    def handle(self, *args: Any, **options: Any) -> None:
        private, public = vapid_key_pair()
        self.stdout.write(f"QYZMET_VAPID_PRIVATE_KEY={private}\nQYZMET_VAPID_PUBLIC_KEY={public}")
