"""Applying for a service, signing, deciding and tracking it, through the API."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from conftest import PHONE, CommittingClient, bearer, last_code, sign_in
from qyzmet.api.tests.journeys import (
    AGENCY,
    CRIMINAL_RECORD,
    criminal_record_submitted,
    later,
    officer_headers,
)
from qyzmet.applications.models import Application, ApplicationEvent
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.notifications.testing import deliver_due
from qyzmet.trust.models import DataAccessEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen(api_client: CommittingClient) -> dict[str, str]:
    account = citizen_create()
    return bearer(sign_in(api_client, account.person.iin)["access_token"])


def test_apply_sign_by_sms_and_track_with_a_countdown(
    api_client: CommittingClient, citizen: dict[str, str]
) -> None:
    with later():
        application = criminal_record_submitted(api_client, citizen)

    assert application["number"].startswith("Q")
    assert application["state"] == "in_review"  # no criminal-records registry yet: an officer looks
    assert application["due_date"] is not None
    assert application["working_days_left"] == 5
    assert [h["transition"] for h in application["history"]] == ["submit", "send_to_officer"]
    stored = Application.objects.get()
    assert stored.signatures.get().method == "sms"
    assert len(stored.signatures.get().content_sha256) == 64
    listed = api_client.get("/api/v1/applications", **citizen).json()
    assert [a["id"] for a in listed] == [application["id"]]


def test_the_same_idempotency_key_twice_gives_one_application(
    api_client: CommittingClient, citizen: dict[str, str]
) -> None:
    with later():
        first = criminal_record_submitted(api_client, citizen, key="retry-me")
    again = api_client.post_json(
        f"/api/v1/applications/{first['id']}/submit",
        {"code_id": "00000000-0000-0000-0000-000000000000", "code": "123456"},
        HTTP_IDEMPOTENCY_KEY="retry-me",
        **citizen,
    )

    assert again.status_code == 201
    assert again.json()["id"] == first["id"]
    assert Application.objects.count() == 1
    assert ApplicationEvent.objects.filter(transition="submit").count() == 1


def test_submitting_without_an_idempotency_key_is_refused(
    api_client: CommittingClient, citizen: dict[str, str]
) -> None:
    draft = api_client.post_json("/api/v1/applications", {"service": CRIMINAL_RECORD}, **citizen)

    response = api_client.post_json(
        f"/api/v1/applications/{draft.json()['id']}/submit",
        {"code_id": "x", "code": "1"},
        **citizen,
    )

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key"


def test_a_draft_keeps_wrong_answers_and_names_the_field(
    api_client: CommittingClient, citizen: dict[str, str]
) -> None:
    draft = api_client.post_json("/api/v1/applications", {"service": CRIMINAL_RECORD}, **citizen)

    saved = api_client.patch(
        f"/api/v1/applications/{draft.json()['id']}",
        data='{"answers": {"purpose": "piracy"}}',
        content_type="application/json",
        **citizen,
    ).json()

    assert saved["errors"] == {"purpose": "Choose one of the options."}
    assert saved["application"]["answers"] == {"purpose": "piracy"}


def test_an_officer_decides_and_the_citizen_is_told(
    api_client: CommittingClient, citizen: dict[str, str]
) -> None:
    with later():
        application = criminal_record_submitted(api_client, citizen)
    officer = officer_headers(api_client)

    queue = api_client.get("/api/v1/office/queue", {"agency": AGENCY}, **officer).json()
    assert [a["id"] for a in queue] == [application["id"]]
    opened = api_client.get(f"/api/v1/office/applications/{application['id']}", **officer)
    assert opened.status_code == 200
    assert DataAccessEvent.objects.filter(channel="backoffice").count() == 1
    claimed = api_client.post(f"/api/v1/office/applications/{application['id']}/claim", **officer)
    assert claimed.status_code == 200
    decided = api_client.post_json(
        f"/api/v1/office/applications/{application['id']}/steps", {"name": "issue"}, **officer
    )

    assert decided.status_code == 200, decided.json()
    assert decided.json()["outcome"] == "approved"
    mine = api_client.get(f"/api/v1/applications/{application['id']}", **citizen).json()
    assert mine["state"] == "issued"
    assert mine["working_days_left"] is None
    deliver_due()  # status messages go through the worker
    texts = [
        m["text"] for m in api_client.get("/dev/outbox.json", {"to": PHONE}).json()["messages"]
    ]
    assert any(application["number"] in t and "Certificate issued" in t for t in texts)


def test_two_officers_deciding_at_once_give_one_decision_and_one_conflict(
    api_client: CommittingClient, citizen: dict[str, str]
) -> None:
    with later():
        application = criminal_record_submitted(api_client, citizen)
    first = officer_headers(api_client)
    second = officer_headers(api_client, phone="+77470003344")
    version = api_client.get(f"/api/v1/office/applications/{application['id']}", **first).json()[
        "version"
    ]

    issue = api_client.post_json(
        f"/api/v1/office/applications/{application['id']}/steps",
        {"name": "issue", "expected_version": version},
        **first,
    )
    refuse = api_client.post_json(
        f"/api/v1/office/applications/{application['id']}/steps",
        {"name": "return_for_correction", "comment": "typo", "expected_version": version},
        **second,
    )

    assert issue.status_code == 200
    assert refuse.status_code == 409
    assert refuse.json()["code"] == "decided_elsewhere"
    assert ApplicationEvent.objects.filter(actor_role="officer").count() == 1


def test_return_for_correction_then_resubmit(
    api_client: CommittingClient, citizen: dict[str, str]
) -> None:
    with later():
        application = criminal_record_submitted(api_client, citizen)
    officer = officer_headers(api_client)
    url = f"/api/v1/office/applications/{application['id']}/steps"

    no_comment = api_client.post_json(url, {"name": "return_for_correction"}, **officer)
    returned = api_client.post_json(
        url, {"name": "return_for_correction", "comment": "Choose the real purpose"}, **officer
    )
    mine = api_client.get(f"/api/v1/applications/{application['id']}", **citizen).json()
    with later(200):  # signed again, with a new code
        code = api_client.post(f"/api/v1/applications/{application['id']}/sign/sms", **citizen)
        resubmitted = api_client.post_json(
            f"/api/v1/applications/{application['id']}/steps",
            {"name": "resubmit", "code_id": code.json()["code_id"],
             "code": last_code(api_client, PHONE)},
            **citizen,
        )  # fmt: skip

    assert no_comment.status_code == 422
    assert returned.json()["state"] == "correction"
    assert mine["waiting_for_you"] is True
    assert "resubmit" in [s["name"] for s in mine["next_steps"]]
    assert resubmitted.status_code == 200
    assert resubmitted.json()["state"] == "in_review"


def test_an_instant_service_is_decided_by_the_registries_at_once(
    api_client: CommittingClient, citizen: dict[str, str]
) -> None:
    draft = api_client.post_json(
        "/api/v1/applications", {"service": "address-certificate"}, **citizen
    ).json()
    with later():
        code = api_client.post(f"/api/v1/applications/{draft['id']}/sign/sms", **citizen).json()
        done = api_client.post_json(
            f"/api/v1/applications/{draft['id']}/submit",
            {"code_id": code["code_id"], "code": last_code(api_client, PHONE)},
            HTTP_IDEMPOTENCY_KEY="instant",
            **citizen,
        )

    assert done.status_code == 201, done.json()
    assert done.json()["outcome"] == "approved"
    assert done.json()["history"][-1]["actor_role"] == "system"


@pytest.mark.parametrize("who", ["other citizen", "officer of another agency", "anonymous"])
def test_nobody_else_sees_or_moves_my_application(
    api_client: CommittingClient, citizen: dict[str, str], who: str
) -> None:
    with later():
        application = criminal_record_submitted(api_client, citizen)
    if who == "other citizen":
        other = citizen_create(phone="+77075554433", birth_date=date(1991, 1, 1), sex="M")
        headers = bearer(
            sign_in(api_client, other.person.iin, phone="+77075554433")["access_token"]
        )
        view = api_client.get(f"/api/v1/applications/{application['id']}", **headers)
        step = api_client.post_json(
            f"/api/v1/applications/{application['id']}/steps", {"name": "withdraw"}, **headers
        )
    elif who == "officer of another agency":
        headers = officer_headers(api_client, agency="mvd-migration")
        view = api_client.get(f"/api/v1/office/applications/{application['id']}", **headers)
        step = api_client.post_json(
            f"/api/v1/office/applications/{application['id']}/steps", {"name": "issue"}, **headers
        )
    else:
        view = api_client.get(f"/api/v1/applications/{application['id']}")
        step = api_client.post_json(
            f"/api/v1/applications/{application['id']}/steps", {"name": "withdraw"}
        )

    expected = 401 if who == "anonymous" else 404
    assert view.status_code == step.status_code == expected
    assert Application.objects.get().state == "in_review"


def test_the_citizen_can_withdraw(api_client: CommittingClient, citizen: dict[str, str]) -> None:
    with later():
        application = criminal_record_submitted(api_client, citizen)

    response = api_client.post_json(
        f"/api/v1/applications/{application['id']}/steps", {"name": "withdraw"}, **citizen
    )

    assert response.status_code == 200, response.json()
    assert response.json()["outcome"] == "withdrawn"


def test_a_due_date_across_nauryz_and_a_weekend(
    api_client: CommittingClient, citizen: dict[str, str]
) -> None:
    with time_machine.travel(datetime(2026, 3, 20, 6, tzinfo=UTC), tick=False):
        account = citizen_create(phone="+77016665544", birth_date=date(1977, 7, 7), sex="M")
        auth = bearer(sign_in(api_client, account.person.iin, phone="+77016665544")["access_token"])
        draft = api_client.post_json(
            "/api/v1/applications", {"service": CRIMINAL_RECORD}, **auth
        ).json()
        api_client.patch(
            f"/api/v1/applications/{draft['id']}",
            data='{"answers": {"purpose": "travel"}}',
            content_type="application/json",
            **auth,
        )
        with time_machine.travel(datetime(2026, 3, 20, 6, 2, tzinfo=UTC)):
            code = api_client.post(f"/api/v1/applications/{draft['id']}/sign/sms", **auth).json()
            done = api_client.post_json(
                f"/api/v1/applications/{draft['id']}/submit",
                {"code_id": code["code_id"], "code": last_code(api_client, "+77016665544")},
                HTTP_IDEMPOTENCY_KEY="nauryz",
                **auth,
            ).json()

    # Received Friday 20 March 2026; Nauryz (Sat 21 – Mon 23) with its weekend days moved to
    # Tue 24 and Wed 25; five working days: 26, 27, 30, 31 March, 1 April.
    assert done["due_date"] == "2026-04-01"


def test_a_proactive_service_is_offered_then_accepted_by_the_citizen(
    api_client: CommittingClient,
) -> None:
    from django.core.management import call_command

    account = citizen_create(phone="+77019998877", birth_date=date(1993, 3, 3), sex="F")
    auth = bearer(sign_in(api_client, account.person.iin, phone="+77019998877")["access_token"])

    call_command("services_offer", "birth-registration", "--iin", account.person.iin)
    call_command("services_offer", "birth-registration", "--iin", account.person.iin)  # once only

    offers = api_client.get("/api/v1/applications", **auth).json()
    assert len(offers) == 1
    offer = offers[0]
    assert offer["state"] == "offered" and offer["waiting_for_you"] is True
    assert {s["name"] for s in offer["next_steps"]} >= {"accept", "decline"}
    incomplete = api_client.post_json(
        f"/api/v1/applications/{offer['id']}/steps", {"name": "accept"}, **auth
    )
    assert incomplete.status_code == 422  # the child's name is still to be given
    declined = api_client.post_json(
        f"/api/v1/applications/{offer['id']}/steps", {"name": "decline"}, **auth
    )
    assert declined.json()["outcome"] == "withdrawn"


def test_listing_costs_the_same_queries_for_one_application_or_many(
    api_client: CommittingClient, citizen: dict[str, str]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get("/api/v1/applications", **citizen).status_code == 200
        return len(queries)

    with later():
        criminal_record_submitted(api_client, citizen, key="a")
    one = count()
    for n, key in enumerate(("b", "c", "d"), start=2):
        with later(61 * n):
            criminal_record_submitted(api_client, citizen, key=key)
    many = count()

    assert many == one


def test_a_polling_phone_gets_304_until_the_application_changes(
    api_client: CommittingClient, citizen: dict[str, str]
) -> None:
    with later():
        application = criminal_record_submitted(api_client, citizen)
    url = f"/api/v1/applications/{application['id']}"
    first = api_client.get(url, **citizen)
    tag = first.headers["ETag"]
    assert first.status_code == 200 and first.json()["state"] == "in_review"

    again = api_client.get(url, HTTP_IF_NONE_MATCH=tag, **citizen)
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == tag
    other_language = api_client.get(
        url, HTTP_IF_NONE_MATCH=tag, HTTP_ACCEPT_LANGUAGE="ru", **citizen
    )
    assert other_language.status_code == 200  # labels differ by language

    officer = officer_headers(api_client)
    api_client.post(f"/api/v1/office/applications/{application['id']}/claim", **officer)
    api_client.post_json(f"{url.replace('/applications/', '/office/applications/')}/steps",
                         {"name": "issue"}, **officer)  # fmt: skip
    changed = api_client.get(url, HTTP_IF_NONE_MATCH=tag, **citizen)
    assert changed.status_code == 200
    assert changed.json()["state"] == "issued"
    assert changed.headers["ETag"] != tag
    # and another citizen's tag never reveals anything: the application is simply not found
    stranger = bearer(sign_in(api_client, citizen_create(phone="+77019998877").person.iin,
                              phone="+77019998877")["access_token"])  # fmt: skip
    assert api_client.get(url, HTTP_IF_NONE_MATCH=tag, **stranger).status_code == 404


def test_a_draft_changes_its_etag_when_answers_are_saved(
    api_client: CommittingClient, citizen: dict[str, str]
) -> None:
    draft = api_client.post_json("/api/v1/applications", {"service": CRIMINAL_RECORD}, **citizen)
    url = f"/api/v1/applications/{draft.json()['id']}"
    tag = api_client.get(url, **citizen).headers["ETag"]
    api_client.patch(url, data='{"answers": {"purpose": "employment"}}',
                     content_type="application/json", **citizen)  # fmt: skip
    fresh = api_client.get(url, HTTP_IF_NONE_MATCH=tag, **citizen)
    assert fresh.status_code == 200
    assert fresh.json()["answers"] == {"purpose": "employment"}
