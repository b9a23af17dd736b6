import pytest
from django.test import Client
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_openapi_document_is_valid_openapi_3() -> None:
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Qyzmet API"
    validate(document)
    assert "/api/v1/meta" in document["paths"]


def test_interactive_docs_are_served_without_any_cdn() -> None:
    response = Client().get("/api/v1/docs")

    assert response.status_code == 200
    body = response.content.decode()
    assert "swagger-ui-bundle.js" in body
    assert "cdn." not in body


@pytest.mark.parametrize(("language", "name_local"), [("kk", "Қазақша"), ("ru", "Русский")])
def test_meta_lists_the_three_languages(language: str, name_local: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/api/v1/meta")

    assert response.status_code == 200
    body = response.json()
    assert body["language"] == language
    assert [item["code"] for item in body["languages"]] == ["kk", "ru", "en"]
    assert body["demo"] is True
