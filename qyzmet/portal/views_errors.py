"""The portal's own error pages (400, 403, 404, 413, 414, 500, 503), in the reader's language,
with the site header and a way back. Under /api/ they are replaced by the JSON error shape
(`qyzmet.api.middleware`).

Wired as Django's `handler400`/`handler403`/`handler404`/`handler500` in `config/urls.py`, as the
CSRF failure view, by the long-address check (`qyzmet.portal.middleware`) and by the overload
guard (`QYZMET_OVERLOAD_TEMPLATE`).
"""

from __future__ import annotations

import logging
import sys

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from qyzmet.core.errors import DATABASE_RETRY_AFTER, database_unreachable

logger = logging.getLogger(__name__)

TEMPLATE = "portal/errors/error.html"

PAGES: dict[int, tuple[Promise, Promise]] = {
    400: (
        _("Bad request"),
        _("The address or the form that was sent is not valid. Go back and try again."),
    ),
    403: (
        _("Access denied"),
        _("You do not have access to this page. Sign in with the account that has it."),
    ),
    404: (
        _("Page not found"),
        _("There is nothing at this address. It may have moved, or the address has a typo."),
    ),
    413: (
        _("Too large to send"),
        _("What you sent is larger than the portal accepts. Send a smaller file and try again."),
    ),
    414: (
        _("Address too long"),
        _("The address of this page is too long. Go back and open the page from a link."),
    ),
    500: (
        _("Something went wrong"),
        _(
            "An error occurred on our side and has been recorded. Please try again in a few "
            "minutes."
        ),
    ),
    503: (
        _("Service temporarily unavailable"),
        _("The service is temporarily unavailable. Please try again shortly."),
    ),
}
FORM_EXPIRED = (
    _("The form has expired"),
    _(
        "The page was open too long, or cookies are switched off. Go back, reload the page "
        "and send the form again."
    ),
)


def previous_page(request: HttpRequest) -> str:
    """The page the reader came from, when it is one of ours (never another site's address)."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def error_page(
    request: HttpRequest, status: int, *, page: tuple[Promise, Promise] | None = None
) -> HttpResponse:
    title, message = page or PAGES.get(status, PAGES[400])
    context = {"status": status, "title": title, "message": message, "back": ""}
    try:
        context["back"] = previous_page(request)
        body = render_to_string(TEMPLATE, context, request=request)
    except Exception:
        # The page must come out even when what broke the request (the database, the session)
        # also breaks the header's context: then without the request's context.
        logger.exception("error page rendered without the request's context")
        body = render_to_string(TEMPLATE, context)
    response = HttpResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return error_page(request, 413)
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception: one that says the database cannot be
    # reached is a 503 to retry, not a 500 (under /api/ the JSON shape keeps the Retry-After).
    if database_unreachable(sys.exc_info()[1]):
        response = error_page(request, 503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    return error_page(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(request, 403, page=FORM_EXPIRED)
