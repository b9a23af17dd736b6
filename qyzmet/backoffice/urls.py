from django.urls import path

from qyzmet.backoffice import views, views_applications, views_payments, views_tasks

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("people/", views.person_lookup, name="person-lookup"),
    path("queue/", views_applications.queue, name="queue"),
    path("applications/<str:application_id>/", views_applications.decide, name="application"),
    path("payments/reconciliation/", views_payments.reconciliation, name="reconciliation"),
    path("tasks/failed/", views_tasks.failed_tasks, name="failed-tasks"),
    path("tasks/failed/<str:task_id>/", views_tasks.failed_task_act, name="failed-task"),
]
