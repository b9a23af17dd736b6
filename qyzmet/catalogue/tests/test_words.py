"""Normalising and stemming words for search (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qyzmet.catalogue.words import kazakh_stem, spelling_stems, word_keys, words


def test_words_are_case_folded_with_yo_as_ye_and_without_stop_words() -> None:
    assert words("Снять машину С УЧЁТА") == ["снять", "машину", "учета"]
    assert words("How do I register a car?") == ["register", "car"]
    assert words("driver's licence") == ["driver", "licence"]
    assert words("  ,.!  ") == []


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("көлік", "көлік"),
        ("көлікті", "көлік"),  # accusative
        ("көлігін", "көлік"),  # possessive + accusative, к voiced to г
        ("көліктерімнің", "көлік"),  # plural + possessive + genitive
        ("куәлігі", "куәлік"),
        ("куәлігінің", "куәлік"),
        ("анықтама", "анықтама"),
        ("анықтамасы", "анықтама"),
        ("анықтамасына", "анықтама"),  # -на only after a possessive
        ("анықтаманы", "анықтама"),
        ("жүргізуші", "жүргізуш"),
        ("жүргізушінің", "жүргізуш"),
        ("тіркеу", "тіркеу"),  # the verbal noun -у is kept
        ("тіркеуге", "тіркеу"),
        ("паспорт", "паспорт"),
        ("паспортты", "паспорт"),
        ("машина", "машина"),  # -на is not a case ending after a vowel other than ы/і
        ("бала", "бала"),
        ("ата", "ата"),  # a stem keeps three letters
    ],
)
def test_kazakh_endings_are_stripped(word: str, stem: str) -> None:
    assert kazakh_stem(word) == stem


@given(st.text(alphabet="абвгғдеиклмнопрстуұүқңөәіызш", min_size=1, max_size=14))
def test_a_kazakh_stem_is_the_start_of_its_word_and_never_empty(word: str) -> None:
    stem = kazakh_stem(word)

    assert stem[:-1] == word[: len(stem) - 1]
    assert len(stem) >= min(len(word), 3)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("водительское", "водительского"),
        ("удостоверение", "удостоверения"),
        ("машина", "машину"),
        ("справка", "справки"),
        ("несудимости", "несудимость"),
        ("көлік", "көлігін"),
        ("куәлік", "куәлігі"),
        ("car", "cars"),
        ("registration", "registrations"),
        ("driving", "drive"),
    ],
)
def test_forms_of_a_word_share_a_key(first: str, second: str) -> None:
    assert word_keys(first) & word_keys(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [("car", "card"), ("права", "справка"), ("паспорт", "спорт"), ("жеке", "жер")],
)
def test_different_words_do_not(first: str, second: str) -> None:
    assert not word_keys(first) & word_keys(second)


def test_american_spellings_share_the_british_key() -> None:
    spellings = spelling_stems({"license": "licence", "center": "centre"})

    assert word_keys("license", spellings) == word_keys("licence", spellings) == {"licenc"}
    assert word_keys("licenses", spellings) == word_keys("licences", spellings)
    assert word_keys("center", spellings) == word_keys("centre", spellings)
    assert word_keys("license") != word_keys("licence")  # without the list they differ


def test_a_word_with_kazakh_letters_gets_no_russian_stem() -> None:
    assert word_keys("куәлігін") == {"куәлік"}
    assert word_keys("справки") == {"справк", "справки"}  # Russian stem, Kazakh (unchanged)
    assert word_keys("2026") == {"2026"}


def test_threads_stemming_at_once_get_what_one_thread_gets() -> None:
    """Two request threads loading the catalogue at once in a fresh process shared one Snowball
    stemmer, which keeps its word in itself: they garbled each other's words (an IndexError)."""
    from concurrent.futures import ThreadPoolExecutor

    vocabulary = ["водительское", "удостоверение", "регистрация", "registration", "licences"] * 40
    alone = [word_keys(word) for word in vocabulary]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(5):
            assert list(pool.map(word_keys, vocabulary)) == alone
