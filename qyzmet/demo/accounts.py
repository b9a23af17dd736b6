"""The demo accounts that `make run` prints. Demo mode only; never in production."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

CITIZEN_PASSWORD = "Demo-citizen-2026"  # noqa: S105 - demo only


class Kind(StrEnum):
    CITIZEN = "citizen"
    OFFICER = "officer"
    ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class DemoAccount:
    role: str
    login: str
    password: str
    where: str
    phone: str = ""
    kind: Kind = Kind.CITIZEN


# Citizens (and an officer, who is a citizen too) chosen from the generated demo registry by
# position, so the same IINs come back on every machine. Phones are distinct demo numbers.
CITIZEN_PHONES = ("+77010000001", "+77050000002", "+77470000003")
OFFICER_PHONE = "+77070000009"
# The administrator signs in to the admin as officers do (IIN, password and SMS code): a person
# of the registry too, staff and superuser.
ADMIN_PHONE = "+77070000008"
