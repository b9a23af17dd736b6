from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from qyzmet.core.calendar import local_today
from qyzmet.core.mci import mci_health

STAFF_NAMESPACE = "backoffice"


def portal(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"demo_mode": settings.QYZMET_DEMO}
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    if match and match.namespace == STAFF_NAMESPACE and user and user.is_authenticated:
        # The staff see on every back-office page what /healthz reports as degraded.
        context["mci_missing_years"] = mci_health(local_today())["missing_years"]
    return context
