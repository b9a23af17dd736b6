"""SMS failover between providers, the HTTP gateway (fake transport), receipts, Web Push."""

import base64
import json
import os
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.test import Client, TestCase

from qyzmet.core.calendar import ALMATY
from qyzmet.notifications.actions import notify
from qyzmet.notifications.failover import provider_demo_failing_set, sms_send
from qyzmet.notifications.models import (
    Notification,
    PushSubscription,
    SinkMessage,
    SmsProviderState,
)
from qyzmet.notifications.providers import push as push_module
from qyzmet.notifications.providers.push import vapid_key_pair
from qyzmet.notifications.providers.sms import HttpJsonSmsProvider, receipt_signature
from qyzmet.notifications.recipients import Recipient
from qyzmet.notifications.testing import deliver_due

pytestmark = pytest.mark.django_db

PHONE = "+77011234567"
ALICE = Recipient(ref="account:1", language="en", phone=PHONE)
DAY = datetime(2026, 3, 10, 12, 0, tzinfo=ALMATY)
SECRET = "receipt-secret-for-tests"


@pytest.fixture(autouse=True)
def _config(settings: Any) -> None:
    settings.QYZMET_SMS_PROVIDERS = ["sink", "sink-reserve"]
    settings.QYZMET_SMS_PROVIDER_MAX_ERRORS_PER_MINUTE = 2
    settings.QYZMET_SMS_PROVIDER_REST_SECONDS = 300
    settings.QYZMET_SMS_HTTP_URL = "https://gateway.example/send"
    settings.QYZMET_SMS_HTTP_TOKEN = "token-1"
    settings.QYZMET_SMS_HTTP_RECEIPT_SECRET = SECRET
    settings.QYZMET_NOTIFY_QUIET_HOURS = "off"


def _code(n: int) -> Notification:
    with TestCase.captureOnCommitCallbacks(execute=True):
        [row] = notify(
            recipient=ALICE, event="code.signin", context={"code": f"{n:06d}"}, dedupe_key=f"c{n}"
        )
    row.refresh_from_db()
    return row


@time_machine.travel(DAY, tick=False)
def test_with_the_first_provider_failing_codes_arrive_through_the_second() -> None:
    provider_demo_failing_set(name="sink", failing=True)

    rows = [_code(n) for n in range(5)]

    assert [(r.status, r.provider) for r in rows] == [("delivered", "sink-reserve")] * 5
    assert [m.provider for m in SinkMessage.objects.all()] == ["sink-reserve"] * 5
    state = SmsProviderState.objects.get(name="sink")
    # Three errors within the minute (> 2) rested it: the last two codes did not even try it.
    assert state.rested_until == DAY + timedelta(seconds=300)
    assert state.errors == 0


@time_machine.travel(DAY, tick=False)
def test_errors_spread_over_minutes_do_not_rest_a_provider() -> None:
    provider_demo_failing_set(name="sink", failing=True)
    for minute in range(4):
        with time_machine.travel(DAY + timedelta(minutes=minute), tick=False):
            _code(minute)
    assert SmsProviderState.objects.get(name="sink").rested_until is None


@time_machine.travel(DAY, tick=False)
def test_after_the_rest_traffic_returns_to_the_first_provider() -> None:
    provider_demo_failing_set(name="sink", failing=True)
    for n in range(3):
        _code(n)
    SmsProviderState.objects.filter(name="sink").update(demo_failing=False)  # repaired

    during = _code(10)
    with time_machine.travel(DAY + timedelta(seconds=301), tick=False):
        after = _code(11)

    assert during.provider == "sink-reserve"  # still resting, though repaired
    assert after.provider == "sink"


@time_machine.travel(DAY, tick=False)
def test_the_demo_switch_on_the_outbox_page_makes_a_provider_fail(settings: Any) -> None:
    web = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = web.get("/dev/outbox")
    assert page.status_code == 200
    assert "sink-reserve" in page.content.decode()

    web.post("/dev/outbox/providers", {"provider": "sink", "failing": "1"})
    assert SmsProviderState.objects.get(name="sink").demo_failing is True
    assert sms_send(to=PHONE, text="hello").provider == "sink-reserve"
    web.post("/dev/outbox/providers", {"provider": "sink", "failing": "0"})
    assert sms_send(to=PHONE, text="hello").provider == "sink"
    assert "Make it fail" in web.get("/dev/outbox").content.decode()


# --- The HTTP gateway ---------------------------------------------------------------------------


class FakeResponse:
    def __init__(self, status: int, body: Any) -> None:
        self.status_code = status
        self._body = body

    def json(self) -> Any:
        if isinstance(self._body, Exception):
            raise self._body
        return self._body


class FakeGateway:
    """Answers like a gateway that honours client message ids."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.calls: list[dict[str, Any]] = []
        self.sent: dict[str, str] = {}

    def post(self, url: str, *, data: bytes, headers: dict[str, str], timeout: float) -> Any:
        body = json.loads(data)
        self.calls.append({"url": url, "body": body, "headers": headers})
        if self.status != 200:
            return FakeResponse(self.status, {})
        message_id = self.sent.setdefault(body["client_message_id"], f"gw-{len(self.sent) + 1}")
        return FakeResponse(200, {"message_id": message_id})


@pytest.fixture
def gateway(settings: Any, monkeypatch: pytest.MonkeyPatch) -> FakeGateway:
    fake = FakeGateway()
    monkeypatch.setattr(HttpJsonSmsProvider, "transport_factory", staticmethod(lambda: fake))
    settings.QYZMET_SMS_PROVIDERS = ["http", "sink"]
    return fake


@time_machine.travel(DAY, tick=False)
def test_the_http_gateway_gets_the_client_message_id_and_a_bearer_token(
    gateway: FakeGateway,
) -> None:
    row = _code(1)

    assert (row.status, row.provider, row.provider_message_id) == ("sent", "http", "gw-1")
    [call] = gateway.calls
    assert call["url"] == "https://gateway.example/send"
    assert call["body"] == {
        "to": PHONE,
        "text": "Qyzmet sign-in code: 000001. Do not tell it to anyone, not even staff.",
        "client_message_id": str(row.pk),
    }
    assert call["headers"]["Authorization"] == "Bearer token-1"
    assert call["headers"]["Idempotency-Key"] == str(row.pk)
    assert SinkMessage.objects.count() == 0


@time_machine.travel(DAY, tick=False)
def test_a_gateway_error_fails_over_and_a_refusal_does_not(gateway: FakeGateway) -> None:
    gateway.status = 503
    assert _code(1).provider == "sink"

    gateway.status = 400
    refused = _code(2)
    assert (refused.status, refused.reason) == ("failed", "provider_refused")
    assert SinkMessage.objects.count() == 1


def test_the_http_provider_reports_its_missing_configuration(settings: Any) -> None:
    settings.QYZMET_SMS_HTTP_URL = "http://plain.example/"
    settings.QYZMET_SMS_HTTP_TOKEN = ""
    assert HttpJsonSmsProvider().check_config() == [
        "QYZMET_SMS_HTTP_URL must be an https:// URL",
        "QYZMET_SMS_HTTP_TOKEN is empty",
    ]


@time_machine.travel(DAY, tick=False)
def test_a_signed_receipt_marks_the_message_delivered_and_a_forged_one_is_refused(
    gateway: FakeGateway,
) -> None:
    row = _code(1)
    body = json.dumps({"message_id": "gw-1", "status": "delivered"}).encode()
    web = Client()

    forged = web.post(
        "/api/v1/notifications/receipts/http",
        body,
        content_type="application/json",
        HTTP_X_SIGNATURE="0" * 64,
    )
    assert forged.status_code == 403
    assert forged.json()["code"] == "receipt_rejected"
    row.refresh_from_db()
    assert row.status == "sent"

    done = web.post(
        "/api/v1/notifications/receipts/http",
        body,
        content_type="application/json",
        HTTP_X_SIGNATURE=receipt_signature(body, SECRET),
    )
    assert done.status_code == 200 and done.json() == {"changed": 1}
    row.refresh_from_db()
    assert (row.status, row.delivered_at) == ("delivered", DAY)


@time_machine.travel(DAY, tick=False)
def test_a_failed_receipt_fails_the_message_and_unknown_providers_are_404(
    gateway: FakeGateway,
) -> None:
    row = _code(1)
    body = json.dumps([{"message_id": "gw-1", "status": "failed"}]).encode()
    web = Client()
    signature = receipt_signature(body, SECRET)
    url = "/api/v1/notifications/receipts/"
    answer = web.post(url + "http", body, content_type="application/json",
                      HTTP_X_SIGNATURE=signature)  # fmt: skip
    assert answer.json() == {"changed": 1}
    row.refresh_from_db()
    assert (row.status, row.reason) == ("failed", "undelivered")
    assert web.post(url + "nope", body, content_type="application/json").status_code == 404
    # The sink reports delivery itself: it takes no callbacks.
    assert web.post(url + "sink", body, content_type="application/json").status_code == 403


# --- Web Push -----------------------------------------------------------------------------------


class PushResponse:
    def __init__(self, status: int) -> None:
        self.status_code = status
        self.reason = "Gone" if status == 410 else "Created"
        self.text = ""
        self.headers: dict[str, str] = {}


class FakePushService:
    def __init__(self, status: int = 201) -> None:
        self.status = status
        self.calls: list[dict[str, Any]] = []

    def post(self, url: str, data: bytes = b"", headers: Any = None, **kwargs: Any) -> Any:
        self.calls.append({"url": url, "data": data, "headers": dict(headers or {})})
        return PushResponse(self.status)


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture
def browser(settings: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    private, public = vapid_key_pair()
    settings.QYZMET_VAPID_PRIVATE_KEY, settings.QYZMET_VAPID_PUBLIC_KEY = private, public
    receiver = ec.generate_private_key(ec.SECP256R1())
    auth = os.urandom(16)
    p256dh = receiver.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    service = FakePushService()
    monkeypatch.setattr(push_module, "requests_session", service)
    endpoint = "https://push.example/send/abc123"
    PushSubscription.objects.create(
        recipient_ref=ALICE.ref,
        endpoint=endpoint,
        endpoint_index="x",
        p256dh=_b64url(p256dh),
        auth=_b64url(auth),
    )
    return {"receiver": receiver, "auth": auth, "service": service, "public": public}


@time_machine.travel(DAY, tick=False)
def test_a_push_is_vapid_signed_encrypted_and_carries_no_personal_data(
    browser: dict[str, Any],
) -> None:
    import http_ece

    notify(
        recipient=ALICE,
        event="application.status_changed",
        context={"number": "Q261129-5EC2E7AB", "state": "in review", "application_id": "a1"},
        dedupe_key="s1",
    )
    deliver_due()

    push = Notification.objects.get(channel="push")
    assert (push.status, push.provider) == ("sent", "push")
    [call] = browser["service"].calls
    assert call["url"] == "https://push.example/send/abc123"
    authorization = call["headers"]["authorization"]
    assert authorization.startswith("vapid t=")
    assert f"k={browser['public']}" in authorization
    token = authorization.split("t=")[1].split(",")[0]
    header, payload, signature = token.split(".")
    claims = json.loads(_unb64(payload))
    raw = _unb64(signature)
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), _unb64(browser["public"])
    ).verify(  # raises unless our VAPID key signed it
        encode_dss_signature(r, s), f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256())
    )
    assert claims["aud"] == "https://push.example"
    assert claims["sub"].startswith("mailto:")
    assert call["headers"]["content-encoding"] == "aes128gcm"
    assert b"Q261129-5EC2E7AB" not in call["data"]  # encrypted on the wire
    plain = http_ece.decrypt(
        call["data"],
        private_key=browser["receiver"],
        auth_secret=browser["auth"],
        version="aes128gcm",
    )
    assert json.loads(plain) == {
        "title": "Application Q261129-5EC2E7AB: in review",
        "link": "/applications/a1/",
        "tag": str(push.pk),
    }


@time_machine.travel(DAY, tick=False)
def test_a_gone_subscription_is_forgotten(browser: dict[str, Any]) -> None:
    browser["service"].status = 410
    notify(
        recipient=ALICE,
        event="application.status_changed",
        context={"number": "Q1", "state": "in review", "application_id": "a1"},
        dedupe_key="s1",
    )
    deliver_due()
    push = Notification.objects.get(channel="push")
    assert (push.status, push.reason) == ("failed", "no_route")
    assert PushSubscription.objects.count() == 0


def test_the_vapid_command_prints_a_usable_pair() -> None:
    import io

    from django.core.management import call_command
    from py_vapid import Vapid

    out = io.StringIO()
    call_command("vapid_keys", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    vapid = Vapid.from_string(lines["QYZMET_VAPID_PRIVATE_KEY"])
    public = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert _b64url(public) == lines["QYZMET_VAPID_PUBLIC_KEY"]
