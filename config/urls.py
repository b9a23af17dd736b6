from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from qyzmet.api.api import api
from qyzmet.backoffice.admin_site import admin_sign_in
from qyzmet.portal import views_errors

# Staff sign in to the admin as officers do: its own password form is replaced (before its
# URLs are built below, which take the view from here).
admin.site.login = admin_sign_in  # type: ignore[method-assign]

urlpatterns = [
    path("", include("qyzmet.portal.urls")),
    path("office/", include("qyzmet.backoffice.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path(settings.QYZMET_ADMIN_PATH, admin.site.urls),
]

# The portal's own error pages; under /api/ they become the JSON error shape.
handler400 = views_errors.bad_request
handler403 = views_errors.permission_denied
handler404 = views_errors.page_not_found
handler500 = views_errors.server_error
