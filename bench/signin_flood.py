"""A wrong-password flood against the portal served as production serves it, while another client
reads the catalogue: does reading keep working?

    .venv/bin/python bench/signin_flood.py [--attackers 64] [--seconds 30] [--citizens 20]
        [--postgres]

1. migrate a fresh database (SQLite in a temporary directory, or PostgreSQL in a fresh database
   `qyzmet_bench_flood`, dropped at the end) and create `--citizens` citizens with the production
   password hasher (Argon2, default parameters), so that every password check costs what it costs
   in production;
2. start `manage.py serve` (gunicorn gthread with the workers and threads it chooses, and the task
   worker) on a free loopback port;
3. for `--seconds`: `--attackers` connections from one loopback address (127.20.0.1) post wrong
   passwords to /api/v1/auth/signin/password as fast as the server answers, each for a random IIN
   (half of them with an account, half valid IINs without one); meanwhile one reader from another
   address (127.30.0.1) reads the catalogue, one request after another, alternating the page
   /services/ and /api/v1/services. The attackers and the reader run in processes of their own, so
   that neither's Python slows the other's clock.

It prints the reader's answers (how many were 200, p50/p99/max latency) and the mix of answers the
attackers got (status and error code), and how many password checks the server ran (the attempt
rows it recorded). Nothing is asserted: the script prints figures. Client and server share the
machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
ATTACKER = "127.20.0.1"
READER = "127.30.0.1"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DATABASE = "qyzmet_bench_flood"
READS = ("/services/", "/api/v1/services")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: Sequence[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
    return port


def connect(port: int, source: str) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(HOST, port, timeout=30, source_address=(source, 0))


# --- The two roles, each run in a process of its own ---------------------------------------------


def attack(port: int, seconds: float, connections: int, iins: list[str]) -> dict[str, Any]:
    """`connections` keep-alive connections from one address, posting wrong passwords."""
    answers: Counter[str] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    start = threading.Barrier(connections)

    def loop(index: int) -> None:
        chooser = random.Random(index)
        mine: Counter[str] = Counter()
        conn = connect(port, ATTACKER)
        start.wait()
        while time.monotonic() < deadline:
            body = json.dumps({"iin": chooser.choice(iins), "password": "wrong-password-123"})
            try:
                conn.request(
                    "POST",
                    "/api/v1/auth/signin/password",
                    body=body,
                    headers={"Content-Type": "application/json", "Accept-Language": "en"},
                )
                response = conn.getresponse()
                raw = response.read()
            except (OSError, http.client.HTTPException) as exc:
                mine[f"connection error ({type(exc).__name__})"] += 1
                conn.close()
                conn = connect(port, ATTACKER)
                continue
            try:
                code = json.loads(raw).get("code", "")
            except ValueError:
                code = "not JSON"
            mine[f"{response.status} {code}".strip()] += 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = connect(port, ATTACKER)
        conn.close()
        with lock:
            answers.update(mine)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"answers": dict(answers)}


def read(port: int, seconds: float) -> dict[str, Any]:
    """One reader, one request after another, timing each."""
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    conn = connect(port, READER)
    deadline = time.monotonic() + seconds
    turn = 0
    while time.monotonic() < deadline:
        path = READS[turn % len(READS)]
        turn += 1
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Accept-Language": "en"})
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
            conn = connect(port, READER)
        latencies.append(time.perf_counter() - started)
        statuses[status] += 1
    conn.close()
    return {"statuses": {str(k): v for k, v in statuses.items()}, "latencies": latencies}


# --- Setup and the run ---------------------------------------------------------------------------


def setup(citizens: int) -> list[str]:
    """Migrate and create the citizens; the IINs the attackers try (with and without accounts)."""
    import django

    django.setup()
    from django.core.management import call_command

    from qyzmet.identity.tests.factories import citizen_create, make_iin

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)  # the pages need the manifest
    iins = [
        citizen_create(phone=f"+7701{n:07d}", birth_date=date(1980, 1, 1 + n % 28)).person.iin
        for n in range(citizens)
    ]
    strangers = [make_iin(date(1975, 6, 1 + n % 28), "M") for n in range(citizens)]
    return iins + strangers


def attempts_recorded() -> int | None:
    """The password checks the server recorded (its attempt rows), if the model has them."""
    from django.apps import apps

    for name in ("PasswordAttempt", "SignInFailure"):
        try:
            model = apps.get_model("identity", name)
        except LookupError:
            continue
        return int(model.objects.count())
    return None


def wait_ready(port: int, server: subprocess.Popen[bytes], logs: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start; see {logs}")
        try:
            # one request at a time, however long the first (which loads the catalogue) takes
            probe = http.client.HTTPConnection(HOST, port, timeout=120)
            probe.request("GET", "/api/v1/services")
            status = probe.getresponse().status
            probe.close()
            if status == 200:
                break
        except ConnectionError:
            pass
        time.sleep(0.3)
    for _ in range(40):  # every worker and thread imports what it needs on its first requests
        for path in READS:
            probe = http.client.HTTPConnection(HOST, port, timeout=30)
            probe.request("GET", path)
            probe.getresponse().read()
            probe.close()


def role(name: str, port: int, seconds: float, attackers: int, iins: Path) -> Any:
    """Start `name` ("attack" or "read") in a child process; returns the process."""
    command = [
        sys.executable, __file__, "--role", name, "--port", str(port), "--seconds", str(seconds),
        "--attackers", str(attackers), "--iins", str(iins),
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT)  # noqa: S603


def run(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="qyzmet-bench-flood-"))
    os.environ.update(
        QYZMET_DEMO="1",
        QYZMET_VAR_DIR=str(work),
        QYZMET_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    database = "sqlite"
    if args.postgres:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            conn.execute(f"CREATE DATABASE {PG_DATABASE}")
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
        database = "postgresql"
    server: subprocess.Popen[bytes] | None = None
    try:
        started = time.perf_counter()
        iins = work / "iins.json"
        iins.write_text(json.dumps(setup(args.citizens)))
        log(f"setup: {args.citizens} citizens in {time.perf_counter() - started:.0f} s")
        port = free_port()
        logs = work / "serve.log"
        with logs.open("ab") as out:
            server = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
                [sys.executable, "manage.py", "serve", "--bind", f"{HOST}:{port}"],
                cwd=ROOT, stdout=out, stderr=out, start_new_session=True,
            )  # fmt: skip
        wait_ready(port, server, logs)
        from django.conf import settings

        log(f"serving on {port}; flooding for {args.seconds:.0f} s")
        before = attempts_recorded() or 0
        attacker = role("attack", port, args.seconds, args.attackers, iins)
        reader = role("read", port, args.seconds, args.attackers, iins)
        attacked = json.loads(attacker.communicate()[0])
        readings = json.loads(reader.communicate()[0])
        checked = attempts_recorded()
        report(args, database, settings, attacked, readings, checked, before)
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if args.postgres:
            from django.db import connections

            connections.close_all()
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        if args.keep:
            log(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def report(
    args: argparse.Namespace,
    database: str,
    settings: Any,
    attacked: dict[str, Any],
    readings: dict[str, Any],
    checked: int | None,
    before: int,
) -> None:
    latencies = readings["latencies"]
    statuses = {int(k): v for k, v in readings["statuses"].items()}
    total = sum(statuses.values())
    ok = statuses.get(200, 0)
    answers = Counter(attacked["answers"])
    sent = sum(answers.values())
    print(
        f"database: {database}; {os.cpu_count()} CPUs; manage.py serve (gunicorn gthread); "
        f"Argon2 t={settings.QYZMET_ARGON2_TIME_COST}, m={settings.QYZMET_ARGON2_MEMORY_KIB} KiB, "
        f"p={settings.QYZMET_ARGON2_PARALLELISM}"
    )
    print(
        f"flood: {args.attackers} connections from one address posting wrong passwords for "
        f"{args.seconds:.0f} s; one reader from another address reading the catalogue"
    )
    print(
        f"reader: {ok} of {total} answers were 200 ({100 * ok / max(1, total):.1f}%); "
        f"p50 {1000 * percentile(latencies, 0.5):.0f} ms, "
        f"p99 {1000 * percentile(latencies, 0.99):.0f} ms, "
        f"max {1000 * max(latencies, default=float('nan')):.0f} ms; "
        f"statuses {dict(sorted(statuses.items()))}"
    )
    print(f"sign-in answers: {sent} ({sent / args.seconds:.0f} a second)")
    for answer, count in answers.most_common():
        print(f"  {answer:40} {count:8} {100 * count / max(1, sent):6.1f}%")
    if checked is not None:
        print(f"password attempts recorded by the server: {checked - before}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attackers", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--citizens", type=int, default=20)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the server's log and database")
    parser.add_argument("--role", choices=("attack", "read"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--iins", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role:
        iins = json.loads(args.iins.read_text())
        if args.role == "attack":
            result = attack(args.port, args.seconds, args.attackers, iins)
        else:
            result = read(args.port, args.seconds)
        print(json.dumps(result))
        return
    run(args)


if __name__ == "__main__":
    main()
