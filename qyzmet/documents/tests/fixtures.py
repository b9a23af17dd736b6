"""Test helpers for result documents: the demo PKI made once per module (RSA-3072 keys are slow
to generate) and removed after it; each test's own writes roll back as usual."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from qyzmet.signatures.actions import agency_certificate_ensure, demo_ca_ensure
from qyzmet.signatures.models import CertificateAuthority, IssuedCertificate

SERVICE = "address-certificate"  # issues a document; its agency is mvd-migration
AGENCY = "mvd-migration"


@contextmanager
def demo_pki(django_db_blocker: Any) -> Iterator[IssuedCertificate]:
    """The demo root and intermediate CAs and the agency's signing certificate."""
    with django_db_blocker.unblock():
        root, intermediate = demo_ca_ensure()
        certificate = agency_certificate_ensure(agency_code=AGENCY, name="Migration Service")
    try:
        yield certificate
    finally:
        with django_db_blocker.unblock():
            IssuedCertificate.objects.filter(ca__in=[root, intermediate]).delete()
            CertificateAuthority.objects.filter(pk=intermediate.pk).delete()
            CertificateAuthority.objects.filter(pk=root.pk).delete()


def flip_byte_in_content(pdf: bytes) -> bytes:
    """The PDF with one byte of its first content stream changed (inside the signed range)."""
    start = pdf.index(b"stream") + len(b"stream\n") + 10
    changed = bytearray(pdf)
    changed[start] ^= 0x01
    return bytes(changed)
