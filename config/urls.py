from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from qyzmet.api.api import api
from qyzmet.portal import views_errors

urlpatterns = [
    path("", include("qyzmet.portal.urls")),
    path("office/", include("qyzmet.backoffice.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

# The portal's own error pages; under /api/ they become the JSON error shape.
handler400 = views_errors.bad_request
handler403 = views_errors.permission_denied
handler404 = views_errors.page_not_found
handler500 = views_errors.server_error
