"""Issuing, superseding and revoking documents; the PKI set-up and revocation commands."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from qyzmet.core.crypto import DecryptionError
from qyzmet.core.errors import Conflict, NotFound, ValidationFailed
from qyzmet.documents.actions import document_issue, document_revoke
from qyzmet.documents.models import Document
from qyzmet.documents.numbering import number_display, number_normalize
from qyzmet.documents.selectors import (
    access_document_by_id,
    document_check,
    document_pdf_bytes,
    document_pdf_check,
)
from qyzmet.documents.storage import pdf_open, pdf_seal
from qyzmet.documents.tests.fixtures import AGENCY, SERVICE
from qyzmet.identity.tests.factories import citizen_create, person_create
from qyzmet.signatures.actions import AGENCY_HOLDER_PREFIX
from qyzmet.signatures.models import CertificateAuthority, IssuedCertificate

pytestmark = pytest.mark.django_db


def test_a_document_is_stored_numbered_and_hashed(
    agency_certificate: IssuedCertificate,
) -> None:
    holder = person_create()

    document = document_issue(holder=holder, service_code=SERVICE, application_id="app-42")

    stored = document_pdf_bytes(document)
    assert default_storage.exists(document.pdf.name)
    assert document.pdf.name.endswith(f"{document.number}.pdf.enc")
    with default_storage.open(document.pdf.name, "rb") as handle:
        at_rest = handle.read()
    assert at_rest.startswith(b"v1$")
    assert b"%PDF" not in at_rest
    assert document.holder.iin.encode() not in at_rest
    assert hashlib.sha256(stored).hexdigest() == document.sha256
    assert number_normalize(document.number) == document.number
    assert document.signer_serial == agency_certificate.serial
    assert document.agency_code == AGENCY
    assert document.application_id == "app-42"
    assert document.status == Document.Status.VALID
    assert document.language == "kk"  # no account: the state language


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("kk", "Мекенжай анықтамасы"),
        ("ru", "Адресная справка"),
        ("en", "Certificate of registered address"),
    ],
)
def test_the_document_is_in_the_holders_account_language(
    agency_certificate: IssuedCertificate, language: str, title: str
) -> None:
    account = citizen_create()
    account.language = language
    account.save(update_fields=["language"])

    document = document_issue(holder=account.person, service_code=SERVICE)

    assert document.language == language
    assert document.title == title


def test_a_service_without_a_document_issues_none(agency_certificate: IssuedCertificate) -> None:
    with pytest.raises(ValidationFailed) as caught:
        document_issue(holder=person_create(), service_code="address-registration")
    assert caught.value.code == "service_issues_no_document"
    with pytest.raises(NotFound):
        document_issue(holder=person_create(), service_code="no-such-service")
    assert Document.objects.count() == 0


def test_superseding_is_for_the_same_holder_and_a_valid_document(
    agency_certificate: IssuedCertificate,
) -> None:
    holder = person_create()
    old = document_issue(holder=holder, service_code=SERVICE)

    with pytest.raises(ValidationFailed):
        document_issue(holder=person_create(), service_code=SERVICE, supersedes=old)
    new = document_issue(holder=holder, service_code=SERVICE, supersedes=old)
    with pytest.raises(Conflict):
        document_issue(holder=holder, service_code=SERVICE, supersedes=old)

    old.refresh_from_db()
    assert old.status == Document.Status.SUPERSEDED
    assert old.superseded_by_id == new.pk
    assert Document.objects.filter(holder=holder).count() == 2  # the refused one rolled back


def test_revoking_is_final_and_idempotent(agency_certificate: IssuedCertificate) -> None:
    document = document_issue(holder=person_create(), service_code=SERVICE)

    with pytest.raises(ValidationFailed):
        document_revoke(number=document.number, reason="  ")
    first = document_revoke(number=document.number, reason="Issued in error")
    again = document_revoke(number=document.number, reason="Another reason")

    assert first.status == again.status == Document.Status.REVOKED
    assert again.revocation_reason == "Issued in error"
    assert again.status_changed_at == first.status_changed_at
    with pytest.raises(NotFound):
        document_revoke(number="0000000000000000", reason="x")


def test_the_holder_reaches_only_their_own_document(agency_certificate: IssuedCertificate) -> None:
    document = document_issue(holder=person_create(), service_code=SERVICE)
    other = person_create()

    assert access_document_by_id(person_id=document.holder_id, document_id=str(document.pk)) == (
        document
    )
    for person_id, document_id in [(other.pk, str(document.pk)), (None, str(document.pk))]:
        with pytest.raises(NotFound):
            access_document_by_id(person_id=person_id, document_id=document_id)
    with pytest.raises(NotFound):
        access_document_by_id(person_id=document.holder_id, document_id="../etc/passwd")


def test_a_file_we_did_not_issue_but_validly_signed_is_not_found(
    agency_certificate: IssuedCertificate,
) -> None:
    document = document_issue(holder=person_create(), service_code=SERVICE)
    pdf = document_pdf_bytes(document)
    Document.objects.filter(pk=document.pk).update(sha256="0" * 64)

    assert document_pdf_check(pdf=pdf).code == "not_found"


def test_the_check_by_number_refuses_bad_input_alike(agency_certificate: IssuedCertificate) -> None:
    document = document_issue(holder=person_create(), service_code=SERVICE)
    for number, iin in [
        (document.number, ""),
        (document.number, "not-an-iin"),
        ("", document.holder.iin),
        (document.number[:-1] + str((int(document.number[-1]) + 1) % 10), document.holder.iin),
    ]:
        with pytest.raises(NotFound) as caught:
            document_check(number=number, iin=iin)
        assert caught.value.code == "document_not_found"
    assert document_check(
        number=number_display(document.number), iin=f" {document.holder.iin} "
    ).status == ("valid")


def test_pki_setup_is_idempotent_and_covers_every_agency() -> None:
    out = StringIO()
    call_command("pki_setup", "--agency", AGENCY, "--agency", "moj", stdout=out)
    call_command("pki_setup", "--agency", AGENCY, "--agency", "moj", stdout=StringIO())

    assert CertificateAuthority.objects.count() == 2
    agencies = IssuedCertificate.objects.filter(holder_key__startswith=AGENCY_HOLDER_PREFIX)
    assert sorted(agencies.values_list("holder_key", flat=True)) == [
        "agency:moj",
        "agency:mvd-migration",
    ]
    assert "CRL http://localhost:8000/pki/crl/qyzmet-demo-national-ca.crl" in out.getvalue()
    # Keys at rest are ciphertext, never PEM.
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_key_pem FROM signatures_certificateauthority")
        ca_keys = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT private_key_pem FROM signatures_issuedcertificate WHERE holder_key <> ''"
        )
        agency_keys = [row[0] for row in cursor.fetchall()]
    assert len(ca_keys) == 2
    assert len(agency_keys) == 2
    for stored in ca_keys + agency_keys:
        assert stored.startswith("v1$")
        assert "PRIVATE KEY" not in stored
    with pytest.raises(CommandError):
        call_command("pki_setup", "--agency", "no-such-agency", stdout=StringIO())


@override_settings(QYZMET_DEMO=False)
def test_pki_setup_refuses_outside_demo_mode() -> None:
    before = (CertificateAuthority.objects.count(), IssuedCertificate.objects.count())
    with pytest.raises(CommandError):
        call_command("pki_setup", stdout=StringIO())
    assert (CertificateAuthority.objects.count(), IssuedCertificate.objects.count()) == before


def test_document_revoke_command(agency_certificate: IssuedCertificate) -> None:
    document = document_issue(holder=person_create(), service_code=SERVICE)
    out = StringIO()

    call_command(
        "document_revoke", number_display(document.number), "--reason", "Court order", stdout=out
    )

    document.refresh_from_db()
    assert document.status == Document.Status.REVOKED
    assert out.getvalue() == f"revoked {document.number} (Court order)\n"
    with pytest.raises(CommandError):
        call_command("document_revoke", "123", "--reason", "x", stdout=StringIO())


def test_a_sealed_pdf_opens_only_as_its_own_document() -> None:
    sealed = pdf_seal(b"%PDF-1.7 content", number="2612345678901234")

    assert pdf_open(sealed, number="2612345678901234") == b"%PDF-1.7 content"
    with pytest.raises(DecryptionError):
        pdf_open(sealed, number="2699999999999999")
