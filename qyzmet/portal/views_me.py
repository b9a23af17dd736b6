"""My profile, my phone number, my sessions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from qyzmet.core.client import client_address
from qyzmet.core.errors import QyzmetError
from qyzmet.core.iin import iin_mask
from qyzmet.identity.actions.phone import phone_change_confirm, phone_change_start
from qyzmet.identity.actions.sessions import (
    access_session_by_id,
    session_end,
    session_list_for_account,
)
from qyzmet.identity.phones import phone_mask
from qyzmet.identity.selectors import phone_binding_history
from qyzmet.portal.pages import citizen_page
from qyzmet.portal.session import signed_in_account

PHONE_PENDING = "qyzmet_phone_pending"


@never_cache
@login_required
def me(request: HttpRequest) -> HttpResponse:
    account = signed_in_account(request)
    person = account.person
    context: dict[str, Any] = {
        "person": person,
        "iin_masked": iin_mask(person.iin) if person else "",
    }
    return render(request, "portal/me.html", context)


@citizen_page("GET", "POST")
def my_phone(request: HttpRequest) -> HttpResponse:
    account = signed_in_account(request)
    if account.person is None:
        return redirect("portal:me")
    context: dict[str, Any] = {"pending": request.session.get(PHONE_PENDING)}
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("step") == "confirm" and context["pending"]:
                phone_change_confirm(
                    account=account, code_id=context["pending"]["id"],
                    code=request.POST.get("code", ""), client=client_address(request),
                )  # fmt: skip
                request.session.pop(PHONE_PENDING, None)
                messages.success(request, _("Your new number is bound."))
                return redirect("portal:my-phone")
            if request.POST.get("step") == "cancel":
                request.session.pop(PHONE_PENDING, None)
                return redirect("portal:my-phone")
            context["phone"] = request.POST.get("phone", "")
            issued = phone_change_start(
                account=account, phone=context["phone"],
                password=request.POST.get("password", ""), client=client_address(request),
            )  # fmt: skip
            request.session[PHONE_PENDING] = {
                "id": issued.id,
                "phone": phone_mask(issued.phone_e164),
            }
            return redirect("portal:my-phone")
        except QyzmetError as exc:
            context.update(error=exc.message, error_code=exc.code, error_details=exc.details,
                           field_errors=exc.field_messages())  # fmt: skip
            status = exc.status
    bindings = phone_binding_history(person=account.person)
    context["history"] = [{"binding": b, "masked": phone_mask(b.phone)} for b in bindings]
    context["current"] = next(
        ({"binding": b, "masked": phone_mask(b.phone)} for b in bindings if b.active), None
    )
    return render(request, "portal/my_phone.html", context, status=status)


@never_cache
@login_required
def my_sessions(request: HttpRequest) -> HttpResponse:
    account = signed_in_account(request)
    current = getattr(request, "auth_session", None)
    sessions = session_list_for_account(account=account)
    return render(
        request,
        "portal/my_sessions.html",
        {"sessions": sessions, "current_id": current.pk if current else None},
    )


@login_required
@require_POST
def my_session_end(request: HttpRequest, session_id: str) -> HttpResponse:
    session = access_session_by_id(account=signed_in_account(request), session_id=session_id)
    session_end(session=session, reason="ended_by_owner")
    messages.success(request, _("The session was ended."))
    return redirect("portal:my-sessions")
