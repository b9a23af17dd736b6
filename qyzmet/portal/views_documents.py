"""Result documents: the public verification page (by number and IIN, or by the PDF file) that
a document's QR code leads to, and "My documents" with the signed PDFs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from qyzmet.core.client import client_address
from qyzmet.core.errors import NotFound, RateLimited
from qyzmet.documents.actions import document_file_verify, document_verify
from qyzmet.documents.selectors import (
    access_document_by_id,
    document_list_for_holder,
    document_pdf_bytes,
)
from qyzmet.portal.pages import citizen_page, or_404
from qyzmet.portal.session import signed_in_account
from qyzmet.signatures.pades import MAX_PDF_BYTES

MAX_FIELD = 40


def _with_headers(response: HttpResponse, headers: dict[str, str]) -> HttpResponse:
    for name, value in headers.items():  # a refusal's Retry-After
        response[name] = value
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Check by number and IIN. The QR code brings the number (GET); the IIN is typed from
    the paper and sent by POST, so it stays out of addresses, logs and browser history.
    Answers are not cached: a revocation shows at once. Guesses are limited (429 with
    Retry-After, the form shown again with the reason)."""
    data = request.POST if request.method == "POST" else request.GET
    number = data.get("number", "")[:MAX_FIELD].strip()
    iin = data.get("iin", "")[:MAX_FIELD].strip() if request.method == "POST" else ""
    context: dict[str, Any] = {"number": number, "iin": iin, "check": None, "error": ""}
    status, headers = 200, dict[str, str]()
    if request.method == "POST":
        if not number or not iin:
            context["error"], status = _("Enter the document number and the holder's IIN."), 422
            context["field_errors"] = {"number" if not number else "iin": context["error"]}
        else:
            try:
                context["check"] = document_verify(
                    number=number, iin=iin, client=client_address(request)
                )
            except NotFound as exc:
                context["error"], status = str(exc.message), 404
                context["field_errors"] = {"number": context["error"]}
            except RateLimited as exc:
                context["error"], status, headers = str(exc.message), exc.status, exc.headers
    return _with_headers(render(request, "portal/verify.html", context, status=status), headers)


@never_cache
@require_http_methods(["GET", "POST"])
def verify_file(request: HttpRequest) -> HttpResponse:
    """Check an uploaded PDF: its signature, the signer's certificate, and the document's
    status."""
    context: dict[str, Any] = {"result": None, "error": ""}
    status, headers = 200, dict[str, str]()
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"], status = _("Choose the PDF file of the document."), 422
        elif upload.size is not None and upload.size > MAX_PDF_BYTES:
            context["error"], status = _("The file is too large."), 422
        else:
            try:
                context["result"] = document_file_verify(
                    pdf=upload.read(MAX_PDF_BYTES + 1), client=client_address(request)
                )
            except RateLimited as exc:
                context["error"], status, headers = str(exc.message), exc.status, exc.headers
    context["field_errors"] = {"file": context["error"]} if context["error"] else {}
    response = render(request, "portal/verify_file.html", context, status=status)
    return _with_headers(response, headers)


@citizen_page("GET")
def my_documents(request: HttpRequest) -> HttpResponse:
    account = signed_in_account(request)
    documents = document_list_for_holder(person_id=account.person_id)
    return render(
        request, "portal/documents.html", {"documents": documents, "section": "documents"}
    )


@citizen_page("GET")
def my_document_pdf(request: HttpRequest, document_id: str) -> HttpResponse:
    account = signed_in_account(request)
    document = or_404(access_document_by_id, person_id=account.person_id, document_id=document_id)
    response = HttpResponse(document_pdf_bytes(document), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
