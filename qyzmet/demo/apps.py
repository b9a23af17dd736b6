from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "qyzmet.demo"
    label = "demo"
    verbose_name = "Demo data"
