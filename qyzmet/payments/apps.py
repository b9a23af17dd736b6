from django.apps import AppConfig

from qyzmet.notifications.events import EventsConfig
from qyzmet.payments.messages import EVENTS


class PaymentsConfig(EventsConfig, AppConfig):
    name = "qyzmet.payments"
    label = "payments"
    verbose_name = "Payments"
    events = EVENTS
