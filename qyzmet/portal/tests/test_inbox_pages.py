"""The inbox and notification-settings pages, and the header's unread badge."""

import pytest

from conftest import PASSWORD, PHONE, CommittingClient, last_code
from qyzmet.identity.models import Account
from qyzmet.identity.selectors import notification_recipient, notification_ref
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.notifications.actions import notify
from qyzmet.notifications.models import Notification, NotificationPreference, PushSubscription

pytestmark = pytest.mark.django_db


def _signed_in(phone: str = PHONE) -> tuple[Account, CommittingClient]:
    account = citizen_create(phone=phone)
    account.language = "en"
    account.save(update_fields=["language"])
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, phone)})
    return account, web


def _tell(account: Account, number: str) -> None:
    notify(
        recipient=notification_recipient(account=account),
        event="application.status_changed",
        context={"number": number, "state": {"en": "in review"}, "application_id": number},
        dedupe_key=f"page:{account.pk}:{number}",
    )


def test_the_inbox_needs_sign_in() -> None:
    response = CommittingClient().get("/me/inbox/")
    assert response.status_code == 302
    assert "/signin/" in response["Location"]


def test_the_inbox_lists_messages_and_the_header_counts_the_unread() -> None:
    account, web = _signed_in()
    _tell(account, "Q1")
    _tell(account, "Q2")

    page = web.get("/me/inbox/").content.decode()

    assert "Application Q2: in review" in page and "Application Q1: in review" in page
    assert page.index("Application Q2: in review") < page.index("Application Q1: in review")
    assert "2 unread messages" in page
    assert '<strong aria-hidden="true">(2)</strong>' in page  # the header badge
    assert "(2)" in web.get("/").content.decode()  # on every page


def test_reading_one_and_all_through_the_page() -> None:
    account, web = _signed_in()
    _tell(account, "Q1")
    _tell(account, "Q2")
    first = Notification.objects.filter(channel="inbox").order_by("created_at").first()
    assert first is not None

    opened = web.post(f"/me/inbox/{first.pk}/read", {"read": "1", "open": "1"})
    assert opened.status_code == 302 and opened["Location"] == "/applications/Q1/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert "1 unread message" in web.get("/me/inbox/").content.decode()

    web.post("/me/inbox/read-all")
    assert not Notification.objects.filter(channel="inbox", read_at__isnull=True).exists()
    assert "0 unread messages" in web.get("/me/inbox/").content.decode()


def test_someone_elses_message_cannot_be_marked() -> None:
    owner = citizen_create(phone="+77057654321")
    _tell(owner, "Q1")
    item = Notification.objects.get(channel="inbox")
    _account, web = _signed_in()

    assert web.post(f"/me/inbox/{item.pk}/read", {"read": "1"}).status_code == 404
    item.refresh_from_db()
    assert item.read_at is None


def test_notification_settings_save_and_refuse_a_bad_address() -> None:
    _account, web = _signed_in()

    bad = web.post("/me/notifications/", {"email": "nope", "sms": "on"})
    assert bad.status_code == 422
    assert "Enter a valid e-mail." in bad.content.decode()
    assert NotificationPreference.objects.count() == 0

    saved = web.post("/me/notifications/", {"email": "me@example.kz", "push": "on"})
    assert saved.status_code == 302
    prefs = NotificationPreference.objects.get()
    assert (prefs.email, prefs.sms, prefs.email_enabled, prefs.push) == (
        "me@example.kz",
        False,
        False,
        True,
    )
    page = web.get("/me/notifications/").content.decode()
    assert 'value="me@example.kz"' in page
    assert "portal/push.js" in page


def test_the_push_subscription_is_posted_by_the_page_script() -> None:
    account, web = _signed_in()
    answer = web.post(
        "/me/notifications/push",
        '{"endpoint": "https://push.example/s/1", "keys": {"p256dh": "BA", "auth": "AA"}}',
        content_type="application/json",
    )
    assert answer.status_code == 201
    bad = web.post("/me/notifications/push", "not json", content_type="application/json")
    assert bad.status_code == 400
    stored = PushSubscription.objects.get()  # one, this account's, the endpoint kept whole
    assert stored.recipient_ref == notification_ref(account_id=account.pk)
    assert (stored.endpoint, stored.p256dh, stored.auth) == ("https://push.example/s/1", "BA", "AA")


def test_the_service_worker_is_served_from_the_root() -> None:
    response = CommittingClient().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript"
    assert b"showNotification" in response.content


def test_the_inbox_page_shows_a_message_in_the_reader_s_language() -> None:
    # given: a message written while the citizen's language was Kazakh
    account, web = _signed_in()
    account.language = "kk"
    account.save(update_fields=["language"])
    notify(
        recipient=notification_recipient(account=account),
        event="payment.succeeded",
        context={
            "amount_tiyn": 108125,
            "what": {"kk": "мемлекеттік баж", "ru": "госпошлина", "en": "state duty"},
            "link": "/payments/",
        },
        dedupe_key="page:languages",
    )

    # when: the page is read in Russian, then in English
    web.cookies["qyzmet_language"] = "ru"
    ru = web.get("/me/inbox/").content.decode()
    web.cookies["qyzmet_language"] = "en"
    en = web.get("/me/inbox/").content.decode()

    # then
    assert "Платёж получен" in ru and "госпошлина" in ru
    assert "Төлем" not in ru and "баж" not in ru
    assert "Payment received" in en
    assert "Qyzmet: payment of 1,081.25\u00a0₸ for state duty has been received." in en


@pytest.mark.parametrize(
    ("page", "status"),
    [("2000", 200), ("2001", 404), ("9223372036854775808", 404), ("-1", 200), ("١٢", 200)],
)
def test_an_inbox_page_out_of_bounds_is_not_found_never_a_500(page: str, status: int) -> None:
    _account, web = _signed_in()

    response = web.get("/me/inbox/", {"page": page})

    assert response.status_code == status
