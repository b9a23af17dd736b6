"""No response, log line or database column holds an OTP, a password, or a person's name or phone
number in plain text."""

import json
import logging
import re

import pytest
from django.contrib.sessions.models import Session
from django.db import connection

from conftest import CommittingClient, bearer, last_code
from qyzmet.identity.tests.factories import PASSWORD, person_create

pytestmark = pytest.mark.django_db

PHONE = "+77011234567"


def _all_database_text() -> str:
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                chunks.extend(str(value) for value in row)
    for session in Session.objects.all():  # session data is encoded: look inside too
        chunks.append(json.dumps(session.get_decoded(), ensure_ascii=False))
    return "\n".join(chunks)


def test_secrets_and_personal_data_never_appear_in_clear(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    person = person_create(surname="Жұмабаев", given_name="Нұрлан", surname_latin="ZHUMABAYEV",
                           given_name_latin="NURLAN", sex="M")  # fmt: skip
    api = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    responses = []

    started = api.post_json("/api/v1/auth/register/start", {"iin": person.iin, "phone": PHONE})
    codes = [last_code(api, PHONE)]
    completed = api.post_json(
        "/api/v1/auth/register/complete",
        {"code_id": started.json()["code_id"], "code": codes[0], "password": PASSWORD},
    )
    responses += [started, completed]
    tokens = completed.json()
    responses.append(api.get("/api/v1/me/sessions", **bearer(tokens["access_token"])))
    responses.append(api.get("/api/v1/me/phone", **bearer(tokens["access_token"])))
    web.post("/signin/", {"iin": person.iin, "password": "a-wrong-password"})
    from qyzmet.identity.models import OtpEvent

    OtpEvent.objects.all().delete()  # let the web sign-in have its code at once
    responses.append(web.post("/signin/", {"iin": person.iin, "password": PASSWORD}))
    codes.append(last_code(web, PHONE))
    responses.append(web.post("/signin/code/", {"code": codes[1]}))
    responses.append(web.get("/me/sessions/"))
    responses.append(web.get("/me/phone/"))

    secrets = [PASSWORD, *codes, "Жұмабаев", "Нұрлан", "ZHUMABAYEV", "NURLAN", PHONE,
               "7011234567", "701 123 45 67"]  # fmt: skip
    database = _all_database_text()
    logs = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    bodies = "\n".join(r.content.decode() for r in responses)
    for secret in secrets:
        assert secret not in database, f"database holds {secret!r}"
        assert secret not in logs, f"a log line holds {secret!r}"
        assert secret not in bodies, f"a response holds {secret!r}"
    # The encrypted columns are really there, as ciphertext.
    assert re.search(r"v1\$[\w-]{20,}", database)
