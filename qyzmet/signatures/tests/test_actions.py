"""The demo CA, issuing, revoking and CRLs."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.db import connection

from qyzmet.core.crypto import blind_index
from qyzmet.core.errors import NotFound, ValidationFailed
from qyzmet.signatures.actions import (
    DEMO_INTERMEDIATE_NAME,
    DEMO_ROOT_NAME,
    certificate_revoke,
    citizen_certificate_issue,
    demo_ca_ensure,
    demo_p12_password,
)
from qyzmet.signatures.authorities import crl_build
from qyzmet.signatures.issuance import certificate_load
from qyzmet.signatures.models import CertificateAuthority, IssuedCertificate
from qyzmet.signatures.tests.pki import IIN, OTHER_IIN

pytestmark = pytest.mark.django_db

DemoCA = tuple[CertificateAuthority, CertificateAuthority]


def test_demo_ca_ensure_is_idempotent(demo_ca: DemoCA) -> None:
    again = demo_ca_ensure()

    assert [ca.pk for ca in again] == [ca.pk for ca in demo_ca]
    assert CertificateAuthority.objects.count() == 2


def test_demo_ca_certificates_form_a_chain(demo_ca: DemoCA) -> None:
    root_ca, intermediate_ca = demo_ca
    root = certificate_load(root_ca.certificate_pem)
    intermediate = certificate_load(intermediate_ca.certificate_pem)

    assert (root_ca.name, root_ca.kind, root_ca.parent) == (DEMO_ROOT_NAME, "root", None)
    assert (intermediate_ca.name, intermediate_ca.kind) == (DEMO_INTERMEDIATE_NAME, "intermediate")
    assert intermediate_ca.parent == root_ca
    assert root.subject == root.issuer
    assert intermediate.issuer == root.subject
    intermediate.verify_directly_issued_by(root)
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    constraints = intermediate.extensions.get_extension_for_class(x509.BasicConstraints)
    assert (constraints.critical, constraints.value.ca, constraints.value.path_length) == (
        True,
        True,
        0,
    )
    usage = intermediate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert (usage.key_cert_sign, usage.crl_sign, usage.digital_signature) == (True, True, False)
    assert isinstance(root.public_key(), rsa.RSAPublicKey)
    assert root.public_key().key_size == 3072


def test_ca_private_key_is_ciphertext_in_the_database(demo_ca: DemoCA) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT private_key_pem FROM signatures_certificateauthority WHERE id = %s",
            [demo_ca[1].pk],
        )
        (stored,) = cursor.fetchone()

    assert stored.startswith("v1$")
    assert "PRIVATE KEY" not in stored
    assert CertificateAuthority.objects.get(pk=demo_ca[1].pk).private_key_pem.startswith(
        "-----BEGIN PRIVATE KEY-----"
    )


def test_citizen_certificate_profile(citizen: tuple[IssuedCertificate, bytes]) -> None:
    issued, _p12 = citizen
    certificate = certificate_load(issued.certificate_pem)

    assert certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == (
        "IIN791028302728"
    )
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "IVANOV IVAN"
    )
    assert certificate.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "KZ"
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical is True
    assert (usage.value.digital_signature, usage.value.content_commitment) == (True, True)
    purposes = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(purposes) == [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION]
    assert certificate.public_key().key_size == 2048
    assert issued.serial == format(certificate.serial_number, "x")
    assert (issued.kind, issued.revoked_at, issued.revocation_reason) == ("citizen", None, "")
    assert (issued.not_after - issued.not_before).days == 365


def test_the_iin_is_stored_only_as_a_blind_index(citizen: tuple[IssuedCertificate, bytes]) -> None:
    issued, _p12 = citizen

    assert issued.subject_iin_index == blind_index(IIN, purpose="iin")
    assert IIN not in issued.subject_iin_index


def test_pkcs12_opens_with_the_documented_password(
    citizen: tuple[IssuedCertificate, bytes],
) -> None:
    issued, p12 = citizen

    key, certificate, chain = pkcs12.load_key_and_certificates(p12, b"demo-2728")

    assert demo_p12_password(IIN) == "demo-2728"
    assert certificate is not None and key is not None
    assert certificate.public_key() == key.public_key()
    assert format(certificate.serial_number, "x") == issued.serial
    assert [c.subject.rfc4514_string() for c in chain] == [
        "C=KZ,O=Qyzmet (demo),CN=Qyzmet Demo National CA",
        "C=KZ,O=Qyzmet (demo),CN=Qyzmet Demo National Root CA",
    ]
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(p12, b"demo-0000")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"iin": "791028302729"}, "iin"),  # wrong check digit
        ({"iin": "90010131052" + "0"}, "iin"),  # 10 on both passes: never issued
        ({"iin": "791028002728"}, "iin"),  # century digit 0
        ({"surname": "  "}, "name"),
        ({"given_name": "X" * 70}, "name"),
        ({"valid_days": 0}, "valid_days"),
    ],
)
def test_issue_refuses_bad_input(demo_ca: DemoCA, fields: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {"iin": IIN, "surname": "Ivanov", "given_name": "Ivan"}
    arguments.update(fields)

    with pytest.raises(ValidationFailed) as caught:
        citizen_certificate_issue(**arguments)  # type: ignore[arg-type]

    assert list(caught.value.details) == [field]
    assert IssuedCertificate.objects.filter(ca=demo_ca[1]).count() == 1  # the package's citizen


def test_issue_accepts_an_iin_that_needs_the_second_weight_row(demo_ca: DemoCA) -> None:
    issued, _p12 = citizen_certificate_issue(
        iin="900101310506", surname="Serikova", given_name="Aigerim"
    )

    assert issued.subject_iin_index == blind_index("900101310506", purpose="iin")


def test_revoke_records_reason_and_time_once(demo_ca: DemoCA) -> None:
    issued, _p12 = citizen_certificate_issue(iin=OTHER_IIN, surname="Ivanova", given_name="Anna")

    first = certificate_revoke(serial=issued.serial, reason="key_compromise")
    again = certificate_revoke(serial=issued.serial, reason="superseded")

    assert first.revocation_reason == "key_compromise"
    assert first.revoked_at is not None
    assert (again.revoked_at, again.revocation_reason) == (first.revoked_at, "key_compromise")


def test_revoke_refuses_unknown_serial_and_reason(demo_ca: DemoCA) -> None:
    with pytest.raises(NotFound):
        certificate_revoke(serial="abcdef", reason="superseded")
    with pytest.raises(ValidationFailed):
        certificate_revoke(serial="abcdef", reason="certificate_hold")


def test_crl_lists_the_revoked_serial(
    demo_ca: DemoCA, citizen: tuple[IssuedCertificate, bytes]
) -> None:
    _root_ca, intermediate_ca = demo_ca
    good, _ = citizen
    issued, _p12 = citizen_certificate_issue(iin=OTHER_IIN, surname="Ivanova", given_name="Anna")
    certificate_revoke(serial=issued.serial, reason="key_compromise")

    crl = x509.load_der_x509_crl(crl_build(ca=intermediate_ca))

    intermediate = certificate_load(intermediate_ca.certificate_pem)
    assert crl.is_signature_valid(intermediate.public_key())
    assert crl.issuer == intermediate.subject
    assert crl.next_update_utc is not None
    assert crl.next_update_utc > crl.last_update_utc
    assert [format(entry.serial_number, "x") for entry in crl] == [issued.serial]
    entry = crl.get_revoked_certificate_by_serial_number(int(issued.serial, 16))
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == (
        x509.ReasonFlags.key_compromise
    )
    assert crl.get_revoked_certificate_by_serial_number(int(good.serial, 16)) is None


def test_root_crl_is_signed_and_empty(demo_ca: DemoCA) -> None:
    root_ca, _ = demo_ca

    crl = x509.load_der_x509_crl(crl_build(ca=root_ca))

    assert crl.is_signature_valid(certificate_load(root_ca.certificate_pem).public_key())
    assert len(crl) == 0
