"""The Django admin without a door of its own: its login view sends staff to the sign-in every
officer uses (IIN, password and SMS code, or a certificate), with that sign-in's limits, and
back to the admin afterwards. No password posted to the admin's address signs anyone in."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

SIGN_IN = "portal:signin"


def _next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


@never_cache
def admin_sign_in(
    request: HttpRequest, extra_context: dict[str, Any] | None = None
) -> HttpResponse:
    """Mounted as `admin.site.login` (config/urls.py). Staff already signed in go on; anyone
    else signed in is refused; the rest go to the officers' sign-in. A POST here is never
    read as credentials."""
    target = _next(request)
    user = request.user
    if user.is_authenticated:
        if user.is_active and user.is_staff:
            return redirect(target)
        raise PermissionDenied
    return redirect(f"{reverse(SIGN_IN)}?{urlencode({'next': target})}")
