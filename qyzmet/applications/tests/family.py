"""An officer and an applicant related to them as the population registry says (or not), and
the applicant's criminal-record application submitted through the API: the cases of the rule
that no officer handles their own or their family's application."""

from datetime import date, timedelta
from typing import Any

import time_machine
from django.utils import timezone

from conftest import CommittingClient, bearer, last_code, sign_in
from qyzmet.applications.models import OfficerMembership
from qyzmet.identity.models import Account, Person
from qyzmet.identity.tests.factories import citizen_create

AGENCY = "gp-legal-statistics"
CRIMINAL_RECORD = "criminal-record-certificate"
OFFICER_PHONE = "+77470001122"


def later(seconds: int = 61) -> Any:
    """Past the pause between two SMS codes to the same number."""
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds))


RELATIVE_PHONE = "+77011234567"


def family_applicant(relation: str) -> tuple[Account, Account, str]:
    """(officer, applicant, the applicant's phone): the officer of `AGENCY`, and whoever applies,
    related to the officer as `relation` says in the population registry."""
    officer = citizen_create(phone=OFFICER_PHONE, birth_date=date(1980, 8, 8), sex="M")
    OfficerMembership.objects.create(account=officer, agency=AGENCY)
    if relation == "self":
        return officer, officer, OFFICER_PHONE
    kin: dict[str, Any] = {
        "parent": {"birth_date": date(1952, 3, 3)},
        "spouse": {"birth_date": date(1983, 5, 5), "spouse": officer.person},
        "child": {"birth_date": date(2004, 6, 6), "father": officer.person},
        "unrelated": {"birth_date": date(1985, 4, 12)},
    }[relation]
    applicant = citizen_create(phone=RELATIVE_PHONE, **kin)
    if relation == "parent":
        Person.objects.filter(pk=officer.person_id).update(mother=applicant.person)
    return officer, applicant, RELATIVE_PHONE


def submitted_by(api: CommittingClient, account: Account, phone: str) -> dict[str, Any]:
    """`account` applies for a criminal-record certificate through the API (an officer's
    application is in the officers' queue of its agency like anyone's)."""
    assert account.person is not None
    with later():
        auth = bearer(sign_in(api, account.person.iin, phone=phone)["access_token"])
    with later(200):
        draft = api.post_json("/api/v1/applications", {"service": CRIMINAL_RECORD}, **auth).json()
        api.patch(
            f"/api/v1/applications/{draft['id']}",
            data='{"answers": {"purpose": "employment"}}',
            content_type="application/json",
            **auth,
        )
        code = api.post(f"/api/v1/applications/{draft['id']}/sign/sms", **auth).json()
        done = api.post_json(
            f"/api/v1/applications/{draft['id']}/submit",
            {"code_id": code["code_id"], "code": last_code(api, phone)},
            HTTP_IDEMPOTENCY_KEY="conflict-1",
            **auth,
        )
    assert done.status_code == 201, done.json()
    result: dict[str, Any] = done.json()
    return result
