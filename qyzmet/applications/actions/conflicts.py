"""An officer never handles an application of their own or of their family: where the officer,
or a relative of theirs in the population registry (`identity.kinship`), is the applicant or a
party, opening, taking and deciding it are refused, and each refused attempt is written to the
application's history (committed with the refusal: the caller holds no transaction)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from qyzmet.applications.access import officer_kinship
from qyzmet.applications.actions.history import event_record
from qyzmet.applications.errors import ErrorCode
from qyzmet.applications.models import Application
from qyzmet.applications.words import Role, Step
from qyzmet.core.errors import QyzmetError
from qyzmet.identity.models import Account


class ConflictOfInterest(QyzmetError):
    code: str = ErrorCode.CONFLICT_OF_INTEREST
    status = 403


def officer_may_handle(
    *, account: Account, application: Application, attempt: str, role: Role = Role.OFFICER
) -> None:
    """Refuse (and record) `attempt` (`open`, `claim` or a step's name) by an officer who is
    the applicant or a party, or their relative."""
    kinship = officer_kinship(account=account, application=application)
    if kinship is None:
        return
    event_record(
        application=application, transition=Step.CONFLICT_REFUSED, role=role, actor=account,
        on_behalf=False, changes={"attempt": attempt, "kinship": kinship},
    )  # fmt: skip
    raise ConflictOfInterest(
        _(
            "You may not handle this application: you or a member of your family is its "
            "applicant or a party. Another officer of the agency will handle it."
        ),
        details={"kinship": str(kinship)},
    )
