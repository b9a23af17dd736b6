from django.apps import AppConfig

from qyzmet.identity.messages import EVENTS
from qyzmet.notifications.events import event_register


class IdentityConfig(AppConfig):
    name = "qyzmet.identity"
    label = "identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        event_register(*EVENTS)
