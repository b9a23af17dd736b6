"""Search through the API and the catalogue page: what citizens type finds what they need."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

# (language of the caller, query, a service that must be among the first three found)
QUERIES = [
    # Russian, colloquial words and word forms included
    ("ru", "водительское", "driving-licence-issue"),
    ("ru", "водительское", "driving-licence-replacement"),
    ("ru", "водительского удостоверения", "driving-licence-replacement"),
    ("ru", "права", "driving-licence-issue"),
    ("ru", "получить права", "driving-licence-issue"),
    ("ru", "замена прав", "driving-licence-replacement"),
    ("ru", "машина", "vehicle-first-registration"),
    ("ru", "купил машину", "vehicle-re-registration"),
    ("ru", "перерегистрация автомобиля", "vehicle-re-registration"),
    ("ru", "поставить машину на учёт", "vehicle-first-registration"),
    ("ru", "снять машину с учета", "vehicle-deregistration"),
    ("ru", "дубликат техпаспорта", "vehicle-certificate-duplicate"),
    ("ru", "справка о несудимости", "criminal-record-certificate"),
    ("ru", "судимость", "criminal-record-certificate"),
    ("ru", "прописка", "address-registration"),
    ("ru", "адресная справка", "address-certificate"),
    ("ru", "замена удостоверения личности", "id-card-replacement"),
    ("ru", "загранпаспорт", "passport-issue"),
    ("ru", "родился ребёнок", "birth-registration"),
    # Kazakh
    ("kk", "жүргізуші куәлігі", "driving-licence-issue"),
    ("kk", "жүргізуші куәлігін ауыстыру", "driving-licence-replacement"),
    ("kk", "көлік", "vehicle-first-registration"),
    ("kk", "көлігімді тіркеу", "vehicle-first-registration"),
    ("kk", "көлік сатып алу", "vehicle-re-registration"),
    ("kk", "көлікті есептен шығару", "vehicle-deregistration"),
    ("kk", "тіркеу куәлігінің телнұсқасы", "vehicle-certificate-duplicate"),
    ("kk", "жеке куәлік", "id-card-replacement"),
    ("kk", "төлқұжат", "passport-issue"),
    ("kk", "соттылық туралы анықтама", "criminal-record-certificate"),
    ("kk", "мекенжай анықтамасы", "address-certificate"),
    ("kk", "тұрғылықты жері бойынша тіркелу", "address-registration"),
    ("kk", "баланың тууын тіркеу", "birth-registration"),
    # English, American spellings included
    ("en", "driving license", "driving-licence-issue"),
    ("en", "driving licence", "driving-licence-issue"),
    ("en", "replace my driver's license", "driving-licence-replacement"),
    ("en", "register a car", "vehicle-first-registration"),
    ("en", "car", "vehicle-re-registration"),
    ("en", "sell my car", "vehicle-re-registration"),
    ("en", "scrap a car", "vehicle-deregistration"),
    ("en", "lost registration certificate", "vehicle-certificate-duplicate"),
    ("en", "police certificate", "criminal-record-certificate"),
    ("en", "criminal record", "criminal-record-certificate"),
    ("en", "id card", "id-card-replacement"),
    ("en", "passport", "passport-issue"),
    ("en", "birth certificate", "birth-registration"),
    ("en", "proof of address", "address-certificate"),
    ("en", "change of address", "address-registration"),
]


def _found(language: str, query: str) -> list[str]:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/api/v1/services", {"q": query})
    assert response.status_code == 200
    return [service["code"] for service in response.json()]


@pytest.mark.parametrize(("language", "query", "code"), QUERIES)
def test_a_query_finds_its_service_among_the_first_three(
    language: str, query: str, code: str
) -> None:
    assert code in _found(language, query)[:3]


def test_the_list_of_queries_covers_the_three_languages() -> None:
    assert len(QUERIES) >= 40
    assert {language for language, _query, _code in QUERIES} == {"kk", "ru", "en"}


def test_car_is_a_whole_word_and_does_not_find_the_id_card() -> None:
    found = _found("en", "car")

    assert "id-card-replacement" not in found
    assert set(found[:4]) == {
        "vehicle-certificate-duplicate",
        "vehicle-deregistration",
        "vehicle-first-registration",
        "vehicle-re-registration",
    }


def test_a_name_match_ranks_above_a_description_match() -> None:
    found = _found("en", "passport")

    assert found[0] == "passport-issue"


def test_a_service_matching_more_words_comes_first() -> None:
    found = _found("en", "driving licence replacement")

    assert found[:2] == ["driving-licence-replacement", "driving-licence-issue"]


def test_a_query_of_only_stop_words_finds_nothing_and_no_query_finds_all() -> None:
    assert _found("en", "the of") == []
    assert len(_found("en", "")) == 12


def test_the_catalogue_page_finds_by_a_colloquial_word() -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="ru").get("/services/", {"q": "права"}).content.decode()

    assert 'href="/services/driving-licence-issue/"' in page
    assert 'href="/services/driving-licence-replacement/"' in page
    assert 'href="/services/passport-issue/"' not in page
