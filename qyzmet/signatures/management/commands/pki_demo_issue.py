"""Issue a demo citizen certificate and write its PKCS#12 bundle to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qyzmet.core.errors import QyzmetError
from qyzmet.signatures.actions import citizen_certificate_issue, demo_p12_password


class Command(BaseCommand):
    help = "Issue a demo citizen certificate from the demo CA (demo mode only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--iin", required=True)
        parser.add_argument("--surname", required=True)
        parser.add_argument("--given-name", required=True)
        parser.add_argument("--out", required=True, help="Where to write the .p12 file.")
        parser.add_argument("--valid-days", type=int, default=365)

    def handle(
        self,
        *args: Any,
        iin: str,
        surname: str,
        given_name: str,
        out: str,
        valid_days: int,
        **options: Any,
    ) -> None:
        if not settings.QYZMET_DEMO:
            raise CommandError("demo certificates are issued only in demo mode (QYZMET_DEMO=1)")
        try:
            issued, bundle = citizen_certificate_issue(
                iin=iin, surname=surname, given_name=given_name, valid_days=valid_days
            )
        except QyzmetError as exc:
            raise CommandError(f"{exc.code}: {exc.details or exc.message}") from exc
        path = Path(out)
        path.write_bytes(bundle)
        path.chmod(0o600)
        self.stdout.write(f"serial:   {issued.serial}")
        self.stdout.write(f"valid to: {issued.not_after.isoformat()}")
        self.stdout.write(f"file:     {path}")
        self.stdout.write(f"password: {demo_p12_password(iin)}")
