"""The API's single error shape: {"code", "message", "details"}, message in the caller's language.

django-ninja's own validation messages are English; we keep its location and error type as
details and put a translated message on top.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from qyzmet.core.errors import NotAuthenticated, NotFound, QyzmetError, ValidationFailed


class ErrorCode(StrEnum):
    """The error codes the API layer itself answers with (listed in the OpenAPI document)."""

    FILE_TOO_LARGE = "file_too_large"
    HTTP_ERROR = "http_error"
    INVALID = "invalid"


def _field_error(error: dict[str, Any]) -> dict[str, Any]:
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
    kind = str(error.get("type", "invalid"))
    messages = {
        "missing": _("This field is required."),
        "string_too_short": _("This value is too short."),
        "string_too_long": _("This value is too long."),
        "string_pattern_mismatch": _("This value has the wrong format."),
        "int_parsing": _("Enter a whole number."),
        "json_invalid": _("The request body is not valid JSON."),
    }
    return {
        "field": ".".join(location),
        "code": kind,
        "message": str(messages.get(kind, _("This value is not valid."))),
    }


def render_error(api: NinjaAPI, request: HttpRequest, error: QyzmetError) -> HttpResponse:
    response = api.create_response(request, error.as_dict(), status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


def install(api: NinjaAPI) -> None:
    @api.exception_handler(QyzmetError)
    def on_qyzmet_error(request: HttpRequest, exc: QyzmetError) -> HttpResponse:
        return render_error(api, request, exc)

    @api.exception_handler(NinjaValidationError)
    def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields = [_field_error(error) for error in exc.errors]
        return render_error(api, request, ValidationFailed(details={"fields": fields}))

    @api.exception_handler(AuthenticationError)
    def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return render_error(api, request, NotAuthenticated())

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return render_error(api, request, NotFound())

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return render_error(
            api, request, QyzmetError(code=ErrorCode.HTTP_ERROR, status=exc.status_code)
        )
