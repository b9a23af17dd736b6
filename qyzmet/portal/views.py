from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from qyzmet.core.selectors import health_check
from qyzmet.notifications.selectors import sink_message_list


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@require_GET
def signin(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/signin.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    health = health_check()
    return JsonResponse(health.as_dict(), status=200 if health.ok else 503)


def _demo_only() -> None:
    # Checked per request (not at URL-conf import) so the routes truly do not exist outside
    # demo mode, whatever process imported the URLs first.
    if not settings.QYZMET_DEMO:
        raise Http404


@never_cache
@require_GET
def dev_outbox(request: HttpRequest) -> HttpResponse:
    _demo_only()
    return render(request, "portal/dev_outbox.html", {"messages_": sink_message_list(limit=200)})


@never_cache
@require_GET
def dev_outbox_json(request: HttpRequest) -> JsonResponse:
    _demo_only()
    raw_limit = request.GET.get("limit", "")
    limit = min(max(int(raw_limit), 1), 1000) if raw_limit.isdigit() else 100
    recipient = request.GET.get("to") or None
    return JsonResponse({"messages": sink_message_list(limit=limit, recipient=recipient)})
