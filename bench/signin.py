"""Sign-ins per second through the API (IIN + password, then the SMS code), with the production
password hasher (Argon2), against the cost of Argon2 alone measured in the same run.

    .venv/bin/python bench/signin.py [--citizens 200] [--postgres]

Sign-in is bounded by Argon2 by design: the figure to watch is how close the whole journey comes
to the hasher's own rate.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=200)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="qyzmet-bench-signin-")
    os.environ.update(
        QYZMET_DEMO="1",
        QYZMET_VAR_DIR=var_dir,
        QYZMET_LOG_LEVEL="ERROR",
        QYZMET_OTP_PER_CLIENT_HOUR="1000000",
        QYZMET_OTP_PER_CLIENT_DAY="1000000",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    database = "sqlite"
    if args.postgres:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS qyzmet_bench_signin")
            c.execute("CREATE DATABASE qyzmet_bench_signin")
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/qyzmet_bench_signin"
        database = "postgresql"

    import django

    django.setup()
    from django.contrib.auth.hashers import check_password, get_hasher, make_password
    from django.core.management import call_command
    from django.test import Client

    from qyzmet.identity.tests.factories import PASSWORD, citizen_create

    call_command("migrate", verbosity=0)
    phones = [f"+7701{n:07d}" for n in range(args.citizens)]
    iins = []
    for phone in phones:
        iins.append(citizen_create(phone=phone).person.iin)

    hasher = get_hasher("default")
    encoded = make_password(PASSWORD)
    start = time.perf_counter()
    for _ in range(args.citizens):
        check_password(PASSWORD, encoded)
    argon_seconds = time.perf_counter() - start

    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_HOST="127.0.0.1")
    start = time.perf_counter()
    for iin, phone in zip(iins, phones, strict=True):
        step = client.post(
            "/api/v1/auth/signin/password",
            json.dumps({"iin": iin, "password": PASSWORD}),
            content_type="application/json",
        ).json()
        text = client.get("/dev/outbox.json", {"to": phone, "limit": "1"}).json()["messages"][0]
        code = re.search(r"\d{6}", text["text"]).group(0)
        done = client.post(
            "/api/v1/auth/signin/verify",
            json.dumps({"code_id": step["code"]["code_id"], "code": code}),
            content_type="application/json",
        )
        assert done.status_code == 200, done.content
    journey_seconds = time.perf_counter() - start

    params = getattr(hasher, "time_cost", "?"), getattr(hasher, "memory_cost", "?")
    print(
        f"database: {database}; citizens: {args.citizens}; hasher: {hasher.algorithm} "
        f"(time_cost={params[0]}, memory_cost={params[1]} KiB, parallelism="
        f"{getattr(hasher, 'parallelism', '?')})"
    )
    print(f"{'what':42} {'per second':>12} {'ms each':>10}")
    for label, seconds in (
        ("Argon2 password check alone (baseline)", argon_seconds),
        ("full sign-in: password + SMS code, API", journey_seconds),
    ):
        print(f"{label:42} {args.citizens / seconds:12.1f} {1000 * seconds / args.citizens:10.1f}")
    print(
        f"share of the journey spent in Argon2: {argon_seconds / journey_seconds:.0%} "
        "(one process, one core)"
    )
    if args.postgres:
        from django.db import connections

        connections.close_all()
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS qyzmet_bench_signin")


if __name__ == "__main__":
    main()
