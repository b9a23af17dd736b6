"""/api/v1/inbox and /api/v1/notifications/preferences: my messages and channels, with the
authorization matrix."""

from typing import Any

import pytest

from conftest import CommittingClient, bearer, sign_in
from qyzmet.identity.models import Account
from qyzmet.identity.selectors import notification_recipient
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.notifications.actions import notify
from qyzmet.notifications.models import Notification, NotificationPreference, PushSubscription

pytestmark = pytest.mark.django_db

OTHER_PHONE = "+77057654321"


def _tell(account: Account, number: str) -> None:
    notify(
        recipient=notification_recipient(account=account),
        event="application.status_changed",
        context={"number": number, "state": {"en": "in review"}, "application_id": number},
        dedupe_key=f"test:{account.pk}:{number}",
    )


def _citizen(api: CommittingClient, phone: str = "+77011234567") -> tuple[Account, dict[str, Any]]:
    account = citizen_create(phone=phone)
    return account, bearer(sign_in(api, account.person.iin, phone=phone)["access_token"])


def test_my_inbox_lists_my_messages_newest_first_with_the_unread_count(
    api_client: CommittingClient,
) -> None:
    account, auth = _citizen(api_client)
    account.language = "en"
    account.save(update_fields=["language"])
    _tell(account, "Q1")
    _tell(account, "Q2")

    answer = api_client.get("/api/v1/inbox", **auth)

    assert answer.status_code == 200
    body = answer.json()
    assert body["unread"] == 2
    assert [item["title"] for item in body["items"]] == [
        "Application Q2: in review",
        "Application Q1: in review",
    ]
    assert body["items"][0]["text"] == "Qyzmet: application Q2 — in review."
    assert body["items"][0]["link"] == "/applications/Q2/"
    assert body["items"][0]["read"] is False


def test_marking_read_unread_and_all_read(api_client: CommittingClient) -> None:
    account, auth = _citizen(api_client)
    _tell(account, "Q1")
    _tell(account, "Q2")
    first = api_client.get("/api/v1/inbox", **auth).json()["items"][1]["id"]

    read = api_client.post(f"/api/v1/inbox/{first}/read", **auth)
    assert read.status_code == 200 and read.json()["read"] is True
    assert api_client.get("/api/v1/inbox", **auth).json()["unread"] == 1
    unread = api_client.post(f"/api/v1/inbox/{first}/read?read=false", **auth)
    assert unread.json()["read"] is False
    assert api_client.get("/api/v1/inbox", **auth).json()["unread"] == 2

    assert api_client.post("/api/v1/inbox/read-all", **auth).json() == {"changed": 2}
    assert api_client.get("/api/v1/inbox", **auth).json()["unread"] == 0


def test_someone_elses_message_looks_like_none_and_stays_unread(
    api_client: CommittingClient,
) -> None:
    owner, _owner_auth = _citizen(api_client)
    _tell(owner, "Q1")
    item = Notification.objects.get(channel="inbox")
    _other, other_auth = _citizen(api_client, OTHER_PHONE)

    answer = api_client.post(f"/api/v1/inbox/{item.pk}/read", **other_auth)
    missing = api_client.post(
        "/api/v1/inbox/00000000-0000-0000-0000-000000000000/read", **other_auth
    )
    garbage = api_client.post("/api/v1/inbox/not-a-uuid/read", **other_auth)

    assert answer.status_code == missing.status_code == garbage.status_code == 404
    assert answer.json() == missing.json()
    assert api_client.get("/api/v1/inbox", **other_auth).json() == {"unread": 0, "items": []}
    item.refresh_from_db()
    assert item.read_at is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/inbox"),
        ("post", "/api/v1/inbox/read-all"),
        ("get", "/api/v1/notifications/preferences"),
        ("put", "/api/v1/notifications/preferences"),
        ("post", "/api/v1/notifications/push-subscriptions"),
    ],
)
def test_anonymous_callers_are_refused(
    api_client: CommittingClient, method: str, path: str
) -> None:
    if method == "get":
        answer = api_client.get(path)
    else:
        answer = getattr(api_client, method)(path, "{}", content_type="application/json")
    assert answer.status_code == 401
    assert answer.json()["code"] == "not_authenticated"


def test_preferences_set_an_email_and_opt_out_of_sms(api_client: CommittingClient) -> None:
    account, auth = _citizen(api_client)
    defaults = api_client.get("/api/v1/notifications/preferences", **auth).json()
    assert defaults["email"] == "" and defaults["sms"] is True and defaults["push"] is True
    assert defaults["push_public_key"]  # demo mode keeps a VAPID pair

    bad = api_client.put(
        "/api/v1/notifications/preferences",
        '{"email": "not-an-email"}',
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422
    assert bad.json()["details"]["fields"][0]["field"] == "email"
    assert NotificationPreference.objects.count() == 0

    saved = api_client.put(
        "/api/v1/notifications/preferences",
        '{"email": "me@example.kz", "sms": false, "email_enabled": true, "push": true}',
        content_type="application/json",
        **auth,
    )
    assert saved.status_code == 200 and saved.json()["email"] == "me@example.kz"

    _tell(account, "Q1")
    rows = {n.channel: n for n in Notification.objects.filter(event="application.status_changed")}
    assert (rows["sms"].status, rows["sms"].reason) == ("failed", "opted_out")
    assert (rows["email"].status, rows["email"].address) == ("created", "me@example.kz")
    assert rows["inbox"].status == "delivered"


def test_a_browser_subscribes_to_push_and_unsubscribes(api_client: CommittingClient) -> None:
    _account, auth = _citizen(api_client)
    endpoint = "https://push.example/send/xyz"
    subscription = {"endpoint": endpoint, "keys": {"p256dh": "BAAA", "auth": "AAAA"}}

    plain = {**subscription, "endpoint": "http://push.example/x"}
    assert (
        api_client.post_json("/api/v1/notifications/push-subscriptions", plain, **auth).status_code
        == 422
    )
    added = api_client.post_json("/api/v1/notifications/push-subscriptions", subscription, **auth)
    assert added.status_code == 201
    assert PushSubscription.objects.get().endpoint == endpoint
    removed = api_client.post_json(
        "/api/v1/notifications/push-subscriptions/remove", {"endpoint": endpoint}, **auth
    )
    assert removed.json() == {"changed": 1}
    assert PushSubscription.objects.count() == 0


def test_a_message_is_read_in_the_language_of_the_request_not_the_one_it_was_written_in(
    api_client: CommittingClient,
) -> None:
    # given: a message written while the citizen's language was Kazakh
    account, auth = _citizen(api_client)
    account.language = "kk"
    account.save(update_fields=["language"])
    notify(
        recipient=notification_recipient(account=account),
        event="application.status_changed",
        context={
            "number": "Q7",
            "state": {"kk": "Қаралуда", "ru": "На рассмотрении", "en": "Under review"},
            "application_id": "Q7",
        },
        dedupe_key="test:languages",
    )
    assert Notification.objects.get(channel="inbox").subject == "Q7 өтінімі: Қаралуда"

    # when: the inbox is read in Russian, then in English
    ru = api_client.get("/api/v1/inbox", HTTP_ACCEPT_LANGUAGE="ru", **auth).json()["items"]
    en = api_client.get("/api/v1/inbox", HTTP_ACCEPT_LANGUAGE="en", **auth).json()["items"]
    read = api_client.post(
        f"/api/v1/inbox/{en[0]['id']}/read", HTTP_ACCEPT_LANGUAGE="ru", **auth
    ).json()

    # then: each in the reader's language
    assert [(m["title"], m["text"]) for m in ru] == [
        ("Заявка Q7: На рассмотрении", "Qyzmet: заявление Q7 — На рассмотрении.")
    ]
    assert [(m["title"], m["text"]) for m in en] == [
        ("Application Q7: Under review", "Qyzmet: application Q7 — Under review.")
    ]
    assert read["title"] == "Заявка Q7: На рассмотрении"


def test_a_message_written_before_its_parameters_were_kept_shows_its_text(
    api_client: CommittingClient,
) -> None:
    account, auth = _citizen(api_client)
    _tell(account, "Q1")
    Notification.objects.filter(channel="inbox").update(context="")  # as rows written before

    items = api_client.get("/api/v1/inbox", HTTP_ACCEPT_LANGUAGE="ru", **auth).json()["items"]

    assert [m["title"] for m in items] == ["Application Q1: in review"]
