from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "qyzmet.applications"
    label = "applications"
    verbose_name = "Applications"

    def ready(self) -> None:
        # Registers the applications' hook on paid duties (payments calls it on a credit).
        from qyzmet.applications import actions  # noqa: F401
