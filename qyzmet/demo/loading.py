"""Demo data: the generated population registry, the demo CA, and demo accounts with bound
phones. Idempotent: a second run changes nothing."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import transaction

from qyzmet.applications.models import OfficerMembership
from qyzmet.catalogue.selectors import catalogue_get
from qyzmet.core import crypto
from qyzmet.demo import accounts
from qyzmet.demo.accounts import DemoAccount
from qyzmet.demo.applications import demo_applications_load
from qyzmet.demo.feedback import feedback_demo_load
from qyzmet.demo.people import demo_population_rows
from qyzmet.demo.registries import registries_demo_load
from qyzmet.demo.surveys import surveys_demo_load
from qyzmet.identity.actions.phone import phone_bind
from qyzmet.identity.models import Account, Person, PhoneBinding
from qyzmet.identity.phones import phone_parse
from qyzmet.identity.population import ImportReport, population_import
from qyzmet.identity.selectors import account_login_for_iin, age_on, person_get_by_iin
from qyzmet.signatures.actions import demo_ca_ensure


def demo_population_load() -> ImportReport:
    """Load the demo population (see `qyzmet.demo.people`); a second call creates nothing. When
    every demo IIN is already in the registry the import is skipped, so `make run` restarts
    quickly."""
    rows = demo_population_rows()
    indexer = crypto.BlindIndexer(purpose="iin")
    wanted = {indexer(row["iin"]) for row in rows}
    present = 0
    for chunk in (sorted(wanted)[i : i + 500] for i in range(0, len(wanted), 500)):
        present += Person.objects.filter(iin_index__in=chunk).count()
    if present == len(wanted):
        return ImportReport(created=0, updated=0, rejected=[], unchanged=len(wanted))
    return population_import(rows=rows)


def _adults(count: int) -> list[str]:
    """IINs of the first `count` living adults of the demo registry, in file order."""
    picked: list[str] = []
    for row in demo_population_rows():
        born = date.fromisoformat(row["birth_date"])
        if row.get("status", "living") == "living" and 25 <= age_on(born) <= 60:
            picked.append(row["iin"])
        if len(picked) == count:
            break
    return picked


def _citizen(iin: str, phone: str, *, staff: bool = False) -> Person:
    person = person_get_by_iin(iin=iin)
    assert person is not None  # noqa: S101 - the demo registry was loaded first
    account = Account.objects.filter(login=account_login_for_iin(iin)).first()
    if account is None:
        account = Account(login=account_login_for_iin(iin), person=person, is_staff=staff)
        account.set_password(accounts.CITIZEN_PASSWORD)
        account.save()
        phone_bind(
            person=person,
            phone=phone,
            operator=phone_parse(phone).operator,
            method=PhoneBinding.Method.REGISTRATION,
        )
    if staff:
        account.user_permissions.add(Permission.objects.get(codename="view_person"))
        for agency in catalogue_get().agencies:  # the demo officer works every agency's queue
            OfficerMembership.objects.get_or_create(
                account=account, agency=agency, role=OfficerMembership.Role.SUPERVISOR
            )
    return person


def demo_data_load() -> None:
    demo_population_load()
    registries_demo_load()
    surveys_demo_load()  # after the population: it keeps the registry's margins on closing
    demo_ca_ensure()
    iins = _adults(len(accounts.CITIZEN_PHONES) + 2)
    officer_iin, admin_iin = iins[len(accounts.CITIZEN_PHONES) :]
    with transaction.atomic():
        people = [
            _citizen(iin, phone) for iin, phone in zip(iins, accounts.CITIZEN_PHONES, strict=False)
        ]
        officer = _citizen(officer_iin, accounts.OFFICER_PHONE, staff=True)
        admin = _citizen(admin_iin, accounts.ADMIN_PHONE)
        Account.objects.filter(person=admin).update(is_staff=True, is_superuser=True)
    officer_account = Account.objects.get(person=officer)
    citizens = [Account.objects.get(person=person) for person in people]
    demo_applications_load(citizens=citizens, officer=officer_account)
    feedback_demo_load(citizens=citizens, analyst=officer_account)


def demo_account_list() -> list[DemoAccount]:
    iins = _adults(len(accounts.CITIZEN_PHONES) + 2)
    officer_iin, admin_iin = iins[len(accounts.CITIZEN_PHONES) :]
    people = [
        DemoAccount(
            role=f"citizen {n}",
            login=iin,
            password=accounts.CITIZEN_PASSWORD,
            where="/signin/",
            phone=phone,
        )
        for n, (iin, phone) in enumerate(zip(iins, accounts.CITIZEN_PHONES, strict=False), 1)
    ]
    officer = DemoAccount(
        role="officer", login=officer_iin, password=accounts.CITIZEN_PASSWORD,
        where="/office/queue/", phone=accounts.OFFICER_PHONE, kind=accounts.Kind.OFFICER,
    )  # fmt: skip
    admin = DemoAccount(
        role="administrator", login=admin_iin, password=accounts.CITIZEN_PASSWORD,
        where=f"/{settings.QYZMET_ADMIN_PATH}", phone=accounts.ADMIN_PHONE,
        kind=accounts.Kind.ADMINISTRATOR,
    )  # fmt: skip
    return [*people, officer, admin]
