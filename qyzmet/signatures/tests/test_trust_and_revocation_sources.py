"""Trust roots from PEM files, and the revocation-source interface (revocation data is
required for every certificate on the path)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from qyzmet.signatures import issuance
from qyzmet.signatures.models import CertificateAuthority
from qyzmet.signatures.providers import revocation
from qyzmet.signatures.providers.revocation import RevocationInfo, RevocationUnavailable
from qyzmet.signatures.selectors import SignatureRejected, signin_signature_verify, trust_root_list
from qyzmet.signatures.tests.pki import (
    IIN,
    Authority,
    Signer,
    authority_build,
    now,
    signer_issue,
)

pytestmark = pytest.mark.django_db

CHALLENGE = b"challenge"


class Other:
    root: Authority
    intermediate: Authority
    signer: Signer
    revoked_serials: set[int]


@pytest.fixture(scope="module")
def other() -> Other:
    """A national CA we do not run: its root reaches us as a PEM file."""
    pki = Other()
    pki.root = authority_build("Other National Root CA")
    pki.intermediate = authority_build("Other National CA", parent=pki.root)
    pki.signer = signer_issue(pki.intermediate, chain=[pki.intermediate.certificate])
    return pki


@pytest.fixture
def crl_source(other: Other) -> Iterator[Other]:
    """A source that knows the other CA's CRLs, as a production CRL fetcher would."""
    other.revoked_serials = set()

    @revocation.register("test-static")
    class StaticSource:
        name = "test-static"

        def revocation_info(self, *, certificates: Sequence[x509.Certificate]) -> RevocationInfo:
            assert certificates[0] == other.signer.certificate  # the signer comes first
            return RevocationInfo(
                crls=(
                    _crl(other.root, set()),
                    _crl(other.intermediate, other.revoked_serials),
                )
            )

        def check_config(self) -> list[str]:
            return []

    yield other
    del revocation._REGISTRY["test-static"]


def _crl(authority: Authority, serials: set[int]) -> bytes:
    return issuance.crl_sign(
        issuer_cert=authority.certificate,
        issuer_key=authority.key,
        revocations=[
            issuance.Revocation(serial_number=s, revoked_at=now(), reason=None) for s in serials
        ],
        now=now(),
        lifetime=dt.timedelta(hours=1),
    )


@pytest.fixture
def root_file(other: Other, tmp_path: Path) -> str:
    path = tmp_path / "roots.pem"
    path.write_bytes(other.root.certificate.public_bytes(serialization.Encoding.PEM))
    return str(path)


def trusting(root_file: str, *, source: str) -> override_settings:
    return override_settings(QYZMET_TRUST_ROOT_FILES=[root_file], QYZMET_REVOCATION_SOURCE=source)


def signature(other: Other) -> bytes:
    return other.signer.sign(CHALLENGE)


def test_root_from_a_file_is_trusted_when_revocation_data_covers_the_path(
    crl_source: Other, root_file: str
) -> None:
    with trusting(root_file, source="test-static"):
        signer = signin_signature_verify(signature=signature(crl_source), challenge=CHALLENGE)

    assert signer.iin == IIN
    assert signer.serial == format(crl_source.signer.certificate.serial_number, "x")


def test_certificate_revoked_on_the_other_cas_crl_is_refused(
    crl_source: Other, root_file: str
) -> None:
    crl_source.revoked_serials.add(crl_source.signer.certificate.serial_number)

    with trusting(root_file, source="test-static"), pytest.raises(SignatureRejected) as caught:
        signin_signature_verify(signature=signature(crl_source), challenge=CHALLENGE)

    assert caught.value.code == "certificate_revoked"


def test_without_revocation_data_a_trusted_chain_is_refused(other: Other, root_file: str) -> None:
    # The demo source signs CRLs only for our own CAs: nothing covers the other CA's chain.
    with trusting(root_file, source="demo"), pytest.raises(SignatureRejected) as caught:
        signin_signature_verify(signature=signature(other), challenge=CHALLENGE)

    assert caught.value.code == "certificate_untrusted"


def test_a_source_that_cannot_answer_refuses_sign_in(other: Other, root_file: str) -> None:
    @revocation.register("test-down")
    class DownSource:
        name = "test-down"

        def revocation_info(self, *, certificates: Sequence[x509.Certificate]) -> RevocationInfo:
            raise RevocationUnavailable("responder unreachable")

        def check_config(self) -> list[str]:
            return []

    try:
        with (
            override_settings(
                QYZMET_TRUST_ROOT_FILES=[root_file], QYZMET_REVOCATION_SOURCE="test-down"
            ),
            pytest.raises(RevocationUnavailable),
        ):
            signin_signature_verify(signature=signature(other), challenge=CHALLENGE)
    finally:
        del revocation._REGISTRY["test-down"]


def test_trust_roots_are_the_demo_root_and_the_files(
    demo_ca: tuple[CertificateAuthority, CertificateAuthority], other: Other, root_file: str
) -> None:
    demo_root = issuance.certificate_load(demo_ca[0].certificate_pem)

    with override_settings(QYZMET_TRUST_ROOT_FILES=[root_file]):
        assert trust_root_list() == [demo_root, other.root.certificate]
    with override_settings(QYZMET_DEMO=False, QYZMET_TRUST_ROOT_FILES=[root_file]):
        assert trust_root_list() == [other.root.certificate]


def test_an_unreadable_trust_root_file_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "bad.pem").write_text("not a certificate")

    bad_file = override_settings(QYZMET_TRUST_ROOT_FILES=[str(tmp_path / "bad.pem")])

    with bad_file, pytest.raises(ImproperlyConfigured):
        trust_root_list()


def test_outside_demo_mode_a_revocation_source_must_be_named() -> None:
    production = override_settings(QYZMET_DEMO=False, QYZMET_REVOCATION_SOURCE="")

    with production, pytest.raises(ImproperlyConfigured):
        revocation.configured_source()
