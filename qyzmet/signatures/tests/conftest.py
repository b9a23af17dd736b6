"""The demo CA is made once for this package (RSA-3072 keys are slow to generate) and removed
after its last test; each test's own writes roll back as usual."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from qyzmet.signatures.actions import citizen_certificate_issue, demo_ca_ensure
from qyzmet.signatures.models import CertificateAuthority, IssuedCertificate
from qyzmet.signatures.tests.pki import IIN


@pytest.fixture(scope="package")
def demo_ca(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[tuple[CertificateAuthority, CertificateAuthority]]:
    with django_db_blocker.unblock():
        cas = demo_ca_ensure()
    yield cas
    with django_db_blocker.unblock():
        IssuedCertificate.objects.filter(ca__in=cas).delete()
        cas[1].delete()
        cas[0].delete()


@pytest.fixture(scope="package")
def citizen(
    demo_ca: tuple[CertificateAuthority, CertificateAuthority],
    django_db_blocker: Any,
) -> tuple[IssuedCertificate, bytes]:
    """A valid demo citizen certificate and its PKCS#12 bundle, never revoked."""
    with django_db_blocker.unblock():
        return citizen_certificate_issue(iin=IIN, surname="Ivanov", given_name="Ivan")
