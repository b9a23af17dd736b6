"""/api/v1/documents: checking a result document (public: by number and IIN, or by its PDF),
and the holder's own documents (list, PDF). The IIN of a check travels in the POST body, never
in the address, so no access log or browser history holds it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile
from pydantic import BeforeValidator

from qyzmet.api.errors import ErrorCode
from qyzmet.api.schemas import ErrorOut, Text
from qyzmet.api.security import AccessToken, current_account
from qyzmet.core.client import client_address
from qyzmet.core.errors import ValidationFailed
from qyzmet.documents.actions import document_file_verify, document_verify
from qyzmet.documents.models import Document
from qyzmet.documents.numbering import number_display
from qyzmet.documents.selectors import (
    DocumentCheck,
    PdfCheck,
    access_document_by_id,
    document_list_for_holder,
    document_pdf_bytes,
)
from qyzmet.signatures.pades import MAX_PDF_BYTES

# A document's number as displayed: four groups of four digits.
DocumentNumber = Annotated[str, BeforeValidator(number_display)]
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class DocumentCheckOut(Schema):
    number: str
    title: str
    service_code: str
    issuer: str
    issued_at: datetime
    valid_until: date | None
    status: str
    status_label: str
    status_changed_at: datetime | None
    superseded_by: str
    holder_masked: str


# Built from a `PdfCheck`.
class PdfCheckOut(Schema):
    code: str
    valid: bool = Field(validation_alias="ok")
    message: str
    document: DocumentCheckOut | None
    signer: str = Field(validation_alias="signer_subject")
    signer_serial: str
    signed_at: datetime | None


class VerifyIn(Schema):
    number: str = Field(..., max_length=40, description="As printed: four groups of four digits")
    iin: str = Field(..., max_length=40, description="The holder's IIN, typed from the paper")


# Built from a `Document`; `pdf_url` is relative to the list's own address.
class MyDocumentOut(Schema):
    id: Text
    number: DocumentNumber
    title: str = Field(validation_alias="display_title", description="In the request's language")
    service_code: str
    application_id: str
    issued_at: datetime
    valid_until: date | None
    status: str
    status_label: Text = Field(validation_alias="get_status_display")
    superseded_by: str
    pdf_url: str

    @staticmethod
    def resolve_superseded_by(document: Document) -> str:
        newer = document.superseded_by
        return number_display(newer.number) if newer else ""

    @staticmethod
    def resolve_pdf_url(document: Document, context: dict[str, Any]) -> str:
        return f"{context['request'].path.rstrip('/')}/{document.pk}/pdf"


def build_router() -> Router:
    """A fresh router (the API mounts one; a router belongs to one API)."""
    router = Router(tags=["documents"])

    @router.post(
        "/verify",
        response={200: DocumentCheckOut, **ERRORS},
        summary="Check a document by its number and the holder's IIN (public)",
        description=(
            "A wrong IIN and an unknown number both answer 404 `document_not_found`: the check "
            "never tells who holds a document. Checks that find nothing are limited per client "
            "address and for everyone together (429 `verify_rate_limited` with `Retry-After`)."
        ),
    )
    def verify(request: HttpRequest, body: VerifyIn) -> DocumentCheck:
        return document_verify(number=body.number, iin=body.iin, client=client_address(request))

    @router.post(
        "/verify-pdf",
        response={200: PdfCheckOut, **ERRORS},
        summary="Check a document's PDF file: signature, trust, revocation, status (public)",
        description=(
            "Always 200 for a readable upload: `code` is `valid`, `revoked`, `superseded`, "
            "`not_found`, `not_pdf`, `not_signed`, `tampered`, `modified_after_signing`, "
            "`untrusted`, `certificate_revoked` or `certificate_expired`. Limited per client "
            "address (429 `verify_rate_limited` with `Retry-After`)."
        ),
    )
    def verify_pdf(request: HttpRequest, file: File[UploadedFile]) -> PdfCheck:
        if file.size is not None and file.size > MAX_PDF_BYTES:
            raise ValidationFailed(
                details={"fields": [{"field": "file", "message": _("The file is too large.")}]},
                code=ErrorCode.FILE_TOO_LARGE,
            )
        return document_file_verify(
            pdf=file.read(MAX_PDF_BYTES + 1), client=client_address(request)
        )

    @router.get(
        "/",
        auth=AccessToken(),
        response={200: list[MyDocumentOut], **ERRORS},
        summary="My documents, newest first",
    )
    def my_documents(request: HttpRequest) -> list[Document]:
        return document_list_for_holder(person_id=current_account(request).person_id)

    @router.get(
        "/{document_id}/pdf",
        auth=AccessToken(),
        response={200: None, **ERRORS},
        summary="The signed PDF of one of my documents",
        openapi_extra={
            "responses": {200: {"content": {"application/pdf": {}}, "description": "The PDF"}}
        },
    )
    def my_document_pdf(request: HttpRequest, document_id: str) -> HttpResponse:
        account = current_account(request)
        document = access_document_by_id(person_id=account.person_id, document_id=document_id)
        response = HttpResponse(document_pdf_bytes(document), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{document.number}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response

    return router


router = build_router()
