"""The pure parts of the schema: texts, fees, conditions, fields and transitions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from qyzmet.catalogue.schema import (
    Condition,
    Fee,
    FieldCondition,
    FormField,
    I18n,
    Transition,
)

TEXT = I18n(kk="Сәлем", ru="Привет", en="Hello")
LABEL = {"kk": "Белгі", "ru": "Метка", "en": "Label"}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("kk", "Сәлем"),
        ("ru", "Привет"),
        ("en", "Hello"),
        ("kk-KZ", "Сәлем"),
        ("ru_RU", "Привет"),
        ("EN", "Hello"),
        ("de", "Привет"),  # not one of ours: Russian
        ("", "Привет"),
    ],
)
def test_i18n_get(language: str, expected: str) -> None:
    assert TEXT.get(language) == expected


def test_i18n_get_falls_back_to_english_when_russian_is_missing() -> None:
    # given: a text built without validation (as from old stored data) with no kk and no ru
    text = I18n.model_construct(kk="", ru="", en="Hello")

    assert text.get("kk") == "Hello"
    assert text.get("de") == "Hello"


def test_i18n_get_falls_back_to_russian_when_kazakh_is_missing() -> None:
    text = I18n.model_construct(kk="", ru="Привет", en="Hello")

    assert text.get("kk") == "Привет"


def test_i18n_requires_every_language_non_empty() -> None:
    with pytest.raises(ValidationError) as caught:
        I18n.model_validate({"kk": "  ", "ru": "Привет"})

    errors = [(error["loc"], error["msg"]) for error in caught.value.errors()]
    assert errors == [
        (("kk",), "Value error, must not be empty"),
        (("en",), "Field required"),
    ]


def test_i18n_strips_surrounding_space() -> None:
    assert I18n.model_validate({"kk": " а\n", "ru": "б", "en": "c"}).kk == "а"


def test_fee_first_matching_rule_wins() -> None:
    fee = Fee.model_validate(
        {
            "mci": 0.2,
            "conditions": [
                {"when": {"field": "reason", "equals": "loss"}, "mci": 1},
                {"when": {"field": "urgent", "equals": True}, "mci": 2},
            ],
        }
    )

    assert fee.mci_for({"reason": "loss", "urgent": True}) == Decimal(1)
    assert fee.mci_for({"reason": "expiry", "urgent": True}) == Decimal(2)
    assert fee.mci_for({"reason": "expiry"}) == Decimal("0.2")
    assert fee.mci_for({}) == Decimal("0.2")
    assert not fee.is_free


def test_fee_is_free_by_default() -> None:
    assert Fee().mci == Decimal(0)
    assert Fee().is_free


def test_field_condition_needs_the_field_answered() -> None:
    condition = FieldCondition(field="keep_plates", equals=False)

    assert condition.matches({"keep_plates": False})
    assert not condition.matches({})
    assert not condition.matches({"keep_plates": True})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"source": "tax.debt", "op": "eq", "value": 0},
            "unknown registry 'tax' (known: person, vehicle, licence, medical, exam, address)",
        ),
        ({"source": "person", "op": "exists"}, "must be a dotted registry path like 'person.age'"),
        ({"source": "person.age", "op": "gte", "value": "18"}, "'gte' needs a number"),
        ({"source": "person.age", "op": "lte", "value": True}, "'lte' needs a number"),
        (
            {"source": "person.region", "op": "in", "value": "02"},
            "'in' needs a non-empty list of values",
        ),
        (
            {"source": "person.status", "op": "eq"},
            "'eq' needs a single value (use 'exists' to test presence)",
        ),
        (
            {"source": "licence.number", "op": "exists", "value": "yes"},
            "'exists' takes true, false or nothing",
        ),
    ],
)
def test_condition_rejects(data: dict, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Condition.model_validate({**data, "message": LABEL})

    assert [error["msg"] for error in caught.value.errors()] == [f"Value error, {message}"]


@pytest.mark.parametrize(
    "data",
    [
        {"source": "person.age", "op": "gte", "value": 18},
        {"source": "person.citizenship", "op": "in", "value": ["KAZ"]},
        {"source": "vehicle.count", "op": "lte", "value": 2.5},
        {"source": "licence.category_b", "op": "exists"},
        {"source": "address.code", "op": "exists", "value": False},
        {"source": "person.status", "op": "ne", "value": "deceased"},
    ],
)
def test_condition_accepts(data: dict) -> None:
    assert Condition.model_validate({**data, "message": LABEL}).source == data["source"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "text", "pattern": "[a-"}, "pattern"),
        ({"type": "number", "max_length": 5}, "max_length applies only to text and textarea"),
        ({"type": "text", "minimum": 1}, "minimum applies only to number fields"),
        ({"type": "text", "min_length": 5, "max_length": 2}, "min_length is greater than"),
        ({"type": "number", "minimum": 5, "maximum": 2}, "minimum is greater than maximum"),
        ({"type": "select"}, "a select field needs options"),
        (
            {"type": "text", "options": [{"value": "a", "label": LABEL}]},
            "options are allowed only for a select field",
        ),
        (
            {"type": "select", "options": [{"value": "a", "label": LABEL}] * 2},
            "option values must be unique",
        ),
        (
            {"type": "text", "show_if": {"field": "name", "equals": "x"}},
            "show_if refers to the field itself",
        ),
        ({"type": "colour"}, "Input should be"),
    ],
)
def test_form_field_rejects(data: dict, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        FormField.model_validate({"key": "name", "label": LABEL, **data})

    assert message in str(caught.value)


def test_transition_from_takes_a_string_or_a_list() -> None:
    base = {"name": "go", "to": "b", "role": "officer", "label": LABEL}

    assert Transition.model_validate({**base, "from": "a"}).from_ == ["a"]
    assert Transition.model_validate({**base, "from": ["a", "c"]}).from_ == ["a", "c"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": "officer", "checks": ["x"]}, "only a system transition runs checks"),
        ({"role": "citizen", "auto": True}, "only a system transition can be automatic"),
        ({"role": "system", "from": []}, "at least 1 item"),
        ({"role": "system", "from": ["a", "a"]}, "'a' is listed twice"),
    ],
)
def test_transition_rejects(data: dict, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Transition.model_validate({"name": "go", "from": "a", "to": "b", "label": LABEL, **data})

    assert message in str(caught.value)
