"""The words of the applications' domain: who takes a step, the steps the platform itself
records, the registry changes, and the state before submission; each with its label, so that
every interface names them in the reader's language and never shows the code.

A `Role` is a `StrEnum`, so it equals the string the service definitions and the database hold
(`Transition.role`, `ApplicationEvent.actor_role`): nothing stored changes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    CITIZEN = "citizen"  # the applicant
    COUNTERPARTY = "counterparty"  # the second party of a two-party service (the buyer)
    OFFICER = "officer"
    SUPERVISOR = "supervisor"  # an officer who may do what officers do, and sees escalations
    SYSTEM = "system"  # automatic steps, the deadline sweep, a credited duty


# The state of an application before submission (every service's workflow starts after it).
DRAFT: Final = "draft"


# Who took a step, as the history names them.
ROLE_LABELS: Final[dict[str, Promise]] = {
    Role.CITIZEN: _("applicant"),
    Role.COUNTERPARTY: _("second party"),
    Role.OFFICER: _("officer"),
    Role.SUPERVISOR: _("supervisor"),
    Role.SYSTEM: _("automatically"),
}


class Step(StrEnum):
    """The steps the platform records in an application's history besides the definition's
    transitions (which carry their own labels)."""

    SUBMIT = "submit"
    OFFER = "offer"  # a proactive service the state offers to the person
    PAY = "pay"
    REFUND = "refund"
    REGISTRY_REFUSED = "registry_refused"
    ESCALATE = "escalate"
    DOCUMENT = "document"
    # an officer who is the applicant or a party, or their relative, was refused (`conflicts`)
    CONFLICT_REFUSED = "conflict_refused"


STEP_LABELS: Final[dict[str, Promise]] = {
    Step.SUBMIT: _("Submitted"),
    Step.OFFER: _("Offered by the state"),
    Step.PAY: _("Duty paid"),
    Step.REFUND: _("Duty refunded"),
    Step.REGISTRY_REFUSED: _("Refused by the registry"),
    Step.ESCALATE: _("Passed to the supervisor: the deadline has passed"),
    Step.DOCUMENT: _("Result document issued"),
    Step.CONFLICT_REFUSED: _("Refused to an officer who is the applicant, a party or a relative"),
}

# A definition's `result.registry_change`, by "<registry>.<action>": what the agency makes by
# hand while that registry is not connected.
REGISTRY_CHANGE_LABELS: Final[dict[str, Promise]] = {
    "person.register_birth": _("register the birth"),
    "person.register_residence": _("register the residence address"),
    "person.replace_identity_card": _("replace the identity card"),
    "person.issue_passport": _("issue the passport"),
    "vehicle.register_first": _("register the vehicle"),
    "vehicle.change_owner": _("register the vehicle to its new owner"),
    "vehicle.deregister": _("deregister the vehicle"),
    "vehicle.reissue_certificate": _("issue a new registration certificate"),
    "licence.issue": _("issue the driving licence"),
    "licence.replace": _("replace the driving licence"),
}
