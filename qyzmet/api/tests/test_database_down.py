"""The database not answering: the API says 503 with `Retry-After` in the one error shape, pages
show the portal's own translated 503 page; neither is a 500."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError
from django.db.backends import utils as db_utils
from django.test import override_settings

from conftest import PASSWORD, PHONE, CommittingClient, bearer, last_code, sign_in
from qyzmet.identity.tests.factories import citizen_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_debug")]


@pytest.fixture
def no_debug() -> Iterator[None]:
    with override_settings(DEBUG=False):
        yield


@contextmanager
def database_down(
    monkeypatch: pytest.MonkeyPatch, error: type[Exception] = OperationalError
) -> Iterator[None]:
    """Every query fails as it does when the server is gone (connection refused)."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise error("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(db_utils.CursorWrapper, "execute", refuse)
        patch.setattr(db_utils.CursorWrapper, "executemany", refuse)
        yield


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_an_api_route_answers_503_with_retry_after_in_the_error_shape(
    monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    api = CommittingClient(HTTP_ACCEPT_LANGUAGE="ru", raise_request_exception=False)
    auth = bearer(sign_in(api, citizen_create().person.iin)["access_token"])

    with database_down(monkeypatch, error):
        response = api.get("/api/v1/inbox", **auth)

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "code": "unavailable",
        "message": "Сервис временно недоступен. Попробуйте чуть позже.",
        "details": {"retry_after": 5},
    }


def test_an_api_route_failing_before_its_endpoint_is_503_json_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a browser's session cookie: the session middleware asks the database before the API runs
    web = _signed_in_browser("en")

    with database_down(monkeypatch):
        response = web.get("/api/v1/meta")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "unavailable"
    assert response.json()["details"] == {"retry_after": 5}


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("kk", "Қызмет уақытша қолжетімсіз"),
        ("ru", "Сервис временно недоступен"),
        ("en", "Service temporarily unavailable"),
    ],
)
def test_a_page_shows_the_portal_s_own_translated_503(
    monkeypatch: pytest.MonkeyPatch, language: str, title: str
) -> None:
    web = _signed_in_browser(language)

    with database_down(monkeypatch):
        response = web.get("/inbox/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    assert title in response.text


def test_a_database_error_that_is_a_bug_stays_a_500(monkeypatch: pytest.MonkeyPatch) -> None:
    api = CommittingClient(raise_request_exception=False)
    auth = bearer(sign_in(api, citizen_create().person.iin)["access_token"])

    with database_down(monkeypatch, ProgrammingError):
        response = api.get("/api/v1/inbox", **auth)

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"


def _signed_in_browser(language: str) -> CommittingClient:
    account = citizen_create()
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, PHONE)})
    return web
