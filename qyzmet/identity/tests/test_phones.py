import pytest
from django.contrib.auth.hashers import get_hasher, make_password

from qyzmet.core.errors import ValidationFailed
from qyzmet.identity.phones import phone_mask, phone_parse


@pytest.mark.parametrize(
    ("raw", "e164", "operator"),
    [
        ("+7 701 123 45 67", "+77011234567", "Kcell"),
        ("8 701 123 45 67", "+77011234567", "Kcell"),
        ("87011234567", "+77011234567", "Kcell"),
        ("7011234567", "+77011234567", "Kcell"),
        ("+7 (705) 111-22-33", "+77051112233", "Beeline"),
        ("+77771234567", "+77771234567", "Beeline"),
        ("+77071234567", "+77071234567", "T2"),  # Tele2/Altel, now branded T2
        ("+77471234567", "+77471234567", "T2"),
    ],
)
def test_kazakh_mobile_numbers_parse_in_the_ways_people_type_them(
    raw: str, e164: str, operator: str
) -> None:
    phone = phone_parse(raw)

    assert phone.e164 == e164
    assert operator in phone.operator


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "phone_invalid"),
        ("hello", "phone_invalid"),
        ("+7 912 345 67 89", "phone_invalid"),  # a Russian mobile: +7 but not KZ
        ("+7 727 250 00 00", "phone_not_mobile"),  # Almaty landline
        ("+7 701 123 45", "phone_invalid"),
        ("+996 555 123 456", "phone_invalid"),
    ],
)
def test_other_numbers_are_refused_with_a_reason(raw: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as refusal:
        phone_parse(raw)
    assert refusal.value.code == code


def test_a_mask_keeps_only_the_prefix_and_last_two_digits() -> None:
    assert phone_mask("+77011234567") == "+7 701 *** ** 67"
    assert phone_mask("12") == "***"


def test_passwords_are_hashed_with_argon2id_at_the_configured_cost(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["qyzmet.core.passwords.QyzmetArgon2PasswordHasher"]
    settings.QYZMET_ARGON2_TIME_COST = 2
    settings.QYZMET_ARGON2_MEMORY_KIB = 8192
    settings.QYZMET_ARGON2_PARALLELISM = 1

    encoded = make_password("Qyzmet-test-2026!")

    assert encoded.startswith("argon2$argon2id$v=19$m=8192,t=2,p=1$")
    assert get_hasher("argon2").algorithm == "argon2"
