from django.apps import AppConfig

from qyzmet.applications.messages import EVENTS
from qyzmet.notifications.events import event_register


class ApplicationsConfig(AppConfig):
    name = "qyzmet.applications"
    label = "applications"
    verbose_name = "Applications"

    def ready(self) -> None:
        event_register(*EVENTS)
        # Registers the applications' hook on paid duties (payments calls it on a credit).
        from qyzmet.applications import actions  # noqa: F401
