"""The words of the applications' domain: who takes a step, and the state before submission.

A `Role` is a `StrEnum`, so it equals the string the service definitions and the database hold
(`Transition.role`, `ApplicationEvent.actor_role`): nothing stored changes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Role(StrEnum):
    CITIZEN = "citizen"  # the applicant
    COUNTERPARTY = "counterparty"  # the second party of a two-party service (the buyer)
    OFFICER = "officer"
    SUPERVISOR = "supervisor"  # an officer who may do what officers do, and sees escalations
    SYSTEM = "system"  # automatic steps, the deadline sweep, a credited duty


# The state of an application before submission (every service's workflow starts after it).
DRAFT: Final = "draft"
