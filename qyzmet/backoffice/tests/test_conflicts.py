"""On the office pages, an officer's own application and their family's are not in the queue,
and opening or taking one shows why it is refused; each attempt is recorded."""

from datetime import date

import pytest

from conftest import PASSWORD, CommittingClient, last_code
from qyzmet.applications.models import Application, ApplicationEvent, OfficerMembership
from qyzmet.applications.tests.family import (
    AGENCY,
    OFFICER_PHONE,
    family_applicant,
    later,
    submitted_by,
)
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create

pytestmark = pytest.mark.django_db


def _office(officer: Account, phone: str = OFFICER_PHONE) -> CommittingClient:
    assert officer.person is not None
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    with later(400):
        web.post("/signin/", {"iin": officer.person.iin, "password": PASSWORD})
        web.post("/signin/code/", {"code": last_code(web, phone)})
    return web


@pytest.mark.parametrize("relation", ["self", "parent", "spouse", "child"])
def test_the_office_pages_refuse_an_officers_own_or_family_application(
    api_client: CommittingClient, relation: str
) -> None:
    officer, applicant, phone = family_applicant(relation)
    application = submitted_by(api_client, applicant, phone)
    office = _office(officer)
    url = f"/office/applications/{application['id']}/"

    queue = office.get(f"/office/queue/?agency={AGENCY}")
    page = office.get(url)
    claim = office.post(url, {"action": "claim"})

    assert queue.status_code == 200
    assert application["number"] not in queue.content.decode()
    for answer in (page, claim):
        html = answer.content.decode()
        assert answer.status_code == 403
        assert "<h1>Not yours to handle</h1>" in html
        assert "you or a member of your family is its applicant or a party" in html
        assert application["number"] not in html  # nothing of it is shown
    assert Application.objects.get(pk=application["id"]).assignee_id is None
    assert ApplicationEvent.objects.filter(transition="conflict_refused").count() == 2


def test_the_refusal_is_in_the_officers_language(api_client: CommittingClient) -> None:
    officer, applicant, phone = family_applicant("spouse")
    application = submitted_by(api_client, applicant, phone)
    office = _office(officer)
    office.cookies["qyzmet_language"] = "ru"

    html = office.get(f"/office/applications/{application['id']}/").content.decode()

    assert "Вы не можете рассматривать это заявление" in html


def test_a_supervisor_sees_the_refused_attempts_in_the_history(
    api_client: CommittingClient,
) -> None:
    officer, applicant, phone = family_applicant("child")
    application = submitted_by(api_client, applicant, phone)
    _office(officer).get(f"/office/applications/{application['id']}/")
    colleague = citizen_create(phone="+77470003344", birth_date=date(1975, 1, 1), sex="M")
    OfficerMembership.objects.create(account=colleague, agency=AGENCY)

    page = _office(colleague, "+77470003344").get(f"/office/applications/{application['id']}/")

    html = page.content.decode()
    assert page.status_code == 200

    assert "Refused to an officer who is the applicant, a party or a relative" in html
