"""An officer opening an application: a read of the applicant's registry data, so it is written
to the data-access log in the same call (which is why it is an action, not a selector)."""

from __future__ import annotations

from qyzmet.applications.access import access_application_for_officer
from qyzmet.applications.actions.conflicts import officer_may_handle
from qyzmet.applications.actions.definitions import definition_of
from qyzmet.applications.models import Application
from qyzmet.identity.models import Account
from qyzmet.trust.actions import data_access_record
from qyzmet.trust.models import DataAccessEvent


def application_open_for_officer(*, account: Account, application_id: str) -> Application:
    """An officer opens an application: the registry data shown is a recorded data access.
    Their own or their family's is refused (and the attempt recorded)."""
    application = access_application_for_officer(account=account, application_id=application_id)
    officer_may_handle(account=account, application=application, attempt="open")
    data_access_record(
        person_id=application.person_id,
        actor_id=account.pk,
        channel=DataAccessEvent.Channel.BACKOFFICE,
        fields=[p.key for p in definition_of(application).prefill] or ["full_name"],
        purpose=f"application {application.number}",
    )
    return application
