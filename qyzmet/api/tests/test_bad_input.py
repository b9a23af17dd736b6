"""Bad input gets a 4xx in the one error shape and changes nothing: lone surrogates and NUL,
NaN and Infinity, a list where one value goes, a body that is not a JSON object or not JSON at
all, another content type, a body over the limit, paging out of bounds, and a second spelling of
a plate."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import override_settings

from conftest import CommittingClient, bearer, sign_in
from qyzmet.applications.models import Application
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.notifications.models import NotificationPreference
from qyzmet.registries import actions as registry
from qyzmet.registries.models import Plate
from qyzmet.registries.tests.conftest import car, pool

pytestmark = pytest.mark.django_db

CRIMINAL_RECORD = "criminal-record-certificate"
GOOD = '{"answers": {"purpose": "other", "purpose_other": "a visa"}}'
PREFERENCES = "/api/v1/notifications/preferences"


@pytest.fixture
def citizen(api_client: CommittingClient) -> dict[str, str]:
    account = citizen_create()
    return bearer(sign_in(api_client, account.person.iin)["access_token"])


@pytest.fixture
def draft(api_client: CommittingClient, citizen: dict[str, str]) -> str:
    made = api_client.post_json("/api/v1/applications", {"service": CRIMINAL_RECORD}, **citizen)
    app_id: str = made.json()["id"]
    saved = api_client.patch(
        f"/api/v1/applications/{app_id}", GOOD, content_type="application/json", **citizen
    )
    assert saved.status_code == 200
    return app_id


def _form_data(app_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Application.objects.get(pk=app_id).form_data)
    return data


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code", "details"),
    [
        ('{"answers": {"purpose_other": "a\\ud800b"}}', "application/json", 422,
         "unstorable_text", {"field": "answers.purpose_other"}),
        ('{"answers": {"purpose_other": "a\\u0000b"}}', "application/json", 422,
         "unstorable_text", {"field": "answers.purpose_other"}),
        ('{"answers": {"purpose_other": NaN}}', "application/json", 400, "invalid_json",
         {"value": "NaN"}),
        ('{"answers": {"purpose_other": [1, Infinity]}}', "application/json", 400,
         "invalid_json", {"value": "Infinity"}),
        ('{"answers": {"purpose_other": -Infinity}}', "application/json", 400, "invalid_json",
         {"value": "-Infinity"}),
        ('{"answers": {"purpose_other": 1e400}}', "application/json", 400, "invalid_json",
         {"value": "1e400"}),
        ('{"answers": {"purpose_other": "x"', "application/json", 400, "invalid_json", {}),
        ('{"answers": {"purpose_other": "\xff"}}', "application/json", 400, "invalid_json", {}),
        ("[null, null]", "application/json", 422, "body_not_object", {}),
        ('"answers"', "application/json", 422, "body_not_object", {}),
        ('{"answers": {"purpose_other": ["a", "b"]}}', "application/json", 422,
         "validation_error", {"fields": [{"field": "answers.purpose_other",
                                          "code": "value_error",
                                          "message": "This value is not valid."}]}),
        (GOOD, "text/plain", 415, "unsupported_media_type", {"accepted": ["application/json"]}),
        ("answers=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type",
         {"accepted": ["application/json"]}),
    ],
)  # fmt: skip
def test_a_bad_draft_body_is_refused_and_the_draft_is_unchanged(
    api_client: CommittingClient,
    citizen: dict[str, str],
    draft: str,
    body: str,
    content_type: str,
    status: int,
    code: str,
    details: dict[str, Any],
) -> None:
    before = _form_data(draft)

    response = api_client.generic(
        "PATCH",
        f"/api/v1/applications/{draft}",
        body.encode("utf-8", "surrogatepass").replace(b"\xc3\xbf", b"\xff"),
        content_type=content_type,
        **citizen,
    )

    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    answer = response.json()
    assert (answer["code"], answer["details"]) == (code, details)
    assert answer["message"]
    assert _form_data(draft) == before == {"purpose": "other", "purpose_other": "a visa"}


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=200)
@pytest.mark.parametrize("debug", [False, True])
def test_a_body_over_the_limit_is_413_json_and_the_draft_is_unchanged(
    api_client: CommittingClient, citizen: dict[str, str], draft: str, debug: bool
) -> None:
    body = json.dumps({"answers": {"purpose": "other", "purpose_other": "x" * 300}})

    with override_settings(DEBUG=debug):
        response = api_client.patch(
            f"/api/v1/applications/{draft}", body, content_type="application/json", **citizen
        )

    assert response.status_code == 413
    assert response.json() == {
        "code": "request_too_large",
        "message": "The request is too large.",
        "details": {},
    }
    assert _form_data(draft)["purpose_other"] == "a visa"


@pytest.mark.parametrize(
    ("query", "field", "kind"),
    [
        ("offset=9223372036854775808", "offset", "less_than_equal"),
        ("offset=-1", "offset", "greater_than_equal"),
        ("offset=100001", "offset", "less_than_equal"),
        ("limit=-1", "limit", "greater_than_equal"),
        ("limit=0", "limit", "greater_than_equal"),
        ("limit=201", "limit", "less_than_equal"),
        ("limit=99999999999999999999999", "limit", "less_than_equal"),
        ("limit=1e3", "limit", "int_parsing"),
    ],
)
def test_paging_out_of_bounds_is_422_naming_the_parameter(
    api_client: CommittingClient, citizen: dict[str, str], query: str, field: str, kind: str
) -> None:
    response = api_client.get(f"/api/v1/inbox?{query}", **citizen)

    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == "validation_error"
    assert [(f["field"], f["code"]) for f in answer["details"]["fields"]] == [(field, kind)]


def test_paging_within_bounds_answers(
    api_client: CommittingClient, citizen: dict[str, str]
) -> None:
    response = api_client.get("/api/v1/inbox?limit=200&offset=100000", **citizen)

    assert response.status_code == 200
    assert response.json() == {"unread": 0, "items": []}


def test_a_query_value_with_nul_is_refused(api_client: CommittingClient) -> None:
    response = api_client.get("/api/v1/services?q=a%00b")

    assert response.status_code == 422
    assert response.json()["code"] == "unstorable_text"
    assert response.json()["details"] == {"field": "q"}


@pytest.mark.parametrize(
    "body", ["[null, null]", "[]", "null", "true", '"sms"', "0", '{"sms": null, "push": null}']
)
def test_preferences_put_with_nulls_or_not_an_object_changes_nothing(
    api_client: CommittingClient, citizen: dict[str, str], body: str
) -> None:
    chosen = {"email": "me@example.kz", "sms": False, "email_enabled": False, "push": False}
    set_up = api_client.put(PREFERENCES, json.dumps(chosen), content_type="application/json",
                            **citizen)  # fmt: skip
    assert set_up.status_code == 200

    response = api_client.put(PREFERENCES, body, content_type="application/json", **citizen)

    assert response.status_code == 422
    assert response.json()["code"] in ("body_not_object", "validation_error")
    kept = NotificationPreference.objects.values("email", "sms", "email_enabled", "push").get()
    assert kept == chosen


def test_a_file_upload_sent_as_json_is_415(api_client: CommittingClient) -> None:
    response = api_client.post(
        "/api/v1/documents/verify-pdf", '{"file": "x"}', content_type="application/json"
    )

    assert response.status_code == 415
    assert response.json()["details"] == {"accepted": ["multipart/form-data"]}


@pytest.mark.parametrize(
    ("typed", "kept", "error"),
    [
        ("１２３ ＡＢＣ ０２", "123 ABC 02", None),  # full-width: the same plate, one spelling
        ("１２３ ABC 02", "123 ABC 02", None),
        ("١٢٣ ABC 02", "١٢٣ ABC 02", "Enter a plate like 123 ABC 02."),  # Arabic-Indic digits
    ],
)
def test_a_plate_typed_in_other_digits_is_one_spelling_or_refused(
    api_client: CommittingClient, typed: str, kept: str, error: str | None
) -> None:
    owner = citizen_create()
    pool("123 ABC 02")
    registry.vehicle_register_first(owner=owner.person, vehicle=car(), plate="123 ABC 02")
    citizen = bearer(sign_in(api_client, owner.person.iin)["access_token"])
    made = api_client.post_json(
        "/api/v1/applications", {"service": "vehicle-certificate-duplicate"}, **citizen
    )
    assert made.status_code == 201, made.json()

    saved = api_client.patch(
        f"/api/v1/applications/{made.json()['id']}",
        json.dumps({"answers": {"plate": typed}}),
        content_type="application/json",
        **citizen,
    )

    assert saved.status_code == 200
    assert saved.json()["errors"].get("plate") == error
    assert _form_data(made.json()["id"])["plate"] == kept  # a draft keeps what was typed


def test_the_plate_pool_never_holds_two_spellings_of_one_plate() -> None:
    assert registry.plate_pool_add(numbers=["123 ABC 02"]) == 1
    assert registry.plate_pool_add(numbers=["１２３ ABC ０２", "１２３ ＡＢＣ ０２"]) == 0
    assert list(Plate.objects.values_list("number", flat=True)) == ["123 ABC 02"]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("kk", "Сұрау денесін JSON ретінде жіберіңіз (Content-Type: application/json)."),
        ("ru", "Отправьте тело запроса в формате JSON (Content-Type: application/json)."),
        ("en", "Send the request body as JSON (Content-Type: application/json)."),
    ],
)
def test_the_refusal_is_in_the_caller_s_language(language: str, message: str) -> None:
    response = CommittingClient(HTTP_ACCEPT_LANGUAGE=language).post(
        "/api/v1/auth/register/start", "iin=1", content_type="text/plain"
    )

    assert response.status_code == 415
    assert response.json()["message"] == message
