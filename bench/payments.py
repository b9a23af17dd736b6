"""Payments per second: the whole journey, in-process over several processes, against a baseline
of the same SQL without Django, in the same run.

    .venv/bin/python bench/payments.py [--backends sqlite,postgresql] [--processes 4]
        [--seconds 10] [--show-sql]

For each backend (SQLite; PostgreSQL in a fresh database `qyzmet_bench_pay`, dropped at the end):

1. migrate; create one payer per process and enough unpaid invoices (half a fixed amount, half
   a duty in MCI, so the fee is computed on the payment day);
2. record the SQL of one whole journey as Django sends it (`execute_wrapper`);
3. `--processes` processes each run journeys for `--seconds`: `payment_create` with an
   Idempotency-Key → the sandbox bank takes the accepting test card (its ledger row, the task
   row of its notification) → the signed notification is verified and received by
   `webhook_receive` (what the notification task and `POST /api/v1/payments/webhooks/sandbox`
   call) → the payment is credited: invoice paid, receipt issued. The notification is delivered
   in the same process instead of by the worker, so the worker's polling is not measured;
4. baseline: on PostgreSQL, pgbench runs the recorded statements (new keys each time, the same
   transactions) at the same concurrency; on SQLite, a plain sqlite3 loop runs them.

Nothing is asserted: the script prints figures. Every process and the database share the machine.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.applications import (  # noqa: E402 - needs the project root on the path first
    Api,
    Figure,
    SqlRecorder,
    backend_environment,
    each_backend,
    flat_params,
    gunicorn,
    log,
    pgbench,
    pgbench_script,
    sign_in_all,
    sqlite_baseline,
    uuid_key,
)

PG_DATABASE = "qyzmet_bench_pay"
# The environment is the applications bench's (demo mode, cheap Argon2 for setting up the
# citizens, generous code limits), set by `backend_environment`; gunicorn inherits it.
PER_PROCESS = 4000  # invoices ready for each process: more than it can pay in the time


def setup(processes: int) -> list[tuple[int, list[str]]]:
    """One payer (an account) per process and its unpaid invoices: [(account id, invoice ids)]."""
    from django.db import transaction

    from qyzmet.identity.models import Account
    from qyzmet.identity.tests.factories import person_create
    from qyzmet.payments.models import Invoice

    out = []
    for index in range(processes + 1):  # the extra one records the SQL
        with transaction.atomic():
            person = person_create()
            account = Account(login=f"bench-{index}-{uuid.uuid4().hex[:6]}", person=person)
            account.set_unusable_password()
            account.save()
            rows = [
                Invoice(
                    payer=person,
                    kind="duty" if n % 2 else "fine",
                    purpose_ref=f"bench:{index}:{n}",
                    description={"en": "Bench"},
                    amount_tiyn=None if n % 2 else 250_000,
                    mci_multiple="0.5" if n % 2 else None,
                )
                for n in range(PER_PROCESS)
            ]
            Invoice.objects.bulk_create(rows, batch_size=2000)
        out.append((account.pk, [str(r.pk) for r in rows]))
    return out


def journey(account: Any, invoice_id: str, key: str) -> dict[str, str]:
    """One payment, start to credit. Returns what must be fresh when the SQL is replayed."""
    from qyzmet.payments.actions import payment_create
    from qyzmet.payments.providers.sandbox import CARD_ACCEPT
    from qyzmet.payments.sandbox_bank import sandbox_card_submit, sandbox_notify

    payment = payment_create(account=account, invoice_ids=[invoice_id], idempotency_key=key)
    sandbox_card_submit(ref=payment.gateway_ref, card_number=CARD_ACCEPT)
    outcome = sandbox_notify(payment.gateway_ref)["outcome"]
    if outcome != "moved":
        raise RuntimeError(f"payment not credited: {outcome}")
    return {"payment": str(payment.pk), "ref": payment.gateway_ref, "key": key}


def journey_checked(account: Any, invoice_id: str, key: str) -> dict[str, str]:
    """A journey, then a check (not measured in the baseline) that it credited exactly once."""
    from qyzmet.payments.models import Payment, Receipt

    done = journey(account, invoice_id, key)
    state = Payment.objects.filter(pk=done["payment"]).values_list("state", flat=True).get()
    if state != "succeeded":
        raise RuntimeError(f"payment {state}")
    receipt = Receipt.objects.get(payment_id=done["payment"])
    payment = done
    return {
        "ref": payment["ref"],
        "event": f"evt_{payment['ref']}_succeeded",
        "key": key,
        "receipt": receipt.code,
    }


def worker(args: tuple[int, list[str], float, Any]) -> tuple[int, list[float]]:
    """One process: journeys for `seconds`."""
    account_id, invoice_ids, seconds, start_at = args
    from django.db import connection

    from qyzmet.identity.models import Account

    connection.close()  # never share the parent's connection
    account = Account.objects.select_related("person").get(pk=account_id)
    while time.time() < start_at:
        time.sleep(0.001)
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    for invoice_id in invoice_ids:
        if time.monotonic() > deadline:
            break
        begun = time.perf_counter()
        journey_checked(account, invoice_id, uuid.uuid4().hex)
        latencies.append(time.perf_counter() - begun)
    connection.close()
    return len(latencies), latencies


def invoices_for(account_ids: list[int], count: int) -> dict[int, list[str]]:
    """`count` unpaid invoices (a duty in MCI) for each account's person."""
    from qyzmet.identity.models import Account
    from qyzmet.payments.models import Invoice

    out = {}
    for account in Account.objects.filter(pk__in=account_ids).select_related("person"):
        rows = [
            Invoice(payer=account.person, kind="duty", purpose_ref=f"http:{account.pk}:{n}",
                    description={"en": "Bench"}, mci_multiple="0.5")
            for n in range(count)
        ]  # fmt: skip
        Invoice.objects.bulk_create(rows, batch_size=2000)
        out[account.pk] = [str(r.pk) for r in rows]
    return out


def http_journey(api: Api, invoice_id: str) -> None:
    """The phone app pays; the bank page takes the card; the bank's signed notification arrives
    over HTTP; the phone app reads the result."""
    from qyzmet.payments.providers.sandbox import CARD_ACCEPT, sign

    status, payment = api.call(
        "POST", "/api/v1/payments", {"invoices": [invoice_id]},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    if status != 201:
        raise RuntimeError(f"create: {status} {payment}")
    ref = payment["redirect_url"].rsplit("/", 1)[-1]
    status, card = api.call(
        "POST", f"/api/v1/payments/sandbox/{ref}/card", {"card_number": CARD_ACCEPT}
    )
    if status != 200:
        raise RuntimeError(f"card: {status} {card}")
    body = json.dumps(
        {"id": f"evt_{ref}_succeeded", "ref": ref, "order": payment["id"], "state": "succeeded",
         "amount_tiyn": payment["amount_tiyn"], "reason": ""},
        separators=(",", ":"),
    ).encode()  # fmt: skip
    api.connection.request(
        "POST", "/api/v1/payments/webhooks/sandbox", body=body,
        headers={**sign(body), "Content-Type": "application/json", "Host": api.headers["Host"]},
    )  # fmt: skip
    response = api.connection.getresponse()
    answer = json.loads(response.read())
    if response.status != 200 or answer["outcome"] != "moved":
        raise RuntimeError(f"webhook: {response.status} {answer}")
    status, done = api.call("GET", f"/api/v1/payments/{payment['id']}")
    if status != 200 or done["state"] != "succeeded" or not done["receipt_code"]:
        raise RuntimeError(f"status: {status} {done}")


def measure_http(backend: str, args: argparse.Namespace, work: Path) -> Figure:
    import threading

    from qyzmet.identity.actions.sessions import access_token_authenticate

    citizens = sign_in_all(args.clients)
    account_of = {c.token: access_token_authenticate(token=c.token).account_id for c in citizens}
    invoices = invoices_for(list(account_of.values()), 3000)
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    with gunicorn(workers=args.workers, threads=args.threads, logs=work / "gunicorn.log") as server:
        cpu_before = server.cpu_seconds()
        deadline = time.monotonic() + args.seconds

        def client(citizen: Any) -> None:
            api = Api(server.port, citizen.token)
            try:
                for invoice_id in invoices[account_of[citizen.token]]:
                    if time.monotonic() > deadline or errors:
                        break
                    begun = time.perf_counter()
                    http_journey(api, invoice_id)
                    with lock:
                        latencies.append(time.perf_counter() - begun)
            except Exception as exc:
                errors.append(exc)
            finally:
                api.close()

        threads = [threading.Thread(target=client, args=(c,)) for c in citizens]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        cpu = server.cpu_seconds() - cpu_before
    if errors:
        raise RuntimeError(f"a client failed: {errors[0]}") from errors[0]
    figure = Figure(
        backend, f"payments over HTTP, {args.clients} clients", len(latencies), wall, latencies,
        baseline="same SQL",
        note=f"gunicorn gthread {args.workers}x{args.threads}; 4 requests per payment",
    )  # fmt: skip
    figure.cpu_ms = cpu * 1000 / max(1, len(latencies))
    return figure


def measure(backend: str, args: argparse.Namespace, work: Path, database_url: str) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from qyzmet.identity.models import Account
    from qyzmet.payments.models import Receipt

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    payers = setup(args.processes)
    log(f"[{backend}] setup in {time.perf_counter() - started:.0f} s")

    recorded_account = Account.objects.select_related("person").get(pk=payers[0][0])
    journey_checked(recorded_account, payers[0][1][0], uuid.uuid4().hex)  # warm up
    recorder = SqlRecorder(connection)
    with recorder.recording():
        done = journey(recorded_account, payers[0][1][1], uuid.uuid4().hex)
    receipt = Receipt.objects.get(payment_id=done["payment"]).code
    fresh_texts = [done["ref"], f"evt_{done['ref']}_succeeded", done["key"], receipt]
    # The baselines open their own transactions around each recorded one.
    statements = [s for s in recorder.statements if not s.sql.lstrip().upper().startswith("BEGIN")]
    if args.show_sql:
        for s in statements:
            log(f"  [{s.transaction}] {s.sql[:160]}")

    connections.close_all()
    context = multiprocessing.get_context("fork")
    start_at = time.time() + 1.0
    with context.Pool(args.processes) as pool:
        wall_start = time.perf_counter()
        results = pool.map(
            worker, [(pk, ids, args.seconds, start_at) for pk, ids in payers[1:]], chunksize=1
        )
        wall = time.perf_counter() - wall_start - 1.0
    count = sum(n for n, _ in results)
    latencies = [x for _, batch in results for x in batch]
    figures = [
        Figure(
            backend,
            f"payments, {args.processes} processes",
            count,
            wall,
            latencies,
            baseline="same SQL",
        )
    ]

    if args.http:
        figures.insert(1, measure_http(backend, args, work))

    # New in every replay: the id of each row inserted with a UUID key, and the unique texts.
    fresh: dict[str, str] = {}
    for s in statements:
        values = flat_params(s)
        if s.sql.lstrip().upper().startswith("INSERT") and values:
            key = uuid_key(values[0])
            if key is not None and key not in fresh:
                fresh[key] = f"u{len(fresh)}"
    for text in fresh_texts:
        fresh[text] = f"t{len(fresh)}"
    if database_url:
        script = pgbench_script(statements, fresh, database_url, health_check=False)
        n, seconds, lat = pgbench(script, database_url, args.processes, args.seconds, work, "pay")
        note = "pgbench, the recorded statements"
    else:
        from django.conf import settings

        path = str(settings.DATABASES["default"]["NAME"])
        n, seconds, lat = sqlite_baseline(path, statements, fresh, 10**9, args.seconds)
        note = "a plain sqlite3 loop, one connection"
    figures.append(Figure(backend, "baseline: same SQL", n, seconds, lat, note=note))
    return {
        "backend": backend,
        "figures": [f.as_dict() for f in figures],
        "statements": len(statements),
        "transactions": len({s.transaction for s in statements if s.transaction is not None}),
    }


def run_backend(args: argparse.Namespace) -> dict:
    backend = args.run_backend
    with backend_environment(backend, prefix="qyzmet-bench-pay-", database=PG_DATABASE) as (
        work,
        database_url,
    ):
        return measure(backend, args, work, database_url)


def report(results: list[dict], args: argparse.Namespace) -> None:
    print(
        f"\n{os.cpu_count()} CPUs; {args.processes} processes, {args.seconds:.0f} s; "
        "processes and database on the same machine."
    )
    header = f"{'backend':<11} {'what':<28} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    for result in results:
        figures = result["figures"]
        baseline = next(f for f in figures if f["what"].startswith("baseline"))
        for figure in figures:
            ratio = "" if figure is baseline else f"{figure['rate'] / baseline['rate']:.2f}x"
            print(
                f"{figure['backend']:<11} {figure['what']:<28} {figure['rate']:>8.1f} "
                f"{figure['p50_ms']:>8.1f} {figure['p99_ms']:>8.1f} {ratio:>7}"
            )
    for result in results:
        print(
            f"{result['backend']}: {result['statements']} statements in "
            f"{result['transactions']} transactions per payment"
        )
        for figure in result["figures"]:
            if figure["note"]:
                cpu = f"; {figure['cpu_ms']:.1f} ms of gunicorn CPU per payment" if figure[
                    "cpu_ms"] else ""  # fmt: skip
                print(f"  {figure['what']}: {figure['note']}{cpu}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--show-sql", action="store_true")
    parser.add_argument(
        "--http",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also through HTTP, served by gunicorn",
    )
    parser.add_argument("--clients", type=int, default=8, help="HTTP clients (threads)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--run-backend", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_backend:
        print(json.dumps(run_backend(args)))
        return
    report(each_backend(args, __file__), args)


if __name__ == "__main__":
    main()
