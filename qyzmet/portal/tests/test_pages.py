import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

TITLES = {
    "kk": "Мемлекеттік қызметтер бір жерде",
    "ru": "Государственные услуги в одном месте",
    "en": "State services in one place",
}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_home_speaks_the_language_the_browser_asks_for(language: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/")

    assert response.status_code == 200
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert TITLES[language] in body


def test_home_defaults_to_kazakh_without_a_preference() -> None:
    response = Client().get("/")

    assert response.status_code == 200
    assert '<html lang="kk">' in response.content.decode()


def test_language_switcher_remembers_the_choice_in_a_cookie() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.cookies["qyzmet_language"].value == "ru"
    again = client.get("/")
    assert TITLES["ru"] in again.content.decode()


def test_every_page_has_landmarks_skip_link_switcher_and_sign_in() -> None:
    body = Client(HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()

    assert '<a class="skip-link" href="#main">Skip to main content</a>' in body
    assert '<header class="site-header">' in body
    assert '<nav aria-label="Main"' in body
    assert '<main id="main"' in body
    assert "<footer" in body
    for code in ("kk", "ru", "en"):
        assert f'name="language" value="{code}" lang="{code}"' in body
    assert 'href="/signin/"' in body
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in body


def test_pages_send_security_headers() -> None:
    response = Client().get("/")

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_sign_in_page_answers_in_each_language(language: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/signin/")

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()
