"""The dated licence conditions: the data file as the law has it, and the pure rules on it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from qyzmet.registries import licence_rules as law
from qyzmet.registries.licence_rules import CATEGORIES

ON = date(2026, 6, 1)


def _rules() -> law.LicenceRules:
    return law.licence_rules_on(ON)


def test_the_ages_are_those_of_article_74_2() -> None:
    ages = {c: rule.minimum_age for c, rule in _rules().categories.items()}

    assert ages == {
        "A1": 16, "A": 18, "B": 18, "B1": 18, "C1": 18, "C": 21, "D1": 21, "Tm": 21,
        "D": 25, "Tb": 25, "BE": 18, "C1E": 18, "CE": 21, "D1E": 21, "DE": 25,
    }  # fmt: skip
    assert "art. 74(2)" in _rules().act


def test_the_experience_is_that_of_article_74_2() -> None:
    def needs(category: str) -> list[tuple[int, tuple[str, ...]]]:
        return [(n.years, n.with_categories) for n in _rules().categories[category].experience]

    assert needs("C") == needs("D1") == [(3, ()), (1, ("C1",))]
    assert needs("D") == needs("Tb") == [(5, ()), (3, ("D1",))]
    assert [c for c in CATEGORIES if needs(c)] == ["C", "D", "D1", "Tb"]


def test_the_service_states_no_age_of_its_own() -> None:
    # The form may be started from the lowest age the law allows for any category; the service
    # definition's eligibility is that number and nothing else.
    service = Path(settings.BASE_DIR) / "services" / "driving-licence-issue.yaml"
    definition = yaml.safe_load(service.read_text(encoding="utf-8"))
    lowest = min(rule.minimum_age for rule in _rules().categories.values())

    assert definition["eligibility"] == {"min_age": lowest}


@pytest.mark.parametrize("category", CATEGORIES)
def test_the_minimum_age_is_reached_on_the_birthday(category: str) -> None:
    rule = _rules().categories[category]
    born = date(1990, 6, 15)
    birthday = date(1990 + rule.minimum_age, 6, 15)

    assert not law.under_age(rule, birth_date=born, on=birthday)
    assert law.under_age(rule, birth_date=born, on=date(birthday.year, 6, 14))


def test_years_count_from_the_earliest_issue_of_the_categories_that_count() -> None:
    held = {"B": date(2020, 6, 1), "C1": date(2025, 6, 2), "A": date(2019, 6, 2)}

    assert law.years_with(held, (), on=ON) == 6
    assert law.years_with(held, ("B",), on=ON) == 6
    assert law.years_with(held, ("C1",), on=ON) == 0
    assert law.years_with(held, ("D1",), on=ON) == 0
    assert law.years_with({}, (), on=ON) == 0


def test_experience_missing_names_each_condition_not_met() -> None:
    rule = _rules().categories["C"]

    assert law.experience_missing(rule, held_since={"B": date(2023, 6, 1)}, on=ON) == [
        {"years": 1, "with": ["C1"], "has": 0}
    ]
    assert law.experience_missing(
        rule, held_since={"B": date(2023, 6, 2), "C1": date(2025, 6, 1)}, on=ON
    ) == [{"years": 3, "with": "any", "has": 2}]
    assert law.experience_missing(_rules().categories["B"], held_since={}, on=ON) == []


def test_a_trailer_category_needs_its_towing_category() -> None:
    rules = _rules()

    assert law.missing_base_categories(rules, ["BE"], []) == ["BE"]
    assert law.missing_base_categories(rules, ["BE"], ["B"]) == []
    assert law.missing_base_categories(rules, ["B", "BE"], []) == []
    assert law.missing_base_categories(rules, ["C1E"], ["C"]) == []
    assert law.missing_base_categories(rules, ["D1E", "CE"], ["D1"]) == ["CE"]


def test_a_day_before_the_first_edition_is_a_gap_in_the_data() -> None:
    first = law.licence_rules_editions()[0].valid_from

    with pytest.raises(law.LicenceRulesNotDefined) as caught:
        law.licence_rules_on(date.fromordinal(first.toordinal() - 1))

    assert caught.value.status == 500
    assert caught.value.code == "licence_rules_not_defined"


def _edition(**change: Any) -> dict[str, Any]:
    categories: dict[str, Any] = {c: {"age": 18} for c in CATEGORIES}
    categories.update(change.pop("categories", {}))
    return {"valid_from": date(2024, 1, 1), "act": "art. 74(2)", "categories": categories, **change}


@pytest.mark.parametrize(
    ("raw", "fault"),
    [
        ({"editions": [_edition()]}, "exactly `source` and `editions`"),
        ({"source": "law", "editions": []}, "non-empty list"),
        ({"source": "law", "editions": [_edition(act="")]}, "act must cite"),
        ({"source": "law", "editions": [_edition(valid_from="2024")]}, "must be a date"),
        (
            {"source": "law", "editions": [{**_edition(), "categories": {"B": {"age": 18}}}]},
            "a rule for each of",
        ),
        ({"source": "law", "editions": [_edition(categories={"B": {"age": "18"}})]}, "B: age"),
        (
            {"source": "law", "editions": [_edition(categories={"C": {"age": 21, "experience": [
                {"years": 3, "with": ["X"]}
            ]}})]},
            "C: experience `with`",
        ),
        (
            {"source": "law", "editions": [
                _edition(categories={"BE": {"age": 18, "requires": ["BE"]}})
            ]},
            "BE: requires",
        ),
        ({"source": "law", "editions": [_edition(), _edition()]}, "in date order"),
    ],
)  # fmt: skip
def test_a_malformed_file_is_refused_at_load_naming_the_fault(raw: Any, fault: str) -> None:
    with pytest.raises(ImproperlyConfigured) as caught:
        law.licence_rules_parse(raw, origin="test.yaml")

    assert fault in str(caught.value)
