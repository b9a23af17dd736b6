"""Who may reach an application: the choke points every read and write goes through.

A citizen reaches their own applications and the submitted ones that name them as the second
party; an officer those of the agencies they work for. Anyone else's application is
indistinguishable from none (`NotFound`).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from qyzmet.applications.models import Application, OfficerMembership
from qyzmet.applications.words import DRAFT, Role
from qyzmet.core.errors import NotFound
from qyzmet.core.ids import uuid_or_none
from qyzmet.identity.kinship import Kinship, kinship_between, person_relatives
from qyzmet.identity.models import Account


def with_snapshot(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """The snapshot's identity without its (large) definition, which `definition_of` parses once
    per process; the person (decrypted) is loaded only by the steps that need it."""
    return queryset.select_related("service").defer("service__definition")


def citizen_parties(account: Account) -> Q:
    """The applications a citizen takes part in: their own, and the submitted ones that name
    them as the second party."""
    mine = Q(applicant=account)
    if account.person_id is not None:
        mine |= Q(counterparty_id=account.person_id) & ~Q(state=DRAFT)
    return mine


def party_of(application: Application, account: Account) -> Role:
    """`citizen` for the applicant, `counterparty` for the second party."""
    if application.applicant_id == account.pk:
        return Role.CITIZEN
    return Role.COUNTERPARTY


def officer_role(*, account: Account, agency: str) -> Role | None:
    roles = set(
        OfficerMembership.objects.filter(account=account, agency=agency).values_list(
            "role", flat=True
        )
    )
    if OfficerMembership.Role.SUPERVISOR in roles:
        return Role.SUPERVISOR
    return Role.OFFICER if roles else None


def access_application_by_id(*, account: Account, application_id: str) -> Application:
    """The citizen's own application, or a submitted one that names them as its second party
    (the buyer of a car); anyone else's is indistinguishable from none."""
    key = uuid_or_none(application_id)
    application = (
        with_snapshot(Application.objects.filter(citizen_parties(account), pk=key)).first()
        if key
        else None
    )
    if application is None:
        raise NotFound()
    return application


def access_application_for_counterparty(*, account: Account, application_id: str) -> Application:
    """A submitted application that names the account's person as its second party."""
    application = access_application_by_id(account=account, application_id=application_id)
    if party_of(application, account) != Role.COUNTERPARTY:
        raise NotFound()
    return application


def access_application_for_officer(*, account: Account, application_id: str) -> Application:
    """An application of an agency the officer works for; others look like none."""
    key = uuid_or_none(application_id)
    application = with_snapshot(Application.objects.filter(pk=key)).first() if key else None
    if (
        application is None
        or application.state == DRAFT
        or officer_role(account=account, agency=application.agency) is None
    ):
        raise NotFound()
    return application


def officer_kinship(*, account: Account, application: Application) -> Kinship | None:
    """How the officer is related to the application's applicant or second party, if at all
    (`self` when it is their own): such an application is not theirs to handle."""
    if application.applicant_id == account.pk:
        return Kinship.SELF
    if account.person_id is None:
        return None
    parties = (application.person_id, application.counterparty_id)
    return kinship_between(person_id=account.person_id, others=parties)


def officer_circle(*, account: Account) -> set[int]:
    """The people whose applications the officer may not handle: themself and their family."""
    if account.person_id is None:
        return set()
    return {account.person_id, *person_relatives(person_id=account.person_id)}
