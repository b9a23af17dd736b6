from django.urls import path

from qyzmet.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("signin/", views.signin, name="signin"),
    path("healthz", views.healthz, name="healthz"),
    path("dev/outbox", views.dev_outbox, name="dev-outbox"),
    path("dev/outbox.json", views.dev_outbox_json, name="dev-outbox-json"),
]
