from django.apps import AppConfig

from qyzmet.notifications.events import EventsConfig
from qyzmet.payments.messages import EVENTS


class PaymentsConfig(EventsConfig, AppConfig):
    name = "qyzmet.payments"
    label = "payments"
    verbose_name = "Payments"
    events = EVENTS

    def ready(self) -> None:
        super().ready()  # the app's events
        # The built-in gateway touches models, so it is imported once the app registry is ready,
        # and registered explicitly: the gateway registry never imports an implementation.
        from qyzmet.payments.providers.gateway import register
        from qyzmet.payments.providers.sandbox import NAME, SandboxGateway

        register(NAME)(SandboxGateway)
