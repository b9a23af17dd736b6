"""Car sales (re-registrations on change of owner) per second, end to end, against the national
peak and against the same SQL without Django, in the same run.

    .venv/bin/python bench/vehicles.py [--backends postgresql,sqlite] [--processes 4]
        [--seconds 20] [--http-sales 40] [--clients 8] [--history 20000] [--profile 20]

For each backend (PostgreSQL in a fresh database `qyzmet_bench_vehicles`, dropped at the end;
SQLite for comparison), in a process of its own, with the applications bench's environment
(demo mode, generous code limits, cheap Argon2 for setting up):

1. setup, not timed: migrate; people (`registries_generate`), one car for each seller, an
   account (unusable password: nobody signs in in-process) and a phone for each seller and
   buyer; past applications as volume (`applications_generate`, `--history`);
2. record the SQL of one whole sale (`execute_wrapper`); then `--profile` sales one after another
   in this process with timers (CPU, wall time and statements per step) and as many again under
   cProfile (the functions that cost most: `--show-profile`);
3. in-process: `--processes` processes, each selling its own cars for `--seconds`, through the
   domain actions the API calls:
   `application_start` (channel app) → `application_draft_save` {plate, buyer_iin, price} →
   `application_sign_sms_start` → the code from the demo SMS sink → `application_submit`
   (Idempotency-Key; the car is checked, the buyer asked) → `application_countersign_sms_start`
   → the code → `application_countersign` (the duty invoice) → the buyer's unpaid invoices →
   `payment_create` → `sandbox_card_submit` (test card) → `sandbox_notify`: the bank's signed
   notification received by `webhook_receive`, as the worker's task delivers it; the credit
   calls `duty_paid`, which runs `register_automatically`, and the registry changes owner in
   that same transaction. The two codes are issued and read inside the timed sale (the reading
   is a step of its own). The result document and the status SMS are the worker's later tasks
   and are not run; the setup's accounts are loaded before each sale, untimed;
4. over HTTP: gunicorn (gthread, as `manage.py serve`), `--http-sales` sales from `--clients`
   threads, each sale the phone apps of seller and buyer, 13 requests: seller POST draft, PATCH
   answers, POST sign/sms, GET the code from /dev/outbox.json, POST submit; buyer POST
   countersign/sms, GET the code, POST countersign, GET the unpaid invoices, POST payments, POST
   the sandbox card, then the bank's signed notification POSTed to the webhook, and the buyer
   reads the application;
5. baseline: the recorded INSERT/UPDATE statements of one sale, in the same transactions, with
   new keys every time and each client re-registering a car of its own, by pgbench at
   `--processes` clients (PostgreSQL) or a plain sqlite3 loop (SQLite);
6. check: every sale ended `registered`, and each car has exactly one open registration, the
   buyer's (a count of failures is printed; nothing is asserted).

Nothing is asserted: the script prints figures. Every process and the database share the machine.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import multiprocessing
import os
import pstats
import re
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.applications import (  # noqa: E402 - needs the project root on the path first
    Api,
    Figure,
    SqlRecorder,
    Statement,
    backend_environment,
    client_address,
    each_backend,
    gunicorn,
    is_write,
    log,
    percentile,
    pgbench,
    sign_in_all,
    sqlite_connect,
    sqlite_sql,
    uuid_key,
)

SERVICE = "vehicle-re-registration"
PG_DATABASE = "qyzmet_bench_vehicles"
CODE = re.compile(r"\b(\d{6})\b")
PRICE = 4_500_000
# The national peak (shared/domain-kz.md): about 2.5 million registrations and re-registrations
# a year; the busiest hour assumes working hours only (9:00-18:00, ~250 working days) and twice
# the mean hour. The aim: >= 50 re-registrations a second on this 2-core machine.
YEARLY = 2_500_000
WORKING_DAYS = 250
WORKING_HOURS = 9
PEAK_FACTOR = 2
AIM = 50.0
STEPS = (
    "start",
    "answers",
    "sign code",
    "read code",
    "submit",
    "countersign code",
    "read code 2",
    "countersign",
    "invoices",
    "pay",
    "card",
    "bank notification (credit + re-registration)",
)


def national_need() -> dict[str, float]:
    average = YEARLY / (365 * 24 * 3600)
    busiest = YEARLY / (WORKING_DAYS * WORKING_HOURS * 3600) * PEAK_FACTOR
    return {"average_per_s": average, "busiest_hour_per_s": busiest}


# --- Setting up the sales ------------------------------------------------------------------------


@dataclass
class Sale:
    seller: int  # account ids
    buyer: int
    buyer_person: int
    buyer_iin: str
    seller_phone: str
    buyer_phone: str
    seller_client: str
    buyer_client: str
    vehicle: int
    plate: str
    application: str = ""


def sales_setup(count: int, *, seed: int) -> list[Sale]:
    """`count` sales ready to run: a seller owning one car, a buyer, both with an account and a
    bound phone. Bulk writes: setting up is not what is measured."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from qyzmet.core.calendar import add_years
    from qyzmet.core.crypto import blind_index
    from qyzmet.demo.generate_registries import registries_generate
    from qyzmet.identity.models import Account, Person, PhoneBinding
    from qyzmet.registries.models import VehicleRegistration

    before = set(VehicleRegistration.objects.filter(ended_on=None).values_list("id", flat=True))
    registries_generate(people=3 * count + 200, vehicles=count, seed=seed)
    fresh = list(
        VehicleRegistration.objects.filter(ended_on=None)
        .exclude(id__in=before)
        .order_by("id")
        .values_list("vehicle_id", "owner_id", "plate__number")
    )
    sellers = {owner for _, owner, _ in fresh}
    taken = set(Account.objects.filter(person__isnull=False).values_list("person_id", flat=True))
    taken |= set(PhoneBinding.objects.filter(active=True).values_list("person_id", flat=True))
    adult = add_years(date.today(), -19)  # (29 February has no twin 19 years back)
    candidates = (
        Person.objects.filter(status=Person.Status.LIVING, birth_date__lt=adult)
        .exclude(id__in=sellers | taken)
        .order_by("id")
    )
    buyers = list(candidates.only("id", "iin")[: len(fresh)])
    if len(buyers) < len(fresh) or sellers & taken:
        raise RuntimeError("not enough people for the sales")
    people = [owner for _, owner, _ in fresh] + [b.pk for b in buyers]
    index = dict(Person.objects.filter(id__in=people).values_list("id", "iin_index"))
    first = PhoneBinding.objects.count() + 1
    phones = {pk: f"+7705{first + n:07d}" for n, pk in enumerate(people)}
    with transaction.atomic():
        Account.objects.bulk_create(
            [
                Account(
                    login=f"iin:{index[pk]}",
                    person_id=pk,
                    language="en",
                    password=make_password(None),
                )
                for pk in people
            ],
            batch_size=2000,
        )
        PhoneBinding.objects.bulk_create(
            [
                PhoneBinding(
                    person_id=pk,
                    phone=phone,
                    phone_index=blind_index(phone, purpose="phone"),
                    operator="Beeline",
                    method=PhoneBinding.Method.IMPORT,
                )
                for pk, phone in phones.items()
            ],
            batch_size=2000,
        )
    accounts = dict(Account.objects.filter(person_id__in=people).values_list("person_id", "id"))
    out = []
    for n, ((vehicle, seller, plate), buyer) in enumerate(zip(fresh, buyers, strict=False)):
        out.append(
            Sale(
                seller=accounts[seller],
                buyer=accounts[buyer.pk],
                buyer_person=buyer.pk,
                buyer_iin=buyer.iin,
                seller_phone=phones[seller],
                buyer_phone=phones[buyer.pk],
                seller_client=client_address(2 * n + 1000),
                buyer_client=client_address(2 * n + 1001),
                vehicle=vehicle,
                plate=plate,
            )
        )
    return out


def baseline_vehicles(clients: int) -> tuple[int, int]:
    """One car per pgbench client, each with an open registration, with consecutive ids: the
    baseline re-registers client c's car `first vehicle + c` on its plate `first plate + c`.
    Answers (first vehicle id, first plate id)."""
    import random

    from qyzmet.demo.generate_registries import plate_from_index, vin_random
    from qyzmet.identity.models import Person
    from qyzmet.registries.models import Plate, Vehicle, VehicleRegistration

    rng = random.Random(7)
    owner = Person.objects.order_by("id").values_list("id", flat=True).first()
    plates = Plate.objects.bulk_create(
        [
            Plate(number=plate_from_index(900_000 + n, "20"), region="20", status="assigned")
            for n in range(clients)
        ]
    )
    vehicles = Vehicle.objects.bulk_create(
        [
            Vehicle(
                vin=vin_random(rng),
                make="Lada",
                model="Granta",
                year=2020,
                colour="white",
                category="B",
            )
            for _ in range(clients)
        ]
    )
    if not plates[0].pk or not vehicles[0].pk:  # SQLite before RETURNING: read them back
        plates = list(Plate.objects.order_by("-id")[:clients])[::-1]
        vehicles = list(Vehicle.objects.order_by("-id")[:clients])[::-1]
    for rows in (plates, vehicles):
        ids = [r.pk for r in rows]
        if ids != list(range(ids[0], ids[0] + clients)):
            raise RuntimeError("the baseline's cars did not get consecutive ids")
    VehicleRegistration.objects.bulk_create(
        [
            VehicleRegistration(
                vehicle=v,
                owner_id=owner,
                plate=p,
                reason="first",
                certificate_number=f"BL{n:08d}",
                started_on="2020-01-01",
            )
            for n, (v, p) in enumerate(zip(vehicles, plates, strict=True))
        ]
    )
    return vehicles[0].pk, plates[0].pk


# --- One sale, in-process ------------------------------------------------------------------------


class Steps:
    """Wall time (and, when profiling, CPU time and a cProfile) of each step of a sale."""

    def __init__(self, profile: bool = False) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.profiles: dict[str, cProfile.Profile] = {}
        self.profile = profile
        self.recorder: SqlRecorder | None = None

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        if self.recorder is not None:
            self.recorder.step = name
        profiler = self.profiles.setdefault(name, cProfile.Profile()) if self.profile else None
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        try:
            yield
        finally:
            if profiler is not None:
                profiler.disable()
            self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - wall
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu


def read_code(phone: str) -> str:
    """The code the demo SMS sink delivered to `phone` (what the phone shows)."""
    from qyzmet.notifications.selectors import sink_message_list

    messages = sink_message_list(limit=1, recipient=phone)
    found = CODE.search(messages[0]["text"]) if messages else None
    if found is None:
        raise RuntimeError(f"no code for {phone}")
    return found.group(1)


def sell(sale: Sale, seller: Any, buyer: Any, steps: Steps) -> dict[str, str]:
    """One whole sale through the domain actions. Returns the values that must be new when its
    SQL is replayed."""
    from qyzmet.applications.actions import (
        application_countersign,
        application_countersign_sms_start,
        application_draft_save,
        application_sign_sms_start,
        application_start,
        application_submit,
    )
    from qyzmet.payments.actions import payment_create
    from qyzmet.payments.hooks import invoice_paid_hooks_task
    from qyzmet.payments.providers.sandbox import CARD_ACCEPT
    from qyzmet.payments.sandbox_bank import sandbox_card_submit, sandbox_notify
    from qyzmet.payments.selectors import invoice_list_for_payer

    with steps.step("start"):
        application = application_start(account=seller, service_code=SERVICE, channel="app")
    pk = str(application.pk)
    with steps.step("answers"):
        _saved, errors = application_draft_save(
            account=seller,
            application_id=pk,
            answers={"plate": sale.plate, "buyer_iin": sale.buyer_iin, "price": PRICE},
        )
    if errors:
        raise RuntimeError(f"answers: {errors}")
    with steps.step("sign code"):
        issued = application_sign_sms_start(
            account=seller, application_id=pk, client=sale.seller_client, language="en"
        )
    with steps.step("read code"):
        code = read_code(sale.seller_phone)
    submit_key = uuid.uuid4().hex
    with steps.step("submit"):
        submitted = application_submit(
            account=seller,
            application_id=pk,
            idempotency_key=submit_key,
            client=sale.seller_client,
            code_id=issued.id,
            code=code,
        )
    if submitted.state != "buyer_confirmation":
        raise RuntimeError(f"submitted: {submitted.state}")
    with steps.step("countersign code"):
        issued = application_countersign_sms_start(
            account=buyer, application_id=pk, client=sale.buyer_client, language="en"
        )
    with steps.step("read code 2"):
        code = read_code(sale.buyer_phone)
    with steps.step("countersign"):
        confirmed = application_countersign(
            account=buyer,
            application_id=pk,
            client=sale.buyer_client,
            code_id=issued.id,
            code=code,
        )
    if (confirmed.state, confirmed.payment) != ("confirmed", "awaiting"):
        raise RuntimeError(f"countersigned: {confirmed.state} {confirmed.payment}")
    with steps.step("invoices"):
        invoices = list(
            invoice_list_for_payer(person_id=sale.buyer_person, kind="duty", status="unpaid")
        )
    if len(invoices) != 1:
        raise RuntimeError(f"invoices: {invoices}")
    pay_key = uuid.uuid4().hex
    with steps.step("pay"):
        payment = payment_create(
            account=buyer, invoice_ids=[str(invoices[0].pk)], idempotency_key=pay_key
        )
    with steps.step("card"):
        sandbox_card_submit(ref=payment.gateway_ref, card_number=CARD_ACCEPT)
    with steps.step("bank notification (credit + re-registration)"):
        outcome = sandbox_notify(payment.gateway_ref)["outcome"]
        invoice_paid_hooks_task.call(str(invoices[0].pk))  # what the worker runs next
    if outcome != "moved":
        raise RuntimeError(f"payment not credited: {outcome}")
    sale.application = pk
    return {
        "number": submitted.number or "",
        "submit_key": submit_key,
        "pay_key": pay_key,
        "ref": payment.gateway_ref,
    }


def accounts_of(sale: Sale) -> tuple[Any, Any]:
    """The two accounts as a request's authentication loads them (not timed: the HTTP run
    measures authentication)."""
    from qyzmet.identity.models import Account

    accounts = {
        a.pk: a
        for a in Account.objects.select_related("person").filter(pk__in=[sale.seller, sale.buyer])
    }
    return accounts[sale.seller], accounts[sale.buyer]


def worker(job: tuple[list[dict[str, Any]], float, float]) -> dict[str, Any]:
    """One process: sales for `seconds`, each timed whole and step by step."""
    rows, seconds, start_at = job
    from django.db import connection

    connection.close()  # never share the parent's connection
    sales = [Sale(**row) for row in rows]
    while time.time() < start_at:
        time.sleep(0.001)
    latencies: list[float] = []
    steps: dict[str, list[float]] = {}
    done: list[dict[str, Any]] = []
    failures: list[str] = []
    cpu = time.process_time()
    deadline = time.monotonic() + seconds
    for sale in sales:
        if time.monotonic() > deadline:
            break
        seller, buyer = accounts_of(sale)
        timer = Steps()
        begun = time.perf_counter()
        try:
            sell(sale, seller, buyer, timer)
        except Exception as exc:  # counted and shown, the run goes on
            failures.append(f"{type(exc).__name__}: {exc}")
            continue
        latencies.append(time.perf_counter() - begun)
        for name, value in timer.wall.items():
            steps.setdefault(name, []).append(value)
        done.append(asdict(sale))
    # the connection stays open: its server process (and its CPU time) must outlive the run
    # until the parent has read the database's CPU time
    return {
        "cpu": time.process_time() - cpu,
        "latencies": latencies,
        "steps": steps,
        "sales": done,
        "failures": failures,
        "exhausted": len(done) + len(failures) == len(sales),
    }


def database_cpu_seconds(database: str) -> float:
    """User and system CPU time so far of the PostgreSQL server processes of `database` and of
    the server's own background processes (Linux /proc); other databases' sessions excluded."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if raw[raw.index("(") + 1 : raw.rindex(")")] != "postgres":
            continue
        session = re.match(r"postgres: (?:[^:]+: )?\S+ (\S+) (?:\S+\(\d+\)|\[local\])", command)
        if session is not None and session.group(1) != database:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


# --- Profile: where one sale's time goes ---------------------------------------------------------


def profile(sales: list[Sale]) -> dict[str, Any]:
    """Half the sales one after another in this process with timers only: CPU (this process,
    so the database server's own CPU is not in it on PostgreSQL), wall time and statements per
    step. The other half under cProfile: the functions that cost most."""
    from django.db import connection

    timed, profiled = sales[: len(sales) // 2], sales[len(sales) // 2 :]
    steps = Steps()
    recorder = SqlRecorder(connection)
    steps.recorder = recorder
    with recorder.recording():
        for sale in timed:
            sell(sale, *accounts_of(sale), steps)
    statements = Counter(s.step for s in recorder.statements)
    writes = Counter(s.step for s in recorder.statements if is_write(s))
    profiler = cProfile.Profile()
    for sale in profiled:
        seller, buyer = accounts_of(sale)
        profiler.enable()
        sell(sale, seller, buyer, Steps())
        profiler.disable()
    top = ""
    if profiled:
        stats = pstats.Stats(profiler)
        for order, restriction, title in (
            ("tottime", 25, "own time"),
            ("cumulative", r"qyzmet", "cumulative, our functions"),
        ):
            text = io.StringIO()
            stats.stream = text  # type: ignore[attr-defined]
            stats.sort_stats(order).print_stats(restriction, 40)
            top += f"-- {len(profiled)} sales under cProfile, {title} --\n"
            top += _compact_stats(text.getvalue()) + "\n"
    n = max(1, len(timed))
    return {
        "sales": len(timed),
        "steps": {
            name: {
                "cpu_ms": steps.cpu.get(name, 0.0) * 1000 / n,
                "wall_ms": steps.wall.get(name, 0.0) * 1000 / n,
                "statements": statements.get(name, 0) / n,
                "writes": writes.get(name, 0) / n,
            }
            for name in STEPS
        },
        "top": top,
    }


def _compact_stats(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    root = str(ROOT) + "/"
    return "\n".join(line.replace(root, "") for line in lines[start:] if line.strip())


# --- The baseline: one sale's writes, replayed ---------------------------------------------------


@dataclass
class Replay:
    """One sale's writes as a script: parameters are literals, except the keys that must be new
    in every replay (`fresh`: uuids and unique texts, also where they sit inside longer texts)
    and the car, which is each client's own (`vehicle`/`plate` in `cars`)."""

    statements: list[tuple[str, list[list[Any]], dict[int, str], int | None]]
    fresh: dict[str, str]  # recorded value -> name ("u3" a uuid, "t1" a text)


REGISTRATION = '"registries_vehicleregistration"'
BY_ID = re.compile(rf"{REGISTRATION}\.\"id\" = %s")


def _columns(sql: str) -> list[str]:
    found = re.search(r"INSERT INTO \"?\w+\"? \(([^)]*)\)", sql)
    return [c.strip().strip('"') for c in found.group(1).split(",")] if found else []


def _car_parameters(sql: str, width: int) -> tuple[str, dict[int, str]]:
    """Where a registration write names the car: the buyer's new registration (INSERT: its
    vehicle and plate) and the end of the seller's (UPDATE by id, made an UPDATE of the car's
    open registration). Answers the SQL to run and {parameter index: "vehicle" or "plate"}."""
    if REGISTRATION not in sql:
        return sql, {}
    if sql.lstrip().upper().startswith("INSERT"):
        columns = _columns(sql)
        cars = {"vehicle_id": "vehicle", "plate_id": "plate"}
        return sql, {
            i: cars[columns[i % len(columns)]]
            for i in range(width)
            if columns and columns[i % len(columns)] in cars
        }
    found = BY_ID.search(sql)
    if found is None or not sql.lstrip().upper().startswith("UPDATE"):
        return sql, {}
    index = len(re.findall(r"(?<!%)%s", sql[: found.start()]))
    condition = f'{REGISTRATION}."vehicle_id" = %s AND {REGISTRATION}."ended_on" IS NULL'
    return sql[: found.start()] + condition + sql[found.end() :], {index: "vehicle"}


def replay_plan(statements: list[Statement], unique_texts: list[str]) -> Replay:
    writes = [s for s in statements if is_write(s)]
    fresh: dict[str, str] = {}
    for statement in writes:
        if statement.sql.lstrip().upper().startswith("INSERT"):
            values = _flat(statement)
            key = uuid_key(values[0]) if values else None
            if key is not None and key not in fresh:
                fresh[key] = f"u{len(fresh)}"
    for text in unique_texts:
        if text and text not in fresh:
            fresh[text] = f"t{len(fresh)}"
    planned = []
    for statement in writes:
        rows = (
            [list(r) for r in statement.params]
            if statement.many
            else [list(statement.params or ())]
        )
        sql, cars = _car_parameters(statement.sql, len(rows[0]) if rows else 0)
        planned.append((sql, rows, cars, statement.transaction))
    return Replay(planned, fresh)


def _flat(statement: Statement) -> list[Any]:
    if statement.params is None:
        return []
    if statement.many:
        return [value for row in statement.params for value in row]
    return list(statement.params)


def _tokens(fresh: dict[str, str]) -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    """A pattern of every recorded key as it can appear in text (a uuid with dashes or as hex)
    and, for each form, (name, form)."""
    forms: dict[str, tuple[str, str]] = {}
    for key, name in fresh.items():
        if name.startswith("u"):
            forms[str(uuid.UUID(key))] = (name, "dashed")
            forms[key] = (name, "hex")
        else:
            forms[key] = (name, "text")
    pattern = re.compile("|".join(re.escape(t) for t in sorted(forms, key=len, reverse=True)))
    return pattern, forms


def _transactions(plan: Replay) -> Iterator[tuple[str | None, str, list[Any], dict[int, str]]]:
    """The plan's statements, one row at a time, with BEGIN/COMMIT ("begin"/"commit") before
    them where the recorded transactions start and end."""
    open_transaction: int | None = None
    for sql, rows, cars, transaction in plan.statements:
        boundary = None
        if transaction != open_transaction:
            boundary = ("commit+" if open_transaction is not None else "") + (
                "begin" if transaction is not None else ""
            )
            open_transaction = transaction
        for row in rows:
            yield boundary, sql, row, cars
            boundary = None
    if open_transaction is not None:
        yield "commit", "", [], {}


def pgbench_replay(plan: Replay, database_url: str, first: tuple[int, int]) -> str:
    """The plan as a pgbench script; client c re-registers car `first[0] + c`."""
    import psycopg
    from psycopg import sql as pgsql

    pattern, forms = _tokens(plan.fresh)

    def fresh_sql(name: str, form: str, length: int) -> str:
        digest = f"md5(:bench_r::text || '-{name}')"
        if form == "dashed":
            return f"{digest}::uuid::text"
        if form == "hex":
            return digest
        return f"substr({digest} || {digest}, 1, {length})"

    lines = [
        "\\set bench_r random(1, 1000000000000000)",
        f"\\set vehicle {first[0]} + :client_id",
        f"\\set plate {first[1]} + :client_id",
    ]
    with psycopg.connect(database_url) as conn:

        def render(value: Any) -> str:
            literal = pgsql.Literal(value).as_string(conn)
            match = re.fullmatch(r"(E?)'(.*)'(::[\w ]+)?", literal, flags=re.S)
            if match is None or not pattern.search(match.group(2)):
                return literal
            prefix, body, cast = match.groups()
            pieces: list[str] = []
            at = 0
            for found in pattern.finditer(body):
                if found.start() > at:
                    pieces.append(f"{prefix}'{body[at : found.start()]}'")
                name, form = forms[found.group(0)]
                pieces.append(fresh_sql(name, form, len(found.group(0))))
                at = found.end()
            if at < len(body):
                pieces.append(f"{prefix}'{body[at:]}'")
            return f"({' || '.join(pieces)}){cast or ''}"

        for boundary, sql, row, cars in _transactions(plan):
            if boundary:
                lines.extend(f"{word.upper()};" for word in boundary.split("+") if word)
            if not sql:
                continue
            pieces = re.split(r"(?<!%)%s", sql)
            if len(pieces) != len(row) + 1:
                raise RuntimeError(f"cannot place the parameters of {sql}")
            text = pieces[0]
            for i, (value, piece) in enumerate(zip(row, pieces[1:], strict=True)):
                text += (f":{cars[i]}" if i in cars else render(value)) + piece
            lines.append(text.replace("%%", "%").replace("\n", " ") + ";")
    return "\n".join(lines) + "\n"


def sqlite_replay(
    plan: Replay, path: str, first: tuple[int, int], seconds: float
) -> tuple[int, float, list[float]]:
    """The plan in a plain sqlite3 loop on one connection (BEGIN IMMEDIATE per recorded
    transaction), new keys every time: (replays, seconds, latencies)."""
    pattern, forms = _tokens(plan.fresh)
    car = {"vehicle": first[0], "plate": first[1]}
    steps = [
        (b, sqlite_sql(sql) if sql else "", row, cars) for b, sql, row, cars in _transactions(plan)
    ]
    db = sqlite_connect(path)
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    started = time.perf_counter()
    while time.monotonic() < deadline:
        new = {name: uuid.uuid4().hex for name in plan.fresh.values()}

        def swap(found: re.Match[str], new: dict[str, str] = new) -> str:
            name, form = forms[found.group(0)]
            if form == "dashed":
                return str(uuid.UUID(new[name]))
            return new[name] if form == "hex" else (new[name] * 2)[: len(found.group(0))]

        begun = time.perf_counter()
        for boundary, sql, row, cars in steps:
            if boundary:
                for word in filter(None, boundary.split("+")):
                    db.execute("BEGIN IMMEDIATE" if word == "begin" else "COMMIT")
            if not sql:
                continue
            values = []
            for i, raw in enumerate(row):
                value = car[cars[i]] if i in cars else raw
                if isinstance(value, uuid.UUID):
                    value = value.hex
                if isinstance(value, str) and pattern.search(value):
                    value = pattern.sub(swap, value)
                values.append(value)
            db.execute(sql, values).fetchall()
        latencies.append(time.perf_counter() - begun)
    wall = time.perf_counter() - started
    db.close()
    return len(latencies), wall, latencies


# --- Over HTTP -----------------------------------------------------------------------------------


def http_sale(seller: Api, buyer: Api, sale: dict[str, Any], times: dict[str, float]) -> int:
    """One sale as the two phone apps make it; answers the requests sent. The worker's step
    after the credit (the paid hooks: the duty is marked paid and the car re-registered) runs
    here, timed on its own: no worker runs beside the web server in this benchmark."""
    from qyzmet.payments.hooks import invoice_paid_hooks_task
    from qyzmet.payments.providers.sandbox import CARD_ACCEPT, sign

    sent = 0

    def call(
        api: Api,
        step: str,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        expect: int = 200,
    ) -> Any:
        nonlocal sent
        begun = time.perf_counter()
        status, answer = api.call(method, path, body, headers)
        times[step] = times.get(step, 0.0) + time.perf_counter() - begun
        sent += 1
        if status != expect:
            raise RuntimeError(f"{step}: {status} {answer}")
        return answer

    def code_for(api: Api, phone: str) -> str:
        answer = call(api, "outbox", "GET", f"/dev/outbox.json?to={phone.lstrip('+')}&limit=1")
        found = CODE.search(answer["messages"][0]["text"])
        if found is None:
            raise RuntimeError("no code")
        return found.group(1)

    draft = call(seller, "draft", "POST", "/api/v1/applications", {"service": SERVICE}, expect=201)
    url = f"/api/v1/applications/{draft['id']}"
    answers = {"plate": sale["plate"], "buyer_iin": sale["buyer_iin"], "price": PRICE}
    saved = call(seller, "answers", "PATCH", url, {"answers": answers})
    if saved["errors"]:
        raise RuntimeError(f"answers: {saved['errors']}")
    issued = call(seller, "sign/sms", "POST", f"{url}/sign/sms", expect=202)
    code = code_for(seller, sale["seller_phone"])
    done = call(
        seller,
        "submit",
        "POST",
        f"{url}/submit",
        {"code_id": issued["code_id"], "code": code},
        headers={"Idempotency-Key": uuid.uuid4().hex},
        expect=201,
    )
    if done["state"] != "buyer_confirmation":
        raise RuntimeError(f"submit: {done['state']}")
    issued = call(buyer, "countersign/sms", "POST", f"{url}/countersign/sms", expect=202)
    code = code_for(buyer, sale["buyer_phone"])
    confirmed = call(
        buyer,
        "countersign",
        "POST",
        f"{url}/countersign",
        {"code_id": issued["code_id"], "code": code},
    )
    if confirmed["payment"] != "awaiting":
        raise RuntimeError(f"countersign: {confirmed}")
    invoices = call(buyer, "invoices", "GET", "/api/v1/payments/invoices?kind=duty&status=unpaid")
    payment = call(
        buyer,
        "pay",
        "POST",
        "/api/v1/payments",
        {"invoices": [invoices[0]["id"]]},
        headers={"Idempotency-Key": uuid.uuid4().hex},
        expect=201,
    )
    ref = payment["redirect_url"].rsplit("/", 1)[-1]
    call(
        buyer, "card", "POST", f"/api/v1/payments/sandbox/{ref}/card", {"card_number": CARD_ACCEPT}
    )
    body = json.dumps(
        {
            "id": f"evt_{ref}_succeeded",
            "ref": ref,
            "order": payment["id"],
            "state": "succeeded",
            "amount_tiyn": payment["amount_tiyn"],
            "reason": "",
        },
        separators=(",", ":"),
    ).encode()
    begun = time.perf_counter()
    buyer.connection.request(
        "POST",
        "/api/v1/payments/webhooks/sandbox",
        body=body,
        headers={**sign(body), "Content-Type": "application/json", "Host": buyer.headers["Host"]},
    )
    response = buyer.connection.getresponse()
    answer = json.loads(response.read())
    times["bank notification"] = time.perf_counter() - begun
    sent += 1
    if response.status != 200 or answer["outcome"] != "moved":
        raise RuntimeError(f"webhook: {response.status} {answer}")
    begun = time.perf_counter()
    invoice_paid_hooks_task.call(str(invoices[0]["id"]))  # what the worker runs next
    times["worker: paid hooks"] = time.perf_counter() - begun
    final = call(buyer, "read", "GET", url)
    if final["state"] != "registered":
        raise RuntimeError(f"after payment: {final['state']}")
    sale["application"] = draft["id"]
    return sent


def http_setup(count: int) -> list[dict[str, Any]]:
    """`count` sellers and buyers signed in through the API (for tokens), each seller with a car."""
    import random

    from qyzmet.demo.generate_registries import plate_from_index, vin_random
    from qyzmet.identity.actions.sessions import access_token_authenticate
    from qyzmet.identity.models import Account
    from qyzmet.registries import actions as registry

    citizens = sign_in_all(2 * count)
    rng = random.Random(11)
    sales = []
    numbers = [plate_from_index(800_000 + n, "02") for n in range(count)]
    registry.plate_pool_add(numbers=numbers)
    for n in range(count):
        seller, buyer = citizens[2 * n], citizens[2 * n + 1]
        accounts = {
            c.index: Account.objects.select_related("person").get(
                pk=access_token_authenticate(token=c.token).account_id
            )
            for c in (seller, buyer)
        }
        registration = registry.vehicle_register_first(
            owner=accounts[seller.index].person,
            vehicle=registry.VehicleData(
                vin=vin_random(rng), make="Kia", model="Rio", year=2021, colour="grey", category="B"
            ),
            plate=numbers[n],
        )
        sales.append(
            {
                "seller": seller,
                "buyer": buyer,
                "plate": numbers[n],
                "buyer_iin": accounts[buyer.index].person.iin,
                "seller_phone": seller.phone,
                "buyer_phone": buyer.phone,
                "vehicle": registration.vehicle_id,
                "buyer_person": accounts[buyer.index].person_id,
                "application": "",
            }
        )
    return sales


def measure_http(backend: str, args: argparse.Namespace, work: Path) -> tuple[list[Figure], dict]:
    sales = http_setup(args.http_sales)
    latencies: list[float] = []
    steps: dict[str, list[float]] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()
    requests = 0
    with gunicorn(workers=args.workers, threads=args.threads, logs=work / "gunicorn.log") as server:
        cpu_before = server.cpu_seconds()
        queue = iter(sales)
        deadline = time.monotonic() + max(60.0, args.seconds * 6)

        def client() -> None:
            nonlocal requests
            while time.monotonic() < deadline and not errors:
                with lock:
                    sale = next(queue, None)
                if sale is None:
                    return
                seller = Api(
                    server.port, sale["seller"].token, client_address(sale["seller"].index)
                )
                buyer = Api(server.port, sale["buyer"].token, client_address(sale["buyer"].index))
                times: dict[str, float] = {}
                try:
                    begun = time.perf_counter()
                    sent = http_sale(seller, buyer, sale, times)
                    elapsed = time.perf_counter() - begun
                except Exception as exc:
                    errors.append(exc)
                    return
                finally:
                    seller.close()
                    buyer.close()
                with lock:
                    latencies.append(elapsed)
                    requests += sent
                    for name, value in times.items():
                        steps.setdefault(name, []).append(value)

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        cpu = server.cpu_seconds() - cpu_before
    if errors:
        raise RuntimeError(f"an HTTP sale failed: {errors[0]}") from errors[0]
    count = len(latencies)
    note = (
        f"gunicorn gthread {args.workers}x{args.threads}, {args.clients} clients; "
        f"{requests / max(1, count):.0f} requests a sale"
    )
    sales_figure = Figure(
        backend,
        f"sales over HTTP, {args.clients} clients",
        count,
        wall,
        latencies,
        baseline="same SQL",
        note=note,
    )
    sales_figure.cpu_ms = cpu * 1000 / max(1, count)
    request_figure = Figure(backend, "  their requests", requests, wall)
    extra = {
        "http_steps_ms": {
            name: {"p50": percentile(v, 0.5) * 1000, "mean": statistics.fmean(v) * 1000}
            for name, v in steps.items()
        },
        "http_sales": [
            {
                "application": s["application"],
                "vehicle": s["vehicle"],
                "buyer_person": s["buyer_person"],
            }
            for s in sales
            if s["application"]
        ],
    }
    return [sales_figure, request_figure], extra


# --- The check -----------------------------------------------------------------------------------


def check(sold: list[dict[str, Any]]) -> dict[str, int]:
    """Every sale `registered`; each car exactly one open registration, the buyer's."""
    from qyzmet.applications.models import Application
    from qyzmet.registries.models import VehicleRegistration

    states = dict(
        Application.objects.filter(pk__in=[s["application"] for s in sold]).values_list(
            "pk", "state"
        )
    )
    open_rows: dict[int, list[int]] = {}
    for vehicle, owner in VehicleRegistration.objects.filter(
        vehicle_id__in=[s["vehicle"] for s in sold], ended_on=None
    ).values_list("vehicle_id", "owner_id"):
        open_rows.setdefault(vehicle, []).append(owner)
    not_registered = sum(
        1 for s in sold if states.get(uuid.UUID(str(s["application"]))) != "registered"
    )
    wrong_owner = sum(1 for s in sold if open_rows.get(s["vehicle"]) != [s["buyer_person"]])
    return {"sales": len(sold), "not registered": not_registered, "registry wrong": wrong_owner}


# --- One backend ---------------------------------------------------------------------------------


def measure(backend: str, args: argparse.Namespace, work: Path, database_url: str) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from qyzmet.demo.generate_applications import applications_generate

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    per_process = args.sales_per_process or max(20, math.ceil(args.seconds * 25))
    sales = sales_setup(args.processes * per_process + 2 * args.profile + 2, seed=args.seed)
    history = applications_generate(count=args.history, seed=args.seed) if args.history else None
    first = baseline_vehicles(args.processes)
    log(
        f"[{backend}] setup: {len(sales)} sales ready, "
        f"{history.applications if history else 0} past applications, "
        f"in {time.perf_counter() - started:.0f} s"
    )

    # warm up (the service snapshot, caches), then one sale's SQL
    warm, recorded, profiled = sales[0], sales[1], sales[2 : 2 + 2 * args.profile]
    sell(warm, *accounts_of(warm), Steps())
    recorder = SqlRecorder(connection)
    steps = Steps()
    steps.recorder = recorder
    seller, buyer = accounts_of(recorded)
    with recorder.recording():
        unique = sell(recorded, seller, buyer, steps)
    from qyzmet.payments.models import Receipt
    from qyzmet.registries.models import VehicleRegistration

    unique_texts = [
        *unique.values(),
        *Receipt.objects.filter(payment__gateway_ref=unique["ref"]).values_list("code", flat=True),
        *VehicleRegistration.objects.filter(vehicle_id=recorded.vehicle, ended_on=None).values_list(
            "certificate_number", flat=True
        ),
    ]
    plan = replay_plan(recorder.statements, unique_texts)
    if args.show_sql:
        for s in recorder.statements:
            log(f"  {s.step:<22} [{s.transaction}] {s.sql[:170]}")
    profiled_result = profile(profiled) if profiled else None
    log(f"[{backend}] recorded {len(recorder.statements)} statements; profiled {len(profiled)}")

    # in-process, several processes
    rest = sales[2 + 2 * args.profile :]
    shares = [rest[i :: args.processes] for i in range(args.processes)]
    connections.close_all()
    context = multiprocessing.get_context("fork")
    start_at = time.time() + 1.0
    database_cpu = database_cpu_seconds(PG_DATABASE) if database_url else 0.0
    with context.Pool(args.processes) as pool:
        wall_start = time.perf_counter()
        results = pool.map(
            worker,
            [([asdict(s) for s in share], args.seconds, start_at) for share in shares],
            chunksize=1,
        )
        wall = time.perf_counter() - wall_start - 1.0
        if database_url:
            database_cpu = database_cpu_seconds(PG_DATABASE) - database_cpu
    latencies = [x for r in results for x in r["latencies"]]
    failures = [f for r in results for f in r["failures"]]
    sold = [s for r in results for s in r["sales"]]
    step_times: dict[str, list[float]] = {}
    for r in results:
        for name, values in r["steps"].items():
            step_times.setdefault(name, []).extend(values)
    figures = [
        Figure(
            backend,
            f"sales in-process, {args.processes} processes",
            len(latencies),
            wall,
            latencies,
            baseline="same SQL",
            note="; ".join(failures[:3])
            + (" (ran out of cars)" if any(r["exhausted"] for r in results) else ""),
        )
    ]
    log(f"[{backend}] in-process: {len(latencies)} sales in {wall:.1f} s")

    extra: dict[str, Any] = {}
    if args.http_sales:
        http_figures, extra = measure_http(backend, args, work)
        figures.extend(http_figures)
        log(f"[{backend}] HTTP: {http_figures[0].count} sales in {http_figures[0].seconds:.1f} s")

    if database_url:
        script = pgbench_replay(plan, database_url, first)
        (work / "replay.sql").write_text(script)
        n, seconds, lat = pgbench(script, database_url, args.processes, args.seconds, work, "sale")
        note = f"pgbench, {args.processes} clients, the recorded writes"
    else:
        from django.conf import settings

        path = str(settings.DATABASES["default"]["NAME"])
        n, seconds, lat = sqlite_replay(plan, path, first, args.seconds)
        note = "a plain sqlite3 loop, one connection, the recorded writes"
    figures.append(Figure(backend, "baseline: same SQL", n, seconds, lat, note=note))

    checked = check(
        [
            asdict(warm),
            asdict(recorded),
            *[asdict(s) for s in profiled],
            *sold,
            *extra.get("http_sales", []),
        ]
    )
    return {
        "backend": backend,
        "figures": [f.as_dict() for f in figures],
        "statements": len(recorder.statements),
        "writes": len(plan.statements),
        "transactions": len({s.transaction for s in recorder.statements if s.transaction}),
        "steps_ms": {
            name: {"p50": percentile(v, 0.5) * 1000, "mean": statistics.fmean(v) * 1000}
            for name, v in step_times.items()
        },
        "http_steps_ms": extra.get("http_steps_ms", {}),
        "profile": profiled_result,
        "check": checked,
        "failures": len(failures),
        "history": history.applications if history else 0,
        "cpu_ms": {
            "sale processes": sum(r["cpu"] for r in results) * 1000 / max(1, len(latencies)),
            "database server": database_cpu * 1000 / max(1, len(latencies)),
            "machine (cores x wall)": (os.cpu_count() or 1) * wall * 1000 / max(1, len(latencies)),
        },
    }


def run_backend(args: argparse.Namespace) -> dict:
    backend = args.run_backend
    with backend_environment(backend, prefix="qyzmet-bench-vehicles-", database=PG_DATABASE) as (
        work,
        database_url,
    ):
        return measure(backend, args, work, database_url)


# --- The report ----------------------------------------------------------------------------------


def report(results: list[dict], args: argparse.Namespace) -> None:
    need = national_need()
    print(
        f"\n{os.cpu_count()} CPUs; in-process {args.processes} processes for {args.seconds:.0f} s; "
        "processes, server and database on the same machine."
    )
    print(
        f"National need ({YEARLY:,} registrations and re-registrations a year): "
        f"{need['average_per_s']:.3f}/s on average; busiest hour (9:00-18:00 on {WORKING_DAYS} "
        f"working days, x{PEAK_FACTOR}) {need['busiest_hour_per_s']:.2f}/s; aim >= {AIM:.0f}/s."
    )
    header = (
        f"{'backend':<11} {'what':<32} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'x peak':>7} {'ratio':>7}"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        figures = result["figures"]
        baseline = next(f for f in figures if f["what"].startswith("baseline"))
        for figure in figures:
            ratio = peak = ""
            if figure is not baseline and figure["what"].startswith("sales"):
                ratio = f"{figure['rate'] / baseline['rate']:.2f}x"
                peak = f"{figure['rate'] / need['busiest_hour_per_s']:.0f}"
            p50, p99 = (
                ("", "")
                if math.isnan(figure["p50_ms"])
                else (f"{figure['p50_ms']:.1f}", f"{figure['p99_ms']:.1f}")
            )
            print(
                f"{figure['backend']:<11} {figure['what']:<32} {figure['rate']:>8.1f} "
                f"{p50:>8} {p99:>8} {peak:>7} {ratio:>7}"
            )
    print("x peak: the rate over the busiest hour's need; ratio: over the baseline's rate.")
    for result in results:
        backend = result["backend"]
        best = max(
            (f["rate"] for f in result["figures"] if f["what"].startswith("sales in-process")),
            default=0.0,
        )
        verdict = "met" if best >= AIM else "NOT met"
        print(
            f"\n{backend}: aim of {AIM:.0f} re-registrations/s in-process: {verdict} ({best:.1f}/s)"
        )
        print(
            f"  one sale: {result['statements']} statements ({result['writes']} writes) in "
            f"{result['transactions']} transactions; {result['history']} past applications"
        )
        for figure in result["figures"]:
            cpu = f"; {figure['cpu_ms']:.0f} ms of gunicorn CPU a sale" if figure["cpu_ms"] else ""
            if figure["note"] or cpu:
                print(f"  {figure['what'].strip()}: {figure['note']}{cpu}")
        check_ = result["check"]
        print(
            f"  check: {check_['sales']} sales; not registered {check_['not registered']}; "
            f"registry not showing exactly one open registration of the buyer "
            f"{check_['registry wrong']}; in-process failures {result['failures']}"
        )
        cpu = ", ".join(f"{k} {v:.0f}" for k, v in result["cpu_ms"].items())
        print(f"  in-process CPU ms a sale: {cpu}")
        steps = ", ".join(f"{k} {v['mean']:.0f}" for k, v in result["steps_ms"].items())
        print(f"  in-process steps under load, mean ms: {steps}")
        if result["http_steps_ms"]:
            steps = ", ".join(f"{k} {v['mean']:.0f}" for k, v in result["http_steps_ms"].items())
            print(f"  HTTP requests under load, mean ms: {steps}")
        prof = result["profile"]
        if prof:
            print(f"  profile of {prof['sales']} sales one at a time (per sale):")
            print(f"    {'step':<46} {'CPU ms':>7} {'wall ms':>8} {'SQL':>5} {'writes':>6}")
            total = {"cpu_ms": 0.0, "wall_ms": 0.0, "statements": 0.0, "writes": 0.0}
            for name, row in prof["steps"].items():
                for key in total:
                    total[key] += row[key]
                print(
                    f"    {name:<46} {row['cpu_ms']:>7.1f} {row['wall_ms']:>8.1f} "
                    f"{row['statements']:>5.0f} {row['writes']:>6.0f}"
                )
            print(
                f"    {'whole sale':<46} {total['cpu_ms']:>7.1f} {total['wall_ms']:>8.1f} "
                f"{total['statements']:>5.0f} {total['writes']:>6.0f}"
            )
            if args.show_profile:
                print(prof["top"])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0, help="in-process and baseline")
    parser.add_argument("--sales-per-process", type=int, default=0, help="default: 25 a second")
    parser.add_argument("--http-sales", type=int, default=40, help="0: no HTTP run")
    parser.add_argument("--clients", type=int, default=8, help="HTTP clients (threads)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--history", type=int, default=20000, help="past applications first")
    parser.add_argument(
        "--profile",
        type=int,
        default=20,
        help="sales timed one at a time (as many again under cProfile)",
    )
    parser.add_argument("--show-profile", action="store_true", help="print the top functions")
    parser.add_argument("--show-sql", action="store_true", help="print one sale's statements")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--run-backend", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_backend:
        print(json.dumps(run_backend(args), default=str))
        return
    report(each_backend(args, __file__), args)


if __name__ == "__main__":
    main()
