"""Plates and vehicles through the actions and selectors."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from qyzmet.core.errors import Conflict, NotFound, ValidationFailed
from qyzmet.identity.tests.factories import person_create
from qyzmet.registries import actions, selectors
from qyzmet.registries.models import Plate, Vehicle, VehicleRegistration
from qyzmet.registries.tests.conftest import TODAY, VIN, car, pool
from qyzmet.trust.models import DataAccessEvent

pytestmark = pytest.mark.django_db


def test_the_pool_takes_each_number_once_with_its_tier() -> None:
    added = actions.plate_pool_add(numbers=["123 abc 02", "777 AAA 02", "123 ABC 02"])

    again = actions.plate_pool_add(numbers=["123 ABC 02"])

    assert (added, again) == (2, 0)
    assert sorted(Plate.objects.values_list("number", "increased_demand", "price_tier")) == [
        ("123 ABC 02", False, "standard"),
        ("777 AAA 02", True, "premium"),
    ]


def test_a_reservation_takes_a_free_plate_of_the_region_and_kind() -> None:
    pool("123 ABC 02", "124 ABC 01", "777 AAA 02")

    plate = actions.plate_reserve(region="02")
    special = actions.plate_reserve(region="02", increased_demand=True)

    assert (plate.number, plate.status) == ("123 ABC 02", "reserved")
    assert special.number == "777 AAA 02"
    with pytest.raises(Conflict) as caught:
        actions.plate_reserve(region="02")
    assert caught.value.code == "plate_pool_empty"
    assert Plate.objects.get(number="124 ABC 01").status == "free"


def test_a_chosen_number_is_reserved_only_when_free() -> None:
    pool("123 ABC 02", "124 ABC 02")

    plate = actions.plate_reserve(region="02", number="124abc02")

    assert plate.number == "124 ABC 02"
    with pytest.raises(Conflict) as caught:
        actions.plate_reserve(region="02", number="124 ABC 02")
    assert caught.value.code == "plate_taken"
    with pytest.raises(ValidationFailed) as wrong:
        actions.plate_reserve(region="01", number="123 ABC 02")
    assert wrong.value.code == "plate_region_mismatch"


@pytest.mark.parametrize(
    ("region", "number", "code"),
    [("21", None, "region_invalid"), ("02", "12 AB 02", "plate_format")],
)
def test_a_malformed_reservation_is_refused(region: str, number: str | None, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        actions.plate_reserve(region=region, number=number)

    assert caught.value.code == code


def test_a_released_plate_returns_to_the_pool() -> None:
    pool("123 ABC 02")
    plate = actions.plate_reserve(region="02")

    actions.plate_release(plate=plate)

    assert Plate.objects.get().status == "free"
    with pytest.raises(Conflict):
        actions.plate_release(plate=plate)


def test_a_refused_release_writes_nothing() -> None:
    pool("123 ABC 02")
    plate = actions.plate_reserve(region="02")
    Plate.objects.filter(pk=plate.pk).update(status="assigned")

    with pytest.raises(Conflict) as caught:
        actions.plate_release(plate=plate)

    assert caught.value.code == "plate_not_reserved"
    assert Plate.objects.values_list("status", "reserved_at").get() == (
        "assigned",
        plate.reserved_at,
    )


def test_first_registration_writes_the_vehicle_the_plate_and_the_open_registration() -> None:
    owner = person_create()
    pool("123 ABC 02")
    plate = actions.plate_reserve(region="02")

    registration = actions.vehicle_register_first(
        owner=owner, vehicle=car(vin="1m8gdm9axkp042788"), plate=plate.number, on=TODAY
    )

    vehicle = Vehicle.objects.get()
    assert (vehicle.vin, vehicle.status, vehicle.category) == (VIN, "registered", "B")
    assert (registration.owner, registration.reason, registration.started_on) == (
        owner,
        "first",
        TODAY,
    )
    assert registration.ended_on is None
    assert len(registration.certificate_number) == 10
    assert Plate.objects.get().status == "assigned"
    assert selectors.vehicle_by_plate(plate="123abc02") == vehicle
    assert selectors.vehicle_by_vin(vin=VIN.lower()) == vehicle
    assert [r.vehicle for r in selectors.vehicles_of(person=owner)] == [vehicle]


def test_a_vin_without_a_north_american_check_digit_is_registered() -> None:
    pool("123 ABC 02")

    actions.vehicle_register_first(
        owner=person_create(), vehicle=car(vin="XTA21900000654321"), plate="123 ABC 02"
    )

    assert Vehicle.objects.get().vin == "XTA21900000654321"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (car(vin="1M8GDM9AXKP0427O8"), "vin_letters_ioq"),
        (car(vin="1M8GDM9AXKP04278"), "vin_length"),
        (car(category="BE"), "vehicle_category_invalid"),
        (car(year=1899), "vehicle_year_invalid"),
        (car(year=2028), "vehicle_year_invalid"),
        (car(make=" "), "vehicle_make_required"),
    ],
)
def test_first_registration_refuses_bad_vehicle_data(data: actions.VehicleData, code: str) -> None:
    pool("123 ABC 02")

    with pytest.raises(ValidationFailed) as caught:
        actions.vehicle_register_first(
            owner=person_create(), vehicle=data, plate="123 ABC 02", on=TODAY
        )

    assert caught.value.code == code
    assert (Vehicle.objects.count(), Plate.objects.get().status) == (0, "free")


def test_first_registration_refuses_a_vin_already_registered_and_a_plate_taken() -> None:
    pool("123 ABC 02", "124 ABC 02")
    owner = person_create()
    actions.vehicle_register_first(owner=owner, vehicle=car(), plate="123 ABC 02")

    with pytest.raises(Conflict) as vin:
        actions.vehicle_register_first(owner=owner, vehicle=car(), plate="124 ABC 02")
    with pytest.raises(Conflict) as plate:
        actions.vehicle_register_first(
            owner=owner, vehicle=car(vin="11111111111111111"), plate="123 ABC 02"
        )
    with pytest.raises(NotFound) as unknown:
        actions.vehicle_register_first(
            owner=owner, vehicle=car(vin="11111111111111111"), plate="999 ZZZ 02"
        )

    assert (vin.value.code, plate.value.code, unknown.value.code) == (
        "vin_registered",
        "plate_taken",
        "plate_unknown",
    )
    assert Vehicle.objects.count() == 1
    assert Plate.objects.get(number="124 ABC 02").status == "free"


def test_a_deceased_owner_is_refused() -> None:
    pool("123 ABC 02")
    dead = person_create(status="deceased", death_date=date(2025, 1, 1))

    with pytest.raises(ValidationFailed) as caught:
        actions.vehicle_register_first(owner=dead, vehicle=car(), plate="123 ABC 02")

    assert caught.value.code == "person_deceased"


def _registered() -> VehicleRegistration:
    pool("123 ABC 02", "555 KZK 02")
    return actions.vehicle_register_first(
        owner=person_create(), vehicle=car(), plate="123 ABC 02", on=date(2020, 1, 10)
    )


def test_owner_change_ends_the_sellers_registration_and_keeps_the_history() -> None:
    first = _registered()
    buyer = person_create(given_name="Ерлан", sex="M")

    second = actions.vehicle_owner_change(vehicle=first.vehicle, buyer=buyer, on=TODAY)

    history = selectors.vehicle_history(vehicle=first.vehicle)
    assert [(r.owner_id, r.reason, r.started_on, r.ended_on, r.end_reason) for r in history] == [
        (first.owner_id, "first", date(2020, 1, 10), TODAY, "owner_change"),
        (buyer.pk, "owner_change", TODAY, None, ""),
    ]
    assert second.plate == first.plate
    assert second.certificate_number != first.certificate_number
    assert selectors.vehicles_of(person=first.owner) == []
    assert selectors.vehicle_current_registration(vehicle=first.vehicle) == second


def test_owner_change_to_a_new_plate_retires_the_old_one() -> None:
    first = _registered()

    second = actions.vehicle_owner_change(
        vehicle=first.vehicle, buyer=person_create(), plate="555 kzk 02"
    )

    assert second.plate.number == "555 KZK 02"
    assert dict(Plate.objects.values_list("number", "status")) == {
        "123 ABC 02": "retired",
        "555 KZK 02": "assigned",
    }
    assert selectors.vehicle_by_plate(plate="123 ABC 02") is None


def test_owner_change_refusals() -> None:
    first = _registered()

    with pytest.raises(ValidationFailed) as same:
        actions.vehicle_owner_change(vehicle=first.vehicle, buyer=first.owner)
    actions.vehicle_arrest_set(vehicle=first.vehicle, arrested=True, reason="Court order 12")
    with pytest.raises(Conflict) as arrested:
        actions.vehicle_owner_change(vehicle=first.vehicle, buyer=person_create())

    assert same.value.code == "same_owner"
    assert arrested.value.code == "vehicle_arrested"
    assert "Court order 12" in str(arrested.value.message)
    assert VehicleRegistration.objects.get().ended_on is None


def test_an_arrest_needs_a_reason_and_can_be_lifted() -> None:
    first = _registered()

    with pytest.raises(ValidationFailed) as caught:
        actions.vehicle_arrest_set(vehicle=first.vehicle, arrested=True, reason=" ")
    actions.vehicle_arrest_set(vehicle=first.vehicle, arrested=True, reason="Bailiff")
    lifted = actions.vehicle_arrest_set(vehicle=first.vehicle, arrested=False)

    assert caught.value.code == "arrest_reason_required"
    assert (lifted.arrested, lifted.arrest_reason) == (False, "")


def test_deregistration_ends_the_registration_and_retires_the_plate() -> None:
    first = _registered()

    vehicle = actions.vehicle_deregister(vehicle=first.vehicle, on=TODAY)

    assert vehicle.status == "deregistered"
    registration = VehicleRegistration.objects.get()
    assert (registration.ended_on, registration.end_reason) == (TODAY, "deregistration")
    assert Plate.objects.get(number="123 ABC 02").status == "retired"
    with pytest.raises(Conflict) as again:
        actions.vehicle_deregister(vehicle=first.vehicle)
    with pytest.raises(Conflict) as sale:
        actions.vehicle_owner_change(vehicle=first.vehicle, buyer=person_create())
    assert again.value.code == sale.value.code == "vehicle_not_registered"
    with pytest.raises(Conflict) as retired:
        actions.vehicle_register_first(
            owner=person_create(), vehicle=car(vin="11111111111111111"), plate="123 ABC 02"
        )
    assert retired.value.code == "plate_retired"


def test_an_arrested_vehicle_cannot_be_deregistered() -> None:
    first = _registered()
    actions.vehicle_arrest_set(vehicle=first.vehicle, arrested=True, reason="Court")

    with pytest.raises(Conflict) as caught:
        actions.vehicle_deregister(vehicle=first.vehicle)

    assert caught.value.code == "vehicle_arrested"
    assert Vehicle.objects.get().status == "registered"


def test_the_database_keeps_one_open_registration_per_vehicle_and_plate() -> None:
    first = _registered()
    other = actions.vehicle_register_first(
        owner=person_create(), vehicle=car(vin="11111111111111111"), plate="555 KZK 02"
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        VehicleRegistration.objects.create(
            vehicle=first.vehicle, owner=first.owner, plate=other.plate,
            certificate_number="XX00000001", reason="first", started_on=TODAY,
        )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        VehicleRegistration.objects.create(
            vehicle=other.vehicle, owner=first.owner, plate=first.plate,
            certificate_number="XX00000002", reason="first", started_on=TODAY,
        )  # fmt: skip
    closed = VehicleRegistration.objects.create(
        vehicle=first.vehicle, owner=first.owner, plate=first.plate,
        certificate_number="XX00000003", reason="first", started_on=date(2010, 1, 1),
        ended_on=date(2011, 1, 1), end_reason="owner_change",
    )  # fmt: skip
    assert closed.pk is not None


def test_an_officers_read_of_a_vehicle_is_recorded_for_every_owner() -> None:
    first = _registered()
    buyer = person_create()
    actions.vehicle_owner_change(vehicle=first.vehicle, buyer=buyer, on=TODAY)

    history = actions.vehicle_record_read(
        vin=VIN, purpose="Road police check", channel="system", actor_system="police"
    )

    assert [r.owner_id for r in history] == [first.owner_id, buyer.pk]
    events = DataAccessEvent.objects.order_by("id")
    assert [(e.person_id, e.actor_system, e.purpose) for e in events] == [
        (first.owner_id, "police", "Road police check"),
        (buyer.pk, "police", "Road police check"),
    ]
    with pytest.raises(ValidationFailed):
        actions.vehicle_record_read(vin=VIN, purpose=" ", channel="system", actor_system="x")
    with pytest.raises(NotFound):
        actions.vehicle_record_read(
            vin="11111111111111111", purpose="p", channel="system", actor_system="x"
        )
    assert DataAccessEvent.objects.count() == 2
