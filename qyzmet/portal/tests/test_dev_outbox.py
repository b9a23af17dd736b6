import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from qyzmet.notifications.actions import email_send, sms_send
from qyzmet.notifications.models import SinkMessage

pytestmark = pytest.mark.django_db


def test_outbox_json_lists_messages_newest_first() -> None:
    sms_send(to="+77011234567", text="first")
    sms_send(to="+77057654321", text="second")

    response = Client().get("/dev/outbox.json")

    assert response.status_code == 200
    messages = response.json()["messages"]
    assert [m["text"] for m in messages] == ["second", "first"]
    assert messages[0]["recipient"] == "+77057654321"
    assert messages[0]["channel"] == "sms"
    assert messages[0]["time"]


def test_outbox_json_filters_by_recipient_and_limits() -> None:
    for n in range(3):
        sms_send(to="+77011234567", text=f"code {n}")
    sms_send(to="+77050000000", text="other")

    response = Client().get("/dev/outbox.json", {"to": "+77011234567", "limit": "2"})

    assert [m["text"] for m in response.json()["messages"]] == ["code 2", "code 1"]


def test_email_goes_to_the_sink_through_djangos_mail_backend(settings) -> None:  # type: ignore[no-untyped-def]
    # The test runner swaps in the locmem backend; put the demo one back.
    settings.EMAIL_BACKEND = "qyzmet.notifications.providers.email.SinkEmailBackend"

    email_send(to="citizen@example.kz", subject="Hello", text="Body text")

    message = SinkMessage.objects.get()
    assert (message.channel, message.recipient, message.subject, message.text) == (
        "email",
        "citizen@example.kz",
        "Hello",
        "Body text",
    )
    assert mail.outbox == []


def test_outbox_html_page_shows_messages() -> None:
    sms_send(to="+77011234567", text="Your code is in the demo outbox")

    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/dev/outbox")

    assert response.status_code == 200
    assert "Your code is in the demo outbox" in response.content.decode()


def test_outbox_routes_do_not_exist_outside_demo_mode(settings) -> None:  # type: ignore[no-untyped-def]
    sms_send(to="+77011234567", text="secret")
    settings.QYZMET_DEMO = False

    assert Client().get("/dev/outbox.json").status_code == 404
    assert Client().get("/dev/outbox").status_code == 404


def test_outbox_command_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    sms_send(to="+77011234567", text="from the command")

    call_command("outbox", "--json", "--limit", "1")

    assert '"text": "from the command"' in capsys.readouterr().out
