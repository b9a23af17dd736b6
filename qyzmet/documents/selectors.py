"""Reads of result documents: the public checks (by number and IIN, and by the file itself), the
holder's list, and the access choke point for reaching one document by id."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from qyzmet.catalogue.selectors import catalogue_get
from qyzmet.core.crypto import blind_index
from qyzmet.core.errors import NotFound
from qyzmet.core.iin import IinError, iin_check
from qyzmet.documents.errors import ErrorCode
from qyzmet.documents.models import Document
from qyzmet.documents.numbering import number_display, number_normalize
from qyzmet.documents.storage import pdf_open
from qyzmet.identity.models import Person
from qyzmet.signatures.pades import MAX_PDF_BYTES
from qyzmet.signatures.selectors import pdf_signature_verify
from qyzmet.signatures.subject import agency_code_of

# What a check answers, one code per outcome; the same words on the page and in the API.
MESSAGES: dict[str, Promise] = {
    "valid": _("The document is genuine and valid."),
    "revoked": _("The document is genuine but has been revoked: it is no longer valid."),
    "superseded": _("The document is genuine but has been replaced by a newer document."),
    "not_found": _(
        "No document with this number was issued to this IIN. Check the number and the IIN."
    ),
    "not_pdf": _("This file is not a PDF document we can read."),
    "not_signed": _("This file carries no electronic signature."),
    "tampered": _(
        "The file has been changed after it was signed: its content does not match the "
        "signature. Do not rely on it."
    ),
    "modified_after_signing": _(
        "Something was added to the file after it was signed. Ask for the original file."
    ),
    "untrusted": _("The signature was not made with a certificate of a state agency we trust."),
    "certificate_revoked": _(
        "The certificate the document was signed with has been revoked. Do not rely on it."
    ),
    "certificate_expired": _(
        "The certificate the document was signed with has expired or is not valid yet."
    ),
}


_SIGNER_UNPROVEN = {"not_pdf", "not_signed", "tampered", "modified_after_signing", "untrusted"}


@dataclass(frozen=True)
class DocumentCheck:
    number: str  # displayed: four groups of four digits
    title: str
    service_code: str
    issuer: str  # the agency's name in the current language
    issued_at: dt.datetime
    valid_until: dt.date | None
    status: str
    status_label: str
    status_changed_at: dt.datetime | None
    superseded_by: str  # the newer document's number, displayed; empty unless superseded
    holder_masked: str  # "SURNAME G. P." style, for comparing with the paper


@dataclass(frozen=True)
class PdfCheck:
    code: str
    message: str
    document: DocumentCheck | None
    signer_subject: str
    signer_serial: str
    signed_at: dt.datetime | None

    @property
    def ok(self) -> bool:
        return self.code == "valid"


def _agency_name(code: str, language: str) -> str:
    agency = catalogue_get().agencies.get(code)
    return agency.name.get(language) if agency is not None else code


def _masked(person: Person) -> str:
    initials = " ".join(f"{part[0]}." for part in (person.given_name, person.patronymic) if part)
    return f"{person.surname} {initials}".strip()


def document_check_of(document: Document) -> DocumentCheck:
    language = get_language() or "kk"
    superseded_by = document.superseded_by.number if document.superseded_by else ""
    return DocumentCheck(
        number=number_display(document.number),
        title=document.title_in(language),
        service_code=document.service_code,
        issuer=_agency_name(document.agency_code, language),
        issued_at=document.issued_at,
        valid_until=document.valid_until,
        status=document.status,
        status_label=str(document.get_status_display()),
        status_changed_at=document.status_changed_at,
        superseded_by=number_display(superseded_by) if superseded_by else "",
        holder_masked=_masked(document.holder),
    )


def document_check(*, number: str, iin: str) -> DocumentCheck:
    """The public check by number and the holder's IIN. A number that does not exist and a
    number issued to someone else give the same `NotFound`, so the check never tells who holds
    a document."""
    normalized = number_normalize(number)
    try:
        iin_check(iin.strip())
    except IinError:
        normalized = None
    if normalized is None:
        raise NotFound(MESSAGES["not_found"], code=ErrorCode.DOCUMENT_NOT_FOUND)
    document = (
        Document.objects.select_related("holder", "superseded_by")
        .filter(number=normalized, holder__iin_index=blind_index(iin.strip(), purpose="iin"))
        .first()
    )
    if document is None:
        raise NotFound(MESSAGES["not_found"], code=ErrorCode.DOCUMENT_NOT_FOUND)
    return document_check_of(document)


def document_pdf_check(*, pdf: bytes) -> PdfCheck:
    """The public check of a file: its PAdES signature (intact, over the whole file, by a
    trusted, unrevoked certificate) and then the status of the document it is."""
    verdict = pdf_signature_verify(pdf=pdf[: MAX_PDF_BYTES + 1])
    signer = verdict.signer
    document: Document | None = None
    code = verdict.code
    if code in {"valid", "certificate_revoked", "certificate_expired"}:
        document = (
            Document.objects.select_related("holder", "superseded_by")
            .filter(sha256=hashlib.sha256(pdf).hexdigest())
            .first()
        )
        if code == "valid":
            code = document.status if document is not None else "not_found"
    subject = ""
    # A signer is named only when its certificate chains to our roots: anyone can put an
    # agency's name into a certificate of their own.
    if signer is not None and code not in _SIGNER_UNPROVEN:
        agency = agency_code_of(signer.subject)
        subject = (
            _agency_name(agency, get_language() or "kk")
            if agency and agency in catalogue_get().agencies
            else signer.subject.rfc4514_string()
        )
    return PdfCheck(
        code=code,
        message=str(MESSAGES[code]),
        document=document_check_of(document) if document is not None else None,
        signer_subject=subject,
        signer_serial=verdict.signer_serial if subject else "",
        signed_at=verdict.signed_at,
    )


def document_list_for_holder(*, person_id: int | None) -> list[Document]:
    if person_id is None:  # an account with no registry record holds no documents
        return []
    return list(
        Document.objects.filter(holder_id=person_id)
        .select_related("holder", "superseded_by")  # the check of each names its holder
        .order_by("-issued_at", "-pk")
    )


def access_document_by_id(*, person_id: int | None, document_id: str) -> Document:
    """The holder's own document; `NotFound` alike for "not yours" and "no such document"."""
    try:
        key = uuid.UUID(str(document_id))
    except ValueError:
        raise NotFound() from None
    if person_id is None:
        raise NotFound()
    document = Document.objects.filter(pk=key, holder_id=person_id).first()
    if document is None:
        raise NotFound()
    return document


def document_pdf_bytes(document: Document) -> bytes:
    """The signed PDF as issued (opened from its sealed file)."""
    with document.pdf.open("rb") as handle:
        sealed: bytes = handle.read()
    return pdf_open(sealed, number=document.number)
