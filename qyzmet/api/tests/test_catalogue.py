"""The catalogue through the API and the pages."""

from datetime import date

import pytest
import time_machine
from django.test import Client

pytestmark = pytest.mark.django_db


def test_search_finds_a_service_by_a_word_in_any_language() -> None:
    for language, word in (("kk", "sudimost"), ("ru", "судимост"), ("en", "criminal")):
        response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/api/v1/services", {"q": word})
        codes = [service["code"] for service in response.json()]
        if word == "sudimost":
            assert codes == []  # transliteration is not a language
        else:
            assert "criminal-record-certificate" in codes


def test_a_russian_word_finds_a_service_while_the_caller_speaks_kazakh() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="kk").get("/api/v1/services", {"q": "удостоверение"})

    services = response.json()
    assert "id-card-replacement" in [s["code"] for s in services]
    card = next(s for s in services if s["code"] == "id-card-replacement")
    assert card["name"] != "" and "удостоверение" not in card["name"].lower()  # shown in Kazakh


def test_filters_by_category_life_situation_and_agency() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    transport = {
        s["code"] for s in client.get("/api/v1/services", {"category": "transport"}).json()
    }
    buying = {
        s["code"] for s in client.get("/api/v1/services", {"life_situation": "buying-a-car"}).json()
    }

    assert {"vehicle-first-registration", "vehicle-re-registration"} <= transport
    assert "criminal-record-certificate" not in transport
    assert "vehicle-re-registration" in buying
    assert buying <= transport


@time_machine.travel(date(2026, 6, 1))
def test_the_passport_states_the_fee_in_tenge_at_todays_mci() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="ru").get("/api/v1/services/id-card-replacement")

    assert response.status_code == 200
    body = response.json()
    assert body["fee"]["mci"] == "0.2"
    assert body["fee"]["tiyn"] == 86500  # 0.2 × 4,325 ₸ (the 2026 MCI) = 865 ₸
    assert body["fee"]["text"] == "865,00\xa0₸"
    assert body["term_working_days"] == 15
    assert body["form"] and body["signing"]


@time_machine.travel(date(2025, 6, 1))
def test_the_fee_follows_the_mci_of_the_day() -> None:
    body = Client().get("/api/v1/services/id-card-replacement").json()

    assert body["fee"]["tiyn"] == 78640  # 0.2 × 3,932 ₸ (2025)


def test_an_unknown_service_is_404_in_the_error_shape() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/services/no-such-service")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_taxonomy_lists_categories_situations_and_agencies_in_the_language() -> None:
    body = Client(HTTP_ACCEPT_LANGUAGE="kk").get("/api/v1/services/taxonomy").json()

    assert {"code": "transport", "name": "Көлік және жүргізушілер"} in body["categories"]
    assert body["life_situations"] and body["agencies"]


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_catalogue_and_passport_pages_answer_in_each_language(language: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)

    listing = client.get("/services/", {"q": "vehicle" if language == "en" else ""})
    passport = client.get("/services/vehicle-re-registration/")

    assert listing.status_code == passport.status_code == 200
    assert f'<html lang="{language}">' in passport.content.decode()
    assert 'href="/services/vehicle-re-registration/"' in listing.content.decode()


def test_an_unknown_passport_page_is_404() -> None:
    assert Client().get("/services/no-such-service/").status_code == 404
