from django.urls import path

from qyzmet.portal import (
    views,
    views_applications,
    views_auth,
    views_catalogue,
    views_dashboard,
    views_me,
)

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views_catalogue.catalogue, name="catalogue"),
    path("services/<slug:code>/", views_catalogue.passport, name="service"),
    path("services/<slug:code>/apply", views_applications.apply, name="apply"),
    path("applications/", views_applications.my_applications, name="applications"),
    path(
        "applications/<str:application_id>/",
        views_applications.application_page,
        name="application",
    ),
    path("deadlines/", views_dashboard.deadlines, name="deadlines"),
    path("signin/", views_auth.signin, name="signin"),
    path("signin/certificate/", views_auth.signin_certificate_page, name="signin-certificate"),
    path("signin/qr/", views_auth.signin_qr, name="signin-qr"),
    path("signin/qr/status", views_auth.signin_qr_status, name="signin-qr-status"),
    path("signin/code/", views_auth.signin_code, name="signin-code"),
    path("register/", views_auth.register, name="register"),
    path("signout/", views_auth.signout, name="signout"),
    path("qr/", views_auth.qr_open, name="qr-open"),
    path("me/", views_me.me, name="me"),
    path("me/phone/", views_me.my_phone, name="my-phone"),
    path("me/sessions/", views_me.my_sessions, name="my-sessions"),
    path("me/sessions/<str:session_id>/end", views_me.my_session_end, name="my-session-end"),
    path("healthz", views.healthz, name="healthz"),
    path("dev/outbox", views.dev_outbox, name="dev-outbox"),
    path("dev/outbox.json", views.dev_outbox_json, name="dev-outbox-json"),
    path("dev/certificate/", views.dev_certificate, name="dev-certificate"),
]
