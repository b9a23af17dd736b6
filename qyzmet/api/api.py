"""/api/v1/: the JSON API the phone app uses for every journey (OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language, get_language_info
from ninja import NinjaAPI, Status
from ninja.openapi.schema import OpenAPISchema

from qyzmet.api import (
    applications,
    auth,
    catalogue,
    dashboard,
    documents,
    errors,
    feedback,
    inbox,
    me,
    payments,
    registry,
    surveys,
    vehicles,
    wallet,
)
from qyzmet.api.errors import error_codes, error_schema
from qyzmet.api.parsing import StrictParser
from qyzmet.api.schemas import HealthOut, MetaOut
from qyzmet.core.selectors import health_check

ERROR_REF = "#/components/schemas/Error"


def _refer_errors(node: Any, old: str) -> None:
    """Point every `$ref` to `old` at the `Error` schema, in place."""
    if isinstance(node, dict):
        if node.get("$ref") == old:
            node["$ref"] = ERROR_REF
        for value in node.values():
            _refer_errors(value, old)
    elif isinstance(node, list):
        for value in node:
            _refer_errors(value, old)


class QyzmetAPI(NinjaAPI):
    """The API, whose document lists every error code it can answer: the `Error` schema (what the
    endpoints' `ErrorOut` responses refer to) has them all in its `code` enum, and `x-error-codes`
    lists them by the app that owns them."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas.pop("ErrorOut", None)
        schemas["Error"] = error_schema()
        _refer_errors(document["paths"], "#/components/schemas/ErrorOut")
        document["x-error-codes"] = error_codes()
        return document


api = QyzmetAPI(
    title="Qyzmet API",
    version="1",
    description=(
        "The JSON API of the Qyzmet public-services portal. Send `Accept-Language: kk|ru|en` "
        "to choose the language of messages. Every error has the shape "
        '`{"code", "message", "details"}`.'
    ),
    urls_namespace="api-v1",
    parser=StrictParser(),
)
errors.install(api)
api.add_router("/auth", auth.router)
api.add_router("/me", me.router)
api.add_router("/registry", registry.router)
api.add_router("/services", catalogue.router)
api.add_router("/applications", applications.router)
api.add_router("/office", applications.office)
api.add_router("/deadlines", dashboard.router)
api.add_router("/inbox", inbox.router)
api.add_router("/notifications", inbox.notifications)
api.add_router("/payments", payments.router)
api.add_router("/documents", documents.router)
api.add_router("/wallet", wallet.router)
api.add_router("/vehicles", vehicles.router)
api.add_router("/surveys", surveys.router)
api.add_router("/feedback", feedback.router)


@api.get("/meta", response=MetaOut, tags=["meta"], summary="Platform name, version, languages")
def meta(request: HttpRequest) -> dict[str, object]:
    languages = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        languages.append({"code": code, "name": info["name"], "name_local": info["name_local"]})
    return {
        "name": "Qyzmet",
        "version": "1",
        "language": get_language(),
        "languages": languages,
        "demo": settings.QYZMET_DEMO,
    }


@api.get(
    "/health",
    response={200: HealthOut, 503: HealthOut},
    tags=["meta"],
    summary="Database and worker state",
)
def health(request: HttpRequest) -> Status[dict[str, object]]:
    result = health_check()
    return Status(200 if result.ok else 503, result.as_dict())
