"""Revoke a result document by its number: both public checks say "revoked" from now on."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from qyzmet.core.errors import QyzmetError
from qyzmet.documents.actions import document_revoke
from qyzmet.documents.numbering import number_normalize


class Command(BaseCommand):
    help = "Revoke a result document by its 16-digit number."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("number")
        parser.add_argument("--reason", required=True)

    def handle(self, *args: Any, number: str, reason: str, **options: Any) -> None:
        normalized = number_normalize(number)
        if normalized is None:
            raise CommandError("not a document number (16 digits with a valid check digit)")
        try:
            document = document_revoke(number=normalized, reason=reason)
        except QyzmetError as exc:
            raise CommandError(f"{exc.code}: {exc.details or exc.message}") from exc
        self.stdout.write(f"revoked {document.number} ({document.revocation_reason})")
