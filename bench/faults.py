"""Faults: submissions and approvals through the HTTP API while the web server and the task
worker are killed with SIGKILL at random, and the counts that show nothing was lost or doubled.

    .venv/bin/python bench/faults.py [--submissions 2000] [--approvals 500] [--citizens 100]
        [--clients 8] [--officers 2] [--kill-every 5,15] [--settle 300]

On PostgreSQL, in a fresh database `qyzmet_bench_faults_<pid>` (dropped at the end):

1. migrate; create the citizens (a phone each) and one officer of the criminal-record agency,
   and sign each in once, in this process (setup; cheap Argon2);
2. start `manage.py serve` (gunicorn and the worker under its supervisor) on a loopback port;
3. `--clients` phone threads each make submissions of the criminal-record certificate the way
   the phone app does (draft, answers, signing code, the code from the demo outbox, submit with
   an Idempotency-Key), and `--officers` threads approve `--approvals` of them; a request that
   gets no answer (connection reset, timeout) or a 5xx is sent again, the submit with the same
   key and code;
4. meanwhile a killer sends SIGKILL, every `--kill-every` seconds (uniformly at random), to the
   web server (gunicorn's master and its workers) or to the worker, at random; the supervisor
   of `manage.py serve` starts the dead child again;
5. then the kills stop, and it waits (at most `--settle` seconds) until every approval has its
   document, every message due is delivered and no task is queued or running;
6. it prints the counts, read from the database: applications per Idempotency-Key, documents
   per approval, deliveries per message at the demo sink, tasks stuck, failed or given up,
   and whatever the clients saw refused.

Nothing is asserted: the script prints figures (and exits 1 when a count is not what it must be).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


from bench.applications import (  # noqa: E402 - needs the project root on the path first
    ANSWERS,
    BENCH_ENV,
    CODE,
    HOST,
    SERVICE,
    Citizen,
    backend_environment,
    client_address,
    free_port,
    log,
    sign_in_all,
)

PG_DATABASE = f"qyzmet_bench_faults_{os.getpid()}"
AGENCY = "gp-legal-statistics"
OFFICER_PHONE = "+77470001122"
FAULT_ENV = {
    "QYZMET_ACCESS_TOKEN_SECONDS": str(6 * 3600),
    # the lease and the sweeps short, so that the run settles in minutes
    "QYZMET_WORKER_HEARTBEAT_SECONDS": "2",
    "QYZMET_TASK_LEASE_SECONDS": "10",
    "QYZMET_TASK_RETRY_FIRST_SECONDS": "2",
    "QYZMET_RESULT_DOCUMENTS_SWEEP_SECONDS": "15",
    "QYZMET_NOTIFY_LEASE_SECONDS": "10",
    "QYZMET_NOTIFY_SWEEP_SECONDS": "5",
    "QYZMET_NOTIFY_QUIET_HOURS": "off",
    "QYZMET_NOTIFY_LIMIT_PER_HOUR": "1000000",
    "QYZMET_SMS_PROVIDERS": "sink",
    "QYZMET_LOG_LEVEL": "ERROR",
    "WEB_WORKERS": "2",
    "WEB_THREADS": "8",
}
RETRYABLE = (OSError, http.client.HTTPException)


class Gone(Exception):
    """No answer (the server died mid-request), or a 5xx: the request is sent again."""


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    counts: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)

    def add(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.counts[name] += n

    def refused(self, step: str, status: int, body: Any) -> None:
        code = body.get("code", "") if isinstance(body, dict) else ""
        with self.lock:
            self.refusals[f"{step}: {status} {code}"] += 1


class Phone:
    """One keep-alive connection, opened again after the server died under it."""

    def __init__(self, port: int, token: str, source: str, tally: Tally) -> None:
        self.port, self.source, self.tally = port, source, tally
        self.headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
        self.connection: http.client.HTTPConnection | None = None

    def once(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        import json

        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                HOST, self.port, timeout=30, source_address=(self.source, 0)
            )
        sent = dict(self.headers, **(headers or {}))
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, body=payload, headers=sent)
            response = self.connection.getresponse()
            raw = response.read()
        except RETRYABLE as exc:
            self.connection.close()
            self.connection = None
            raise Gone(str(exc)) from exc
        if response.status >= 500:
            self.connection.close()
            self.connection = None
            raise Gone(str(response.status))
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, None

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """Send until an answer below 500 comes back (waiting a little longer each time)."""
        wait = 0.2
        while True:
            try:
                return self.once(method, path, body, headers)
            except Gone:
                self.tally.add("requests sent again")
                time.sleep(wait)
                wait = min(wait * 2, 3.0)


def newest_sink_id(phone: Phone, number: str) -> int:
    query = urllib.parse.urlencode({"to": number, "limit": "1"})
    _, body = phone.call("GET", f"/dev/outbox.json?{query}")
    messages = body["messages"] if body else []
    return int(messages[0]["id"]) if messages else 0


def code_after(phone: Phone, number: str, after: int) -> str | None:
    """The newest signing code sent to `number` after sink message `after` (polling); None
    when none came within two minutes."""
    query = urllib.parse.urlencode({"to": number, "limit": "5"})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        _, body = phone.call("GET", f"/dev/outbox.json?{query}")
        for message in body["messages"] if body else []:
            found = CODE.search(message["text"])
            if int(message["id"]) > after and found:
                return found.group(1)
        time.sleep(0.3)
    return None


def submission(phone: Phone, citizen: Citizen, tally: Tally) -> str | None:
    """One application, submitted with one Idempotency-Key however often the server dies."""
    key = str(uuid.uuid4())
    status, body = phone.call("POST", "/api/v1/applications", {"service": SERVICE})
    if status != 201:
        tally.refused("draft", status, body)
        return None
    path = f"/api/v1/applications/{body['id']}"
    status, body = phone.call("PATCH", path, {"answers": ANSWERS})
    if status != 200:
        tally.refused("answers", status, body)
        return None
    for _ in range(5):  # a fresh code when the one we have is refused (wrong, expired, used)
        after = newest_sink_id(phone, citizen.phone)
        status, body = phone.call("POST", f"{path}/sign/sms")
        if status != 202:
            tally.refused("sign/sms", status, body)
            time.sleep(1)
            continue
        code = code_after(phone, citizen.phone, after)
        if code is None:
            tally.add("codes that never came")
            continue
        status, body = phone.call(
            "POST",
            f"{path}/submit",
            {"code_id": body["code_id"], "code": code},
            headers={"Idempotency-Key": key},
        )
        if status == 201:
            tally.add("submissions answered 201")
            return str(body["id"])
        tally.refused("submit", status, body)
    return None


def officer_loop(
    phone: Phone, todo: queue.Queue[str | None], tally: Tally, wanted: int, done: list[str]
) -> None:
    while True:
        application_id = todo.get()
        if application_id is None:
            return
        with tally.lock:
            if len(done) >= wanted:
                continue
        path = f"/api/v1/office/applications/{application_id}"
        status, body = phone.call("POST", f"{path}/steps", {"name": "issue"})
        if status != 200:
            # sent again after the server died: the first try may have approved it
            status, body = phone.call("GET", path)
            if not (status == 200 and body.get("state") == "issued"):
                tally.refused("approve", status, body)
                continue
        with tally.lock:
            done.append(application_id)
        tally.add("approvals")


# --- The server and the killer -------------------------------------------------------------------


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        if int(raw[raw.rindex(")") + 2 :].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def serve_child(serve_pid: int, name: str) -> int | None:
    for pid in children_of(serve_pid):
        line = command_line(pid)
        if (name == "web" and "gunicorn" in line) or (name == "worker" and "worker" in line):
            return pid
    return None


def killer(
    serve_pid: int, every: tuple[float, float], stop: threading.Event, tally: Tally, seed: int
) -> None:
    chance = random.Random(seed)
    while not stop.wait(chance.uniform(*every)):
        name = chance.choice(["web", "worker"])
        pid = serve_child(serve_pid, name)
        if pid is None:
            continue  # being restarted
        victims = [pid, *children_of(pid)] if name == "web" else [pid]
        for victim in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL)
        tally.add(f"{name} killed")


def wait_for_web(port: int, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            probe = http.client.HTTPConnection(HOST, port, timeout=5)
            probe.request("GET", "/api/v1/services")
            if probe.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the web server did not start")


# --- The counts ----------------------------------------------------------------------------------


def outstanding() -> dict[str, int]:
    """What is still to do: approvals without a document, messages due, tasks due or running."""
    from django.db.models import Q
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from qyzmet.applications.models import Application
    from qyzmet.documents.models import Document
    from qyzmet.notifications.models import Notification

    approved = {
        str(pk)
        for pk in Application.objects.filter(outcome="approved").values_list("pk", flat=True)
    }
    documented = set(
        Document.objects.exclude(application_id="").values_list("application_id", flat=True)
    )
    return {
        "approvals without a document": len(approved - documented),
        "messages not delivered": Notification.objects.filter(
            status__in=["created", "sending"]
        ).count(),
        "tasks due or running": DBTaskResult.objects.filter(
            Q(status="RUNNING") | Q(status="READY", run_after__lte=timezone.now())
        ).count(),
    }


def counts(keys_answered: int) -> dict[str, Any]:
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from qyzmet.applications.models import Application
    from qyzmet.core.models import IdempotencyKey
    from qyzmet.documents.models import Document
    from qyzmet.notifications.models import Notification, SinkMessage

    submitted = Application.objects.exclude(state="draft")
    keys = IdempotencyKey.objects.filter(scope="applications.submit")
    key_results = Counter(keys.values_list("result", flat=True))
    per_application = Counter(
        Document.objects.exclude(application_id="")
        .values("application_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    approved = set(
        str(pk)
        for pk in Application.objects.filter(outcome="approved").values_list("pk", flat=True)
    )
    documented = set(
        Document.objects.exclude(application_id="").values_list("application_id", flat=True)
    )
    sink = Counter(
        SinkMessage.objects.exclude(client_message_id=None)
        .values("client_message_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    sent = Notification.objects.filter(channel="sms", status__in=["sent", "delivered"])
    sent_ids = {str(pk) for pk in sent.values_list("pk", flat=True)}
    at_sink = set(
        SinkMessage.objects.exclude(client_message_id=None).values_list(
            "client_message_id", flat=True
        )
    )
    tasks = Counter(DBTaskResult.objects.values_list("status", flat=True))
    return {
        "submissions answered 201 (keys)": keys_answered,
        "Idempotency-Keys recorded": keys.count(),
        "applications submitted": submitted.count(),
        "keys naming more than one application": sum(1 for n in key_results.values() if n > 1),
        "applications without a key": submitted.count() - len(key_results),
        "approvals": len(approved),
        "documents": Document.objects.count(),
        "approvals with exactly one document": len(approved & documented),
        "approvals without a document": len(approved - documented),
        "applications with two or more documents": sum(
            v for n, v in per_application.items() if n > 1
        ),
        "SMS messages sent": len(sent_ids),
        "deliveries at the sink": sum(n * v for n, v in sink.items()),
        "messages delivered twice at the sink": sum(v for n, v in sink.items() if n > 1),
        "messages sent but not at the sink": len(sent_ids - at_sink),
        "messages not delivered": Notification.objects.filter(
            status__in=["created", "sending"]
        ).count(),
        "tasks running (stuck)": tasks.get("RUNNING", 0),
        "tasks failed (gave up)": tasks.get("FAILED", 0),
        "tasks by status": dict(tasks),
    }


def citizens_and_officer(count: int) -> tuple[list[Citizen], str]:
    from django.test import Client

    from conftest import PASSWORD
    from qyzmet.applications.models import OfficerMembership
    from qyzmet.identity.tests.factories import citizen_create

    citizens = sign_in_all(count)
    officer = citizen_create(phone=OFFICER_PHONE, birth_date=date(1980, 8, 8), sex="M")
    OfficerMembership.objects.create(account=officer, agency=AGENCY)
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_HOST=HOST, REMOTE_ADDR="127.9.0.1")
    step = client.post(
        "/api/v1/auth/signin/password",
        {"iin": officer.person.iin, "password": PASSWORD},
        content_type="application/json",
    ).json()
    text = client.get("/dev/outbox.json", {"to": OFFICER_PHONE, "limit": "1"}).json()
    found = CODE.search(text["messages"][0]["text"])
    assert found is not None
    done = client.post(
        "/api/v1/auth/signin/verify",
        {"code_id": step["code"]["code_id"], "code": found.group(1), "device": "bench"},
        content_type="application/json",
    )
    return citizens, str(done.json()["access_token"])


def run(args: argparse.Namespace) -> int:
    import django

    os.environ.update(BENCH_ENV, **FAULT_ENV)
    with backend_environment("postgresql", prefix="qyzmet-bench-faults-", database=PG_DATABASE) as (
        work,
        _database_url,
    ):
        os.environ.update(FAULT_ENV)
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        citizens, officer_token = citizens_and_officer(args.citizens)
        log(f"setup: {len(citizens)} citizens, an officer: {time.perf_counter() - started:.0f} s")
        from django.db import connections

        connections.close_all()

        port = free_port()
        logs = work / "serve.log"
        with logs.open("ab") as output:
            serve = subprocess.Popen(  # noqa: S603 - our own interpreter and command
                [sys.executable, "manage.py", "serve", "--bind", f"{HOST}:{port}"],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=output,
            )
        tally = Tally()
        stop = threading.Event()
        try:
            wait_for_web(port)
            every = tuple(float(x) for x in args.kill_every.split(","))
            chaos = threading.Thread(
                target=killer, args=(serve.pid, every, stop, tally, args.seed), daemon=True
            )
            todo: queue.Queue[str | None] = queue.Queue()
            approved: list[str] = []
            officers = [
                threading.Thread(
                    target=officer_loop,
                    args=(
                        Phone(port, officer_token, "127.9.0.1", tally),
                        todo,
                        tally,
                        args.approvals,
                        approved,
                    ),
                )
                for _ in range(args.officers)
            ]
            # each citizen belongs to one client thread, so their codes arrive in order
            shares: list[list[Citizen]] = [[] for _ in range(args.clients)]
            for n in range(args.submissions):
                citizen = citizens[n % len(citizens)]
                shares[citizen.index % args.clients].append(citizen)

            def share_loop(share: list[Citizen]) -> None:
                for citizen in share:
                    phone = Phone(port, citizen.token, client_address(citizen.index), tally)
                    try:
                        submitted = submission(phone, citizen, tally)
                    except Exception as exc:  # a client bug must not end the run's other work
                        log(f"client failed: {exc!r}")
                        tally.add("client errors")
                        continue
                    if submitted is not None:
                        todo.put(submitted)

            clients = [threading.Thread(target=share_loop, args=(s,)) for s in shares]
            begun = time.perf_counter()
            chaos.start()
            for thread in [*clients, *officers]:
                thread.start()
            last_report = time.monotonic()
            while any(t.is_alive() for t in clients):
                time.sleep(1)
                if time.monotonic() - last_report > 30:
                    last_report = time.monotonic()
                    log(
                        f"{time.perf_counter() - begun:.0f} s: {dict(tally.counts)} "
                        f"refused: {dict(tally.refusals)}"
                    )
            for _ in officers:
                todo.put(None)
            for thread in officers:
                thread.join()
            load_seconds = time.perf_counter() - begun
            stop.set()
            chaos.join()
            log(f"load done in {load_seconds:.0f} s; settling")
            wait_for_web(port)
            settle_begun = time.perf_counter()
            left: dict[str, int] = {}
            while time.perf_counter() - settle_begun < args.settle:
                left = outstanding()
                connections.close_all()
                if not any(left.values()):
                    break
                time.sleep(2)
            settle_seconds = time.perf_counter() - settle_begun
            final = counts(tally.counts["submissions answered 201"])
        finally:
            stop.set()
            serve.send_signal(signal.SIGTERM)
            try:
                serve.wait(timeout=30)
            except subprocess.TimeoutExpired:
                serve.kill()
                serve.wait()
            connections.close_all()

    print(
        f"\nFaults on PostgreSQL: {args.submissions} submissions by {args.clients} clients, "
        f"{args.approvals} approvals by {args.officers} officers; SIGKILL every "
        f"{args.kill_every} s to the web server or the worker ({os.cpu_count()} CPUs)."
    )
    print(f"load: {load_seconds:.0f} s; settled in {settle_seconds:.0f} s (left: {left})")
    print(
        f"kills: web {tally.counts['web killed']}, worker {tally.counts['worker killed']}; "
        f"requests sent again: {tally.counts['requests sent again']}; codes that never came: "
        f"{tally.counts['codes that never came']}; client errors: {tally.counts['client errors']}"
    )
    for name, value in final.items():
        print(f"  {name}: {value}")
    print(f"  refused, as the clients saw: {dict(tally.refusals) or 'none'}")
    wrong = [
        final["keys naming more than one application"],
        final["applications without a key"],
        final["approvals without a document"],
        final["applications with two or more documents"],
        final["messages delivered twice at the sink"],
        final["messages sent but not at the sink"],
        final["tasks running (stuck)"],
        final["tasks failed (gave up)"],
        final["submissions answered 201 (keys)"] != final["applications submitted"],
    ]
    ok = not any(wrong)
    print("all counts as they must be" if ok else "SOME COUNTS ARE WRONG")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--approvals", type=int, default=500)
    parser.add_argument("--citizens", type=int, default=100)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--officers", type=int, default=2)
    parser.add_argument("--kill-every", default="5,15", help="min,max seconds between kills")
    parser.add_argument("--settle", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=15)
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
