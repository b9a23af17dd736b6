from __future__ import annotations

from typing import Any

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from qyzmet.backoffice.labels import person_rows
from qyzmet.backoffice.session import signed_in_account
from qyzmet.core.errors import QyzmetError
from qyzmet.identity.actions.records import person_record_read
from qyzmet.trust.models import DataAccessEvent


@staff_member_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/home.html")


@never_cache
@staff_member_required
@permission_required("identity.view_person", raise_exception=True)
@require_http_methods(["GET", "POST"])
def person_lookup(request: HttpRequest) -> HttpResponse:
    """An officer reads a person's record; the purpose is required and the read recorded."""
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        context.update(iin=request.POST.get("iin", ""), purpose=request.POST.get("purpose", ""))
        try:
            context["record"] = person_record_read(
                iin=context["iin"],
                purpose=context["purpose"],
                channel=DataAccessEvent.Channel.BACKOFFICE,
                actor=signed_in_account(request),
            )
            context["named"] = person_rows(context["record"])
        except QyzmetError as exc:
            context["error"] = exc.message
            context["field_errors"] = exc.field_messages()
            status = exc.status
    return render(request, "backoffice/person_lookup.html", context, status=status)
