"""Agency signing certificates, the OCSP responder's answers, revocation locations in the
certificates we issue, and trust roots from a directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID
from django.test import override_settings

from qyzmet.signatures.actions import (
    agency_certificate_ensure,
    ca_slug,
    certificate_revoke,
    citizen_certificate_issue,
)
from qyzmet.signatures.issuance import certificate_load
from qyzmet.signatures.models import CertificateAuthority, IssuedCertificate
from qyzmet.signatures.ocsp import ocsp_respond
from qyzmet.signatures.selectors import certificate_authority_by_slug, trust_root_list
from qyzmet.signatures.subject import agency_code_of, subject_iin
from qyzmet.signatures.tests import pki
from qyzmet.signatures.tests.pki import IIN, authority_build

pytestmark = pytest.mark.django_db

DemoCA = tuple[CertificateAuthority, CertificateAuthority]
LONG_NAME = "Комитет миграционной службы Министерства внутренних дел Республики Казахстан"


def ask(certificate: x509.Certificate, issuer: x509.Certificate) -> ocsp.OCSPResponse:
    # SHA-1 CertIDs are what most OCSP clients still send (RFC 5019); the responder must match.
    sha1 = hashes.SHA1()  # noqa: S303
    request = ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, sha1).build()
    return ocsp.load_der_ocsp_response(
        ocsp_respond(request=request.public_bytes(serialization.Encoding.DER))
    )


def test_an_agency_certificate_is_reused_until_revoked_then_replaced(demo_ca: DemoCA) -> None:
    first = agency_certificate_ensure(agency_code="mvd-migration", name=LONG_NAME)
    again = agency_certificate_ensure(agency_code="mvd-migration", name=LONG_NAME)
    certificate_revoke(serial=first.serial, reason="key_compromise")
    replaced = agency_certificate_ensure(agency_code="mvd-migration", name=LONG_NAME)

    assert again.pk == first.pk
    assert replaced.pk != first.pk
    assert replaced.kind == IssuedCertificate.Kind.AGENCY
    parsed = certificate_load(first.certificate_pem)
    common_name = parsed.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert isinstance(common_name, str)
    assert LONG_NAME.startswith(common_name)
    assert len(common_name.encode("utf-8")) <= 64
    assert agency_code_of(parsed.subject) == "mvd-migration"
    assert subject_iin(parsed.subject) is None
    # Document signing: nonRepudiation, and no purpose that would let it sign in.
    usage = parsed.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.content_commitment and usage.digital_signature
    with pytest.raises(x509.ExtensionNotFound):
        parsed.extensions.get_extension_for_class(x509.ExtendedKeyUsage)


def test_certificates_name_our_crl_and_ocsp_addresses(demo_ca: DemoCA) -> None:
    _root, intermediate = demo_ca
    with override_settings(QYZMET_PUBLIC_URL="https://qyzmet.example.kz"):
        issued, _p12 = citizen_certificate_issue(iin=IIN, surname="Ivanov", given_name="Ivan")
    parsed = certificate_load(issued.certificate_pem)

    points = parsed.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    access = parsed.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    eku = parsed.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value

    assert [p.full_name[0].value for p in points if p.full_name] == [
        f"https://qyzmet.example.kz/pki/crl/{ca_slug(intermediate)}.crl"
    ]
    assert [
        a.access_location.value
        for a in access
        if a.access_method == AuthorityInformationAccessOID.OCSP
    ] == ["https://qyzmet.example.kz/pki/ocsp"]
    assert ExtendedKeyUsageOID.CLIENT_AUTH in eku
    assert subject_iin(parsed.subject) == IIN
    assert certificate_authority_by_slug(slug=ca_slug(intermediate)) == intermediate
    assert certificate_authority_by_slug(slug="nope") is None


def test_ocsp_good_revoked_unknown_and_our_intermediate(demo_ca: DemoCA) -> None:
    root, intermediate = demo_ca
    root_cert = certificate_load(root.certificate_pem)
    intermediate_cert = certificate_load(intermediate.certificate_pem)
    issued, _p12 = citizen_certificate_issue(iin=IIN, surname="Ivanov", given_name="Ivan")
    citizen = certificate_load(issued.certificate_pem)

    good = ask(citizen, intermediate_cert)
    certificate_revoke(serial=issued.serial, reason="affiliation_changed")
    revoked = ask(citizen, intermediate_cert)
    ca_status = ask(intermediate_cert, root_cert)
    # The intermediate's name and key, a serial it never issued.
    never_issued = (
        x509.CertificateBuilder()
        .subject_name(citizen.subject)
        .issuer_name(intermediate_cert.subject)
        .public_key(citizen.public_key())
        .serial_number(424242)
        .not_valid_before(citizen.not_valid_before_utc)
        .not_valid_after(citizen.not_valid_after_utc)
        .sign(pki.test_key("signer"), hashes.SHA256())
    )
    unknown = ask(never_issued, intermediate_cert)
    # The root's key with the intermediate's name: no CA of ours.
    mismatched = ask(citizen, root_cert)

    assert good.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert good.this_update_utc < good.next_update_utc  # type: ignore[operator]
    assert revoked.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert revoked.revocation_reason == x509.ReasonFlags.affiliation_changed
    assert ca_status.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert unknown.certificate_status == ocsp.OCSPCertStatus.UNKNOWN
    assert mismatched.response_status == ocsp.OCSPResponseStatus.UNAUTHORIZED


def test_ocsp_for_a_ca_we_do_not_run_is_unauthorized(demo_ca: DemoCA) -> None:
    other_root = authority_build("Other Root CA")
    other_ca = authority_build("Other CA", parent=other_root)

    answer = ask(other_ca.certificate, other_root.certificate)

    assert answer.response_status == ocsp.OCSPResponseStatus.UNAUTHORIZED
    empty = ocsp.load_der_ocsp_response(ocsp_respond(request=b""))
    assert empty.response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_trust_roots_from_a_directory_and_files(demo_ca: DemoCA, tmp_path: Path) -> None:
    national = authority_build("National Root CA")
    second = authority_build("Second National Root CA")
    pem = serialization.Encoding.PEM
    directory = tmp_path / "roots"
    directory.mkdir()
    (directory / "national.pem").write_bytes(national.certificate.public_bytes(pem))
    (directory / "notes.txt").write_text("not a certificate")
    single = tmp_path / "second.crt"
    single.write_bytes(second.certificate.public_bytes(pem))
    demo_root = certificate_load(demo_ca[0].certificate_pem)

    with override_settings(QYZMET_PKI_TRUST_ROOTS=[str(directory), str(single)]):
        in_demo = trust_root_list()
        with override_settings(QYZMET_DEMO=False):
            in_production = trust_root_list()

    assert in_demo == [demo_root, national.certificate, second.certificate]
    assert in_production == [national.certificate, second.certificate]
