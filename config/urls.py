from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from qyzmet.api.api import api

urlpatterns = [
    path("", include("qyzmet.portal.urls")),
    path("office/", include("qyzmet.backoffice.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]
