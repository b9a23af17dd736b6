"""My inbox (messages, read/unread) and my notification channels (e-mail, opt-outs, push)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qyzmet.core.errors import QyzmetError
from qyzmet.identity.selectors import notification_ref
from qyzmet.notifications.actions import (
    inbox_item_mark_read,
    inbox_mark_all_read,
    preferences_update,
    push_subscription_add,
)
from qyzmet.notifications.providers.push import vapid_keys
from qyzmet.notifications.selectors import inbox_list, preferences_get
from qyzmet.portal.errors import ErrorCode
from qyzmet.portal.pages import citizen_page

PAGE = 50
# As far as the API's paging goes (`offset` up to 100,000): past it, no such page.
LAST_PAGE = 2000


def _ref(request: HttpRequest) -> str:
    return notification_ref(account_id=int(request.user.pk or 0))


@citizen_page("GET")
def inbox(request: HttpRequest) -> HttpResponse:
    ref = _ref(request)
    raw_page = request.GET.get("page", "1")
    page = max(int(raw_page), 1) if raw_page.isascii() and raw_page.isdigit() else 1
    if page > LAST_PAGE:
        raise Http404
    items = inbox_list(
        recipient_ref=ref, language=get_language(), limit=PAGE + 1, offset=(page - 1) * PAGE
    )
    context: dict[str, Any] = {
        "items": items[:PAGE],
        "page": page,
        "has_next": len(items) > PAGE,
    }
    return render(request, "portal/inbox.html", context)


@login_required
@require_POST
def inbox_read(request: HttpRequest, item_id: str) -> HttpResponse:
    read = request.POST.get("read", "1") == "1"
    try:
        item = inbox_item_mark_read(recipient_ref=_ref(request), item_id=item_id, read=read)
    except QyzmetError:
        raise Http404 from None
    if read and request.POST.get("open") == "1" and item.link:
        return redirect(item.link)
    return redirect("portal:inbox")


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    changed = inbox_mark_all_read(recipient_ref=_ref(request))
    if changed:
        messages.success(request, _("All messages are marked as read."))
    return redirect("portal:inbox")


@citizen_page("GET", "POST")
def my_notifications(request: HttpRequest) -> HttpResponse:
    ref = _ref(request)
    status = 200
    context: dict[str, Any] = {}
    if request.method == "POST":
        try:
            preferences_update(
                recipient_ref=ref,
                email=request.POST.get("email", ""),
                sms=request.POST.get("sms") == "on",
                email_enabled=request.POST.get("email_enabled") == "on",
                push=request.POST.get("push") == "on",
            )
            messages.success(request, _("Your notification settings are saved."))
            return redirect("portal:my-notifications")
        except QyzmetError as exc:
            context.update(error=exc.message, error_details=exc.details,
                           field_errors=exc.field_messages())  # fmt: skip
            status = exc.status
    context["prefs"] = preferences_get(recipient_ref=ref)
    if status != 200:
        context["prefs"].email = request.POST.get("email", "")
    context["push_public_key"] = vapid_keys()[1]
    return render(request, "portal/my_notifications.html", context, status=status)


@login_required
@require_POST
def my_push_subscribe(request: HttpRequest) -> JsonResponse:
    """The page's script posts the browser's PushSubscription here (JSON, with the CSRF
    header)."""
    try:
        data = json.loads(request.body or b"{}")
        keys = data.get("keys") or {}
        push_subscription_add(
            recipient_ref=_ref(request),
            endpoint=str(data.get("endpoint", "")),
            p256dh=str(keys.get("p256dh", "")),
            auth=str(keys.get("auth", "")),
        )
    except (ValueError, AttributeError):
        return JsonResponse(
            {"code": ErrorCode.BAD_REQUEST, "message": _("Not valid JSON.")}, status=400
        )
    except QyzmetError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    return JsonResponse({"subscribed": True}, status=201)
