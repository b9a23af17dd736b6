"""What a document says, in each language: the default template, the answers table, the QR
address; and which template a service gets."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from qyzmet.catalogue.selectors import service_get
from qyzmet.documents import rendering
from qyzmet.documents.tests.fixtures import SERVICE


def facts(**overrides: object) -> rendering.DocumentFacts:
    values: dict[str, object] = {
        "number": "2612 3456 7890 1234",
        "title": "Мекенжай анықтамасы",
        "service_name": "Service",
        "agency_name": "Agency",
        "holder_name": "Сейтқали Әлия Маратқызы",
        "holder_iin": "850412400123",
        "issued_on": dt.date(2026, 11, 28),
        "valid_until": None,
        "answers": [("Question <b>", "Answer & more")],
        "verify_url": "http://localhost:8000/verify/?number=2612345678901234",
    }
    values.update(overrides)
    return rendering.DocumentFacts(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("language", "date"),
    [("en", "Nov. 28, 2026"), ("ru", "28 ноября 2026 г."), ("kk", "28 қараша 2026 ж.")],
)
def test_the_default_template_speaks_the_holders_language(language: str, date: str) -> None:
    html = rendering.html_render(
        template=rendering.DEFAULT_TEMPLATE, facts=facts(), language=language
    )
    assert f'<html lang="{language}">' in html
    assert "Сейтқали Әлия Маратқызы" in html
    assert "850412400123" in html
    assert date in html
    # Answers are escaped, never HTML.
    assert "Question &lt;b&gt;" in html
    assert "Answer &amp; more" in html
    # The vendored font is what the PDF uses.
    assert re.search(r'src: url\("file://[^"]+/documents/fonts/DejaVuSans\.ttf"\)', html)
    assert "data:image/svg+xml;base64," in html


def test_valid_until_is_shown_only_when_set() -> None:
    without = rendering.html_render(
        template=rendering.DEFAULT_TEMPLATE, facts=facts(), language="en"
    )
    with_date = rendering.html_render(
        template=rendering.DEFAULT_TEMPLATE,
        facts=facts(valid_until=dt.date(2027, 1, 5)),
        language="en",
    )
    assert "Valid until" not in without
    assert "Valid until" in with_date
    assert "Jan. 5, 2027" in with_date


def test_the_verify_address_names_the_number_but_not_the_iin(
    settings: pytest.FixtureRequest,
) -> None:
    settings.QYZMET_PUBLIC_URL = "https://qyzmet.example.kz/"  # type: ignore[attr-defined]
    assert rendering.verify_url("2612345678901234") == (
        "https://qyzmet.example.kz/verify/?number=2612345678901234"
    )
    settings.QYZMET_PUBLIC_URL = ""  # type: ignore[attr-defined]
    assert rendering.verify_url("2612345678901234") == "/verify/?number=2612345678901234"


def test_answers_are_labelled_in_form_order_with_option_and_yes_no_texts() -> None:
    definition = service_get(code=SERVICE)
    boolean_keys = [f.key for f in definition.form if f.type == "boolean"]
    assert boolean_keys, "the test service needs a yes/no question"
    answers = {boolean_keys[0]: True, "not_a_field": "ignored", "": ""}

    rows_en = rendering.answer_rows(definition, answers, "en")
    rows_ru = rendering.answer_rows(definition, answers, "ru")

    field = next(f for f in definition.form if f.key == boolean_keys[0])
    assert rows_en == [(field.label.en, "Yes")]
    assert rows_ru == [(field.label.ru, "Да")]
    assert rendering.answer_rows(definition, {boolean_keys[0]: False}, "en")[0][1] == "No"


def test_a_service_gets_its_own_template_if_there_is_one_else_the_default() -> None:
    definition = service_get(code=SERVICE)
    assert definition.result.document is not None
    assert rendering.template_for(definition) == rendering.DEFAULT_TEMPLATE


@pytest.mark.parametrize(
    ("language", "value", "shown"),
    [
        ("kk", "5200000", "5\xa0200\xa0000"),
        ("ru", "1250.5", "1\xa0250,5"),
        ("en", 5200000, "5,200,000"),
        ("en", "abc", "abc"),
    ],
)
def test_a_number_answer_is_written_as_a_number_of_the_language(
    language: str, value: object, shown: str
) -> None:
    definition = service_get(code="vehicle-re-registration")
    field = next(f for f in definition.form if f.type == "number")
    rows = rendering.answer_rows(definition, {field.key: value}, language)
    assert rows == [(field.label.get(language), shown)]
