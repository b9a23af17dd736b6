"""/api/v1/feedback: rating through the phone app (who may, what is refused, nothing changes on
a refusal) and the figures, public and internal."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from conftest import CommittingClient, bearer
from qyzmet.applications.models import Application, OfficerMembership
from qyzmet.feedback.models import Rating
from qyzmet.feedback.tests.fixtures import (
    CRIMINAL_RECORD,
    application_make,
    ministry_analyst,
    other_citizen,
)
from qyzmet.identity.actions.sessions import app_sign_in
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create

pytestmark = pytest.mark.django_db

RATINGS = "/api/v1/feedback/ratings"


def _auth(account: Account) -> dict[str, str]:
    tokens = app_sign_in(account=account, method="password_sms", device="test", client="")
    return bearer(tokens.access_token)


def _officer() -> Account:
    account = other_citizen()
    OfficerMembership.objects.create(
        account=account, agency="gp-legal-statistics", role=OfficerMembership.Role.SUPERVISOR
    )
    return account


@pytest.fixture
def world() -> dict[str, Any]:
    owner = citizen_create()
    return {
        "owner": owner,
        "approved": application_make(owner),
        "open": application_make(owner, outcome=""),
    }


def _snapshot() -> list[tuple[Any, ...]]:
    return list(Rating.objects.values_list("application_id", "grade").order_by("pk"))


def test_the_applicant_rates_once_and_reads_the_rating_back(
    api_client: CommittingClient, world: dict[str, Any]
) -> None:
    auth = _auth(world["owner"])
    app_id = str(world["approved"].pk)
    before = api_client.get(f"{RATINGS}/{app_id}", **auth)
    assert before.status_code == 200
    assert before.json() == {"application_id": app_id, "can_rate": True, "rating": None}

    created = api_client.post_json(
        RATINGS, {"application_id": app_id, "grade": "excellent", "comment": "Рақмет!"}, **auth
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert {k: body[k] for k in ("application_id", "grade", "grade_label", "comment")} == {
        "application_id": app_id,
        "grade": "excellent",
        "grade_label": "Excellent",
        "comment": "Рақмет!",
    }
    after = api_client.get(f"{RATINGS}/{app_id}", **auth).json()
    assert after["can_rate"] is False
    assert after["rating"] == body

    again = api_client.post_json(RATINGS, {"application_id": app_id, "grade": "bad"}, **auth)
    assert again.status_code == 409
    assert again.json() == {
        "code": "already_rated",
        "message": "You have already rated this application.",
        "details": {},
    }
    assert _snapshot() == [(world["approved"].pk, "excellent")]


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"grade": "good"}, 422, "not_final"),  # the open application
        ({"grade": "superb"}, 422, "bad_grade"),
        ({"grade": "good", "comment": "x" * 1001}, 422, "comment_too_long"),
        ({"comment": "no grade"}, 422, "validation_error"),
    ],
)
def test_refusals_have_stable_codes_and_change_nothing(
    api_client: CommittingClient,
    world: dict[str, Any],
    payload: dict[str, str],
    status: int,
    code: str,
) -> None:
    target = world["open"] if code == "not_final" else world["approved"]
    response = api_client.post_json(
        RATINGS, {"application_id": str(target.pk), **payload}, **_auth(world["owner"])
    )

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert _snapshot() == []


def test_the_refusal_is_in_the_callers_language(world: dict[str, Any]) -> None:
    kk = CommittingClient(HTTP_ACCEPT_LANGUAGE="ru")
    response = kk.post_json(
        RATINGS,
        {"application_id": str(world["approved"].pk), "grade": "superb"},
        **_auth(world["owner"]),
    )

    assert response.status_code == 422
    assert response.json()["message"] == "Выберите один из ответов."


@pytest.mark.parametrize("who", ["anonymous", "other citizen", "officer"])
def test_only_the_applicant_may_rate_or_read_the_rating(
    api_client: CommittingClient, world: dict[str, Any], who: str
) -> None:
    auth = (
        {}
        if who == "anonymous"
        else _auth(other_citizen() if who == "other citizen" else _officer())
    )
    app_id = str(world["approved"].pk)

    posted = api_client.post_json(RATINGS, {"application_id": app_id, "grade": "bad"}, **auth)
    read = api_client.get(f"{RATINGS}/{app_id}", **auth)

    expected = (401, "not_authenticated") if who == "anonymous" else (404, "not_found")
    assert (posted.status_code, posted.json()["code"]) == expected
    assert (read.status_code, read.json()["code"]) == expected
    assert _snapshot() == []
    assert Application.objects.get(pk=app_id).outcome == "approved"


def test_the_figures_are_public_json_and_csv(world: dict[str, Any]) -> None:
    Rating.objects.create(application=world["approved"], account=world["owner"], grade="good")
    anonymous = CommittingClient(HTTP_ACCEPT_LANGUAGE="kk")

    data = anonymous.get("/api/v1/feedback/figures")
    export = anonymous.get("/api/v1/feedback/figures.csv")

    assert data.status_code == 200
    body = data.json()
    assert body["language"] == "kk"
    assert [c["channel"] for c in body["channels"]] == ["web", "app", "centre"]
    assert [c["count"] for c in body["channels"]] == [2, 0, 0]
    row = next(r for r in body["ratings_by_service"] if r["code"] == CRIMINAL_RECORD)
    assert (row["total"], row["counts"]["good"], row["positive_share"], row["average"]) == (
        1,
        1,
        1.0,
        4.0,
    )
    assert export.status_code == 200
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert export["Content-Disposition"].startswith('attachment; filename="qyzmet-figures-')
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0] == ["figure", "year", "agency", "service", "category", "measure", "value"]
    assert ["channels", "", "", "", "web", "count", "2"] in rows


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("citizen", 404), ("officer", 404), ("analyst", 200)],
)
def test_the_internal_figures_are_for_ministry_staff_only(
    api_client: CommittingClient, world: dict[str, Any], who: str, status: int
) -> None:
    Rating.objects.create(
        application=world["approved"], account=world["owner"], grade="bad", comment="Ұзақ"
    )
    accounts = {"citizen": world["owner"], "officer": _officer(), "analyst": ministry_analyst()}
    auth = _auth(accounts[who]) if who in accounts else {}

    response = api_client.get(
        "/api/v1/feedback/figures/internal?agency=gp-legal-statistics", **auth
    )

    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["comments_agency"] == "gp-legal-statistics"
        assert [(c["grade"], c["comment"]) for c in body["comments"]] == [("bad", "Ұзақ")]
        detail = next(a for a in body["agencies"] if a["agency"] == "gp-legal-statistics")
        assert (detail["applications"], detail["channels"]) == (
            2,
            {"web": 2, "app": 0, "centre": 0},
        )
    else:
        assert "comments" not in response.json()
