"""One date format per language: what pages show, and reading back what people type."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import formats
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st

from qyzmet.core.dates import date_parse, date_show, date_words
from qyzmet.core.errors import QyzmetError, ValidationFailed

LANGUAGES = ["kk", "ru", "en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_moment_is_written_with_the_date_of_the_language_date_format(language: str) -> None:
    with override(language):
        assert formats.get_format("DATETIME_FORMAT").startswith(formats.get_format("DATE_FORMAT"))


@pytest.mark.parametrize(
    ("language", "shown"),
    [("kk", "28 қараша 2026 ж."), ("ru", "28 ноября 2026 г."), ("en", "Nov. 28, 2026")],
)
def test_dates_are_shown_and_read_back_in_the_format_of_the_page(language: str, shown: str) -> None:
    with override(language):
        assert date_show(date(2026, 11, 28)) == shown
        assert date_show("2026-11-28") == shown
        assert date_show(datetime(2026, 11, 28, 9, 5)) == shown
    assert date_parse(shown, language) == date(2026, 11, 28)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("28.11.2026", "kk"),
        ("28/11/2026", "ru"),
        ("2026-11-28", "en"),
        ("  28 Қараша 2026 ж  ", "kk"),
        ("28 ноября 2026 года", "ru"),
        ("28 ноя 2026", "ru"),
        ("November 28, 2026", "en"),
        ("28 November 2026", "kk"),  # English month names are read in every language
    ],
)
def test_the_usual_ways_of_typing_a_date_are_read(text: str, language: str) -> None:
    assert date_parse(text, language) == date(2026, 11, 28)


@pytest.mark.parametrize(
    "text", ["", "31.02.2026", "2026-13-01", "28 2026", "28 smarch 2026", "28 11 2026 12"]
)
def test_what_is_not_a_real_date_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        date_parse(text, "ru")


@given(st.dates(min_value=date(1000, 1, 1)), st.sampled_from(LANGUAGES))
def test_every_shown_date_reads_back_as_itself(day: date, language: str) -> None:
    with override(language):
        shown = date_show(day)
    assert date_parse(shown, language) == day


def test_text_that_is_not_a_date_is_shown_as_typed() -> None:
    assert date_show("next Tuesday") == "next Tuesday"
    assert date_show(None) == ""


def test_scripts_get_the_patterns_and_month_names_of_the_language() -> None:
    with override("kk"):
        words = date_words()

    assert words["date_format"] == "j E Y ж."
    assert words["months_alt"][10] == "қараша"
    assert len(words["months"]) == len(words["months_ap"]) == 12


def test_a_refusal_names_its_fields_in_either_shape_of_details() -> None:
    one = ValidationFailed("The IIN is not in the registry.", details={"field": "iin"})
    many = ValidationFailed(
        details={"fields": [{"field": "grounds", "message": "Choose"}, {"field": "comment"}]}
    )

    assert one.field_messages() == {"iin": "The IIN is not in the registry."}
    with override("en"):
        named = many.field_messages()
    assert named == {
        "grounds": "Choose",
        "comment": "Some fields are not filled in correctly.",
    }
    assert QyzmetError("x", details=["not", "a", "dict"]).field_messages() == {}
