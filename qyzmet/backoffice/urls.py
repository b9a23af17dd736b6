from django.urls import path

from qyzmet.backoffice import views, views_applications, views_payments

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("people/", views.person_lookup, name="person-lookup"),
    path("queue/", views_applications.queue, name="queue"),
    path("applications/<str:application_id>/", views_applications.decide, name="application"),
    path("payments/reconciliation/", views_payments.reconciliation, name="reconciliation"),
]
