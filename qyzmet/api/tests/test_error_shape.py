"""Every error under /api/ is the one JSON error shape, also those answered before an endpoint:
unknown path, wrong method, body or address too large, an unhandled exception."""

import json

import pytest
from django.test import Client, override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.urls("qyzmet.api.tests.error_urls")]


@override_settings(DEBUG=False, DATA_UPLOAD_MAX_MEMORY_SIZE=100)
@pytest.mark.parametrize(
    ("method", "path", "status", "code", "message"),
    [
        ("get", "/api/v1/test-errors/400", 400, "bad_request", "Запрос не удалось понять."),
        ("get", "/api/v1/test-errors/403", 403, "forbidden", "У вас нет к этому доступа."),
        ("get", "/api/v1/no-such-thing", 404, "not_found", "По этому адресу ничего не найдено."),
        ("get", "/api/v1/test-errors/500", 500, "server_error",
         "На нашей стороне что-то пошло не так. Попробуйте ещё раз."),
        ("get", "/api/v1/services?q=" + "a" * 5000, 414, "url_too_long",
         "Адрес слишком длинный."),
    ],
)  # fmt: skip
def test_each_error_is_the_json_shape(
    method: str, path: str, status: int, code: str, message: str
) -> None:
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="ru")

    response = getattr(client, method)(path)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": code, "message": message, "details": {}}


@override_settings(DEBUG=False)
def test_a_method_the_path_does_not_take_is_405_with_the_allowed_ones() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/auth/register/start")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json() == {
        "code": "method_not_allowed",
        "message": "This address does not accept this method.",
        "details": {"allowed": ["POST"]},
    }


@override_settings(DEBUG=False, DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_a_body_over_the_limit_is_413() -> None:
    body = json.dumps({"iin": "1" * 200})

    response = Client(HTTP_ACCEPT_LANGUAGE="kk").post(
        "/api/v1/auth/register/start", body, content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json() == {
        "code": "request_too_large",
        "message": "Сұрау тым үлкен.",
        "details": {},
    }


@override_settings(DEBUG=False)
def test_the_api_own_errors_are_left_as_they_are() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/applications")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
