"""Factories for identity tests."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from django.db import transaction

from conftest import PASSWORD
from qyzmet.core.crypto import blind_index
from qyzmet.core.iin import iin_make
from qyzmet.identity.actions.phone import phone_bind
from qyzmet.identity.models import Account, Person, PhoneBinding
from qyzmet.identity.selectors import account_login_for_iin

_serials = itertools.count(1)


def make_iin(birth_date: date, sex: str) -> str:
    while True:
        iin = iin_make(birth_date, sex, next(_serials) % 10000)  # type: ignore[arg-type]
        if iin is not None:
            return iin


def person_create(
    *,
    birth_date: date = date(1985, 4, 12),
    sex: str = "F",
    surname: str = "Сейтқали",
    given_name: str = "Әлия",
    **extra: Any,
) -> Person:
    iin = extra.pop("iin", None) or make_iin(birth_date, sex)
    return Person.objects.create(
        iin=iin,
        iin_index=blind_index(iin, purpose="iin"),
        surname=surname,
        given_name=given_name,
        patronymic=extra.pop("patronymic", "Маратқызы"),
        surname_latin=extra.pop("surname_latin", "SEITKALI"),
        given_name_latin=extra.pop("given_name_latin", "ALIYA"),
        birth_date=birth_date,
        sex=sex,
        region=extra.pop("region", "02"),
        settlement=extra.pop("settlement", "Алматы"),
        street=extra.pop("street", "Абай даңғылы, 10, 25"),
        **extra,
    )


def citizen_create(
    *, phone: str = "+77011234567", password: str = PASSWORD, **person: Any
) -> Account:
    """A registered citizen with a bound phone."""
    with transaction.atomic():
        owner = person_create(**person)
        account = Account(login=account_login_for_iin(owner.iin), person=owner, language="en")
        account.set_password(password)
        account.save()
        phone_bind(person=owner, phone=phone, operator="Kcell", method=PhoneBinding.Method.IMPORT)
    return account
