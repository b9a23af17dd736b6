"""Application numbers never collide: submissions that once drew the same random number, a
counter restored from an older backup, and many submissions at the same moment all succeed,
each with its own number."""

import itertools
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

from conftest import CommittingClient, at_once, bearer, last_code, sign_in
from qyzmet.api.tests.journeys import CRIMINAL_RECORD, criminal_record_submitted, later
from qyzmet.applications.models import Application, ApplicationNumberDay
from qyzmet.applications.numbers import number_format, number_valid
from qyzmet.core.calendar import local_today
from qyzmet.identity.tests.factories import citizen_create


def _citizen(api: CommittingClient, phone: str = "+77011234567") -> dict[str, str]:
    account = citizen_create(phone=phone)
    return bearer(sign_in(api, account.person.iin, phone=phone)["access_token"])


def _same_start() -> Callable[[], uuid.UUID]:
    """Ids that all begin alike: what made two numbers of one day equal before."""
    serials: Iterator[int] = itertools.count(1)
    return lambda: uuid.UUID(f"1a2b3c4d-0000-4000-8000-{next(serials):012x}")


@pytest.mark.django_db
def test_applications_whose_ids_begin_alike_get_numbers_of_their_own(
    api_client: CommittingClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given every new application's id begins with the same eight digits
    monkeypatch.setattr(Application._meta.get_field("id"), "_get_default", _same_start())
    citizen = _citizen(api_client)

    # when two are submitted on the same day
    with later():
        one = criminal_record_submitted(api_client, citizen)
    with later(200):
        other = criminal_record_submitted(api_client, citizen, key="key-2")

    # then both are submitted, numbered one after the other
    today = local_today()
    assert [one["number"], other["number"]] == [number_format(today, 1), number_format(today, 2)]
    assert all(number_valid(n) for n in (one["number"], other["number"]))
    assert {a.id.hex[:8] for a in Application.objects.all()} == {"1a2b3c4d"}


@pytest.mark.django_db
def test_a_number_taken_already_is_skipped(api_client: CommittingClient) -> None:
    # given the day's counter lost its last steps (restored from an older backup)
    citizen = _citizen(api_client)
    with later():
        earlier = criminal_record_submitted(api_client, citizen)
    ApplicationNumberDay.objects.all().delete()

    # when another application is submitted that day
    with later(200):
        again = criminal_record_submitted(api_client, citizen, key="key-2")

    # then it gets the next free number, not the one taken
    assert earlier["number"] == number_format(local_today(), 1)
    assert again["number"] == number_format(local_today(), 2)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"
)
def test_many_submissions_at_once_get_distinct_numbers() -> None:
    # given eight citizens, each with a draft signed for by SMS
    count = 8
    api = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    ready: list[tuple[dict[str, str], str, dict[str, Any]]] = []
    for n in range(count):
        phone = f"+770100000{n:02d}"
        auth = _citizen(api, phone)
        draft = api.post_json("/api/v1/applications", {"service": CRIMINAL_RECORD}, **auth).json()
        api.patch(
            f"/api/v1/applications/{draft['id']}",
            data='{"answers": {"purpose": "employment"}}',
            content_type="application/json",
            **auth,
        )
        code = api.post(f"/api/v1/applications/{draft['id']}/sign/sms", **auth).json()
        body = {"code_id": code["code_id"], "code": last_code(api, phone)}
        ready.append((auth, draft["id"], body))

    # when all submit at the same moment
    def submit(index: int) -> Any:
        auth, app_id, body = ready[index]
        client = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
        return client.post_json(
            f"/api/v1/applications/{app_id}/submit",
            body,
            HTTP_IDEMPOTENCY_KEY=f"at-once-{index}",
            **auth,
        )

    answers = at_once(count, submit)

    # then every one is submitted, and the day's numbers are 1 … 8
    assert [a.status_code for a in answers] == [201] * count, answers
    numbers = sorted(a.json()["number"] for a in answers)
    today = local_today()
    assert numbers == sorted(number_format(today, n) for n in range(1, count + 1))
    assert ApplicationNumberDay.objects.get(day=today).last == count
