"""Result documents through the API: the public checks by number and IIN and by the PDF file
(intact, trusted, not revoked), and the holder's own documents."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import CommittingClient, bearer, sign_in
from qyzmet.documents.actions import document_issue, document_revoke
from qyzmet.documents.models import Document
from qyzmet.documents.numbering import number_display
from qyzmet.documents.selectors import document_pdf_bytes
from qyzmet.documents.tests.fixtures import SERVICE, demo_pki, flip_byte_in_content
from qyzmet.identity.tests.factories import citizen_create, person_create
from qyzmet.signatures.actions import certificate_revoke
from qyzmet.signatures.models import IssuedCertificate

pytestmark = pytest.mark.django_db

VERIFY = "/api/v1/documents/verify"
VERIFY_PDF = "/api/v1/documents/verify-pdf"


@pytest.fixture(scope="module")
def agency_certificate(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[IssuedCertificate]:
    with demo_pki(django_db_blocker) as certificate:
        yield certificate


def issue(**kwargs: Any) -> Document:
    holder = kwargs.pop("holder", None) or person_create()
    application_id = kwargs.pop("application_id", None) or f"A-{uuid.uuid4().hex[:8]}"
    return document_issue(
        holder=holder, service_code=SERVICE, application_id=application_id, **kwargs
    )


def upload(client: CommittingClient, pdf: bytes) -> dict[str, Any]:
    response = client.post(
        VERIFY_PDF, {"file": SimpleUploadedFile("d.pdf", pdf, content_type="application/pdf")}
    )
    assert response.status_code == 200, response.content
    result: dict[str, Any] = response.json()
    return result


def test_an_issued_document_verifies_by_file_and_by_number_and_iin(
    api_client: CommittingClient, agency_certificate: IssuedCertificate
) -> None:
    document = issue(language="ru", answers={"include_history": True})
    pdf = document_pdf_bytes(document)

    by_file = upload(api_client, pdf)
    by_number = api_client.post_json(
        VERIFY, {"number": number_display(document.number), "iin": document.holder.iin}
    )

    assert pdf.startswith(b"%PDF-")
    assert by_file["code"] == "valid"
    assert by_file["valid"] is True
    assert by_file["signer_serial"] == agency_certificate.serial
    assert by_file["document"]["number"] == number_display(document.number)
    assert by_file["document"]["status"] == "valid"
    assert by_number.status_code == 200
    body = by_number.json()
    assert body["status"] == "valid"
    assert body["title"] == "Certificate of registered address"  # the reader's language
    assert body["service_code"] == SERVICE
    assert body["issuer"] == "Migration Service Committee of the Ministry of Internal Affairs"
    assert body["holder_masked"] == "Сейтқали Ә. М."
    # The number may be typed without spaces.
    assert api_client.post_json(
        VERIFY, {"number": document.number, "iin": document.holder.iin}
    ).json()["number"] == number_display(document.number)


def test_one_changed_byte_fails_verification_with_a_clear_reason(
    api_client: CommittingClient, agency_certificate: IssuedCertificate
) -> None:
    pdf = document_pdf_bytes(issue())

    result = upload(api_client, flip_byte_in_content(pdf))

    assert result["code"] == "tampered"
    assert result["valid"] is False
    assert "changed after it was signed" in result["message"]
    assert result["document"] is None


def test_appending_to_a_signed_file_is_refused(
    api_client: CommittingClient, agency_certificate: IssuedCertificate
) -> None:
    pdf = document_pdf_bytes(issue())

    result = upload(api_client, pdf + b"\n% appended\n")

    assert result["code"] in {"modified_after_signing", "tampered"}
    assert result["valid"] is False


def test_files_that_are_not_signed_documents(api_client: CommittingClient) -> None:
    assert upload(api_client, b"hello")["code"] == "not_pdf"
    from weasyprint import HTML

    unsigned = HTML(string="<p>Анықтама</p>").write_pdf()
    assert upload(api_client, unsigned)["code"] == "not_signed"
    missing = api_client.post(VERIFY_PDF, {})
    assert missing.status_code == 422


def test_a_revoked_document_shows_revoked_by_number_and_by_file(
    api_client: CommittingClient, agency_certificate: IssuedCertificate
) -> None:
    document = issue()
    pdf = document_pdf_bytes(document)

    document_revoke(number=document.number, reason="Issued in error")

    by_number = api_client.post_json(
        VERIFY, {"number": document.number, "iin": document.holder.iin}
    )
    by_file = upload(api_client, pdf)
    assert by_number.json()["status"] == "revoked"
    assert by_number.json()["status_changed_at"] is not None
    assert by_file["code"] == "revoked"
    assert by_file["valid"] is False
    assert by_file["document"]["status"] == "revoked"


def test_a_superseded_document_names_the_newer_one(
    api_client: CommittingClient, agency_certificate: IssuedCertificate
) -> None:
    old = issue()
    new = issue(holder=old.holder, supersedes=old, application_id=old.application_id)

    by_number = api_client.post_json(VERIFY, {"number": old.number, "iin": old.holder.iin}).json()
    by_file = upload(api_client, document_pdf_bytes(old))

    assert by_number["status"] == "superseded"
    assert by_number["superseded_by"] == number_display(new.number)
    assert by_file["code"] == "superseded"
    assert upload(api_client, document_pdf_bytes(new))["code"] == "valid"


def test_a_revoked_signing_certificate_fails_the_file_check(
    api_client: CommittingClient, agency_certificate: IssuedCertificate
) -> None:
    document = issue()
    pdf = document_pdf_bytes(document)

    certificate_revoke(serial=document.signer_serial, reason="key_compromise")

    result = upload(api_client, pdf)
    assert result["code"] == "certificate_revoked"
    assert result["valid"] is False
    assert result["document"]["number"] == number_display(document.number)


def test_a_wrong_iin_or_number_says_not_found_and_never_who(
    api_client: CommittingClient, agency_certificate: IssuedCertificate
) -> None:
    document = issue()
    stranger = person_create(surname="Омаров", given_name="Ерлан")

    wrong_iin = api_client.post_json(VERIFY, {"number": document.number, "iin": stranger.iin})
    bad_number = api_client.post_json(VERIFY, {"number": "1234567890123456", "iin": stranger.iin})
    no_iin = api_client.post_json(VERIFY, {"number": document.number, "iin": "123"})

    for response in (wrong_iin, bad_number, no_iin):
        assert response.status_code == 404
        assert response.json()["code"] == "document_not_found"
        assert "Сейтқали" not in response.content.decode()
    assert wrong_iin.json() == bad_number.json()


def test_my_documents_and_their_pdfs_are_only_mine(
    api_client: CommittingClient, agency_certificate: IssuedCertificate
) -> None:
    account = citizen_create()
    mine = issue(holder=account.person)
    theirs = issue()
    auth = bearer(sign_in(api_client, account.person.iin)["access_token"])

    listed = api_client.get("/api/v1/documents/", **auth)
    pdf = api_client.get(f"/api/v1/documents/{mine.pk}/pdf", **auth)
    other = api_client.get(f"/api/v1/documents/{theirs.pk}/pdf", **auth)
    anonymous = api_client.get(f"/api/v1/documents/{mine.pk}/pdf")

    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()] == [str(mine.pk)]
    assert listed.json()[0]["pdf_url"] == f"/api/v1/documents/{mine.pk}/pdf"
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == document_pdf_bytes(mine)
    assert other.status_code == 404
    assert anonymous.status_code == 401
    assert api_client.get("/api/v1/documents/not-a-uuid/pdf", **auth).status_code == 404


def test_the_documents_api_is_valid_openapi(api_client: CommittingClient) -> None:
    from openapi_spec_validator import validate

    # Through JSON, as it is served; only the documents' part of the whole API.
    whole = api_client.get("/api/v1/openapi.json").json()
    whole["paths"] = {k: v for k, v in whole["paths"].items() if k.startswith("/api/v1/documents")}
    document = whole
    validate(document)
    paths = document["paths"]
    assert set(paths) == {
        "/api/v1/documents/verify",
        "/api/v1/documents/verify-pdf",
        "/api/v1/documents/",
        "/api/v1/documents/{document_id}/pdf",
    }
    assert "security" not in paths["/api/v1/documents/verify"]["post"]
    assert "security" not in paths["/api/v1/documents/verify-pdf"]["post"]
    assert paths["/api/v1/documents/"]["get"]["security"] == [{"AccessToken": []}]


def test_a_document_issued_in_kazakh_is_titled_in_the_reader_s_language(
    api_client: CommittingClient, agency_certificate: IssuedCertificate
) -> None:
    # given: a document issued in Kazakh
    account = citizen_create()
    document = issue(holder=account.person, language="kk")
    assert document.title == "Мекенжай анықтамасы"
    auth = bearer(sign_in(api_client, account.person.iin)["access_token"])
    check = {"number": document.number, "iin": account.person.iin}

    def titles(language: str) -> list[str]:
        header = {"HTTP_ACCEPT_LANGUAGE": language}
        listed = api_client.get("/api/v1/documents/", **header, **auth).json()
        checked = api_client.post_json(VERIFY, check, **header).json()
        wallet = api_client.get("/api/v1/wallet/", **header, **auth).json()["entries"]
        [entry] = [e for e in wallet if e["kind"] == "result_document"]
        return [listed[0]["title"], checked["title"], entry["title"]]

    # then: the list, the public check and the wallet name it in the language asked
    assert titles("ru") == ["Адресная справка"] * 3
    assert titles("en") == ["Certificate of registered address"] * 3
    assert titles("kk") == ["Мекенжай анықтамасы"] * 3
