"""Revoke an issued certificate; the next CRL lists it and sign-in refuses it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from qyzmet.core.errors import QyzmetError
from qyzmet.signatures.actions import certificate_revoke
from qyzmet.signatures.models import IssuedCertificate


class Command(BaseCommand):
    help = "Revoke a certificate issued by our CA, by its serial number (hex)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("serial")
        parser.add_argument(
            "--reason",
            default=IssuedCertificate.RevocationReason.UNSPECIFIED,
            choices=IssuedCertificate.RevocationReason.values,
        )

    def handle(self, *args: Any, serial: str, reason: str, **options: Any) -> None:
        try:
            certificate = certificate_revoke(serial=serial, reason=reason)
        except QyzmetError as exc:
            raise CommandError(f"{exc.code}: {exc.details or exc.message}") from exc
        assert certificate.revoked_at is not None  # noqa: S101 - set by certificate_revoke
        self.stdout.write(
            f"revoked {certificate.serial} at {certificate.revoked_at.isoformat()} "
            f"({certificate.revocation_reason})"
        )
