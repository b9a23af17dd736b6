from datetime import date

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from qyzmet.core.iin import (
    FIRST_WEIGHTS,
    SECOND_WEIGHTS,
    IinError,
    IinInfo,
    iin_agrees,
    iin_check,
    iin_check_digit,
    iin_make,
    iin_mask,
)

# 1985-03-15, female, serial 0060: the first pass gives 10, the second gives 8.
SECOND_PASS_IIN = "850315400608"


def _first_pass(first11: str) -> int:
    return sum(int(d) * w for d, w in zip(first11, FIRST_WEIGHTS, strict=True)) % 11


def _code(iin: str) -> str:
    with pytest.raises(IinError) as caught:
        iin_check(iin)
    return caught.value.code


def test_the_documented_example_is_valid_on_the_first_pass() -> None:
    info = iin_check("791028302728")

    assert info == IinInfo(iin="791028302728", birth_date=date(1979, 10, 28), sex="M")
    assert _first_pass("79102830272") == 8


def test_a_number_that_needs_the_second_weight_pass_is_valid() -> None:
    # given a number whose first pass gives 10
    assert _first_pass(SECOND_PASS_IIN[:11]) == 10

    # then the second pass decides, with the weights in their documented order
    assert iin_check_digit(SECOND_PASS_IIN[:11]) == 8
    assert iin_check(SECOND_PASS_IIN) == IinInfo(
        iin=SECOND_PASS_IIN, birth_date=date(1985, 3, 15), sex="F"
    )


def test_the_second_weights_are_a_tuple_in_the_documented_order() -> None:
    assert SECOND_WEIGHTS == (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
    assert isinstance(SECOND_WEIGHTS, tuple)


def test_a_number_whose_second_pass_is_also_10_is_never_issued() -> None:
    assert iin_check_digit("85031540061") is None
    assert _code("850315400610") == "iin_never_issued"
    assert iin_make(date(1985, 3, 15), "F", 61) is None


def test_a_wrong_check_digit_is_a_checksum_error() -> None:
    assert _code("791028302729") == "iin_checksum"
    assert _code("850315400609") == "iin_checksum"


def test_a_date_that_does_not_exist_is_refused() -> None:
    # 30 February 1990, female, with the check digit that would otherwise be right
    assert iin_check_digit("90023040001") == 5

    assert _code("900230400015") == "iin_date"
    assert _code("000230500015") == "iin_date"  # 2000 was a leap year, but not that leap


@pytest.mark.parametrize("digit", ["0", "7", "8", "9"])
def test_century_digits_never_assigned_to_people_are_refused(digit: str) -> None:
    first11 = f"791028{digit}0272"
    check = iin_check_digit(first11)
    iin = first11 + str(0 if check is None else check)

    assert _code(iin) == "iin_century"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "79102830272",
        "7910283027288",
        "79102830272a",
        "７９１０２８３０２７２８",
        "7910-2830-2728",
    ],
)
def test_anything_but_twelve_ascii_digits_is_a_format_error(text: str) -> None:
    assert _code(text) == "iin_format"


def test_spaces_are_ignored() -> None:
    assert iin_check(" 791028 302728 ").iin == "791028302728"


@pytest.mark.parametrize(
    ("birth_date", "sex", "digit"),
    [
        (date(1899, 12, 31), "M", "1"),
        (date(1850, 1, 1), "F", "2"),
        (date(1979, 10, 28), "M", "3"),
        (date(1901, 6, 5), "F", "4"),
        (date(2001, 2, 3), "M", "5"),
        (date(2024, 2, 29), "F", "6"),
    ],
)
def test_the_seventh_digit_gives_century_and_sex(birth_date: date, sex: str, digit: str) -> None:
    serial = 1
    while (iin := iin_make(birth_date, sex, serial)) is None:
        serial += 1

    info = iin_check(iin)

    assert iin[6] == digit
    assert (info.birth_date, info.sex) == (birth_date, sex)


def test_iin_agrees_when_date_and_sex_match() -> None:
    info = iin_check("791028302728")

    iin_agrees(info, birth_date=date(1979, 10, 28), sex="M")


@pytest.mark.parametrize(
    ("birth_date", "sex"),
    [
        (date(1979, 10, 28), "F"),  # the 7th digit says male
        (date(2079, 10, 28), "M"),  # the 7th digit says the 1900s
        (date(1979, 10, 29), "M"),
    ],
)
def test_iin_agrees_refuses_a_mismatch(birth_date: date, sex: str) -> None:
    with pytest.raises(IinError) as caught:
        iin_agrees(iin_check("791028302728"), birth_date=birth_date, sex=sex)

    assert caught.value.code == "iin_mismatch"


def test_errors_carry_a_translated_message_in_the_one_error_shape() -> None:
    with pytest.raises(IinError) as caught:
        iin_check("791028302729")

    with translation.override("en"):
        shape = caught.value.as_dict()
    assert caught.value.status == 422
    assert shape == {
        "code": "iin_checksum",
        "message": "This IIN has a typo: its last digit does not match the others.",
        "details": {},
    }


def test_iin_mask_keeps_the_first_four_and_last_two_digits() -> None:
    assert iin_mask("791028302728") == "7910******28"
    assert iin_mask("7910 2830 2728") == "7910******28"
    assert iin_mask("123") == "***"


def test_iin_make_refuses_what_an_iin_cannot_encode() -> None:
    with pytest.raises(ValueError, match="serial"):
        iin_make(date(1990, 1, 1), "M", 10000)
    with pytest.raises(ValueError, match="birth years"):
        iin_make(date(2100, 1, 1), "M", 1)


@given(
    birth_date=st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31)),
    sex=st.sampled_from(["M", "F"]),
    serial=st.integers(min_value=0, max_value=9999),
)
def test_every_made_iin_is_valid_and_decodes_back(birth_date: date, sex: str, serial: int) -> None:
    iin = iin_make(birth_date, sex, serial)

    century_digit = 1 + 2 * (birth_date.year // 100 - 18) + (sex == "F")
    first11 = f"{birth_date:%y%m%d}{century_digit}{serial:04d}"
    if iin is None:  # that serial would give a never-issued number
        assert iin_check_digit(first11) is None
        return
    info = iin_check(iin)
    assert (info.birth_date, info.sex) == (birth_date, sex)
    assert iin[:11] == first11
