"""The search index and `_synonyms.yaml`: validated at load, phrases found in a query (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qyzmet.catalogue.loader import (
    SERVICES_DIR,
    Catalogue,
    DefinitionError,
    Fault,
    load_catalogue,
)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(SERVICES_DIR)


def faults_of(directory: Path) -> list[Fault]:
    with pytest.raises(DefinitionError) as caught:
        load_catalogue(directory)
    return caught.value.faults


def write_synonyms(directory: Path, data: object) -> Path:
    path = directory / "_synonyms.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_phrase_in_two_groups_is_a_fault(catalogue_dir: Path) -> None:
    path = write_synonyms(
        catalogue_dir, {"groups": [["машина", "car"], ["Машина", "авто"], ["car", "car"]]}
    )

    assert faults_of(catalogue_dir) == [
        Fault(str(path), "groups[1][0]", "'Машина' is already in groups[0]"),
        Fault(str(path), "groups[2][0]", "'car' is already in groups[0]"),
        Fault(str(path), "groups[2][1]", "'car' is already in groups[0]"),
    ]


def test_a_lonely_phrase_stop_words_and_a_bad_spelling_are_faults(catalogue_dir: Path) -> None:
    path = write_synonyms(
        catalogue_dir,
        {"spellings": {"License": "licence"}, "groups": [["права"], ["the", "car"]]},
    )

    assert [(fault.file, fault.path) for fault in faults_of(catalogue_dir)] == [
        (str(path), "spellings.License"),
        (str(path), "groups[0]"),
        (str(path), "groups[1][0]"),
    ]


def test_an_unknown_key_and_a_missing_file_are_faults(catalogue_dir: Path) -> None:
    path = write_synonyms(catalogue_dir, {"synonyms": []})
    assert faults_of(catalogue_dir) == [
        Fault(str(path), "synonyms", "unknown key (keys are case-sensitive)")
    ]

    path.unlink()
    assert faults_of(catalogue_dir) == [Fault(str(path), "(root)", "the file is missing")]


def test_every_synonym_group_finds_a_service(catalogue: Catalogue) -> None:
    data = yaml.safe_load((SERVICES_DIR / "_synonyms.yaml").read_text(encoding="utf-8"))

    for group in data["groups"]:
        assert catalogue.index.rank(group[0], catalogue.services), group[0]


def test_a_phrase_is_found_with_other_words_between_its_words(catalogue: Catalogue) -> None:
    concepts = catalogue.index.concepts("поставить машину на учёт")

    typed = [[term.word for term in concept[0]] for concept in concepts]
    assert typed == [["поставить", "учет"], ["машину"]]
    assert len(concepts[0]) > 1 and len(concepts[1]) > 1  # each with its synonyms


def test_the_longer_phrase_wins(catalogue: Catalogue) -> None:
    concepts = catalogue.index.concepts("справка о несудимости")

    assert [[term.word for term in concept[0]] for concept in concepts] == [
        ["справка", "несудимости"]
    ]


def test_a_half_typed_word_finds_the_whole_but_a_short_one_does_not(
    catalogue: Catalogue,
) -> None:
    assert catalogue.index.rank("судимост", catalogue.services) == ["criminal-record-certificate"]
    assert catalogue.index.rank("паспо", catalogue.services)[0] == "passport-issue"
    assert catalogue.index.rank("пас", catalogue.services) == []


def test_rank_keeps_only_the_codes_given(catalogue: Catalogue) -> None:
    assert catalogue.index.rank("права", ["passport-issue", "driving-licence-issue"]) == [
        "driving-licence-issue"
    ]


def test_only_the_first_twenty_words_of_a_query_count(catalogue: Catalogue) -> None:
    padding = " ".join(f"word{number}" for number in range(20))

    assert catalogue.index.rank(f"{padding} passport", catalogue.services) == []
    assert catalogue.index.rank(f"passport {padding}", catalogue.services)[0] == "passport-issue"
