"""Error pages are the portal's own: translated, with the site header and a way back."""

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings

from qyzmet.core.overload import OverloadGuardMiddleware

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("qyzmet.portal.tests.error_urls"),
]

TITLES = {
    400: {"kk": "Сұрау қате", "ru": "Неверный запрос", "en": "Bad request"},
    403: {"kk": "Қол жеткізу жоқ", "ru": "Доступ запрещён", "en": "Access denied"},
    404: {"kk": "Бет табылмады", "ru": "Страница не найдена", "en": "Page not found"},
    413: {"kk": "Жіберу үшін тым үлкен", "ru": "Слишком большой объём", "en": "Too large to send"},
    414: {"kk": "Мекенжай тым ұзын", "ru": "Слишком длинный адрес", "en": "Address too long"},
    500: {"kk": "Бірдеңе дұрыс болмады", "ru": "Что-то пошло не так", "en": "Something went wrong"},
}
HOME = {"kk": "Басты бетке өту", "ru": "На главную", "en": "Go to the home page"}


def fetch(status: int, client: Client, path: str = "") -> object:
    if status == 413:
        return client.post(f"{path}/test-errors/form", {"text": "x" * 200})
    if status == 414:
        return client.get(f"{path}/services/?q=" + "a" * 5000)
    if status == 404:
        return client.get(f"{path}/no-such-page/")
    return client.get(f"{path}/test-errors/{status}")


@override_settings(DEBUG=False, DATA_UPLOAD_MAX_MEMORY_SIZE=100)
@pytest.mark.parametrize("status", sorted(TITLES))
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_each_error_is_our_page_in_the_readers_language(status: int, language: str) -> None:
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)

    response = fetch(status, client)

    assert response.status_code == status
    assert [t.name for t in response.templates][:2] == [
        "portal/errors/error.html",
        "portal/base.html",
    ]
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert 'class="site-header"' in page
    assert f'<h1 id="error-title">{TITLES[status][language]}</h1>' in page
    assert f'<a href="/">{HOME[language]}</a>' in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page


@override_settings(DEBUG=False)
def test_the_language_cookie_chooses_the_pages_language() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["qyzmet_language"] = "ru"

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert '<h1 id="error-title">Страница не найдена</h1>' in response.content.decode()


@override_settings(DEBUG=False)
def test_the_way_back_is_the_previous_page_of_our_own_site_only() -> None:
    ours = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        "/no-such-page/", HTTP_REFERER="http://testserver/services/"
    )
    theirs = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        "/no-such-page/", HTTP_REFERER="https://evil.example/"
    )

    assert '<a href="http://testserver/services/">Back to the previous page</a>' in (
        ours.content.decode()
    )
    assert "Back to the previous page" not in theirs.content.decode()
    assert "evil.example" not in theirs.content.decode()


@override_settings(DEBUG=False)
def test_an_expired_form_is_a_translated_403_page() -> None:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="ru")

    response = client.post("/signin/", {"iin": "1"})

    assert response.status_code == 403
    assert '<h1 id="error-title">Срок действия формы истёк</h1>' in response.content.decode()


def never_called(request: HttpRequest) -> HttpResponse:
    raise AssertionError("a refused request reaches no view")


@pytest.mark.parametrize(
    ("language", "title"),
    [("kk", "Қызмет уақытша қолжетімсіз"), ("ru", "Сервис временно недоступен"),
     ("en", "Service temporarily unavailable")],
)  # fmt: skip
def test_an_overloaded_portal_answers_with_its_own_503_page(language: str, title: str) -> None:
    with override_settings(QYZMET_MAX_INFLIGHT=1):
        guard = OverloadGuardMiddleware(never_called)
    assert guard.slots.acquire(blocking=False)

    response = guard(RequestFactory().get("/services/", HTTP_ACCEPT_LANGUAGE=language))

    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert 'class="site-header"' in page
    assert f'<h1 id="error-title">{title}</h1>' in page
    assert '<a href="/">' in page
