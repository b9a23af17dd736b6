from django.apps import AppConfig

from qyzmet.identity.messages import EVENTS
from qyzmet.notifications.events import EventsConfig


class IdentityConfig(EventsConfig, AppConfig):
    name = "qyzmet.identity"
    label = "identity"
    verbose_name = "Identity"
    events = EVENTS
