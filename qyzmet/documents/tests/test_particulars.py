"""The registry's record a result document carries, read by what the registry change wrote, in
the document's language."""

from __future__ import annotations

from datetime import date

import pytest

from qyzmet.documents.particulars import particulars_rows
from qyzmet.identity.tests.factories import person_create
from qyzmet.registries import actions as registry
from qyzmet.registries.models import DrivingLicence
from qyzmet.registries.tests.conftest import VIN, car, pool

pytestmark = pytest.mark.django_db

ISSUED = date(2026, 3, 2)


def test_a_registration_certificate_names_its_number_plate_vehicle_and_address_in_russian() -> None:
    owner = person_create(settlement="Алматы", street="ул. Абая, 10")
    pool("123 ABC 02")
    made = registry.vehicle_register_first(
        owner=owner, vehicle=car(engine_cc=2500), plate="123 ABC 02", on=ISSUED
    )

    rows = particulars_rows(written={"certificate_number": made.certificate_number}, language="ru")

    assert rows == [
        ("Номер свидетельства о регистрации", made.certificate_number),
        ("Государственный регистрационный номерной знак", "123 ABC 02"),
        ("Идентификационный номер транспортного средства (VIN)", VIN),
        ("Марка", "Toyota"),
        ("Модель", "Camry"),
        ("Категория транспортного средства", "B"),
        ("Год выпуска", "2020"),
        ("Цвет", "white"),
        ("Объём двигателя, см³", "2500"),
        ("Адрес владельца", "Алматы, ул. Абая, 10"),
        ("Дата регистрации", "2 марта 2026 г."),
    ]


def test_a_deregistration_names_the_vehicle_the_last_plate_and_the_day() -> None:
    owner = person_create()
    pool("123 ABC 02")
    made = registry.vehicle_register_first(
        owner=owner, vehicle=car(), plate="123 ABC 02", on=ISSUED
    )
    registry.vehicle_deregister(vehicle=made.vehicle, on=date(2026, 5, 4))

    rows = dict(particulars_rows(written={"vin": VIN, "plate": "123 ABC 02"}, language="en"))

    assert rows["Registration plate"] == "123 ABC 02"
    assert rows["Registration certificate number"] == made.certificate_number
    assert rows["Vehicle identification number (VIN)"] == VIN
    assert rows["Deregistered on"] == "May 4, 2026"


def test_a_licence_names_its_number_categories_with_their_dates_and_what_it_replaces() -> None:
    holder = person_create(birth_date=date(1990, 1, 15))
    licence = DrivingLicence.objects.create(
        number="AB1234567",
        holder=holder,
        categories=[
            {"category": "B", "issued": "2010-06-01"},
            {"category": "C", "issued": "2015-09-10"},
        ],
        issued=ISSUED,
        expires=date(2036, 3, 2),
    )

    rows = particulars_rows(
        written={"licence_number": licence.number, "replaces": "OLD0000001"}, language="kk"
    )

    assert dict(rows) == {
        "Жүргізуші куәлігінің нөмірі": "AB1234567",
        "Туған күні": "15 қаңтар 1990 ж.",
        "Санаттар": "B, C",
        "B санаты берілген күні": "1 маусым 2010 ж.",
        "C санаты берілген күні": "10 қыркүйек 2015 ж.",
        "Куәлік берілген күні": "2 наурыз 2026 ж.",
        "Куәліктің жарамдылық мерзімі": "2 наурыз 2036 ж.",
        "Ауыстырылған куәлік": "OLD0000001",
    }


@pytest.mark.parametrize(
    "written",
    [{}, {"not_connected": "civil.birth"}, {"certificate_number": "000000000000"}, {"vin": VIN}],
)
def test_nothing_the_registry_does_not_hold_is_shown(written: dict[str, str]) -> None:
    assert particulars_rows(written=written, language="en") == []
