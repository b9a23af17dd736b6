"""The API's single error shape: {"code", "message", "details"}, message in the caller's language.

django-ninja's own validation messages are English; we keep its location and error type as
details and put a translated message on top. The error type of a field
(`details.fields[].code`: `missing`, `string_too_short`, …) is pydantic's own vocabulary, not one
of our codes: it says what is wrong with one value, under the code `validation_error`.

Every code the API answers with is listed in the OpenAPI document: the `Error` schema's `code`
has the members of each app's `errors.ErrorCode` as its `enum`, and `x-error-codes` lists them by
app (`error_codes`).
"""

from __future__ import annotations

import importlib
import logging
from enum import StrEnum
from typing import Any

from django.apps import apps
from django.core.exceptions import RequestDataTooBig
from django.db import Error as DatabaseError  # InterfaceError is not a DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from qyzmet.core.errors import ErrorCode as CoreCode
from qyzmet.core.errors import (
    NotAuthenticated,
    NotFound,
    QyzmetError,
    ServiceUnavailable,
    ValidationFailed,
    database_unavailable,
    database_unreachable,
)

logger = logging.getLogger(__name__)


class ErrorCode(StrEnum):
    """The error codes the API layer itself answers with (listed in the OpenAPI document)."""

    FILE_TOO_LARGE = "file_too_large"
    HTTP_ERROR = "http_error"
    INVALID = "invalid"
    # a request body refused by the parser (`qyzmet.api.parsing`)
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    INVALID_JSON = "invalid_json"
    BODY_NOT_OBJECT = "body_not_object"
    UNSTORABLE_TEXT = "unstorable_text"


# Interfaces with their own error codes, which they answer on their own pages, never in /api/v1.
NOT_THE_API = frozenset({"portal", "backoffice"})


def error_codes() -> dict[str, list[str]]:
    """Every error code the API can answer, by the label of the app that owns it: the members of
    each app's `errors.ErrorCode` (core's and the API's own included)."""
    found: dict[str, list[str]] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("qyzmet.") or config.label in NOT_THE_API:
            continue
        try:
            module = importlib.import_module(f"{config.name}.errors")
        except ModuleNotFoundError:
            continue
        enum = getattr(module, "ErrorCode", None)
        if enum is not None:
            found[config.label] = sorted(member.value for member in enum)
    return found


def error_schema() -> dict[str, Any]:
    """The one error shape, with every code in its `code` enum."""
    codes = sorted({code for listed in error_codes().values() for code in listed})
    return {
        "title": "Error",
        "description": "Every error the API returns has this shape.",
        "type": "object",
        "required": ["code", "message", "details"],
        "properties": {
            "code": {
                "title": "Code",
                "type": "string",
                "enum": codes,
                "description": "A stable machine code; `x-error-codes` lists them by app.",
            },
            "message": {
                "title": "Message",
                "type": "string",
                "description": "For people, in the caller's language.",
            },
            "details": {
                "title": "Details",
                "anyOf": [{"type": "object"}, {"type": "array", "items": {}}],
                "description": (
                    "Per code: `fields` (`[{field, code, message}]`, where `code` is the field's "
                    "own error type, not one of the codes above), `problems`, `retry_after`, …"
                ),
            },
        },
    }


# Where ninja says a value came from, not part of the field's name.
NOT_A_FIELD = ("body", "payload", "query")


def _field_error(error: dict[str, Any]) -> dict[str, Any]:
    location = [str(part) for part in error.get("loc", ()) if part not in NOT_A_FIELD]
    kind = str(error.get("type", "invalid"))
    messages = {
        "missing": _("This field is required."),
        "string_too_short": _("This value is too short."),
        "string_too_long": _("This value is too long."),
        "string_pattern_mismatch": _("This value has the wrong format."),
        "int_parsing": _("Enter a whole number."),
        "greater_than_equal": _("This number is too small."),
        "less_than_equal": _("This number is too large."),
        "json_invalid": _("The request body is not valid JSON."),
    }
    return {
        "field": ".".join(location),
        "code": kind,
        "message": str(messages.get(kind, _("This value is not valid."))),
    }


def error_for_status(status: int) -> QyzmetError:
    """The error for an HTTP status answered before (or outside) an endpoint: Django's own 400,
    403, 404 and 500, a 405 for a method the path does not take, 413, 414, 503."""
    by_status: dict[int, tuple[str, str]] = {
        400: (CoreCode.BAD_REQUEST, _("The request could not be understood.")),
        403: (CoreCode.FORBIDDEN, _("You do not have access to this.")),
        404: (CoreCode.NOT_FOUND, str(NotFound.default_message)),
        405: (CoreCode.METHOD_NOT_ALLOWED, _("This address does not accept this method.")),
        413: (CoreCode.REQUEST_TOO_LARGE, _("The request is too large.")),
        414: (CoreCode.URL_TOO_LONG, _("The address is too long.")),
        500: (CoreCode.SERVER_ERROR, _("Something went wrong on our side. Please try again.")),
        503: (CoreCode.UNAVAILABLE, str(ServiceUnavailable.default_message)),
    }
    code, message = by_status.get(status, (CoreCode.ERROR, str(QyzmetError.default_message)))
    return QyzmetError(message, code=code, status=status)


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

    @api.exception_handler(RequestDataTooBig)
    def on_body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return render_error(api, request, error_for_status(413))

    @api.exception_handler(DatabaseError)
    def on_database_error(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
        if not database_unreachable(exc):
            raise exc  # a bug, not an outage: Django's 500
        logger.error("database unreachable", exc_info=exc)
        return render_error(api, request, database_unavailable())

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, QyzmetError):  # ninja wraps what the parser refused
            return render_error(api, request, exc.__cause__)
        return render_error(
            api, request, QyzmetError(code=ErrorCode.HTTP_ERROR, status=exc.status_code)
        )
