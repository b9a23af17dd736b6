"""Result documents: the public verification page (by number and IIN, or by the PDF file) that
a document's QR code leads to, and "My documents" with the signed PDFs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from qyzmet.core.errors import NotFound
from qyzmet.documents.selectors import (
    access_document_by_id,
    document_check,
    document_list_for_holder,
    document_pdf_bytes,
    document_pdf_check,
)
from qyzmet.portal.pages import citizen_page, or_404
from qyzmet.portal.session import signed_in_account
from qyzmet.signatures.pades import MAX_PDF_BYTES

MAX_FIELD = 40


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Check by number and IIN. The QR code brings the number (GET); the IIN is typed from
    the paper and sent by POST, so it stays out of addresses, logs and browser history.
    Answers are not cached: a revocation shows at once."""
    data = request.POST if request.method == "POST" else request.GET
    number = data.get("number", "")[:MAX_FIELD].strip()
    iin = data.get("iin", "")[:MAX_FIELD].strip() if request.method == "POST" else ""
    context: dict[str, Any] = {"number": number, "iin": iin, "check": None, "error": ""}
    status = 200
    if request.method == "POST":
        if not number or not iin:
            context["error"], status = _("Enter the document number and the holder's IIN."), 422
            context["field_errors"] = {"number" if not number else "iin": context["error"]}
        else:
            try:
                context["check"] = document_check(number=number, iin=iin)
            except NotFound as exc:
                context["error"], status = str(exc.message), 404
                context["field_errors"] = {"number": context["error"]}
    return render(request, "portal/verify.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def verify_file(request: HttpRequest) -> HttpResponse:
    """Check an uploaded PDF: its signature, the signer's certificate, and the document's
    status."""
    context: dict[str, Any] = {"result": None, "error": ""}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"], status = _("Choose the PDF file of the document."), 422
        elif upload.size is not None and upload.size > MAX_PDF_BYTES:
            context["error"], status = _("The file is too large."), 422
        else:
            context["result"] = document_pdf_check(pdf=upload.read(MAX_PDF_BYTES + 1))
    context["field_errors"] = {"file": context["error"]} if context["error"] else {}
    return render(request, "portal/verify_file.html", context, status=status)


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
