from django.apps import AppConfig

from qyzmet.applications.messages import EVENTS
from qyzmet.notifications.events import EventsConfig


class ApplicationsConfig(EventsConfig, AppConfig):
    name = "qyzmet.applications"
    label = "applications"
    verbose_name = "Applications"
    events = EVENTS

    def ready(self) -> None:
        super().ready()  # registers the events
        # Django's rule: an app's modules that touch models are imported once the registry is
        # ready, here. Registered explicitly, not as a side effect of importing a module:
        from qyzmet.applications.actions.duty import DUTY_PREFIX
        from qyzmet.applications.actions.paid import duty_paid, duty_payable
        from qyzmet.applications.followups import FollowUp, followup_register
        from qyzmet.applications.tasks import duty_refund_task, result_document_task
        from qyzmet.payments.hooks import on_paid, on_payable

        # payments calls the hook once a duty is credited (safe to run twice)
        on_paid(DUTY_PREFIX)(duty_paid)
        # and asks before a duty is paid: none is paid for an application that would be refused
        on_payable(DUTY_PREFIX)(duty_payable)
        # the steps enqueue their follow-ups by name (the tasks call the actions)
        followup_register(FollowUp.RESULT_DOCUMENT, result_document_task)
        followup_register(FollowUp.DUTY_REFUND, duty_refund_task)
