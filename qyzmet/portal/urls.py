from django.urls import include, path

from qyzmet.portal import (
    views,
    views_app,
    views_applications,
    views_auth,
    views_catalogue,
    views_dashboard,
    views_documents,
    views_feedback,
    views_inbox,
    views_me,
    views_payments,
    views_pki,
    views_surveys,
    views_wallet,
)

app_name = "portal"

# One application's page, and one view per button of it.
application_patterns = [
    path("", views_applications.application_page, name="application"),
    path("save", views_applications.application_save, name="application-save"),
    path("sign/sms", views_applications.application_sign_sms, name="application-sign-sms"),
    path(
        "sign/certificate",
        views_applications.application_sign_certificate,
        name="application-sign-certificate",
    ),
    path("submit", views_applications.application_submit_sms, name="application-submit"),
    path(
        "submit/certificate",
        views_applications.application_submit_certificate,
        name="application-submit-certificate",
    ),
    path("steps/<slug:name>", views_applications.application_step, name="application-step"),
    path(
        "countersign/sms",
        views_applications.application_countersign_sms,
        name="application-countersign-sms",
    ),
    path(
        "countersign",
        views_applications.application_countersign_code,
        name="application-countersign",
    ),
    path(
        "countersign/certificate",
        views_applications.application_countersign_certificate,
        name="application-countersign-certificate",
    ),
]

# One survey: answering it, its report and results, interviews.
survey_patterns = [
    path("", views_surveys.survey_answer_page, name="survey"),
    path("report/", views_surveys.survey_report, name="survey-report"),
    path("report.pdf", views_surveys.survey_report_pdf_view, name="survey-report-pdf"),
    path(
        "results.<str:extension>",
        views_surveys.survey_results_file,
        name="survey-results-file",
    ),
    path("interview/", views_surveys.survey_interview, name="survey-interview"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views_catalogue.catalogue, name="catalogue"),
    path("services/<slug:code>/", views_catalogue.passport, name="service"),
    path("services/<slug:code>/apply", views_applications.apply, name="apply"),
    path("applications/", views_applications.my_applications, name="applications"),
    path("applications/<str:application_id>/", include(application_patterns)),
    path("deadlines/", views_dashboard.deadlines, name="deadlines"),
    path("surveys/", views_surveys.survey_list, name="surveys"),
    path("surveys/<slug:code>/", include(survey_patterns)),
    path("figures/", views_feedback.figures, name="figures"),
    path("figures/internal/", views_feedback.figures_ministry, name="figures-internal"),
    path(
        "me/applications/<str:application_id>/rate",
        views_feedback.rate,
        name="application-rate",
    ),
    path("payments/", views_payments.payments, name="payments"),
    path("payments/p/<str:payment_id>/", views_payments.payment_page, name="payment"),
    path(
        "payments/p/<str:payment_id>/status",
        views_payments.payment_status,
        name="payment-status",
    ),
    path("receipts/", views_payments.receipt_page, name="receipts"),
    path("sandbox/pay/<str:ref>", views_payments.sandbox_page, name="sandbox-pay"),
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
    path("me/inbox/", views_inbox.inbox, name="inbox"),
    path("me/inbox/read-all", views_inbox.inbox_read_all, name="inbox-read-all"),
    path("me/inbox/<str:item_id>/read", views_inbox.inbox_read, name="inbox-read"),
    path("me/notifications/", views_inbox.my_notifications, name="my-notifications"),
    path("me/notifications/push", views_inbox.my_push_subscribe, name="my-push-subscribe"),
    path("sw.js", views_app.service_worker, name="service-worker"),
    path("manifest.webmanifest", views_app.manifest, name="manifest"),
    path("offline/", views_app.offline, name="offline"),
    path("dev/outbox/providers", views.dev_outbox_provider, name="dev-outbox-provider"),
    path("verify/", views_documents.verify, name="verify"),  # printed QR codes lead here
    path("verify/file/", views_documents.verify_file, name="verify-file"),
    path("me/documents/", views_documents.my_documents, name="my-documents"),
    path(
        "me/documents/<str:document_id>/pdf",
        views_documents.my_document_pdf,
        name="my-document-pdf",
    ),
    path("pki/ocsp", views_pki.ocsp, name="pki-ocsp"),
    path("pki/ocsp/<path:encoded>", views_pki.ocsp_get, name="pki-ocsp-get"),
    path("pki/crl/<slug:slug>.crl", views_pki.crl, name="pki-crl"),
    path("wallet/", views_wallet.wallet, name="wallet"),
    path("wallet/share", views_wallet.wallet_share, name="wallet-share"),
    path("wallet/token", views_wallet.wallet_token, name="wallet-token"),
    path("wallet/history", views_wallet.wallet_history, name="wallet-history"),
    path("wallet/check", views_wallet.wallet_check, name="wallet-check"),
    path("verify/offline", views_wallet.offline_verify, name="verify-offline"),
    path("healthz", views.healthz, name="healthz"),
    path("dev/outbox", views.dev_outbox, name="dev-outbox"),
    path("dev/outbox.json", views.dev_outbox_json, name="dev-outbox-json"),
    path("dev/certificate/", views.dev_certificate, name="dev-certificate"),
]
