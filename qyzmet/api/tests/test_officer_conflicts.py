"""An officer may not handle an application where they, or their family in the population
registry, are the applicant or a party: the queue leaves it out, opening, taking and deciding it
are refused with `conflict_of_interest`, and every refused attempt is in its history."""

import pytest

from conftest import CommittingClient, bearer, sign_in
from qyzmet.applications.models import Application, ApplicationEvent
from qyzmet.applications.tests.family import (
    AGENCY,
    OFFICER_PHONE,
    family_applicant,
    later,
    submitted_by,
)
from qyzmet.identity.models import Account
from qyzmet.trust.models import DataAccessEvent

pytestmark = pytest.mark.django_db


def _officer_signed_in(api: CommittingClient, officer: Account) -> dict[str, str]:
    assert officer.person is not None
    with later(400):
        return bearer(sign_in(api, officer.person.iin, phone=OFFICER_PHONE)["access_token"])


@pytest.mark.parametrize(
    ("relation", "kinship"),
    [("self", "self"), ("parent", "parent"), ("spouse", "spouse"), ("child", "child")],
)
def test_an_officer_may_not_handle_their_own_or_their_familys_application(
    api_client: CommittingClient, relation: str, kinship: str
) -> None:
    # given an application by the officer, or by a parent, spouse or child of theirs
    officer, applicant, phone = family_applicant(relation)
    application = submitted_by(api_client, applicant, phone)
    auth = _officer_signed_in(api_client, officer)
    url = f"/api/v1/office/applications/{application['id']}"

    # when the officer looks for it, opens it, takes it and decides it
    queue = api_client.get("/api/v1/office/queue", {"agency": AGENCY}, **auth)
    opened = api_client.get(url, **auth)
    claimed = api_client.post(f"{url}/claim", **auth)
    issued = api_client.post_json(f"{url}/steps", {"name": "issue"}, **auth)

    # then it is not in their queue, every attempt is refused and recorded, nothing moved
    assert queue.status_code == 200
    assert application["id"] not in [a["id"] for a in queue.json()]
    for answer in (opened, claimed, issued):
        assert answer.status_code == 403, answer.json()
        assert answer.json()["code"] == "conflict_of_interest"
        assert answer.json()["details"] == {"kinship": kinship}
        assert "member of your family" in answer.json()["message"]
    stored = Application.objects.get(pk=application["id"])
    assert (stored.state, stored.assignee_id, stored.outcome) == ("in_review", None, "")
    refused = ApplicationEvent.objects.filter(application=stored, transition="conflict_refused")
    assert [(e.changes, e.actor_id, e.actor_role) for e in refused.order_by("id")] == [
        ({"attempt": attempt, "kinship": kinship}, officer.pk, "officer")
        for attempt in ("open", "claim", "issue")
    ]
    assert not DataAccessEvent.objects.filter(actor=officer).exists()  # nothing was read


def test_the_applicant_does_not_see_the_agencys_record_of_refused_officers(
    api_client: CommittingClient,
) -> None:
    officer, applicant, phone = family_applicant("spouse")
    application = submitted_by(api_client, applicant, phone)
    auth = _officer_signed_in(api_client, officer)
    api_client.get(f"/api/v1/office/applications/{application['id']}", **auth)
    assert applicant.person is not None
    with later(600):
        mine = bearer(sign_in(api_client, applicant.person.iin, phone=phone)["access_token"])

    seen = api_client.get(f"/api/v1/applications/{application['id']}", **mine).json()

    assert "conflict_refused" not in [h["transition"] for h in seen["history"]]
    assert ApplicationEvent.objects.filter(transition="conflict_refused").count() == 1


def test_an_officer_handles_an_unrelated_citizens_application(api_client: CommittingClient) -> None:
    officer, applicant, phone = family_applicant("unrelated")
    application = submitted_by(api_client, applicant, phone)
    auth = _officer_signed_in(api_client, officer)
    url = f"/api/v1/office/applications/{application['id']}"

    queue = api_client.get("/api/v1/office/queue", {"agency": AGENCY}, **auth).json()
    opened = api_client.get(url, **auth)
    claimed = api_client.post(f"{url}/claim", **auth)
    issued = api_client.post_json(f"{url}/steps", {"name": "issue"}, **auth)

    assert [a["id"] for a in queue] == [application["id"]]
    assert [opened.status_code, claimed.status_code, issued.status_code] == [200, 200, 200]
    assert issued.json()["outcome"] == "approved"
    assert not ApplicationEvent.objects.filter(transition="conflict_refused").exists()
