from django.apps import AppConfig

from qyzmet.notifications.events import event_register
from qyzmet.payments.messages import EVENTS


class PaymentsConfig(AppConfig):
    name = "qyzmet.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        event_register(*EVENTS)
