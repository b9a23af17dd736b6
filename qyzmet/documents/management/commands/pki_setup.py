"""Set up the demo PKI: the national root and intermediate CAs and a document-signing
certificate for every agency in the catalogue. Safe to run again: what exists is kept."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qyzmet.catalogue.selectors import catalogue_get
from qyzmet.signatures.actions import (
    agency_certificate_ensure,
    ca_slug,
    demo_ca_ensure,
    revocation_locations,
)


class Command(BaseCommand):
    help = (
        "Create (once) the demo root and intermediate CAs and each agency's document-signing "
        "certificate (demo mode only)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--agency", action="append", default=[], help="Only this agency code (repeatable)."
        )

    def handle(self, *args: Any, agency: list[str], **options: Any) -> None:
        if not settings.QYZMET_DEMO:
            raise CommandError(
                "the demo national CA is set up only in demo mode (QYZMET_DEMO=1); in "
                "production the agencies' certificates come from the national CA"
            )
        agencies = catalogue_get().agencies
        unknown = sorted(set(agency) - set(agencies))
        if unknown:
            raise CommandError(f"unknown agency: {', '.join(unknown)}")
        root, intermediate = demo_ca_ensure()
        for ca in (root, intermediate):
            locations = revocation_locations(ca)
            crl = locations.crl_url if locations else f"/pki/crl/{ca_slug(ca)}.crl"
            self.stdout.write(f"CA       {ca.name} ({ca.kind}) CRL {crl}")
        for code in agency or sorted(agencies):
            certificate = agency_certificate_ensure(
                agency_code=code, name=agencies[code].name.get("ru")
            )
            self.stdout.write(
                f"agency   {code}: certificate {certificate.serial} "
                f"valid to {certificate.not_after.date().isoformat()}"
            )
