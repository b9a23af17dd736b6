"""Volume data for benchmarks: past, decided applications of the vehicle and driving-licence
services, with their history, for people already in the population registry.

What is written, for each application: the `Application` row (number, snapshot of the service
version, applicant and, for a sale, the buyer, channel, answers, fee and payment state, dates,
final state and outcome) and its `ApplicationEvent` rows: `submit`, then each transition of a
shortest path through the service's workflow to the chosen final state, with `pay` (and `refund`
where the definition refunds) where the duty was paid. Outcomes, states, transitions and refusal
grounds all come from the definitions, so a changed workflow changes the data, not this code.

Not written, because other benchmarks measure them and no reader of a past application needs
them: signatures, invoices and payments, result documents, notifications.

The applicants (and buyers) are living adults of the registry; where the vehicle registry has
owners, sales and deregistrations are made by owners of their own plates, and licence
replacements by licence holders. A person without an account gets one whose password is unusable
(no one can sign in with it; `registration_complete` would then find the account taken, which is
fine for benchmark data only).

Numbers are `G<yymmdd>-<serial>`: submitted applications are numbered `Q…` (see
`actions._submit`), so a generated number never takes a real one; the serial continues from the
highest generated one, so running again adds applications without a collision.
"""

from __future__ import annotations

import json
import random
import string
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Substr
from django.utils import timezone

from qyzmet.applications.models import Application, ApplicationEvent, OfficerMembership
from qyzmet.catalogue.schema import FormField, ServiceDefinition
from qyzmet.core.calendar import ALMATY, local_today, working_calendar
from qyzmet.core.mci import fee_tiyn as mci_fee_tiyn
from qyzmet.core.mci import mci_values
from qyzmet.demo.generate_registries import COLOURS, MAKES, vin_random
from qyzmet.demo.generate_workflows import (
    GeneratedService,
    generated_service_prepare,
    history_generate,
)
from qyzmet.identity.models import Account, Person
from qyzmet.registries import validation as rules
from qyzmet.registries.models import DrivingLicence, VehicleRegistration

BATCH = 2000
NUMBER_PREFIX = "G"  # submitted applications are numbered "Q…"
# Shares of the services, from the volumes in shared/domain-kz.md: about 2.5 million vehicle
# registrations and re-registrations a year (most of them changes of owner: the fleet is ~4
# million cars, ~0.2 million new ones a year) against about 1 million licences issued or replaced
# (replacements, every 10 years for ~5 million holders, outnumber first licences).
SHARES: dict[str, int] = {
    "vehicle-re-registration": 52,
    "vehicle-first-registration": 15,
    "driving-licence-replacement": 15,
    "driving-licence-issue": 11,
    "vehicle-deregistration": 7,
}
OUTCOMES: dict[str, float] = {"approved": 0.86, "refused": 0.05, "withdrawn": 0.09}
CHANNELS: dict[str, float] = {Application.Channel.APP: 0.55, Application.Channel.WEB: 0.45}
LANGUAGES: dict[str, float] = {"kk": 0.6, "ru": 0.4}
OWNER_SAMPLE = 200_000  # vehicle owners and licence holders drawn on, at most


class NoPeople(LookupError):
    """The population registry has no living adult to apply."""


@dataclass
class GenerateReport:
    applications: int = 0
    events: int = 0
    accounts: int = 0
    by_service: Counter[str] = field(default_factory=Counter)
    by_outcome: Counter[str] = field(default_factory=Counter)

    @property
    def rows(self) -> int:
        return self.applications + self.events + self.accounts


# --- Who applies -----------------------------------------------------------------------------


@dataclass
class _People:
    adults: list[tuple[int, str]]  # (person id, IIN blind index)
    owners: list[tuple[int, str]]  # (person id, plate) of open vehicle registrations
    holders: list[int]  # people with a driving licence
    index: dict[int, str]  # person id -> IIN blind index, for the accounts


def _people(today: date) -> _People:
    born_before = rules.add_years(today, -18)
    adults = list(
        Person.objects.filter(status=Person.Status.LIVING, birth_date__lte=born_before)
        .order_by("id")
        .values_list("id", "iin_index")
    )
    if not adults:
        raise NoPeople(
            "No living adult is in the population registry: load people first "
            "(manage.py registries_generate --people N, or population_import)."
        )
    living = {pk for pk, _ in adults}
    owners = [
        (owner, plate)
        for owner, plate in VehicleRegistration.objects.filter(ended_on=None)
        .order_by("id")
        .values_list("owner_id", "plate__number")[:OWNER_SAMPLE]
        if owner in living
    ]
    holders = [
        pk
        for pk in DrivingLicence.objects.order_by("id")
        .values_list("holder_id", flat=True)
        .distinct()[:OWNER_SAMPLE]
        if pk in living
    ]
    return _People(adults, owners, holders, dict(adults))


def _accounts(
    person_ids: set[int], people: _People, rng: random.Random
) -> tuple[dict[int, int], int]:
    """The account id of each person, making the missing ones (unusable passwords): (ids, made)."""
    found: dict[int, int] = {}
    ordered = sorted(person_ids)
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start : start + BATCH]
        found.update(Account.objects.filter(person_id__in=chunk).values_list("person_id", "id"))
    missing = [pk for pk in ordered if pk not in found]
    now = timezone.now()
    rows = [
        Account(
            login=f"iin:{people.index[pk]}",  # as `account_login_for_iin` makes it
            person_id=pk,
            password=make_password(None),  # unusable: "!" and random text
            language=_pick(rng, LANGUAGES),
            date_joined=now,
        )
        for pk in missing
    ]
    Account.objects.bulk_create(rows, batch_size=BATCH)
    for start in range(0, len(missing), BATCH):
        chunk = missing[start : start + BATCH]
        found.update(Account.objects.filter(person_id__in=chunk).values_list("person_id", "id"))
    return found, len(rows)


def _pick(rng: random.Random, weights: dict[str, float] | dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# --- What they answered ----------------------------------------------------------------------


def _plate(rng: random.Random) -> str:
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
    return f"{rng.randint(1, 999):03d} {letters} {rng.randint(1, 20):02d}"


def _value(
    item: FormField, rng: random.Random, today: date, plate: str, counterparty_iin: str
) -> str | bool | int:
    """A plausible answer to one question, valid for its type and bounds."""
    if item.type == "select":
        return rng.choice(item.options).value
    if item.type == "boolean":
        return rng.random() < 0.1
    if item.type == "plate":
        return plate or _plate(rng)
    if item.type == "vin":
        return vin_random(rng)
    if item.type == "iin":
        return counterparty_iin
    if item.type == "date":
        return (today - timedelta(days=rng.randrange(1, 365))).isoformat()
    if item.type == "number":
        low = item.minimum if item.minimum is not None else Decimal(0)
        high = item.maximum if item.maximum is not None else low + 1000
        if item.key == "year":
            return rng.randint(max(int(low), today.year - 25), min(int(high), today.year))
        if item.key == "price":
            return rng.randrange(800_000, 25_000_000, 10_000)
        return rng.randint(int(low), int(min(high, low + 1000)))
    if item.type == "phone":
        return f"+7701{rng.randrange(10**7):07d}"
    words = {"make": rng.choice(MAKES)[0], "colour": rng.choice(COLOURS)}
    if item.key == "model":
        return rng.choice(rng.choice(MAKES)[1])
    text = words.get(item.key, "Generated for a benchmark")
    if item.max_length is not None:
        text = text[: item.max_length]
    if item.min_length is not None and len(text) < item.min_length:
        text = text.ljust(item.min_length, ".")
    return text


def _answers(
    definition: ServiceDefinition,
    rng: random.Random,
    today: date,
    plate: str,
    counterparty_iin: str,
) -> dict[str, Any]:
    """Answers to every question the form asks, given the answers before it (`show_if`)."""
    answers: dict[str, Any] = {}
    for item in definition.form:
        if item.show_if is not None and not item.show_if.matches(answers):
            continue
        if not item.required and rng.random() < 0.5:
            continue
        answers[item.key] = _value(item, rng, today, plate, counterparty_iin)
    return answers


# --- When -----------------------------------------------------------------------------------


def _submitted_at(rng: random.Random, now: datetime, years: int) -> datetime:
    """A moment in the past `years`, in the day's busy hours (Almaty), weekdays more often."""
    while True:
        day = now.astimezone(ALMATY).date() - timedelta(days=rng.randint(1, 365 * years))
        if day.weekday() < 5 or rng.random() < 0.35:
            break
    hour = min(23, max(7, int(rng.gauss(14, 3.5))))
    local = datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60),
                     rng.randrange(1_000_000), tzinfo=ALMATY)  # fmt: skip
    return local.astimezone(timezone.get_current_timezone())


class _Fees:
    """Duties at the MCI of the day, cached by (multiple, day); before the first MCI in the
    data, at the first one."""

    def __init__(self) -> None:
        self.first = mci_values()[0].since
        self.cache: dict[tuple[Decimal, date], int] = {}

    def on(self, multiple: Decimal, day: date) -> int:
        key = (multiple, max(day, self.first))
        if key not in self.cache:
            self.cache[key] = mci_fee_tiyn(mci_multiple=multiple, on=key[1]) if multiple else 0
        return self.cache[key]


# --- Writing ---------------------------------------------------------------------------------


@dataclass
class _Draft:
    """One application before its accounts are known."""

    application: Application
    events: list[dict[str, Any]]
    applicant: int  # person ids
    counterparty: int | None


def _next_serial() -> int:
    top = (
        Application.objects.filter(number__startswith=NUMBER_PREFIX)
        .annotate(serial=Substr("number", len(NUMBER_PREFIX) + 8))
        .aggregate(top=Max("serial"))["top"]
    )
    return int(top) + 1 if top else 1


@dataclass
class _Who:
    """Who applies: the applicant, the second party if any (and their IIN), the plate owned."""

    applicant: int
    counterparty: int | None = None
    counterparty_iin: str = ""
    plate: str = ""


class _Generator:
    def __init__(self, rng: random.Random, years: int, people: _People) -> None:
        self.rng = rng
        self.years = years
        self.people = people
        self.now = timezone.now()
        self.services = {code: generated_service_prepare(code=code) for code in SHARES}
        self.fees = _Fees()
        self.calendar = working_calendar()

    def who(self, service: GeneratedService) -> _Who:
        """A plausible applicant (an owner sells or deregisters their own plate, a holder
        replaces their licence) and, for a sale, a buyer who is someone else."""
        rng, people = self.rng, self.people
        change = service.definition.result.registry_change
        action = (change.registry, change.action) if change is not None else ("", "")
        who = _Who(rng.choice(people.adults)[0])
        if action in (("vehicle", "change_owner"), ("vehicle", "deregister")) and people.owners:
            owner, plate = rng.choice(people.owners)
            who = _Who(owner, plate=plate)
        elif action == ("licence", "replace") and people.holders:
            who = _Who(rng.choice(people.holders))
        if service.definition.counterparty is not None:
            if len(people.adults) < 2:
                raise NoPeople("A sale needs two people in the population registry.")
            while who.counterparty in (None, who.applicant):
                who.counterparty = rng.choice(people.adults)[0]
        return who

    def draft(self, service: GeneratedService, serial: int, who: _Who) -> _Draft:
        rng = self.rng
        definition = service.definition
        outcome = _pick(rng, {o: w for o, w in OUTCOMES.items() if o in service.ends})
        end = rng.choice(service.ends[outcome])
        submitted = _submitted_at(rng, self.now, self.years)
        day = submitted.astimezone(ALMATY).date()
        answers = _answers(definition, rng, day, who.plate, who.counterparty_iin)
        fee = self.fees.on(definition.fee.mci_for(answers), day)
        events, payment = history_generate(
            definition=definition, end=end, fee=fee, submitted=submitted, rng=rng
        )
        late = events[-1]["created_at"] - (self.now - timedelta(minutes=1))
        if late > timedelta(0):  # keep the whole history in the past
            for event in events:
                event["created_at"] -= late
        submitted = events[0]["created_at"]
        day = submitted.astimezone(ALMATY).date()
        decided = next(
            e["created_at"]
            for e in reversed(events)
            if e["to_state"] == end.state and e["from_state"] != end.state
        )
        application = Application(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            number=f"{NUMBER_PREFIX}{day:%y%m%d}-{serial:09d}",
            service_id=service.snapshot_id,
            agency=definition.agency,
            person_id=who.applicant,
            counterparty_id=who.counterparty,
            channel=_pick(rng, CHANNELS),
            state=end.state,
            form_data=json.dumps(answers, ensure_ascii=False),
            fee_tiyn=fee,
            payment=payment,
            created_at=submitted - timedelta(minutes=rng.uniform(1, 15)),
            updated_at=events[-1]["created_at"],
            submitted_at=submitted,
            signed_at=submitted,
            due_date=self.calendar.add_working_days(
                day, definition.term.working_days, count_start=definition.term.receipt_day_counted
            ),
            decided_at=decided,
            outcome=end.outcome,
            lock_version=len(events),
        )
        return _Draft(application, events, who.applicant, who.counterparty)


def _write(drafts: Sequence[_Draft], accounts: dict[int, int], officers: dict[str, int]) -> int:
    """Insert a batch of applications and their events; answers the events written."""
    events = []
    for draft in drafts:
        application = draft.application
        application.applicant_id = accounts[draft.applicant]
        actors = {
            "applicant": accounts[draft.applicant],
            "counterparty": accounts.get(draft.counterparty or 0),
            "officer": officers.get(application.agency),
        }
        for values in draft.events:
            actor = values.pop("actor")
            events.append(
                ApplicationEvent(
                    application_id=application.pk,
                    actor_id=actors[actor] if actor is not None else None,
                    on_behalf_of_id=draft.applicant,
                    **values,
                )
            )
    Application.objects.bulk_create([d.application for d in drafts], batch_size=BATCH)
    ApplicationEvent.objects.bulk_create(events, batch_size=BATCH)
    return len(events)


def _iins(person_ids: set[int]) -> dict[int, str]:
    """The IINs (decrypted) of the second parties a batch names in its answers."""
    found: dict[int, str] = {}
    ordered = sorted(person_ids)
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start : start + BATCH]
        found.update((p.pk, p.iin) for p in Person.objects.filter(pk__in=chunk).only("id", "iin"))
    return found


def _officers() -> dict[str, int]:
    """One officer account per agency, to stand for whoever decided the officers' steps (none
    where an agency has no officer: those steps then name no actor)."""
    officers: dict[str, int] = {}
    for agency, account in OfficerMembership.objects.order_by("id").values_list(
        "agency", "account_id"
    ):
        officers.setdefault(agency, account)
    return officers


def applications_generate(*, count: int, seed: int, years: int = 1) -> GenerateReport:
    """Write `count` decided applications submitted over the past `years`, in one transaction.
    The same seed on the same database gives the same data; a further run adds new ones."""
    if count < 0 or years < 1:
        raise ValueError("count must be 0 or more and years 1 or more")
    report = GenerateReport()
    if not count:
        return report
    with transaction.atomic():
        serial = _next_serial()
        rng = random.Random(f"{seed}:{serial}")  # noqa: S311 - benchmark data, not secrets
        people = _people(local_today())
        generator = _Generator(rng, years, people)
        officers = _officers()
        codes, weights = list(SHARES), list(SHARES.values())
        for start in range(0, count, BATCH):
            chosen = [
                (generator.services[code], None)
                for code in rng.choices(codes, weights=weights, k=min(BATCH, count - start))
            ]
            plans = [(service, generator.who(service)) for service, _ in chosen]
            iins = _iins({w.counterparty for _, w in plans if w.counterparty is not None})
            drafts = []
            for service, who in plans:
                if who.counterparty is not None:
                    who.counterparty_iin = iins[who.counterparty]
                drafts.append(generator.draft(service, serial, who))
                serial += 1
                report.by_service[service.code] += 1
                report.by_outcome[drafts[-1].application.outcome] += 1
            wanted = {d.applicant for d in drafts} | {
                d.counterparty for d in drafts if d.counterparty is not None
            }
            accounts, made = _accounts(wanted, people, rng)
            report.accounts += made
            report.events += _write(drafts, accounts, officers)
            report.applications += len(drafts)
    return report
