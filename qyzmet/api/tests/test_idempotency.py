"""An optional Idempotency-Key on the API's creates (a draft, a wallet share, a rating, a survey
answer): the same key and body answer the first answer again and make nothing; the same key
with another body is 409; without the key each endpoint works as it always did."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import CommittingClient
from qyzmet.applications.models import Application
from qyzmet.core.models import IdempotencyKey
from qyzmet.feedback.models import Rating
from qyzmet.feedback.tests.fixtures import CRIMINAL_RECORD, application_make
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.surveys.models import Answer, Response
from qyzmet.surveys.tests.factories import GOOD_ANSWERS, open_survey
from qyzmet.wallet.models import Share
from qyzmet.wallet.tests.fixtures import api_headers, document_make

pytestmark = pytest.mark.django_db

DRAFTS = "/api/v1/applications"
SHARES = "/api/v1/wallet/shares"
RATINGS = "/api/v1/feedback/ratings"
ANSWERS = "/api/v1/surveys/test-survey/responses"


@pytest.fixture
def account() -> Account:
    return citizen_create()


@pytest.fixture
def auth(api_client: CommittingClient, account: Account) -> dict[str, str]:
    return api_headers(api_client, account)


def _post(api: CommittingClient, path: str, body: dict[str, Any], **headers: str) -> Any:
    return api.post_json(path, body, **headers)


def _twice_then_other(
    api: CommittingClient, path: str, body: dict[str, Any], other: dict[str, Any], **auth: str
) -> tuple[Any, Any, Any]:
    first = _post(api, path, body, HTTP_IDEMPOTENCY_KEY="k-1", **auth)
    again = _post(api, path, body, HTTP_IDEMPOTENCY_KEY="k-1", **auth)
    another = _post(api, path, other, HTTP_IDEMPOTENCY_KEY="k-1", **auth)
    return first, again, another


def _assert_reused(response: Any) -> None:
    assert (response.status_code, response.json()["code"]) == (409, "idempotency_reused")
    assert response.json()["message"] == "This Idempotency-Key was used for another request."


def test_a_draft_is_started_once_per_key(api_client: CommittingClient, auth: dict) -> None:
    first, again, another = _twice_then_other(
        api_client, DRAFTS, {"service": CRIMINAL_RECORD}, {"service": "id-card-replacement"}, **auth
    )

    assert first.status_code == 201, first.json()
    assert (again.status_code, again.json()) == (201, first.json())
    _assert_reused(another)
    assert Application.objects.count() == 1
    assert IdempotencyKey.objects.get().scope == "applications.start"


def test_without_a_key_each_draft_request_starts_a_draft(
    api_client: CommittingClient, auth: dict
) -> None:
    first = _post(api_client, DRAFTS, {"service": CRIMINAL_RECORD}, **auth)
    second = _post(api_client, DRAFTS, {"service": CRIMINAL_RECORD}, **auth)

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert Application.objects.count() == 2
    assert IdempotencyKey.objects.count() == 0


def test_a_share_is_made_once_per_key_and_its_code_answered_again(
    api_client: CommittingClient, account: Account, auth: dict
) -> None:
    document = document_make(account.person)
    body = {"kind": "result_document", "ref": str(document.pk)}
    other = {"kind": "result_document", "ref": str(document_make(account.person).pk)}

    first, again, another = _twice_then_other(api_client, SHARES, body, other, **auth)

    assert first.status_code == 201, first.json()
    assert (again.status_code, again.json()) == (201, first.json())
    _assert_reused(another)
    assert Share.objects.count() == 1
    redeemed = api_client.post_json("/api/v1/wallet/shares/redeem", {"code": again.json()["code"]})
    assert redeemed.status_code == 200, redeemed.json()


def test_without_a_key_each_share_request_makes_a_share(
    api_client: CommittingClient, account: Account, auth: dict
) -> None:
    body = {"kind": "result_document", "ref": str(document_make(account.person).pk)}

    first = _post(api_client, SHARES, body, **auth)
    second = _post(api_client, SHARES, body, **auth)

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["code"] != second.json()["code"]
    assert Share.objects.count() == 2


def test_a_rating_retried_with_its_key_answers_the_rating_not_already_rated(
    api_client: CommittingClient, account: Account, auth: dict
) -> None:
    app_id = str(application_make(account).pk)
    body = {"application_id": app_id, "grade": "excellent", "comment": "Рақмет!"}

    first, again, another = _twice_then_other(
        api_client, RATINGS, body, {**body, "grade": "poor"}, **auth
    )
    without_key = _post(api_client, RATINGS, body, **auth)

    assert first.status_code == 201, first.json()
    assert (again.status_code, again.json()) == (201, first.json())
    _assert_reused(another)
    assert (without_key.status_code, without_key.json()["code"]) == (409, "already_rated")
    assert list(Rating.objects.values_list("grade", flat=True)) == ["excellent"]


def test_a_refused_rating_keeps_no_key_so_the_corrected_request_may_use_it(
    api_client: CommittingClient, account: Account, auth: dict
) -> None:
    open_app = str(application_make(account, outcome="").pk)
    decided = str(application_make(account).pk)

    refused = _post(
        api_client, RATINGS, {"application_id": open_app, "grade": "good"},
        HTTP_IDEMPOTENCY_KEY="k", **auth,
    )  # fmt: skip
    corrected = _post(
        api_client, RATINGS, {"application_id": decided, "grade": "good"},
        HTTP_IDEMPOTENCY_KEY="k", **auth,
    )  # fmt: skip

    assert refused.status_code == 422 and refused.json()["code"] == "not_final"
    assert corrected.status_code == 201, corrected.json()
    assert Rating.objects.count() == 1 and IdempotencyKey.objects.count() == 1


def test_a_survey_answer_retried_with_its_key_answers_the_first_response(
    api_client: CommittingClient, auth: dict
) -> None:
    open_survey()

    first, again, another = _twice_then_other(
        api_client, ANSWERS, {"answers": GOOD_ANSWERS}, {"answers": {"use": "no", "rating": 3}},
        **auth,
    )  # fmt: skip
    without_key = _post(api_client, ANSWERS, {"answers": GOOD_ANSWERS}, **auth)

    assert first.status_code == 201, first.json()
    assert (again.status_code, again.json()) == (201, first.json())
    _assert_reused(another)
    assert (without_key.status_code, without_key.json()["code"]) == (409, "survey_already_answered")
    assert (Response.objects.count(), Answer.objects.count()) == (1, 5)


def test_a_key_is_the_signed_in_accounts_and_may_be_reused_across_endpoints_only_as_409(
    api_client: CommittingClient, auth: dict
) -> None:
    other = api_headers(api_client, citizen_create(phone="+77017654321"), phone="+77017654321")

    mine = _post(api_client, DRAFTS, {"service": CRIMINAL_RECORD}, HTTP_IDEMPOTENCY_KEY="k", **auth)
    theirs = _post(
        api_client, DRAFTS, {"service": CRIMINAL_RECORD}, HTTP_IDEMPOTENCY_KEY="k", **other
    )
    elsewhere = _post(
        api_client, ANSWERS, {"answers": GOOD_ANSWERS}, HTTP_IDEMPOTENCY_KEY="k", **auth
    )

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    _assert_reused(elsewhere)


def test_a_key_too_long_is_refused_and_nothing_is_made(
    api_client: CommittingClient, auth: dict
) -> None:
    response = _post(
        api_client, DRAFTS, {"service": CRIMINAL_RECORD}, HTTP_IDEMPOTENCY_KEY="k" * 101, **auth
    )

    assert (response.status_code, response.json()["code"]) == (422, "idempotency_key")
    assert Application.objects.count() == 0


def test_the_optional_header_is_documented_on_each_create(api_client: CommittingClient) -> None:
    paths = api_client.get("/api/v1/openapi.json").json()["paths"]

    def header(path: str) -> dict[str, Any]:
        parameters = paths[path]["post"].get("parameters", [])
        [found] = [p for p in parameters if p["name"] == "Idempotency-Key"]
        return dict(found)

    for path in (DRAFTS, SHARES, RATINGS, "/api/v1/surveys/{code}/responses"):
        assert (header(path)["in"], header(path)["required"]) == ("header", False), path
        assert header(path)["schema"] == {"type": "string", "maxLength": 100}
    assert header(f"{DRAFTS}/{{application_id}}/submit")["required"] is True
    assert header("/api/v1/payments")["required"] is True
