"""Applications through the real HTTP API, served by gunicorn as `manage.py serve` runs it:
submissions per second (the whole journey, and the submit step alone) and status reads at 64
connections, each against a baseline of the same SQL run without Django, in the same run.

    .venv/bin/python bench/applications.py [--citizens 300] [--backends sqlite,postgres]
        [--clients 8] [--connections 64] [--seconds 10] [--workers 2] [--threads 4]

For each backend (SQLite; PostgreSQL in a fresh database `qyzmet_bench_apps`, dropped at the end):

1. migrate; create the citizens (a phone each) and sign each in once through the API, in this
   process, for an access token. Setup only: Argon2 runs with cheap parameters, because sign-in
   is measured by bench/signin.py.
2. record the SQL of one status read and of one whole submission, as Django sends it;
3. start gunicorn (gthread, like `manage.py serve`) on a loopback port; every citizen's phone
   talks to it from its own loopback address, so the per-client code limits apply as to real
   phones;
4. submissions: `--clients` threads, each submission the whole journey of the phone app: start a
   draft, save the answers, ask for the signing code, read it from /dev/outbox.json, submit with
   an Idempotency-Key. Then one more draft per citizen is prepared up to the code (not timed) and
   only the submits are timed;
5. status reads: GET /api/v1/applications/{id} over all the applications, at `--connections`
   connections for `--seconds` (with wrk when it is installed, else Python threads); and, as the
   floor of what any request costs here, GET /healthz the same way;
6. baselines: on PostgreSQL, pgbench runs the recorded SELECTs of a status read (with the same
   parameters, plus the `SELECT 1` of Django's connection health check) and the recorded
   INSERT/UPDATE statements of a submission (fresh keys each time, the same transactions), at the
   same concurrency; on SQLite, a plain sqlite3 loop in Python runs the same statements;
7. overload: 500 requests at once against a small gunicorn (one worker), without the overload
   guard and with it (qyzmet.core.overload, enabled for the bench by wrapping the WSGI app).

Nothing is asserted: the script prints figures. Client, server and database share the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import itertools
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SERVICE = "criminal-record-certificate"
ANSWERS = {"purpose": "employment"}
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DATABASE = "qyzmet_bench_apps"
HOST = "127.0.0.1"
GUARD = "qyzmet.core.overload.OverloadGuardMiddleware"
CODE = re.compile(r"\b(\d{6})\b")
UUID_TEXT = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")
WRITES = ("INSERT", "UPDATE", "DELETE")

# The environment of the measured run (and of gunicorn, which inherits it).
BENCH_ENV = {
    "QYZMET_DEMO": "1",
    "QYZMET_LOG_LEVEL": "ERROR",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    # Signing codes one after another; generous limits per number, IIN and purpose.
    "QYZMET_OTP_RESEND_SECONDS": "0",
    "QYZMET_OTP_PER_DAY_SIGN_IN": "1000",
    "QYZMET_OTP_PER_DAY_SIGN": "1000",
    "QYZMET_OTP_PER_PHONE_HOUR": "1000",
    "QYZMET_OTP_PER_PHONE_DAY": "1000",
    "QYZMET_OTP_PER_IIN_HOUR": "1000",
    "QYZMET_OTP_PER_IIN_DAY": "1000",
    "QYZMET_OTP_PER_CLIENT_HOUR": "1000",
    "QYZMET_OTP_PER_CLIENT_DAY": "1000",
    "QYZMET_ACCESS_TOKEN_SECONDS": "3600",
    # Setup only (creating and signing in the citizens); no password is checked while measuring.
    "QYZMET_ARGON2_TIME_COST": "1",
    "QYZMET_ARGON2_MEMORY_KIB": "8192",
    "QYZMET_ARGON2_PARALLELISM": "1",
}


# --- Small helpers -------------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: Sequence[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


@dataclass
class Figure:
    backend: str
    what: str
    count: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds
    baseline: str = ""  # the `what` of the baseline this is compared with
    note: str = ""
    p50_ms: float | None = None  # when the latencies come from elsewhere (wrk)
    p99_ms: float | None = None
    cpu_ms: float | None = None  # CPU time of the gunicorn workers per operation

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        p50 = percentile(self.latencies, 0.5) * 1000 if self.p50_ms is None else self.p50_ms
        p99 = percentile(self.latencies, 0.99) * 1000 if self.p99_ms is None else self.p99_ms
        return {
            "backend": self.backend,
            "what": self.what,
            "rate": self.rate,
            "count": self.count,
            "p50_ms": p50,
            "p99_ms": p99,
            "baseline": self.baseline,
            "note": self.note,
            "cpu_ms": self.cpu_ms,
        }


def client_address(index: int) -> str:
    """A loopback address of its own for each citizen's phone (all of 127/8 is loopback)."""
    return f"127.10.{index // 250}.{index % 250 + 1}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
    return port


# --- The HTTP client (one keep-alive connection per phone) ---------------------------------------


class Api:
    def __init__(self, port: int, token: str, source: str | None = None) -> None:
        self.connection = http.client.HTTPConnection(
            HOST, port, timeout=60, source_address=(source, 0) if source else None
        )
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Accept-Language": "en",
            "Host": f"{HOST}:{port}",
        }

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        payload = json.dumps(body).encode() if body is not None else None
        sent = dict(self.headers, **(headers or {}))
        if payload is not None:
            sent["Content-Type"] = "application/json"
        self.connection.request(method, path, body=payload, headers=sent)
        response = self.connection.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None

    def close(self) -> None:
        self.connection.close()


@dataclass
class Citizen:
    index: int
    phone: str
    token: str
    applications: list[str] = field(default_factory=list)


def journey_until_code(api: Api, citizen: Citizen, times: dict[str, float]) -> tuple[str, str, str]:
    """Draft, answers, signing code, the code from the demo outbox: (id, code id, code)."""

    def timed(step: str, *args: Any, **kwargs: Any) -> tuple[int, Any]:
        started = time.perf_counter()
        status, body = api.call(*args, **kwargs)
        times[step] = time.perf_counter() - started
        return status, body

    status, body = timed("draft", "POST", "/api/v1/applications", {"service": SERVICE})
    if status != 201:
        raise RuntimeError(f"draft: {status} {body}")
    application_id = body["id"]
    path = f"/api/v1/applications/{application_id}"
    status, body = timed("answers", "PATCH", path, {"answers": ANSWERS})
    if status != 200 or body["errors"]:
        raise RuntimeError(f"answers: {status} {body}")
    status, body = timed("sign/sms", "POST", f"{path}/sign/sms")
    if status != 202:
        raise RuntimeError(f"sign/sms: {status} {body}")
    code_id = body["code_id"]
    query = urllib.parse.urlencode({"to": citizen.phone, "limit": "1"})
    status, body = timed("outbox", "GET", f"/dev/outbox.json?{query}")
    found = CODE.search(body["messages"][0]["text"]) if status == 200 else None
    if found is None:
        raise RuntimeError(f"outbox: {status} {body}")
    return application_id, code_id, found.group(1)


def submit(api: Api, application_id: str, code_id: str, code: str) -> None:
    status, body = api.call(
        "POST",
        f"/api/v1/applications/{application_id}/submit",
        {"code_id": code_id, "code": code},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    if status != 201:
        raise RuntimeError(f"submit: {status} {body}")


def run_pool(
    work: Sequence[Any], clients: int, seconds: float, job: Callable[[Any], None]
) -> tuple[int, float]:
    """Run `job` over `work` from `clients` threads, bounded by the count and by `seconds`:
    (jobs done, wall seconds)."""
    items = iter(work)
    lock = threading.Lock()
    done = itertools.count()
    errors: list[BaseException] = []
    deadline = time.monotonic() + seconds

    def loop() -> None:
        while time.monotonic() < deadline and not errors:
            with lock:
                item = next(items, None)
            if item is None:
                return
            try:
                job(item)
            except Exception as exc:
                errors.append(exc)
                return
            next(done)

    threads = [threading.Thread(target=loop) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"a client failed: {errors[0]}") from errors[0]
    return next(done), wall


# --- Gunicorn ------------------------------------------------------------------------------------


def overload_guarded_application() -> Any:
    """A WSGI app with the overload guard first in MIDDLEWARE, for the bench's overload run
    (gunicorn loads it as `applications:overload_guarded_application()`); the limit comes from
    QYZMET_MAX_INFLIGHT in the environment."""
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    if GUARD not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [GUARD, *settings.MIDDLEWARE]
    settings.QYZMET_MAX_INFLIGHT = int(os.environ.get("QYZMET_MAX_INFLIGHT", "64"))
    return get_wsgi_application()


@dataclass
class Server:
    port: int
    pid: int

    def cpu_seconds(self) -> float:
        """User and system CPU time of the gunicorn workers so far (Linux /proc)."""
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                raw = (entry / "stat").read_text()
            except OSError:
                continue
            fields = raw[raw.rindex(")") + 2 :].split()
            if int(fields[1]) == self.pid:  # ppid
                total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")


@contextmanager
def gunicorn(
    *, workers: int, threads: int, guard_limit: int | None = None, logs: Path
) -> Iterator[Server]:
    port = free_port()
    app = "config.wsgi:application"
    env = dict(os.environ)
    pythonpath = str(ROOT)
    if guard_limit is not None:
        app = "applications:overload_guarded_application()"
        pythonpath = f"{ROOT / 'bench'},{ROOT}"
        env["QYZMET_MAX_INFLIGHT"] = str(guard_limit)
    command = [
        sys.executable, "-m", "gunicorn", app, "--pythonpath", pythonpath,
        "--bind", f"{HOST}:{port}", "--worker-class", "gthread",
        "--workers", str(workers), "--threads", str(threads),
        "--access-logfile", "-", "--graceful-timeout", "5", "--no-control-socket",
    ]  # fmt: skip
    with logs.open("ab") as errors:
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {logs}")
            try:
                probe = http.client.HTTPConnection(HOST, port, timeout=5)
                probe.request("GET", "/healthz")
                probe.getresponse().read()
                probe.close()
                break
            except OSError:
                time.sleep(0.2)
        # every worker imports the app on its first request: warm them all up
        for _ in range(workers * threads * 2):
            probe = http.client.HTTPConnection(HOST, port, timeout=30)
            probe.request("GET", "/api/v1/services")
            probe.getresponse().read()
            probe.close()
        yield Server(port, server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- Recording the SQL Django sends --------------------------------------------------------------


@dataclass
class Statement:
    sql: str
    params: Any
    many: bool
    transaction: int | None  # the number of the enclosing atomic block; None in autocommit
    step: str


class SqlRecorder:
    """Every statement the connection executes, with the transaction it ran in."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.statements: list[Statement] = []
        self.step = ""
        self._commits = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        in_transaction = not self.connection.get_autocommit()
        self.statements.append(
            Statement(sql, params, many, self._commits if in_transaction else None, self.step)
        )
        return execute(sql, params, many, context)

    @contextmanager
    def recording(self) -> Iterator[SqlRecorder]:
        commit = self.connection.commit

        def counted_commit() -> None:
            commit()
            self._commits += 1

        self.connection.commit = counted_commit
        try:
            with self.connection.execute_wrapper(self):
                yield self
        finally:
            del self.connection.commit


def is_write(statement: Statement) -> bool:
    return statement.sql.lstrip().upper().startswith(WRITES)


def is_select(statement: Statement) -> bool:
    return statement.sql.lstrip().upper().startswith("SELECT")


def flat_params(statement: Statement) -> list[Any]:
    if statement.params is None:
        return []
    if statement.many:
        return [value for row in statement.params for value in row]
    return list(statement.params)


def uuid_key(value: Any) -> str | None:
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, str) and UUID_TEXT.match(value):
        return value.replace("-", "")
    return None


def fresh_keys(writes: list[Statement], unique_texts: Sequence[str]) -> dict[str, str]:
    """What must be new in every replayed submission: the ids of the rows it inserts (uuids),
    the application number and the Idempotency-Key. Maps the recorded value to a short name."""
    names: dict[str, str] = {}
    for statement in writes:
        if statement.sql.lstrip().upper().startswith("INSERT"):
            for value in flat_params(statement):
                key = uuid_key(value)
                if key is not None and key not in names:
                    names[key] = f"u{len(names)}"
    for text in unique_texts:
        names[text] = f"t{len(names)}"
    return names


def with_prerequisites(step: list[Statement], writes: list[Statement]) -> list[Statement]:
    """The writes of one step, preceded by the INSERTs of earlier steps that made the rows it
    refers to (the draft, the code), in its first transaction: so that it can be replayed alone."""
    referenced = {uuid_key(value) for s in step for value in flat_params(s)} - {None}
    first = next((s.transaction for s in step if s.transaction is not None), None)
    earlier = [
        Statement(s.sql, s.params, s.many, first, "prerequisite")
        for s in writes
        if s not in step
        and s.sql.lstrip().upper().startswith("INSERT")
        and flat_params(s)
        and uuid_key(flat_params(s)[0]) in referenced
    ]
    if first is None:
        return earlier + step
    at = next(i for i, s in enumerate(step) if s.transaction == first)
    return step[:at] + earlier + step[at:]


def replacement_key(value: Any) -> str | None:
    return uuid_key(value) or (value if isinstance(value, str) else None)


# --- Baselines -----------------------------------------------------------------------------------


def sqlite_connect(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=20)
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        "busy_timeout=20000",
    ):
        db.execute(f"PRAGMA {pragma}")
    return db


def sqlite_sql(sql: str) -> str:
    """Django's `%s` placeholders as sqlite3's `?` (what Django's SQLite cursor does)."""
    return re.sub(r"(?<!%)%s", "?", sql).replace("%%", "%")


def sqlite_baseline(
    path: str, statements: list[Statement], fresh: dict[str, str], count: int, seconds: float
) -> tuple[int, float, list[float]]:
    """Run the statements in a plain loop, one connection, BEGIN IMMEDIATE/COMMIT around each
    recorded transaction, new keys each time: (iterations, seconds, latencies)."""
    db = sqlite_connect(path)
    prepared = [(sqlite_sql(s.sql), s) for s in statements]
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    started = time.perf_counter()
    for _ in range(count):
        if time.monotonic() > deadline:
            break
        new: dict[str, str] = {}
        for key in fresh:
            new[key] = uuid.uuid4().hex if UUID_TEXT.match(key) else uuid.uuid4().hex[:16]
        begun = time.perf_counter()
        open_transaction: int | None = None
        for sql, statement in prepared:
            if statement.transaction != open_transaction:
                if open_transaction is not None:
                    db.execute("COMMIT")
                if statement.transaction is not None:
                    db.execute("BEGIN IMMEDIATE")
                open_transaction = statement.transaction
            rows = statement.params if statement.many else [statement.params or ()]
            for row in rows:
                values = [_sqlite_value(v, new) for v in row]
                db.execute(sql, values).fetchall()
        if open_transaction is not None:
            db.execute("COMMIT")
        latencies.append(time.perf_counter() - begun)
    wall = time.perf_counter() - started
    db.close()
    return len(latencies), wall, latencies


def _sqlite_value(value: Any, new: dict[str, str]) -> Any:
    key = replacement_key(value)
    if key is not None and key in new:
        if isinstance(value, str) and "-" in value and UUID_TEXT.match(value):
            return str(uuid.UUID(new[key]))
        return new[key]
    return value


def pgbench_script(
    statements: list[Statement], fresh: dict[str, str], database_url: str, health_check: bool
) -> str:
    """The statements as a pgbench script: literal parameters, new keys from `:bench_r` each
    run, and BEGIN/COMMIT around each recorded transaction."""
    import psycopg
    from psycopg import sql as pgsql

    lines = ["\\set bench_r random(1, 1000000000000000)"] if fresh else []
    if health_check:
        lines.append("SELECT 1;")
    with psycopg.connect(database_url) as conn:

        def render(value: Any) -> str:
            key = replacement_key(value)
            if key is not None and key in fresh:
                name = fresh[key]
                if name.startswith("u"):
                    return f"md5(:bench_r::text || '-{name}')::uuid"
                return f"('B' || substr(md5(:bench_r::text || '-{name}'), 1, 15))"
            return pgsql.Literal(value).as_string(conn)

        open_transaction: int | None = None
        for statement in statements:
            if statement.transaction != open_transaction:
                if open_transaction is not None:
                    lines.append("COMMIT;")
                if statement.transaction is not None:
                    lines.append("BEGIN;")
                open_transaction = statement.transaction
            rows = statement.params if statement.many else [statement.params or ()]
            for row in rows:
                pieces = re.split(r"(?<!%)%s", statement.sql)
                if len(pieces) != len(row) + 1:
                    raise RuntimeError(f"cannot place the parameters of {statement.sql}")
                text = pieces[0]
                for value, piece in zip(row, pieces[1:], strict=True):
                    text += render(value) + piece
                lines.append(text.replace("%%", "%").replace("\n", " ") + ";")
        if open_transaction is not None:
            lines.append("COMMIT;")
    return "\n".join(lines) + "\n"


def pgbench(
    script: str, database_url: str, clients: int, seconds: float, work: Path, name: str
) -> tuple[int, float, list[float]]:
    """(transactions, seconds, latencies) of a pgbench run of `script`."""
    binary = shutil.which("pgbench")
    if binary is None:  # Debian keeps it beside the server, not on PATH
        bindir = subprocess.run(
            ["pg_config", "--bindir"],  # noqa: S607 - PostgreSQL's own locator
            capture_output=True, text=True, check=False,
        ).stdout.strip()  # fmt: skip
        binary = str(Path(bindir) / "pgbench")
    directory = work / f"pgbench-{name}"
    directory.mkdir(parents=True, exist_ok=True)
    script_path = directory / "script.sql"
    script_path.write_text(script, encoding="utf-8")
    command = [
        binary, "--no-vacuum", "--protocol=simple", f"--client={clients}",
        f"--jobs={min(clients, os.cpu_count() or 1)}", f"--time={max(1, round(seconds))}",
        f"--file={script_path}", "--log", f"--log-prefix={directory / 'log'}", database_url,
    ]  # fmt: skip
    done = subprocess.run(  # noqa: S603 - pgbench from the PostgreSQL installation
        command, capture_output=True, text=True, check=False, timeout=seconds + 120
    )
    failed = re.search(r"number of failed transactions: (\d+)", done.stdout)
    if done.returncode != 0 or (failed and int(failed.group(1))):
        raise RuntimeError(f"pgbench failed:\n{done.stdout}\n{done.stderr}\n{script[:2000]}")
    latencies: list[float] = []
    first: float | None = None
    last = 0.0
    for log_file in directory.glob("log*"):
        for line in log_file.read_text().splitlines():
            fields = line.split()
            # client, transaction, latency µs, script, epoch s, µs
            latencies.append(int(fields[2]) / 1e6)
            ended = int(fields[4]) + int(fields[5]) / 1e6
            begun = ended - int(fields[2]) / 1e6
            first = begun if first is None else min(first, begun)
            last = max(last, ended)
    return len(latencies), (last - (first or last)) or 1.0, latencies


# --- Status reads under load ---------------------------------------------------------------------

WRK_SCRIPT = """
local items = {%s}
local counter = 0
request = function()
  counter = counter + 1
  local item = items[(counter %% #items) + 1]
  return wrk.format("GET", item[1], {["Authorization"] = "Bearer " .. item[2],
                                      ["Accept-Language"] = "en"})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.timeout))
end
"""


def reads_with_wrk(
    port: int, items: list[tuple[str, str]], connections: int, seconds: float, work: Path
) -> Figure | None:
    binary = shutil.which("wrk")
    if binary is None:
        return None
    script = work / "reads.lua"
    entries = ",".join(f'{{"{path}","{token}"}}' for path, token in items)
    script.write_text(WRK_SCRIPT % entries, encoding="utf-8")
    threads = min(connections, os.cpu_count() or 1)
    done = subprocess.run(  # noqa: S603 - wrk, a load generator
        [binary, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
         "--timeout", "30s", "-s", str(script), f"http://{HOST}:{port}/"],
        capture_output=True, text=True, check=False, timeout=seconds + 120,
    )  # fmt: skip
    found = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", done.stdout)
    if found is None:
        raise RuntimeError(f"wrk failed:\n{done.stdout}\n{done.stderr}")
    requests, duration_us, p50, p99, bad_status, socket_errors, timeouts = map(int, found.groups())
    note = f"wrk; non-2xx {bad_status}, socket errors {socket_errors}, timeouts {timeouts}"
    return Figure(
        "", "", requests, duration_us / 1e6, p50_ms=p50 / 1000, p99_ms=p99 / 1000, note=note
    )


def reads_with_threads(
    port: int, items: list[tuple[str, str]], connections: int, seconds: float, limit: int
) -> Figure:
    latencies: list[float] = []
    failures = Counter[int]()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    counter = itertools.count()

    def loop(offset: int) -> None:
        mine: list[float] = []
        api = Api(port, "")
        while time.monotonic() < deadline:
            n = next(counter)
            if n >= limit:
                break
            path, token = items[(n + offset) % len(items)]
            started = time.perf_counter()
            status, _body = api.call("GET", path, headers={"Authorization": f"Bearer {token}"})
            mine.append(time.perf_counter() - started)
            if status != 200:
                with lock:
                    failures[status] += 1
        api.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return Figure("", "", len(latencies), wall, latencies, note=f"Python threads; {failures}")


# --- Overload: a flood against a small gunicorn --------------------------------------------------


async def _one(port: int, request: bytes, timeout: float) -> tuple[int, float]:
    """Send one request on a new connection: (status, seconds until the whole body is in)."""
    started = time.perf_counter()
    status = 0
    writer: asyncio.StreamWriter | None = None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(request)
            await writer.drain()
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            length = re.search(r"(?im)^content-length:\s*(\d+)", head)
            await reader.readexactly(int(length.group(1)) if length else 0)
            status = int(head.split()[1])
    except (TimeoutError, OSError, IndexError, ValueError, EOFError, asyncio.LimitOverrunError):
        status = 0
    elapsed = time.perf_counter() - started
    if writer is not None:
        writer.close()
    return status, elapsed


async def _flood(port: int, requests: list[bytes], timeout: float) -> list[tuple[int, float]]:
    return await asyncio.gather(*(_one(port, request, timeout) for request in requests))


def flood(port: int, items: list[tuple[str, str]], count: int) -> dict[str, Any]:
    requests = [
        (
            f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAuthorization: Bearer {token}\r\n"
            "Accept-Language: en\r\nConnection: close\r\n\r\n"
        ).encode()
        for path, token in itertools.islice(itertools.cycle(items), count)
    ]
    started = time.perf_counter()
    results = asyncio.run(_flood(port, requests, timeout=60))
    wall = time.perf_counter() - started
    by_status: dict[int, list[float]] = {}
    for status, seconds in results:
        by_status.setdefault(status, []).append(seconds)
    return {
        "wall": wall,
        "statuses": {
            str(status): {
                "count": len(times),
                "p50_ms": percentile(times, 0.5) * 1000,
                "p99_ms": percentile(times, 0.99) * 1000,
                "max_ms": max(times) * 1000,
            }
            for status, times in sorted(by_status.items())
        },
    }


# --- One backend ---------------------------------------------------------------------------------


@contextmanager
def backend_environment(backend: str, *, prefix: str, database: str) -> Iterator[tuple[Path, str]]:
    """A scratch directory and, on PostgreSQL, a fresh database `database`, with the bench's
    environment pointing at them; both dropped afterwards. Yields (work dir, database URL or
    "" for SQLite)."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update(BENCH_ENV, QYZMET_VAR_DIR=str(work / "var"))
    (work / "var" / "static").mkdir(parents=True)  # no static files are served here
    database_url = ""
    if backend == "postgresql":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {database}")
        database_url = f"{PG_SERVER}/{database}"
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    try:
        yield work, database_url
    finally:
        from django.db import connections

        connections.close_all()
        if database_url:
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        shutil.rmtree(work, ignore_errors=True)


def run_backend(args: argparse.Namespace) -> dict[str, Any]:
    backend = args.run_backend
    with backend_environment(backend, prefix="qyzmet-bench-apps-", database=PG_DATABASE) as (
        work,
        database_url,
    ):
        return measure(backend, args, work, database_url)


def each_backend(args: argparse.Namespace, script: str) -> list[dict[str, Any]]:
    """Run `script` once per backend in `args.backends`, each in a process of its own (a fresh
    Django for each database); the figures each printed as its last line."""
    results = []
    for backend in (name.strip() for name in args.backends.split(",")):
        backend = {"postgres": "postgresql"}.get(backend, backend)
        log(f"=== {backend} ===")
        done = subprocess.run(  # noqa: S603 - the bench script, for one backend
            [sys.executable, script, *sys.argv[1:], "--run-backend", backend],
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            sys.exit(f"the {backend} run failed")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


def sign_in_all(count: int) -> list[Citizen]:
    from django.test import Client

    from conftest import PASSWORD
    from qyzmet.identity.tests.factories import citizen_create

    citizens: list[Citizen] = []
    for index in range(count):
        phone = f"+7702{index:07d}"
        account = citizen_create(
            phone=phone,
            birth_date=date(1960, 1, 1) + timedelta(days=index * 7 % 20000),
            sex="FM"[index % 2],
        )
        client = Client(
            HTTP_ACCEPT_LANGUAGE="en", HTTP_HOST=HOST, REMOTE_ADDR=client_address(index)
        )
        step = client.post(
            "/api/v1/auth/signin/password",
            {"iin": account.person.iin, "password": PASSWORD},
            content_type="application/json",
        ).json()
        text = client.get("/dev/outbox.json", {"to": phone, "limit": "1"}).json()["messages"][0]
        found = CODE.search(text["text"])
        assert found is not None
        done = client.post(
            "/api/v1/auth/signin/verify",
            {"code_id": step["code"]["code_id"], "code": found.group(1), "device": "bench"},
            content_type="application/json",
        )
        if done.status_code != 200:
            raise RuntimeError(f"sign-in failed: {done.content!r}")
        citizens.append(Citizen(index, phone, done.json()["access_token"]))
    return citizens


def record_sql(citizen: Citizen) -> tuple[list[Statement], list[Statement], list[str]]:
    """One whole submission and one status read, in this process, with the SQL they send:
    (submission statements, read statements, the unique texts of the submission)."""
    from django.db import connection
    from django.test import Client

    client = Client(
        HTTP_ACCEPT_LANGUAGE="en",
        HTTP_HOST=HOST,
        HTTP_AUTHORIZATION=f"Bearer {citizen.token}",
        REMOTE_ADDR=client_address(citizen.index),
    )

    def journey(recorder: SqlRecorder | None, key: str) -> dict[str, Any]:
        def step(name: str) -> None:
            if recorder is not None:
                recorder.step = name

        step("draft")
        draft = client.post(
            "/api/v1/applications", {"service": SERVICE}, content_type="application/json"
        ).json()
        step("answers")
        client.patch(
            f"/api/v1/applications/{draft['id']}",
            json.dumps({"answers": ANSWERS}),
            content_type="application/json",
        )
        step("sign/sms")
        code = client.post(f"/api/v1/applications/{draft['id']}/sign/sms").json()
        step("outbox")
        text = client.get("/dev/outbox.json", {"to": citizen.phone, "limit": "1"}).json()
        found = CODE.search(text["messages"][0]["text"])
        assert found is not None
        step("submit")
        done = client.post(
            f"/api/v1/applications/{draft['id']}/submit",
            {"code_id": code["code_id"], "code": found.group(1)},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=key,
        )
        if done.status_code != 201:
            raise RuntimeError(f"recorded submission failed: {done.content!r}")
        result: dict[str, Any] = done.json()
        return result

    journey(None, "bench-warm-up")  # the first submission also stores the service snapshot
    recorder = SqlRecorder(connection)
    key = f"bench-{uuid.uuid4()}"
    with recorder.recording():
        submitted = journey(recorder, key)
    submission = recorder.statements
    reader = SqlRecorder(connection)
    client.get(f"/api/v1/applications/{submitted['id']}")  # warm
    with reader.recording():
        reader.step = "read"
        response = client.get(f"/api/v1/applications/{submitted['id']}")
        assert response.status_code == 200
    return submission, reader.statements, [submitted["number"], key]


def measure(
    backend: str, args: argparse.Namespace, work: Path, database_url: str
) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    citizens = sign_in_all(args.citizens + 1)
    recorded_by, citizens = citizens[0], citizens[1:]
    submission_sql, read_sql, unique_texts = record_sql(recorded_by)
    log(f"[{backend}] setup: {len(citizens)} citizens in {time.perf_counter() - started:.0f} s")
    if args.show_sql:
        for title, statements in (("submission", submission_sql), ("status read", read_sql)):
            log(f"[{backend}] SQL of one {title} (step, transaction, statement):")
            for statement in statements:
                log(f"  {statement.step:<9} {statement.transaction!s:>4}  {statement.sql[:150]}")

    logs = work / "gunicorn.log"
    steps: dict[str, list[float]] = {}
    with gunicorn(workers=args.workers, threads=args.threads, logs=logs) as server:
        figures = measure_http(backend, args, work, server, citizens, steps)
    writes = [s for s in submission_sql if is_write(s)]
    submit_writes = with_prerequisites([s for s in writes if s.step == "submit"], writes)
    selects = [s for s in read_sql if is_select(s)]
    baselines = [
        ("submission writes", writes, fresh_keys(writes, unique_texts), args.clients, False),
        ("submit-step writes", submit_writes, fresh_keys(writes, unique_texts), args.clients,
         False),
        ("status read SQL", selects, {}, args.connections, True),
    ]  # fmt: skip
    for name, statements, fresh, clients, health_check in baselines:
        if database_url:
            script = pgbench_script(statements, fresh, database_url, health_check)
            count, seconds, latencies = pgbench(
                script, database_url, clients, args.seconds, work, name.split()[0]
            )
            note = f"pgbench, {clients} clients"
        else:
            from django.conf import settings

            path = str(settings.DATABASES["default"]["NAME"])
            count, seconds, latencies = sqlite_baseline(
                path, statements, fresh, 1_000_000, args.seconds
            )
            note = "sqlite3 loop in Python, one connection"
        figures.append(Figure(backend, f"baseline: {name}", count, seconds, latencies, note=note))
        log(f"[{backend}] baseline {name}: {count} in {seconds:.1f} s")

    items = [
        (f"/api/v1/applications/{application_id}", citizen.token)
        for citizen in citizens
        for application_id in citizen.applications
    ]
    overload: list[dict[str, Any]] = []
    for label, threads, limit in (
        ("no guard; 1 worker x 4 threads", 4, None),
        ("guard 16 (threads x 4); 1 worker x 4 threads", 4, 16),
        ("guard 4; 1 worker x 16 threads", 16, 4),
    ):
        with gunicorn(workers=1, threads=threads, guard_limit=limit, logs=logs) as server:
            result = flood(server.port, items, args.flood)
        overload.append({"backend": backend, "config": label, **result})
        log(f"[{backend}] flood, {label}: {result['statuses']}")

    return {
        "backend": backend,
        "figures": [f.as_dict() for f in figures],
        "overload": overload,
        "steps_ms": {
            name: {
                "p50": percentile(values, 0.5) * 1000,
                "p99": percentile(values, 0.99) * 1000,
                "mean": statistics.fmean(values) * 1000,
            }
            for name, values in steps.items()
        },
        "sql": {
            "submission": len(submission_sql),
            "submission writes": len(writes),
            "submit-step writes (with the rows they refer to)": len(submit_writes),
            "status read": len(read_sql),
            "by step": dict(Counter(s.step for s in submission_sql)),
        },
    }


def measure_http(
    backend: str,
    args: argparse.Namespace,
    work: Path,
    server: Server,
    citizens: list[Citizen],
    steps: dict[str, list[float]],
) -> list[Figure]:
    """Whole journeys, then submits alone, then status reads, through gunicorn."""
    port = server.port
    lock = threading.Lock()
    figures: list[Figure] = []
    limit = args.seconds * 12  # a bound on each pool of clients; not expected to be reached

    def whole(citizen: Citizen) -> None:
        api = Api(port, citizen.token, client_address(citizen.index))
        times: dict[str, float] = {}
        begun = time.perf_counter()
        application_id, code_id, code = journey_until_code(api, citizen, times)
        submit_started = time.perf_counter()
        submit(api, application_id, code_id, code)
        ended = time.perf_counter()
        times["submit"] = ended - submit_started
        times["journey"] = ended - begun
        api.close()
        citizen.applications.append(application_id)
        with lock:
            for name, seconds in times.items():
                steps.setdefault(name, []).append(seconds)

    cpu = server.cpu_seconds()
    count, wall = run_pool(citizens, args.clients, limit, whole)
    figures.append(
        Figure(
            backend,
            f"submissions, whole journey ({args.clients} clients)",
            count,
            wall,
            steps["journey"],
            baseline="submission writes",
            cpu_ms=1000 * (server.cpu_seconds() - cpu) / max(1, count),
        )
    )
    log(f"[{backend}] {count} whole journeys in {wall:.1f} s")

    prepared: list[tuple[Citizen, str, str, str]] = []

    def prepare(citizen: Citizen) -> None:
        api = Api(port, citizen.token, client_address(citizen.index))
        found = journey_until_code(api, citizen, {})
        api.close()
        with lock:
            prepared.append((citizen, *found))

    run_pool(citizens, args.clients, limit, prepare)
    submit_times: list[float] = []

    def only_submit(item: tuple[Citizen, str, str, str]) -> None:
        citizen, application_id, code_id, code = item
        api = Api(port, citizen.token, client_address(citizen.index))
        begun = time.perf_counter()
        submit(api, application_id, code_id, code)
        elapsed = time.perf_counter() - begun
        api.close()
        citizen.applications.append(application_id)
        with lock:
            submit_times.append(elapsed)

    cpu = server.cpu_seconds()
    count, wall = run_pool(prepared, args.clients, limit, only_submit)
    figures.append(
        Figure(
            backend,
            f"submit step alone ({args.clients} clients)",
            count,
            wall,
            submit_times,
            baseline="submit-step writes",
            cpu_ms=1000 * (server.cpu_seconds() - cpu) / max(1, count),
        )
    )
    log(f"[{backend}] {count} submits alone in {wall:.1f} s")

    items = [
        (f"/api/v1/applications/{application_id}", citizen.token)
        for citizen in citizens
        for application_id in citizen.applications
    ]
    cpu = server.cpu_seconds()
    reads = reads_with_wrk(port, items, args.connections, args.seconds, work)
    if reads is None:
        reads = reads_with_threads(port, items, args.connections, args.seconds, 1_000_000)
    reads.backend = backend
    reads.what = f"status reads ({args.connections} connections)"
    reads.baseline = "status read SQL"
    reads.cpu_ms = 1000 * (server.cpu_seconds() - cpu) / max(1, reads.count)
    figures.append(reads)
    log(f"[{backend}] {reads.count} status reads in {reads.seconds:.1f} s")

    # the floor: the cheapest request there is (no token, two small queries)
    cpu = server.cpu_seconds()
    floor = reads_with_wrk(port, [("/healthz", "")], args.connections, args.seconds, work)
    if floor is not None:
        floor.backend = backend
        floor.what = f"floor: GET /healthz ({args.connections} conn.)"
        floor.cpu_ms = 1000 * (server.cpu_seconds() - cpu) / max(1, floor.count)
        floor.note = floor.note.replace("non-2xx", "non-2xx (503: no task worker runs here)")
        figures.append(floor)
    return figures


# --- The report ----------------------------------------------------------------------------------


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"\n{os.cpu_count()} CPUs; gunicorn gthread, {args.workers} workers x {args.threads} "
        f"threads; {args.citizens} citizens; client, server and database on the same machine."
    )
    header = (
        f"{'backend':<11} {'what':<38} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'ratio':>7} {'CPU ms':>7}"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        figures = result["figures"]
        baselines = {f["what"].removeprefix("baseline: "): f for f in figures}
        for figure in figures:
            ratio = cpu = ""
            if figure["baseline"] in baselines:
                ratio = f"{figure['rate'] / baselines[figure['baseline']]['rate']:.2f}x"
            if figure["cpu_ms"] is not None:
                cpu = f"{figure['cpu_ms']:.1f}"
            print(
                f"{figure['backend']:<11} {figure['what']:<38} {figure['rate']:>8.1f} "
                f"{figure['p50_ms']:>8.1f} {figure['p99_ms']:>8.1f} {ratio:>7} {cpu:>7}"
            )
    print(
        "ratio: rate through the API / rate of its baseline (the same SQL without Django).\n"
        "CPU ms: CPU time of the gunicorn workers per submission or read (database excluded)."
    )
    for result in results:
        print(f"\n{result['backend']}:")
        for figure in result["figures"]:
            if figure["note"]:
                print(f"  {figure['what']}: {figure['note']}")
        print(f"  statements recorded: {result['sql']}")
        steps = ", ".join(
            f"{name} {v['p50']:.0f}/{v['p99']:.0f}" for name, v in result["steps_ms"].items()
        )
        print(f"  steps of the whole journey, p50/p99 ms: {steps}")
    print(f"\nOverload: {args.flood} status reads sent at once to one gunicorn worker")
    header = (
        f"{'backend':<11} {'configuration':<45} {'status':>6} {'count':>6} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        for run in result["overload"]:
            for status, figures in run["statuses"].items():
                print(
                    f"{run['backend']:<11} {run['config']:<45} {status:>6} {figures['count']:>6} "
                    f"{figures['p50_ms']:>8.0f} {figures['p99_ms']:>8.0f} {figures['max_ms']:>8.0f}"
                )
    print("status 0: no answer within 60 s, or the connection failed.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=300)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--clients", type=int, default=8, help="threads submitting")
    parser.add_argument("--connections", type=int, default=64, help="for status reads")
    parser.add_argument("--seconds", type=float, default=10.0, help="per timed load")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--flood", type=int, default=500)
    parser.add_argument("--show-sql", action="store_true", help="print the recorded SQL")
    parser.add_argument("--run-backend", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.run_backend:
        print(json.dumps(run_backend(args)))
        return

    report(each_backend(args, __file__), args)


if __name__ == "__main__":
    main()
