"""/api/v1/: the JSON API the phone app uses for every journey (OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language, get_language_info
from ninja import NinjaAPI, Status

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
from qyzmet.api.schemas import HealthOut, MetaOut
from qyzmet.core.selectors import health_check

api = NinjaAPI(
    title="Qyzmet API",
    version="1",
    description=(
        "The JSON API of the Qyzmet public-services portal. Send `Accept-Language: kk|ru|en` "
        "to choose the language of messages. Every error has the shape "
        '`{"code", "message", "details"}`.'
    ),
    urls_namespace="api-v1",
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
