"""The phone app's journeys through the API alone, with codes read from /dev/outbox.json."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from conftest import PHONE, CommittingClient, bearer, last_code, sign_in
from qyzmet.core.crypto import blind_index
from qyzmet.identity.models import AuthSession, DemoSimChange, OneTimeCode, OtpEvent
from qyzmet.identity.tests.factories import PASSWORD, citizen_create, person_create

pytestmark = pytest.mark.django_db


def test_register_sign_in_call_refresh_and_sign_out_through_the_api_alone(
    api_client: CommittingClient,
) -> None:
    person = person_create(birth_date=date(1990, 5, 17), sex="M", given_name="Ерлан")

    started = api_client.post_json(
        "/api/v1/auth/register/start", {"iin": person.iin, "phone": "8 701 123 45 67"}
    )
    assert started.status_code == 202, started.json()
    assert started.json()["phone_masked"] == "+7 701 *** ** 67"
    completed = api_client.post_json(
        "/api/v1/auth/register/complete",
        {"code_id": started.json()["code_id"], "code": last_code(api_client, PHONE),
         "password": PASSWORD, "device": "Pixel 8"},
    )  # fmt: skip
    assert completed.status_code == 201, completed.json()
    tokens = completed.json()

    me = api_client.get("/api/v1/me", **bearer(tokens["access_token"]))
    assert me.status_code == 200
    assert me.json()["given_name"] == "Ерлан"
    assert me.json()["iin"] == person.iin

    refreshed = api_client.post_json(
        "/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200
    assert refreshed.json()["refresh_token"] != tokens["refresh_token"]
    assert (
        api_client.get("/api/v1/me", **bearer(refreshed.json()["access_token"])).status_code == 200
    )

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):  # past the resend pause
        signed_in = sign_in(api_client, person.iin)
        assert api_client.get("/api/v1/me", **bearer(signed_in["access_token"])).status_code == 200

    out = api_client.post("/api/v1/auth/signout", **bearer(signed_in["access_token"]))
    assert out.status_code == 204
    after = api_client.get("/api/v1/me", **bearer(signed_in["access_token"]))
    assert after.status_code == 401
    assert after.json()["code"] == "token_invalid"
    again = api_client.post_json(
        "/api/v1/auth/refresh", {"refresh_token": signed_in["refresh_token"]}
    )
    assert again.status_code == 401


def test_a_refresh_token_used_twice_ends_the_whole_session(api_client: CommittingClient) -> None:
    account = citizen_create()
    tokens = sign_in(api_client, account.person.iin)

    first = api_client.post_json("/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    replay = api_client.post_json(
        "/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}
    )

    assert first.status_code == 200
    assert replay.status_code == 401
    assert replay.json()["code"] == "refresh_invalid"
    session = AuthSession.objects.get(pk=tokens["session_id"])
    assert session.end_reason == "refresh_reuse"
    newest = api_client.get("/api/v1/me", **bearer(first.json()["access_token"]))
    assert newest.status_code == 401


def test_a_sixth_try_of_a_code_is_refused_even_when_right(api_client: CommittingClient) -> None:
    account = citizen_create()
    step = api_client.post_json(
        "/api/v1/auth/signin/password", {"iin": account.person.iin, "password": PASSWORD}
    ).json()
    code_id = step["code"]["code_id"]
    right = last_code(api_client, PHONE)
    wrong = "000000" if right != "000000" else "111111"

    for left in (4, 3, 2, 1, 0):
        response = api_client.post_json(
            "/api/v1/auth/signin/verify", {"code_id": code_id, "code": wrong}
        )
        assert response.status_code == 400
        assert response.json()["code"] == "otp_wrong"
        assert response.json()["details"]["attempts_left"] == left
    sixth = api_client.post_json("/api/v1/auth/signin/verify", {"code_id": code_id, "code": right})

    assert sixth.status_code == 400
    assert sixth.json()["code"] == "otp_exhausted"
    assert AuthSession.objects.count() == 0
    assert OtpEvent.objects.filter(kind="exhausted").count() == 1


def test_a_code_is_single_use(api_client: CommittingClient) -> None:
    account = citizen_create()
    step = api_client.post_json(
        "/api/v1/auth/signin/password", {"iin": account.person.iin, "password": PASSWORD}
    ).json()
    body = {"code_id": step["code"]["code_id"], "code": last_code(api_client, PHONE)}

    assert api_client.post_json("/api/v1/auth/signin/verify", body).status_code == 200
    replay = api_client.post_json("/api/v1/auth/signin/verify", body)

    assert replay.status_code == 400
    assert replay.json()["code"] == "otp_used"


def test_an_expired_code_is_refused(api_client: CommittingClient) -> None:
    account = citizen_create()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        step = api_client.post_json(
            "/api/v1/auth/signin/password", {"iin": account.person.iin, "password": PASSWORD}
        ).json()
        code = last_code(api_client, PHONE)
        clock.shift(timedelta(minutes=5, seconds=1))
        response = api_client.post_json(
            "/api/v1/auth/signin/verify", {"code_id": step["code"]["code_id"], "code": code}
        )

    assert response.status_code == 400
    assert response.json()["code"] == "otp_expired"


def test_codes_past_the_send_limits_get_429_with_retry_after(api_client: CommittingClient) -> None:
    account = citizen_create()
    body = {"iin": account.person.iin, "password": PASSWORD}
    with time_machine.travel(timezone.now(), tick=False) as clock:
        first = api_client.post_json("/api/v1/auth/signin/password", body)
        too_soon = api_client.post_json("/api/v1/auth/signin/password", body)
        assert first.status_code == 200
        assert too_soon.status_code == 429
        assert too_soon["Retry-After"] == "60"
        assert too_soon.json()["code"] == "otp_rate_limited"
        assert too_soon.json()["details"]["retry_after"] == 60

        for _ in range(7):  # eight sign-in codes a day per account
            clock.shift(timedelta(seconds=61))
            assert api_client.post_json("/api/v1/auth/signin/password", body).status_code == 200
        clock.shift(timedelta(seconds=61))
        ninth = api_client.post_json("/api/v1/auth/signin/password", body)

    assert ninth.status_code == 429
    assert int(ninth["Retry-After"]) == 24 * 3600 - 8 * 61
    assert "minutes" in ninth.json()["message"]
    assert OneTimeCode.objects.count() == 8
    assert OtpEvent.objects.filter(kind="throttled").count() == 2


def test_429_message_is_translated(api_client: CommittingClient) -> None:
    account = citizen_create()
    body = {"iin": account.person.iin, "password": PASSWORD}
    api_client.post_json("/api/v1/auth/signin/password", body)

    response = api_client.post_json("/api/v1/auth/signin/password", body, HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 429
    assert "секунд" in response.json()["message"]


def test_sign_in_never_reveals_whether_an_iin_has_an_account(api_client: CommittingClient) -> None:
    account = citizen_create()
    stranger = person_create(birth_date=date(1970, 1, 2), sex="M")  # in the registry, no account

    wrong_password = api_client.post_json(
        "/api/v1/auth/signin/password", {"iin": account.person.iin, "password": "nope-nope-nope"}
    )
    no_account = api_client.post_json(
        "/api/v1/auth/signin/password", {"iin": stranger.iin, "password": "nope-nope-nope"}
    )

    assert wrong_password.status_code == no_account.status_code == 401
    assert wrong_password.json() == no_account.json()
    assert wrong_password.json()["code"] == "signin_failed"


def test_password_lockout_applies_alike_to_iins_with_and_without_accounts(
    api_client: CommittingClient,
) -> None:
    account = citizen_create()
    stranger = person_create(birth_date=date(1970, 1, 2), sex="M")
    for iin in (account.person.iin, stranger.iin):
        for _ in range(5):
            api_client.post_json("/api/v1/auth/signin/password", {"iin": iin, "password": "x" * 12})

    locked = api_client.post_json(
        "/api/v1/auth/signin/password", {"iin": account.person.iin, "password": PASSWORD}
    )
    locked_stranger = api_client.post_json(
        "/api/v1/auth/signin/password", {"iin": stranger.iin, "password": PASSWORD}
    )

    assert locked.status_code == locked_stranger.status_code == 429
    assert locked.json()["code"] == locked_stranger.json()["code"] == "signin_locked"
    assert locked.json()["message"] == locked_stranger.json()["message"]
    assert OneTimeCode.objects.count() == 0  # even the right password sends no code while locked


def test_an_invalid_iin_names_its_reason(api_client: CommittingClient) -> None:
    response = api_client.post_json(
        "/api/v1/auth/signin/password", {"iin": "791028302729", "password": PASSWORD}
    )

    assert response.status_code == 422
    assert response.json()["code"] == "iin_checksum"


def test_a_recent_sim_change_pauses_sms_sign_in(api_client: CommittingClient) -> None:
    account = citizen_create()
    DemoSimChange.objects.create(
        phone_index=blind_index(PHONE, purpose="phone"), changed_at=timezone.now()
    )

    response = api_client.post_json(
        "/api/v1/auth/signin/password", {"iin": account.person.iin, "password": PASSWORD}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "sim_changed"
    assert OneTimeCode.objects.count() == 0
    assert OtpEvent.objects.filter(kind="blocked_sim").count() == 1


def test_an_old_sim_change_does_not_pause_sign_in(api_client: CommittingClient) -> None:
    account = citizen_create()
    DemoSimChange.objects.create(
        phone_index=blind_index(PHONE, purpose="phone"),
        changed_at=timezone.now() - timedelta(hours=73),
    )

    response = api_client.post_json(
        "/api/v1/auth/signin/password", {"iin": account.person.iin, "password": PASSWORD}
    )

    assert response.status_code == 200


def test_validation_errors_have_the_one_error_shape(api_client: CommittingClient) -> None:
    response = api_client.post_json("/api/v1/auth/signin/password", {"iin": "791028302728"})

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["details"]["fields"] == [
        {"field": "password", "code": "missing", "message": "This field is required."}
    ]


def test_validation_message_is_translated(api_client: CommittingClient) -> None:
    response = api_client.post_json(
        "/api/v1/auth/signin/password", {"iin": "791028302728"}, HTTP_ACCEPT_LANGUAGE="kk"
    )

    assert response.json()["message"] == "Кейбір өрістер дұрыс толтырылмаған."
