from django.urls import path

from qyzmet.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("people/", views.person_lookup, name="person-lookup"),
]
