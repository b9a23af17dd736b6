"""Result documents on the pages: the QR code leads to the public check, the check by number
and IIN and by file, "My documents"; and the public CRL and OCSP endpoints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import ocsp
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import resolve

from conftest import PASSWORD, PHONE, CommittingClient, last_code
from qyzmet.documents import rendering
from qyzmet.documents.actions import document_issue, document_revoke
from qyzmet.documents.models import Document
from qyzmet.documents.numbering import number_display
from qyzmet.documents.selectors import document_pdf_bytes
from qyzmet.documents.tests.fixtures import SERVICE, demo_pki, flip_byte_in_content
from qyzmet.identity.tests.factories import citizen_create, person_create
from qyzmet.portal import views_documents
from qyzmet.signatures.actions import ca_signer, ca_slug, certificate_revoke
from qyzmet.signatures.issuance import certificate_load
from qyzmet.signatures.models import IssuedCertificate

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def agency_certificate(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[IssuedCertificate]:
    with demo_pki(django_db_blocker) as certificate:
        yield certificate


def issue(holder: Any = None) -> Document:
    return document_issue(holder=holder or person_create(), service_code=SERVICE, language="en")


def test_the_qr_code_and_the_verify_link_use_the_configured_public_address(
    agency_certificate: IssuedCertificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded: list[str] = []
    pages: list[str] = []
    real_qr, real_html = rendering.qr_svg_data_uri, rendering.html_render
    monkeypatch.setattr(
        rendering, "qr_svg_data_uri", lambda content: encoded.append(content) or real_qr(content)
    )
    monkeypatch.setattr(
        rendering, "html_render", lambda **kw: pages.append(real_html(**kw)) or pages[-1]
    )

    with override_settings(QYZMET_PUBLIC_URL="https://egov.example.kz"):
        document = issue()

    link = f"https://egov.example.kz/verify/?number={document.number}"
    assert encoded == [link]
    assert f'<p class="url">{link}</p>' in pages[-1]
    assert "localhost" not in pages[-1]


def test_the_qr_code_leads_to_the_check_and_the_check_shows_the_document(
    web: CommittingClient, agency_certificate: IssuedCertificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded: list[str] = []
    real = rendering.qr_svg_data_uri
    monkeypatch.setattr(
        rendering, "qr_svg_data_uri", lambda content: encoded.append(content) or real(content)
    )

    document = issue()

    assert encoded == [f"http://localhost:8000/verify/?number={document.number}"]
    url = urlsplit(encoded[0])
    assert resolve(url.path).func is views_documents.verify
    landing = web.get(f"{url.path}?{url.query}")
    assert landing.status_code == 200
    assert f'value="{document.number}"' in landing.content.decode()
    checked = web.post(url.path, {"number": document.number, "iin": document.holder.iin})
    page = checked.content.decode()
    assert checked.status_code == 200
    assert "The document is genuine and valid." in page
    assert number_display(document.number) in page
    assert "Migration Service Committee of the Ministry of Internal Affairs" in page


def test_the_check_page_says_revoked_and_not_found_without_naming_anyone(
    web: CommittingClient, agency_certificate: IssuedCertificate
) -> None:
    document = issue()
    document_revoke(number=document.number, reason="Court order")
    stranger = person_create(surname="Омаров", given_name="Ерлан")

    revoked = web.post("/verify/", {"number": document.number, "iin": document.holder.iin})
    wrong = web.post("/verify/", {"number": document.number, "iin": stranger.iin})
    empty = web.post("/verify/", {"number": document.number, "iin": ""})
    # The IIN is never taken from the address.
    in_url = web.get("/verify/", {"number": document.number, "iin": document.holder.iin})

    assert revoked.status_code == 200
    assert 'data-status="revoked"' in revoked.content.decode()
    assert "has been revoked" in revoked.content.decode()
    assert wrong.status_code == 404
    assert "No document with this number was issued to this IIN." in wrong.content.decode()
    assert "Сейтқали" not in wrong.content.decode()
    assert empty.status_code == 422
    assert in_url.status_code == 200
    assert "data-status" not in in_url.content.decode()


def test_the_file_check_page_accepts_the_original_and_refuses_a_changed_copy(
    web: CommittingClient, agency_certificate: IssuedCertificate
) -> None:
    pdf = document_pdf_bytes(issue())

    def check(data: bytes) -> str:
        upload = SimpleUploadedFile("doc.pdf", data, content_type="application/pdf")
        response = web.post("/verify/file/", {"file": upload})
        assert response.status_code == 200
        return str(response.content.decode())

    original, changed = check(pdf), check(flip_byte_in_content(pdf))
    assert 'data-code="valid"' in original
    assert original.count("The document is genuine and valid.") == 1  # one verdict, not two
    assert "Migration Service Committee" in original
    assert 'data-code="tampered"' in changed
    assert "changed after it was signed" in changed
    assert "Migration Service Committee" not in changed  # an unproven signer is not named


def test_my_documents_lists_mine_and_downloads_only_mine(
    agency_certificate: IssuedCertificate,
) -> None:
    account = citizen_create()
    mine, theirs = issue(account.person), issue()
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    assert web.get("/me/documents/").status_code == 302  # to sign-in
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, PHONE)})

    page = web.get("/me/documents/").content.decode()
    pdf = web.get(f"/me/documents/{mine.pk}/pdf")

    assert "Certificate of registered address" in page
    assert f"/me/documents/{mine.pk}/pdf" in page
    assert f"/me/documents/{theirs.pk}/pdf" not in page
    assert pdf.status_code == 200
    assert pdf.content == document_pdf_bytes(mine)
    assert web.get(f"/me/documents/{theirs.pk}/pdf").status_code == 404


def test_my_documents_and_the_check_name_a_document_in_the_reader_s_language(
    agency_certificate: IssuedCertificate,
) -> None:
    # given: a document issued in Kazakh
    account = citizen_create()
    document = document_issue(holder=account.person, service_code=SERVICE, language="kk")
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, PHONE)})
    check = {"number": document.number, "iin": account.person.iin}

    # when: read in Russian
    web.cookies["qyzmet_language"] = "ru"
    listed, checked = web.get("/me/documents/"), web.post("/verify/", check)

    # then
    for page in (listed.content.decode(), checked.content.decode()):
        assert "Адресная справка" in page
        assert "Мекенжай анықтамасы" not in page


def _ocsp_request(certificate: x509.Certificate, issuer: x509.Certificate) -> bytes:
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(certificate, issuer, hashes.SHA256())
        .add_extension(x509.OCSPNonce(b"0123456789abcdef"), critical=False)
        .build()
    )
    return request.public_bytes(serialization.Encoding.DER)


def test_the_ocsp_responder_answers_good_then_revoked_for_the_signing_certificate(
    web: CommittingClient, agency_certificate: IssuedCertificate
) -> None:
    signer = certificate_load(agency_certificate.certificate_pem)
    issuer = certificate_load(agency_certificate.ca.certificate_pem)

    def ask() -> ocsp.OCSPResponse:
        response = web.generic(
            "POST",
            "/pki/ocsp",
            _ocsp_request(signer, issuer),
            content_type="application/ocsp-request",
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "application/ocsp-response"
        answer = ocsp.load_der_ocsp_response(response.content)
        assert answer.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
        # Signed by the issuing CA, for exactly this certificate, echoing the nonce.
        issuer_key = issuer.public_key()
        assert isinstance(issuer_key, rsa.RSAPublicKey)
        assert answer.signature_hash_algorithm is not None
        issuer_key.verify(  # raises InvalidSignature
            answer.signature,
            answer.tbs_response_bytes,
            padding.PKCS1v15(),
            answer.signature_hash_algorithm,
        )
        assert answer.serial_number == signer.serial_number
        nonce = answer.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
        assert nonce == b"0123456789abcdef"
        return answer

    assert ask().certificate_status == ocsp.OCSPCertStatus.GOOD

    certificate_revoke(serial=agency_certificate.serial, reason="key_compromise")

    revoked = ask()
    assert revoked.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert revoked.revocation_reason == x509.ReasonFlags.key_compromise
    assert revoked.revocation_time_utc is not None
    assert revoked.revocation_time_utc <= dt.datetime.now(dt.UTC)


def test_the_ocsp_responder_refuses_what_it_does_not_know(
    web: CommittingClient, agency_certificate: IssuedCertificate
) -> None:
    issuer_ca = agency_certificate.ca
    issuer = certificate_load(issuer_ca.certificate_pem)
    signer = certificate_load(agency_certificate.certificate_pem)
    # A certificate from the same CA name and key but a serial it never issued: "unknown".
    stranger = (
        x509.CertificateBuilder()
        .subject_name(signer.subject)
        .issuer_name(issuer.subject)
        .public_key(signer.public_key())
        .serial_number(12345)
        .not_valid_before(signer.not_valid_before_utc)
        .not_valid_after(signer.not_valid_after_utc)
        .sign(ca_signer(issuer_ca)[1], hashes.SHA256())
    )

    unknown = web.generic(
        "POST",
        "/pki/ocsp",
        _ocsp_request(stranger, issuer),
        content_type="application/ocsp-request",
    )
    garbage = web.generic("POST", "/pki/ocsp", b"not der", content_type="application/ocsp-request")
    wrong_type = web.generic("POST", "/pki/ocsp", b"x", content_type="text/plain")

    assert ocsp.load_der_ocsp_response(unknown.content).certificate_status == (
        ocsp.OCSPCertStatus.UNKNOWN
    )
    assert ocsp.load_der_ocsp_response(garbage.content).response_status == (
        ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    )
    assert wrong_type.status_code == 415


def test_the_crl_lists_revoked_serials_and_is_signed_by_its_ca(
    web: CommittingClient, agency_certificate: IssuedCertificate
) -> None:
    ca = agency_certificate.ca
    ca_certificate = certificate_load(ca.certificate_pem)

    before = x509.load_der_x509_crl(web.get(f"/pki/crl/{ca_slug(ca)}.crl").content)
    certificate_revoke(serial=agency_certificate.serial, reason="superseded")
    after_response = web.get(f"/pki/crl/{ca_slug(ca)}.crl")
    after = x509.load_der_x509_crl(after_response.content)

    serial = int(agency_certificate.serial, 16)
    assert before.get_revoked_certificate_by_serial_number(serial) is None
    entry = after.get_revoked_certificate_by_serial_number(serial)
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == (
        x509.ReasonFlags.superseded
    )
    assert after.is_signature_valid(ca_certificate.public_key())  # type: ignore[arg-type]
    assert after.issuer == ca_certificate.subject
    assert after_response["Content-Type"] == "application/pkix-crl"
    assert web.get("/pki/crl/no-such-ca.crl").status_code == 404
