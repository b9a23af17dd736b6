"""Test helpers for the wallet: result documents made as rows (no PDF rendering or signing:
the wallet reads only the registry's record of a document)."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from conftest import PHONE, CommittingClient, bearer, sign_in
from qyzmet.core.calendar import local_today
from qyzmet.documents.models import Document
from qyzmet.documents.numbering import number_make
from qyzmet.identity.models import Account, Person
from qyzmet.wallet.models import OfflineKey

SERVICE = "address-certificate"  # issues a document; its agency is mvd-migration
AGENCY = "mvd-migration"


def document_make(holder: Person, *, status: str = Document.Status.VALID, **extra: Any) -> Document:
    number = number_make(year=local_today().year)
    return Document.objects.create(
        number=number,
        holder=holder,
        service_code=SERVICE,
        agency_code=AGENCY,
        language="en",
        title=extra.pop("title", "Certificate of registered address"),
        status=status,
        pdf=f"documents/test/{number}.pdf",
        sha256="0" * 64,
        signer_serial="01",
        **extra,
    )


def api_headers(api: CommittingClient, account: Account, phone: str = PHONE) -> dict[str, str]:
    """Sign `account` in as the phone app does; the bearer header for its requests."""
    assert account.person is not None
    tokens = sign_in(api, account.person.iin, phone)
    return bearer(tokens["access_token"])


def offline_private_key(row: OfflineKey) -> ec.EllipticCurvePrivateKey:
    """The private half of a stored offline key, to sign tokens a test makes up."""
    key = serialization.load_pem_private_key(row.private_key_pem.encode(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key
