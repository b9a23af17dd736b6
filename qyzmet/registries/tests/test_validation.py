"""The pure rules: VINs, plates, categories, ages, validity."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from qyzmet.registries import validation as rules

VIN_CHARS = "".join(sorted(rules.VIN_ALPHABET))


@pytest.mark.parametrize(
    ("text", "vin", "ok"),
    [
        ("1M8GDM9AXKP042788", "1M8GDM9AXKP042788", True),  # the textbook example, check "X"
        ("11111111111111111", "11111111111111111", True),
        ("1hgcm82633a004352", "1HGCM82633A004352", True),  # lower case is normalised
        ("1HG CM826 33A-004352", "1HGCM82633A004352", True),  # spaces and hyphens too
        ("XTA21900000654321", "XTA21900000654321", False),  # Russian-made: no check digit
        ("WVWZZZ1JZXW000001", "WVWZZZ1JZXW000001", False),  # European: "Z" in position 9
    ],
)
def test_a_well_formed_vin_passes_and_the_check_digit_is_only_a_warning(
    text: str, vin: str, ok: bool
) -> None:
    checked = rules.vin_check(text)

    assert (checked.vin, checked.check_digit_ok) == (vin, ok)
    assert checked.warning == ("" if ok else "vin_check_digit")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1M8GDM9AXKP04278", "vin_length"),
        ("1M8GDM9AXKP0427888", "vin_length"),
        ("", "vin_length"),
        ("1M8GDM9AXKP0427O8", "vin_letters_ioq"),  # letter O for zero
        ("IM8GDM9AXKP042788", "vin_letters_ioq"),
        ("1M8GDM9AXKP04278Q", "vin_letters_ioq"),
        ("1M8GDM9AXKP04278Ж", "vin_characters"),
        ("1M8GDM9AXKP04278*", "vin_characters"),
    ],
)
def test_a_malformed_vin_is_refused_with_its_reason(text: str, code: str) -> None:
    with pytest.raises(rules.RuleError) as caught:
        rules.vin_check(text)

    assert caught.value.code == code


def test_the_refusal_names_the_positions_of_bad_characters() -> None:
    with pytest.raises(rules.RuleError) as caught:
        rules.vin_check("1M8GDM9AXKP0427O8")

    assert caught.value.details == {"positions": [16]}


@given(st.text(alphabet=VIN_CHARS, min_size=17, max_size=17))
def test_any_17_characters_of_the_alphabet_are_a_vin(text: str) -> None:
    checked = rules.vin_check(text.lower())

    assert checked.vin == text
    assert checked.check_digit_ok == (text[8] == rules.vin_check_digit(text))


@given(st.text(alphabet=VIN_CHARS, min_size=17, max_size=17))
def test_a_vin_with_its_computed_check_digit_has_no_warning(text: str) -> None:
    vin = text[:8] + rules.vin_check_digit(text) + text[9:]

    assert rules.vin_check(vin).warning == ""


@given(
    st.text(alphabet=VIN_CHARS, min_size=17, max_size=17),
    st.integers(0, 16),
    st.sampled_from("IOQ"),
)
def test_i_o_q_anywhere_are_refused(text: str, position: int, letter: str) -> None:
    bad = text[:position] + letter + text[position + 1 :]

    with pytest.raises(rules.RuleError) as caught:
        rules.vin_check(bad)

    assert caught.value.code == "vin_letters_ioq"


@pytest.mark.parametrize(
    ("text", "formatted"),
    [
        ("123 ABC 02", "123 ABC 02"),
        ("123abc02", "123 ABC 02"),
        (" 777 kzk 17 ", "777 KZK 17"),
        ("001-AAA-01", "001 AAA 01"),
        ("１２３ ABC ０２", "123 ABC 02"),  # full-width, as some phone keyboards type
        ("１２３ ＡＢＣ ０２", "123 ABC 02"),
        ("123\u3000abc\u300002", "123 ABC 02"),  # ideographic spaces
    ],
)
def test_plates_parse_in_any_case_and_spacing(text: str, formatted: str) -> None:
    assert rules.plate_format(rules.plate_parse(text)) == formatted


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("123 AB 02", "plate_format"),
        ("12 ABC 02", "plate_format"),
        ("123 ABC 2", "plate_format"),
        ("123 АВС 02", "plate_format"),  # Cyrillic look-alikes
        ("١٢٣ ABC 02", "plate_format"),  # Arabic-Indic digits
        ("123 ABC ٠٢", "plate_format"),
        ("۱۲۳ ABC 02", "plate_format"),  # extended Arabic-Indic (Persian) digits
        ("१२३ ABC 02", "plate_format"),  # Devanagari digits
        ("000 ABC 02", "plate_format"),
        ("123 ABC 00", "region_invalid"),
        ("123 ABC 21", "region_invalid"),
        ("123 ABC 99", "region_invalid"),
    ],
)
def test_malformed_plates_are_refused(text: str, code: str) -> None:
    with pytest.raises(rules.RuleError) as caught:
        rules.plate_parse(text)

    assert caught.value.code == code


@given(
    st.integers(1, 999),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3),
    st.integers(1, 20),
)
def test_a_plate_survives_format_and_parse(digits: int, letters: str, region: int) -> None:
    text = f"{digits:03d} {letters} {region:02d}"

    parsed = rules.plate_parse(text)

    assert str(parsed) == text
    assert parsed.region == f"{region:02d}"


@given(st.text(min_size=1, max_size=12))
def test_whatever_is_accepted_is_one_ascii_spelling(text: str) -> None:
    try:
        parsed = rules.plate_format(rules.plate_parse(text))
    except rules.RuleError:
        return
    assert parsed.isascii()
    assert rules.plate_format(rules.plate_parse(parsed)) == parsed


def test_a_full_width_vin_is_the_same_vin() -> None:
    assert rules.vin_check("ＪＨ４ＫＡ７５６１ＰＣ００８２６９").vin == "JH4KA7561PC008269"


def test_every_region_code_from_01_to_20_has_a_name() -> None:
    assert list(rules.REGIONS) == [f"{n:02d}" for n in range(1, 21)]
    with translation.override("en"):
        assert str(rules.REGIONS["02"]) == "Almaty"
        assert str(rules.REGIONS["20"]) == "Ulytau Region"
    with translation.override("kk"):
        assert str(rules.REGIONS["02"]) == "Алматы"


@pytest.mark.parametrize(
    ("text", "tier"),
    [
        ("123 ABC 02", "standard"),
        ("005 ABC 02", "increased"),
        ("777 ABC 02", "increased"),
        ("444 ABC 02", "increased"),
        ("300 ABC 02", "increased"),
        ("123 KKK 02", "increased"),
        ("777 AAA 02", "premium"),
        ("010 ABC 02", "standard"),
        ("101 ABC 02", "standard"),
        ("778 ABC 02", "standard"),
    ],
)
def test_increased_demand_plates_have_a_higher_tier(text: str, tier: str) -> None:
    number = rules.plate_parse(text)

    assert rules.plate_tier(number) == tier
    assert number.increased_demand is (tier != "standard")


@pytest.mark.parametrize(
    ("items", "normalised"),
    [
        (["b"], ["B"]),
        (["BE", "B"], ["B", "BE"]),
        (["tb", "TM", " c1e "], ["C1E", "Tb", "Tm"]),
        (["B", "b"], ["B"]),
    ],
)
def test_categories_are_normalised_to_the_registry_spelling(
    items: list[str], normalised: list[str]
) -> None:
    assert rules.categories_normalise(items) == normalised


@pytest.mark.parametrize("bad", ["E", "F", "BC", "", "M"])
def test_unknown_categories_are_refused(bad: str) -> None:
    with pytest.raises(rules.RuleError) as caught:
        rules.categories_normalise([bad])

    assert caught.value.code == "category_invalid"


def test_no_category_is_refused() -> None:
    with pytest.raises(rules.RuleError) as caught:
        rules.categories_normalise([])

    assert caught.value.code == "categories_empty"


@pytest.mark.parametrize(
    ("issued", "expires"),
    [
        (date(2026, 3, 1), date(2036, 3, 1)),
        (date(2024, 2, 29), date(2034, 2, 28)),
        (date(2016, 12, 31), date(2026, 12, 31)),
    ],
)
def test_a_licence_is_valid_ten_years(issued: date, expires: date) -> None:
    assert rules.licence_expiry(issued) == expires


def test_a_medical_certificate_counts_from_issue_to_expiry_inclusive() -> None:
    issued, expires = date(2026, 1, 10), date(2027, 1, 9)

    assert rules.medical_valid_on(issued=issued, expires=expires, on=issued)
    assert rules.medical_valid_on(issued=issued, expires=expires, on=expires)
    assert not rules.medical_valid_on(issued=issued, expires=expires, on=date(2027, 1, 10))
    assert not rules.medical_valid_on(issued=issued, expires=expires, on=date(2026, 1, 9))
    assert rules.medical_covers(["A1", "B"], ["B", "C"]) == ["C"]
