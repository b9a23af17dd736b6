"""The demo PKI is made once for this package and removed after its last test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from qyzmet.documents.tests.fixtures import demo_pki
from qyzmet.signatures.models import IssuedCertificate


@pytest.fixture(scope="package")
def agency_certificate(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[IssuedCertificate]:
    with demo_pki(django_db_blocker) as certificate:
        yield certificate
