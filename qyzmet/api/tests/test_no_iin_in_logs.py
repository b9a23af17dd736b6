"""No log line names a citizen: a whole journey (register, sign in, apply, sign, pay, the officer
approves, the document is checked by number and IIN, shared and its code redeemed, and a client
still sending the IIN in an address) leaves no valid IIN in any log record as the configured
handlers write it, nor in the web server's access log."""

from __future__ import annotations

import contextlib
import logging
import re
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.http import HttpRequest
from django.utils import timezone
from gunicorn.config import Config

from conftest import PASSWORD, PHONE, CommittingClient, bearer, last_code, sign_in
from qyzmet.api.tests.journeys import criminal_record_submitted, officer_headers
from qyzmet.core.access_log import RedactingLogger
from qyzmet.core.iin import IinError, iin_check
from qyzmet.documents.models import Document
from qyzmet.identity.tests.factories import person_create
from qyzmet.payments.providers import sandbox
from qyzmet.payments.tests.conftest import run_tasks

pytestmark = pytest.mark.django_db

ID_CARD = "id-card-replacement"  # paid before the agency starts


def valid_iins(text: str) -> set[str]:
    """Every run of twelve digits in `text` that is a valid IIN (spaces between allowed)."""
    found = set()
    for match in re.finditer(r"(?<![0-9])[0-9]{6}[ +]?[0-9]{6}(?![0-9])", text):
        digits = re.sub(r"[^0-9]", "", match.group(0))
        with contextlib.suppress(IinError):
            found.add(iin_check(digits).iin)
    return found


class Recording(CommittingClient):
    """A client that keeps every request it made, for the access log."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent: list[tuple[HttpRequest, int]] = []

    def request(self, **request: Any) -> Any:
        response = super().request(**request)
        self.sent.append((response.wsgi_request, response.status_code))
        return response


def journey(api: Recording) -> None:
    person = person_create(birth_date=date(1990, 5, 17), sex="M")
    started = api.post_json("/api/v1/auth/register/start", {"iin": person.iin, "phone": PHONE})
    assert started.status_code == 202, started.json()
    done = api.post_json(
        "/api/v1/auth/register/complete",
        {"code_id": started.json()["code_id"], "code": last_code(api, PHONE),
         "password": PASSWORD, "device": "Pixel 8"},
    )  # fmt: skip
    assert done.status_code == 201, done.json()
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        citizen = bearer(sign_in(api, person.iin)["access_token"])
    with time_machine.travel(timezone.now() + timedelta(seconds=122)):
        application = criminal_record_submitted(api, citizen)
    with time_machine.travel(timezone.now() + timedelta(seconds=183)):
        paid_for = api.post_json("/api/v1/applications", {"service": ID_CARD}, **citizen).json()
        api.patch(
            f"/api/v1/applications/{paid_for['id']}",
            data='{"answers": {"reason": "expiry", "collection_centre": "Almaty, Abay 10"}}',
            content_type="application/json",
            **citizen,
        )
        code = api.post(f"/api/v1/applications/{paid_for['id']}/sign/sms", **citizen).json()
        submitted = api.post_json(
            f"/api/v1/applications/{paid_for['id']}/submit",
            {"code_id": code["code_id"], "code": last_code(api, PHONE)},
            HTTP_IDEMPOTENCY_KEY="duty-1",
            **citizen,
        )
        assert submitted.status_code == 201, submitted.json()
    invoices = api.get("/api/v1/payments/invoices?kind=duty&status=unpaid", **citizen).json()
    payment = api.post_json(
        "/api/v1/payments", {"invoices": [invoices[0]["id"]]}, HTTP_IDEMPOTENCY_KEY="pay-1",
        **citizen,
    ).json()  # fmt: skip
    ref = payment["redirect_url"].rsplit("/", 1)[-1]
    api.post_json(f"/api/v1/payments/sandbox/{ref}/card", {"card_number": sandbox.CARD_ACCEPT})
    run_tasks()
    officer = officer_headers(api)
    steps = f"/api/v1/office/applications/{application['id']}/steps"
    assert api.post_json(steps, {"name": "issue"}, **officer).status_code == 200
    run_tasks()
    document = Document.objects.get(application_id=application["id"])
    check = {"number": document.number, "iin": person.iin}
    assert api.post_json("/api/v1/documents/verify", check).status_code == 200
    assert api.post_json("/api/v1/documents/verify", {**check, "iin": "1" + person.iin[1:]})
    assert api.get("/verify/", {"number": document.number}).status_code == 200
    assert api.post("/verify/", check).status_code == 200
    # a client still sending the IIN in the address: refused, and still not in the logs
    assert api.get("/api/v1/documents/verify", check).status_code == 405
    assert api.get("/documents/verify", check).status_code == 404
    share = api.post_json(
        "/api/v1/wallet/shares", {"kind": "result_document", "ref": str(document.pk)}, **citizen
    ).json()
    redeemed = api.post_json("/api/v1/wallet/shares/redeem", {"code": share["code"]})
    assert redeemed.status_code == 200, redeemed.json()


def access_lines(sent: list[tuple[HttpRequest, int]], path: Path) -> str:
    """What gunicorn's access log, as `manage.py serve` configures it, writes for each request."""
    config = Config()
    config.set("accesslog", str(path))
    config.set("logger_class", "qyzmet.core.access_log.RedactingLogger")
    server_log = config.logger_class(config)
    assert isinstance(server_log, RedactingLogger)
    for request, status in sent:
        query = request.META.get("QUERY_STRING", "")
        environ = {
            **{k: v for k, v in request.META.items() if isinstance(v, str)},
            "RAW_URI": request.path + (f"?{query}" if query else ""),
            "SERVER_PROTOCOL": "HTTP/1.1",
        }
        response = SimpleNamespace(status=f"{status} X", sent=0, headers=[])
        server_log.access(response, SimpleNamespace(headers=[]), environ, timedelta(0))
    for handler in server_log.access_log.handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_a_whole_journey_leaves_no_iin_in_any_log_line(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    api = Recording(HTTP_ACCEPT_LANGUAGE="en")
    [console] = [h for h in logging.getLogger().handlers if h.name == "console"]
    caplog.set_level(logging.DEBUG)

    journey(api)

    lines = []
    for record in caplog.records:
        assert console.filter(record)
        lines.append(console.format(record))
    written = "\n".join(lines)
    assert "Not Found: /documents/verify" in written  # the request warnings are among them
    assert valid_iins(written) == set()
    access = access_lines(api.sent, tmp_path / "access.log")
    assert "/documents/verify?number=" in access
    assert valid_iins(access) == set()
