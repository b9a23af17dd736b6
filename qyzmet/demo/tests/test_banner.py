"""The banner `make run` prints (`manage.py demo_accounts`, inside `demo_prepare`): who has the
car sale waiting, who has the licence to replace, where the officer's queue is, and an IIN
that registers; all read from the database, so they follow it when it changes."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from conftest import PASSWORD, CommittingClient, last_code
from qyzmet.applications.models import Application
from qyzmet.demo.accounts import DemoAccount, Kind
from qyzmet.demo.banner import banner_lines
from qyzmet.demo.selectors import (
    DemoGuide,
    DemoPerson,
    ReplaceableLicence,
    WaitingSale,
    replaceable_licence,
    unregistered_iin,
)
from qyzmet.identity.models import Person
from qyzmet.identity.selectors import account_get_by_iin, person_get_by_iin
from qyzmet.identity.tests.factories import citizen_create, person_create
from qyzmet.registries.models import DrivingLicence, MedicalCertificate

BASE = "http://demo.example:8077"
TODAY = date(2026, 6, 15)


def _flat(text: str) -> str:
    """The banner with its wrapping undone, to read sentences across lines."""
    return " ".join(text.split())


def _banner(command: str = "demo_accounts") -> str:
    out = io.StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def _iin_to_register(text: str) -> str:
    match = re.search(r"IIN (\d{12}) is in the population registry with no account yet", text)
    assert match, text
    return match.group(1)


@pytest.mark.django_db(transaction=True)
@override_settings(QYZMET_PUBLIC_URL=BASE)
def test_the_banner_names_the_buyer_the_licence_the_queue_and_an_iin_that_registers() -> None:
    text = _flat(_banner("demo_prepare"))

    sale = Application.objects.get(service__code="vehicle-re-registration")
    buyer = sale.counterparty
    assert buyer is not None
    assert f"A car sale waits for its buyer, citizen 2 ({buyer.full_name}, {buyer.iin})" in text
    assert "Chevrolet Cobalt 2019, silver, " in text
    assert f"confirm it at {BASE}/applications/{sale.pk}/" in text

    expired = DrivingLicence.objects.get(status=DrivingLicence.Status.EXPIRED)
    assert (
        f"{expired.holder.full_name}, {expired.holder.iin}) holds driving licence "
        f"{expired.number}, expired on {expired.expires.isoformat()}"
    ) in text
    assert f"{BASE}/services/driving-licence-replacement/" in text

    in_review = Application.objects.get(state="in_review")
    assert f"{BASE}/office/queue/?agency={in_review.agency}" in text

    iin = _iin_to_register(text)
    assert person_get_by_iin(iin=iin) is not None
    assert account_get_by_iin(iin=iin) is None

    # Someone registers it, as the phone app does: the next banner names another.
    api = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    started = api.post(
        "/api/v1/auth/register/start",
        {"iin": iin, "phone": "+77015550101"},
        content_type="application/json",
    )
    assert started.status_code == 202, started.json()
    completed = api.post(
        "/api/v1/auth/register/complete",
        {"code_id": started.json()["code_id"], "code": last_code(api, "+77015550101"),
         "password": PASSWORD, "device": "Pixel 8"},
        content_type="application/json",
    )  # fmt: skip
    assert completed.status_code == 201, completed.json()

    again = _iin_to_register(_flat(_banner()))
    assert again != iin
    assert account_get_by_iin(iin=again) is None


@pytest.mark.django_db
def test_demo_prepare_is_for_demo_mode_only() -> None:
    with override_settings(QYZMET_DEMO=False), pytest.raises(CommandError):
        call_command("demo_prepare", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_iin_to_register_is_the_first_living_adult_without_an_account() -> None:
    person_create(birth_date=date(2009, 1, 1), sex="M")  # 17 on TODAY
    person_create(birth_date=date(1960, 1, 1), sex="M", status=Person.Status.DECEASED)
    citizen_create(birth_date=date(1980, 1, 1), sex="F")  # registered
    first = person_create(birth_date=date(2008, 6, 15), sex="F")  # 18 on TODAY
    person_create(birth_date=date(1970, 1, 1), sex="M")

    assert unregistered_iin(today=TODAY) == first.iin
    assert unregistered_iin(today=TODAY) == first.iin  # the same until someone registers it
    assert unregistered_iin(today=date(2026, 6, 14)) != first.iin  # 17 the day before


@pytest.mark.django_db
def test_nobody_to_register_when_everyone_has_an_account() -> None:
    citizen_create(birth_date=date(1980, 1, 1), sex="F")
    assert unregistered_iin(today=TODAY) is None


def _citizen(role: str, person: Person) -> DemoPerson:
    account = DemoAccount(role=role, login=person.iin, password="x", where="/signin/")
    return DemoPerson(account=account, name=person.full_name, person=person, signed_up=None)


def _licence(person: Person, number: str, expires: date, status: str) -> None:
    DrivingLicence.objects.create(
        number=number,
        holder=person,
        categories=[{"category": "B", "issued": "2015-09-01"}],
        issued=date(2015, 9, 1),
        expires=expires,
        status=status,
    )


def _medical(person: Person, number: str) -> None:
    MedicalCertificate.objects.create(
        number=number, person=person, issued=date(2026, 5, 1), expires=date(2027, 3, 1),
        categories=["B"], issuer="Емхана",
    )  # fmt: skip


@pytest.mark.django_db
def test_the_licence_offered_is_expired_with_a_medical_certificate_on_file() -> None:
    valid = person_create(birth_date=date(1980, 1, 1), sex="M")
    no_medical = person_create(birth_date=date(1981, 1, 1), sex="M")
    outdated = person_create(birth_date=date(1982, 1, 1), sex="F")
    _licence(valid, "AA0000001", date(2030, 1, 1), DrivingLicence.Status.VALID)
    _medical(valid, "MED-1")
    _licence(no_medical, "AA0000002", date(2025, 9, 1), DrivingLicence.Status.EXPIRED)
    # Still "valid" in the registry, but past its date: expired all the same.
    _licence(outdated, "AA0000003", date(2026, 1, 1), DrivingLicence.Status.VALID)
    _medical(outdated, "MED-3")
    people = (
        _citizen("citizen 1", valid),
        _citizen("citizen 2", no_medical),
        _citizen("citizen 3", outdated),
    )

    found = replaceable_licence(people, today=TODAY)

    assert found is not None
    assert (found.holder.account.role, found.number) == ("citizen 3", "AA0000003")
    assert replaceable_licence(people[:2], today=TODAY) is None


@override_settings(QYZMET_PUBLIC_URL=BASE)
def test_the_banner_leaves_out_what_is_not_there_and_wraps_for_a_terminal() -> None:
    officer = DemoAccount(
        role="officer", login="931228401180", password="p", where="/office/queue/",
        phone="+77070000009", kind=Kind.OFFICER,
    )  # fmt: skip
    admin = DemoAccount(
        role="administrator", login="850101300011", password="p", where="/admin/",
        phone="+77070000008", kind=Kind.ADMINISTRATOR,
    )  # fmt: skip
    people = (
        DemoPerson(account=officer, name="Әлиева Жанар", person=None, signed_up=None),
        DemoPerson(account=admin, name="", person=None, signed_up=None),
    )
    bare = DemoGuide(
        people=people, sale=None, licence=None, queue_path="/office/queue/", unregistered_iin=None
    )

    text = "\n".join(banner_lines(bare))

    assert "car sale" not in text and "licence" not in text and "Registration" not in text
    assert f"{BASE}/office/queue/" in text
    assert "administrator  850101300011  p" in text and f"{BASE}/admin/" in text
    assert all(len(line) <= 100 or BASE in line for line in text.splitlines())

    buyer = people[0]
    full = DemoGuide(
        people=people,
        sale=WaitingSale(buyer=buyer, application_id="abc", vehicle="Lada Granta 2018",
                         seller="Оспанов Рүстем", price="1,000.00 ₸"),
        licence=ReplaceableLicence(holder=buyer, number="AC7654321", expired_on=TODAY),
        queue_path="/office/queue/?agency=mvd",
        unregistered_iin="730825300582",
    )  # fmt: skip
    flat = _flat("\n".join(banner_lines(full)))
    assert "Lada Granta 2018 from Оспанов Рүстем for 1,000.00 ₸" in flat
    assert f"confirm it at {BASE}/applications/abc/" in flat
    assert "driving licence AC7654321, expired on 2026-06-15" in flat
    assert "IIN 730825300582 is in the population registry with no account yet" in flat
    assert f"{BASE}/register/" in flat
