"""Sign a sign-in challenge with a PKCS#12 key, for signing in from the command line."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from qyzmet.signatures.client import SigningKeyError, cms_sign


class Command(BaseCommand):
    help = "Print the base64 CMS signature of a base64 challenge, made with a PKCS#12 key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--p12", required=True, help="The .p12/.pfx file.")
        parser.add_argument("--password", required=True)
        parser.add_argument("--challenge", required=True, help="The challenge, base64.")
        parser.add_argument(
            "--attached", action="store_true", help="Carry the challenge inside the signature."
        )

    def handle(
        self, *args: Any, p12: str, password: str, challenge: str, attached: bool, **options: Any
    ) -> None:
        try:
            content = base64.b64decode(challenge, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CommandError("the challenge is not valid base64") from exc
        try:
            bundle = Path(p12).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {p12}: {exc.strerror}") from exc
        try:
            signature = cms_sign(
                content=content, p12=bundle, password=password, detached=not attached
            )
        except SigningKeyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(base64.b64encode(signature).decode("ascii"))
