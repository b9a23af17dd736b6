"""The reconciliation report: the gateway's records of a day against ours."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from qyzmet.backoffice.labels import payment_side
from qyzmet.core.calendar import local_today
from qyzmet.core.dates import date_parse, date_show
from qyzmet.payments.reconciliation import reconcile, reconciliation_runs


@never_cache
@staff_member_required
@permission_required("payments.view_reconciliationrun", raise_exception=True)
@require_http_methods(["GET", "POST"])
def reconciliation(request: HttpRequest) -> HttpResponse:
    error = ""
    status = 200
    language = get_language()
    if request.method == "POST":
        if not request.user.has_perm("payments.add_reconciliationrun"):
            return HttpResponse(status=403)
        try:
            day = date_parse(request.POST.get("day", ""), get_language())
        except ValueError:
            example = date_show(local_today() - timedelta(days=1))
            error, status = _("Enter a real date, for example %(day)s.") % {"day": example}, 422
        else:
            reconcile(gateway_name=settings.QYZMET_PAYMENT_GATEWAY, day=day)
            return redirect("backoffice:reconciliation")
    context: dict[str, Any] = {
        "runs": [
            {
                "pk": run.pk,
                "day": run.day,
                "gateway": run.gateway,
                "checked": run.checked,
                "rows": [
                    (m, payment_side(m.ours, language), payment_side(m.theirs, language))
                    for m in run.mismatches.all()
                ],
            }
            for run in reconciliation_runs()
        ],
        "yesterday": local_today() - timedelta(days=1),
        "error": error,
        "field_errors": {"day": error} if error else {},
        "day": request.POST.get("day", "") if error else "",
    }
    return render(request, "backoffice/reconciliation.html", context, status=status)
