"""Key rotation and encrypted-field behaviour on the identity models."""

import base64

import pytest
from django.core.management import call_command
from django.db import connection

KEY_A = base64.urlsafe_b64encode(b"a" * 32).decode()
KEY_B = base64.urlsafe_b64encode(b"b" * 32).decode()
KEY_I = base64.urlsafe_b64encode(b"i" * 32).decode()


def test_encrypted_fields_refuse_lookups_that_would_compare_ciphertext() -> None:
    from qyzmet.identity.models import Person

    with pytest.raises(TypeError, match="cannot be filtered"):
        Person.objects.filter(surname="Әлиев")


@pytest.mark.django_db
def test_rotate_keys_reseals_every_row_under_the_current_key(settings, capsys) -> None:  # type: ignore[no-untyped-def]
    from qyzmet.identity.tests.factories import citizen_create

    settings.QYZMET_FIELD_KEYS = f"1:{KEY_A}"
    account = citizen_create()
    settings.QYZMET_FIELD_KEYS = f"2:{KEY_B},1:{KEY_A}"

    call_command("rotate_keys")

    with connection.cursor() as cursor:
        cursor.execute("SELECT surname, iin FROM identity_person")
        surname, iin = cursor.fetchone()
    assert surname.startswith("v2$") and iin.startswith("v2$")
    settings.QYZMET_FIELD_KEYS = f"2:{KEY_B}"  # the old key can now be dropped
    account.person.refresh_from_db()
    assert account.person.surname == "Сейтқали"
    assert "identity.Person: values by key v1: 8; re-sealed 1 rows" in capsys.readouterr().out


@pytest.mark.django_db
def test_rotate_keys_reindex_recomputes_blind_indexes(settings) -> None:  # type: ignore[no-untyped-def]
    from qyzmet.identity.selectors import person_get_by_iin
    from qyzmet.identity.tests.factories import person_create

    person = person_create()
    settings.QYZMET_BLIND_INDEX_KEY = KEY_I
    assert person_get_by_iin(iin=person.iin) is None  # indexes are stale under the new key

    call_command("rotate_keys", "--reindex")

    assert person_get_by_iin(iin=person.iin) == person
