"""What the demo's banner tells a newcomer, read from the database as it is now: who each demo
account is, which demo citizen has a car sale waiting for their confirmation as its buyer,
which one has a driving licence the registry would replace online, where the officer's queue
has work, and an IIN of the population registry that nobody has registered yet. Reads only:
when someone registers that IIN, the next banner names another; when the sale is confirmed or
the licence replaced, the banner stops offering it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import reverse

from qyzmet.applications.models import Application, OfficerMembership
from qyzmet.applications.overview import application_overview, application_overview_list
from qyzmet.applications.selectors import agency_queue
from qyzmet.core.calendar import local_today
from qyzmet.demo.accounts import DemoAccount, Kind
from qyzmet.demo.loading import demo_account_list
from qyzmet.identity.models import Account, Person
from qyzmet.identity.selectors import account_get_by_iin, person_get_by_iin
from qyzmet.registries.models import DrivingLicence
from qyzmet.registries.selectors import licence_latest, medical_valid

ADULT_AGE = 18  # the IIN offered for registration is a grown-up's: no parent acts for them
BANNER_LANGUAGE = "en"  # the terminal's banner, as the rest of `make run`'s output


@dataclass(frozen=True, slots=True)
class DemoPerson:
    """A demo account and, for a citizen or the officer, who they are in the registry."""

    account: DemoAccount
    name: str  # "" before the demo is loaded, and for the administrator
    person: Person | None
    signed_up: Account | None


@dataclass(frozen=True, slots=True)
class WaitingSale:
    """A car sale waiting for its buyer's confirmation, as the buyer sees it."""

    buyer: DemoPerson
    application_id: str
    vehicle: str  # "Chevrolet Cobalt 2019, silver, 123 ABC 02"
    seller: str
    price: str


@dataclass(frozen=True, slots=True)
class ReplaceableLicence:
    """An expired licence whose holder has a valid medical certificate on file: the registry
    replaces it online."""

    holder: DemoPerson
    number: str
    expired_on: date


@dataclass(frozen=True, slots=True)
class DemoGuide:
    people: tuple[DemoPerson, ...]  # the citizens, the officer, the administrator
    sale: WaitingSale | None
    licence: ReplaceableLicence | None
    queue_path: str  # the officer's queue, on the agency with open applications
    unregistered_iin: str | None


def demo_people() -> tuple[DemoPerson, ...]:
    found = []
    for account in demo_account_list():
        person = person_get_by_iin(iin=account.login) if account.login.isdigit() else None
        found.append(
            DemoPerson(
                account=account,
                name=person.full_name if person else "",
                person=person,
                signed_up=account_get_by_iin(iin=account.login) if person else None,
            )
        )
    return tuple(found)


def waiting_sale(people: tuple[DemoPerson, ...]) -> WaitingSale | None:
    """The first demo citizen (in the banner's order) with a sale waiting for them as buyer."""
    for buyer in people:
        if buyer.signed_up is None or buyer.account.kind != Kind.CITIZEN:
            continue
        waiting = next(
            (
                o
                for o in application_overview_list(
                    account=buyer.signed_up, language=BANNER_LANGUAGE
                )
                if o.party == "counterparty" and o.waiting_for_you
            ),
            None,
        )
        if waiting is None:
            continue
        overview = application_overview(
            account=buyer.signed_up,
            application=Application.objects.select_related("service").get(pk=waiting.id),
            language=BANNER_LANGUAGE,
        )
        subject = overview.subject
        return WaitingSale(
            buyer=buyer,
            application_id=overview.id,
            vehicle=subject.vehicle_text if subject else overview.service_name,
            seller=subject.seller_name if subject else "",
            price=subject.price_text if subject else "",
        )
    return None


def replaceable_licence(
    people: tuple[DemoPerson, ...], *, today: date | None = None
) -> ReplaceableLicence | None:
    """The first demo citizen whose newest licence has expired while a medical certificate is
    on file (what `licence_replace` needs for an expired licence)."""
    today = today or local_today()
    for holder in people:
        if holder.person is None or holder.account.kind != Kind.CITIZEN:
            continue
        licence = licence_latest(person=holder.person)
        if licence is None or licence.status not in (
            DrivingLicence.Status.VALID,
            DrivingLicence.Status.EXPIRED,
        ):
            continue
        expired = licence.status == DrivingLicence.Status.EXPIRED or licence.expires < today
        if expired and medical_valid(person=holder.person, on=today) is not None:
            return ReplaceableLicence(
                holder=holder, number=licence.number, expired_on=licence.expires
            )
    return None


def officer_queue_path(people: tuple[DemoPerson, ...]) -> str:
    """The queue page on the first of the officer's agencies (by code) with open applications;
    the page's own default agency when none has any."""
    path = reverse("backoffice:queue")
    officer = next((p for p in people if p.account.kind == Kind.OFFICER), None)
    if officer is None or officer.signed_up is None:
        return path
    agencies = sorted(
        OfficerMembership.objects.filter(account=officer.signed_up)
        .values_list("agency", flat=True)
        .distinct()
    )
    for agency in agencies:
        if agency_queue(account=officer.signed_up, agency=agency):
            return f"{path}?agency={agency}"
    return path


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def unregistered_iin(*, today: date | None = None) -> str | None:
    """The IIN of the first living adult of the population registry (in the order the registry
    was loaded) who has no account: the same one on every run until somebody registers it."""
    born_by = _years_before(today or local_today(), ADULT_AGE)
    person = (
        Person.objects.filter(
            status=Person.Status.LIVING, birth_date__lte=born_by, account__isnull=True
        )
        .order_by("pk")
        .first()
    )
    return person.iin if person else None


def demo_guide() -> DemoGuide:
    people = demo_people()
    return DemoGuide(
        people=people,
        sale=waiting_sale(people),
        licence=replaceable_licence(people),
        queue_path=officer_queue_path(people),
        unregistered_iin=unregistered_iin(),
    )
