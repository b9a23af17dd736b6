from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from qyzmet.core.errors import NotFound, QyzmetError
from qyzmet.core.selectors import health_check
from qyzmet.identity.selectors import iin_validated, person_get_by_iin
from qyzmet.notifications.actions import provider_demo_failing_set
from qyzmet.notifications.selectors import outbox_list, provider_status_list, sink_message_list
from qyzmet.signatures.actions import citizen_certificate_issue, demo_p12_password


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


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
    context = {
        "messages_": sink_message_list(limit=200),
        "outbox": outbox_list(limit=100),
        "providers": provider_status_list(),
    }
    return render(request, "portal/dev_outbox.html", context)


@require_POST
def dev_outbox_provider(request: HttpRequest) -> HttpResponse:
    """Demo: make a demo SMS provider fail (or work again), to watch failover."""
    _demo_only()
    name = request.POST.get("provider", "")
    if name in {p["name"] for p in provider_status_list()} and name.startswith("sink"):
        provider_demo_failing_set(name=name, failing=request.POST.get("failing") == "1")
    return redirect("portal:dev-outbox")


@never_cache
@require_GET
def dev_outbox_json(request: HttpRequest) -> JsonResponse:
    _demo_only()
    raw_limit = request.GET.get("limit", "")
    limit = min(max(int(raw_limit), 1), 1000) if raw_limit.isdigit() else 100
    recipient = request.GET.get("to", "").strip() or None
    if recipient and recipient.isdigit():  # an unescaped "+" in a query string arrives as " "
        recipient = "+" + recipient
    return JsonResponse(
        {
            "messages": sink_message_list(limit=limit, recipient=recipient),
            "outbox": outbox_list(limit=limit) if recipient is None else [],
        }
    )


@never_cache
def dev_certificate(request: HttpRequest) -> HttpResponse:
    """Demo CA: a PKCS#12 certificate for a person in the demo registry, to try certificate
    sign-in. Outside demo mode the route does not exist."""
    _demo_only()
    context: dict[str, object] = {}
    if request.method == "POST":
        iin = request.POST.get("iin", "").strip()
        context["iin"] = iin
        try:
            person = person_get_by_iin(iin=iin_validated(iin))
            if person is None:
                raise NotFound(_("This IIN was not found in the population registry."))
            _issued, p12 = citizen_certificate_issue(
                iin=person.iin, surname=person.surname_latin or person.surname,
                given_name=person.given_name_latin or person.given_name,
            )  # fmt: skip
        except QyzmetError as exc:
            context["error"] = exc.message
            return render(request, "portal/dev_certificate.html", context, status=exc.status)
        response = HttpResponse(p12, content_type="application/x-pkcs12")
        response["Content-Disposition"] = f'attachment; filename="qyzmet-demo-{iin[-4:]}.p12"'
        return response
    context["password_rule"] = demo_p12_password("000000000000").replace("0000", "NNNN")
    return render(request, "portal/dev_certificate.html", context)
