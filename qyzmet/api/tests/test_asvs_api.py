"""OWASP ASVS 4.0.3 requirements shown through the API (docs/security.md).

Each test's docstring names the requirement it shows.
"""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from conftest import PHONE, CommittingClient, bearer, last_code, sign_in
from qyzmet.identity.actions.sessions import ACCESS_PREFIX, ACCESS_SALT
from qyzmet.identity.models import Account, OneTimeCode
from qyzmet.identity.tests.factories import PASSWORD, citizen_create, person_create

pytestmark = pytest.mark.django_db

ARGON2 = "qyzmet.core.passwords.QyzmetArgon2PasswordHasher"
# Operations anyone may call: registration and sign-in, public reads and checks, webhooks and
# receipts authenticated by their own signatures.
PUBLIC_PREFIXES = (
    "/api/v1/meta",
    "/api/v1/health",
    "/api/v1/auth/register/",
    "/api/v1/auth/signin/",
    "/api/v1/auth/refresh",
    "/api/v1/services",
    "/api/v1/deadlines",
    "/api/v1/notifications/receipts/",
    "/api/v1/payments/utility/providers",
    "/api/v1/payments/webhooks/",
    "/api/v1/payments/receipts/",
    "/api/v1/payments/sandbox/",
    "/api/v1/documents/verify",
    "/api/v1/wallet/shares/redeem",
    "/api/v1/wallet/tokens/verify",
    "/api/v1/wallet/jwks.json",
    "/api/v1/wallet/revocations.json",
    "/api/v1/surveys",
    "/api/v1/feedback/figures",
)


@pytest.fixture
def argon2(settings: Any) -> None:
    """The production hasher, at a cost a test can afford."""
    settings.PASSWORD_HASHERS = [ARGON2]
    settings.QYZMET_ARGON2_TIME_COST = 1
    settings.QYZMET_ARGON2_MEMORY_KIB = 8192
    settings.QYZMET_ARGON2_PARALLELISM = 1


def _register(api: CommittingClient, password: str, **extra: Any) -> Any:
    person = person_create()
    started = api.post_json("/api/v1/auth/register/start", {"iin": person.iin, "phone": PHONE})
    assert started.status_code == 202, started.json()
    body = {"code_id": started.json()["code_id"], "code": last_code(api, PHONE)}
    response = api.post_json(
        "/api/v1/auth/register/complete", {**body, "password": password, **extra}
    )
    response.iin = person.iin  # type: ignore[attr-defined]
    return response


def _password_step(api: CommittingClient, iin: str, password: str) -> Any:
    return api.post_json("/api/v1/auth/signin/password", {"iin": iin, "password": password})


# --- V2 Authentication ---------------------------------------------------------------------------


def test_v2_1_3_a_long_password_is_never_truncated(
    api_client: CommittingClient, argon2: None
) -> None:
    """V2.1.3: a 100-character password is compared whole: its first 72 characters (where
    bcrypt would stop) or all but its last are refused."""
    password = "қызыл алма " * 9 + "ағашы"  # 104 characters
    account = citizen_create(password=password)
    iin = account.person.iin

    assert _password_step(api_client, iin, password[:72]).status_code == 401
    assert _password_step(api_client, iin, password[:-1]).status_code == 401
    assert _password_step(api_client, iin, password).status_code == 200


def test_v2_1_4_any_printable_unicode_is_a_password(
    api_client: CommittingClient, argon2: None
) -> None:
    """V2.1.4: spaces, Kazakh letters and emoji are taken in a password at registration and
    sign in afterwards."""
    password = "Сәлем, әлем 🚗 құпия сөз"

    registered = _register(api_client, password)
    assert registered.status_code == 201, registered.json()

    assert _password_step(api_client, registered.iin, password).status_code == 200


def test_v2_1_9_no_composition_rules(api_client: CommittingClient) -> None:
    """V2.1.9: a passphrase of lower-case letters only, without digits or symbols, is taken."""
    registered = _register(api_client, "жылқы мінген қыз бала")

    assert registered.status_code == 201, registered.json()


def test_v2_2_2_an_sms_code_is_only_ever_a_second_factor(api_client: CommittingClient) -> None:
    """V2.2.2: SMS is never a way in alone: a code is sent only after a right password (or a
    verified certificate), so a wrong password sends no code to the phone."""
    account = citizen_create()

    wrong = _password_step(api_client, account.person.iin, "not-the-password")
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "signin_failed" and "next" not in wrong.json()
    assert not OneTimeCode.objects.exists()
    outbox = api_client.get("/dev/outbox.json", {"to": PHONE}).json()["messages"]
    assert outbox == []

    right = _password_step(api_client, account.person.iin, PASSWORD)
    assert right.json()["next"] == "code"
    assert OneTimeCode.objects.count() == 1


def test_v2_3_1_codes_are_six_random_digits_that_expire_in_minutes(
    api_client: CommittingClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """V2.3.1 and V2.7.6: an activation or sign-in code is 6 digits drawn from the operating
    system's CSPRNG (`secrets`, about 20 bits), expires within 10 minutes and never becomes a
    password (the citizen sets their own)."""
    from qyzmet.identity.actions import otp

    drawn: list[int] = []
    real = otp.secrets.randbelow

    def spy(bound: int) -> int:
        drawn.append(bound)
        return real(bound)

    monkeypatch.setattr(otp.secrets, "randbelow", spy)
    account = citizen_create()

    step = _password_step(api_client, account.person.iin, PASSWORD).json()

    assert drawn == [10**6]
    assert re.fullmatch(r"\d{6}", last_code(api_client, PHONE))
    row = OneTimeCode.objects.get()
    assert timedelta(0) < row.expires_at - row.created_at <= timedelta(minutes=10)
    assert step["code"]["code_id"] == str(row.id)


def test_v2_4_2_each_password_hash_has_its_own_salt(
    api_client: CommittingClient, argon2: None
) -> None:
    """V2.4.2: two accounts with the same password store different hashes, each with its own
    random salt of at least 128 bits."""
    first = citizen_create(password=PASSWORD)
    second = citizen_create(password=PASSWORD, phone="+77012223344")

    salts = []
    for account in (first, second):
        algorithm, variant, _version, _cost, salt, _hash = account.password.split("$")
        assert (algorithm, variant) == ("argon2", "argon2id")
        assert len(base64.b64decode(salt + "==")) >= 16
        salts.append(salt)
    assert first.password != second.password
    assert salts[0] != salts[1]


def test_v2_5_2_no_password_hints_or_secret_questions(api_client: CommittingClient) -> None:
    """V2.5.2: registration asks for the code and a password only: no hint, no secret
    question, in the API's schema as on the page."""
    schemas = api_client.get("/api/v1/openapi.json").json()["components"]["schemas"]

    assert set(schemas["RegisterCompleteIn"]["properties"]) == {
        "code_id",
        "code",
        "password",
        "device",
    }
    words = re.compile(r"hint|question|answer|memorable", re.IGNORECASE)
    auth_schemas = [name for name in schemas if name.endswith("In") and "Register" in name]
    for name in auth_schemas:
        assert not [p for p in schemas[name]["properties"] if words.search(p)], name


def test_v2_9_2_a_certificate_challenge_is_256_random_bits_used_once(
    api_client: CommittingClient,
) -> None:
    """V2.9.2: the challenge a certificate signs is 32 random bytes (over 64 bits), new on
    every request."""
    first = api_client.get("/api/v1/auth/signin/certificate/challenge").json()
    second = api_client.get("/api/v1/auth/signin/certificate/challenge").json()

    assert len(base64.b64decode(first["challenge"])) == 32
    assert first["challenge"] != second["challenge"]
    assert first["challenge_id"] != second["challenge_id"]


# --- V3 Session management -----------------------------------------------------------------------


def test_v3_5_3_a_token_signed_with_another_key_or_altered_is_refused(
    api_client: CommittingClient,
) -> None:
    """V3.5.3 and V5.5.1: the phone app's access token is HMAC-signed (SHA-256) and checked
    against its live session: altered, signed with another key, or for another account, it
    is refused."""
    account = citizen_create()
    tokens = sign_in(api_client, account.person.iin)
    good = tokens["access_token"]
    assert api_client.get("/api/v1/me", **bearer(good)).status_code == 200

    payload = {"s": tokens["session_id"], "a": account.pk}
    other_key = ACCESS_PREFIX + signing.dumps(payload, key="not-our-key", salt=ACCESS_SALT)
    other_account = ACCESS_PREFIX + signing.dumps(
        {"s": tokens["session_id"], "a": account.pk + 1}, salt=ACCESS_SALT
    )
    flipped = good[:-3] + ("A" if good[-3] != "A" else "B") + good[-2:]
    for token in (other_key, other_account, flipped, good + "x"):
        refused = api_client.get("/api/v1/me", **bearer(token))
        assert refused.status_code == 401, token
        assert refused.json()["code"] == "token_invalid"


# --- V4 Access control ---------------------------------------------------------------------------


def test_v4_1_5_a_token_that_breaks_the_check_is_refused_not_let_through(
    api_client: CommittingClient,
) -> None:
    """V4.1.5: access control fails closed: a validly signed token whose contents make the
    check itself fail (no session id, not a UUID, wrong types) is a 401, never a pass or a 500."""
    for payload in ({"a": 1}, {"s": "not-a-uuid", "a": 1}, {"s": None, "a": None}, [1, 2]):
        token = ACCESS_PREFIX + signing.dumps(payload, salt=ACCESS_SALT)
        response = api_client.get("/api/v1/me/sessions", **bearer(token))
        assert response.status_code == 401, payload
        assert response.json()["code"] == "token_invalid"


def test_v5_1_2_a_request_cannot_set_what_it_may_not(api_client: CommittingClient) -> None:
    """V5.1.2 and V4.1.2: fields a client may not set are not read: registering with
    `is_staff`, `is_superuser` or another `login` gives a plain citizen's account."""
    registered = _register(
        api_client,
        PASSWORD,
        is_staff=True,
        is_superuser=True,
        login="admin",
        person=1,
        groups=[1],
    )

    assert registered.status_code == 201, registered.json()
    account = Account.objects.get()
    assert not account.is_staff and not account.is_superuser
    assert account.login.startswith("iin:") and account.login != "admin"
    assert not account.groups.exists()


# --- V5 Validation -------------------------------------------------------------------------------


def test_v5_1_1_the_query_string_never_stands_in_for_the_body(
    api_client: CommittingClient,
) -> None:
    """V5.1.1: parameters come from one source each: a body field is read from the JSON body
    only, so a right IIN in the query string does not replace a wrong one in the body."""
    account = citizen_create()

    response = api_client.post_json(
        f"/api/v1/auth/signin/password?iin={account.person.iin}&password={PASSWORD}",
        {"iin": "000000000000", "password": "wrong-password"},
    )

    assert response.status_code == 422
    assert response.json()["details"]["field"] == "iin"
    assert not OneTimeCode.objects.exists()


def test_v5_2_2_free_text_has_a_length_limit(api_client: CommittingClient) -> None:
    """V5.2.2: text fields have a maximum length, checked before anything runs."""
    too_long = api_client.post_json(
        "/api/v1/auth/register/start", {"iin": "1" * 21, "phone": "+7 701 123 45 67"}
    )
    assert too_long.status_code == 422
    assert too_long.json()["details"]["fields"][0]["code"] == "string_too_long"

    device = api_client.post_json(
        "/api/v1/auth/signin/verify", {"code_id": "x", "code": "123456", "device": "d" * 201}
    )
    assert device.status_code == 422
    assert device.json()["details"]["fields"][0]["field"] == "device"


def test_v5_2_3_an_email_address_cannot_carry_mail_headers(api_client: CommittingClient) -> None:
    """V5.2.3: an address given for notices is validated as one address: line breaks that
    would add `Bcc:` headers are refused and nothing is saved."""
    account = citizen_create()
    auth = bearer(sign_in(api_client, account.person.iin)["access_token"])

    for address in ("me@example.kz\r\nBcc: all@evil.example", "me@example.kz\nTo: x@evil.kz"):
        response = api_client.put(
            "/api/v1/notifications/preferences",
            {"email": address},
            content_type="application/json",
            **auth,
        )
        assert response.status_code == 422, address
    saved = api_client.get("/api/v1/notifications/preferences", **auth).json()
    assert saved["email"] == ""


def test_v5_3_4_sql_in_a_search_is_only_text(api_client: CommittingClient) -> None:
    """V5.3.4: SQL in a query parameter is searched for as words: the answer is a list of
    services, as for any other words, and nothing of another table comes back."""
    codes = {service["code"] for service in api_client.get("/api/v1/services").json()}
    citizen_create()

    for words in ("' OR '1'='1' --", "x' UNION SELECT password, login FROM identity_account --"):
        response = api_client.get("/api/v1/services", {"q": words})
        assert response.status_code == 200
        assert {service["code"] for service in response.json()} <= codes
        assert "argon2" not in response.content.decode() and "iin:" not in response.content.decode()


# --- V13 API ------------------------------------------------------------------------------------


def test_v13_1_3_no_secret_travels_in_an_api_address(api_client: CommittingClient) -> None:
    """V13.1.3 (and V3.1.1 for the app): no operation takes a token, password, key or code
    in its path or query string: they go in headers (`Authorization: Bearer`,
    `Idempotency-Key`) or the JSON body (a share code is redeemed by POST). The `code`s in
    addresses are services' and surveys' names and printed receipt numbers."""
    document = api_client.get("/api/v1/openapi.json").json()
    secret = re.compile(r"token|password|secret|key|otp|signature", re.IGNORECASE)
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("path", "query") and secret.search(parameter["name"]):
                    found.append(f"{method.upper()} {path} {parameter['name']}")
    assert found == []


def test_v13_1_4_every_operation_declares_who_may_call_it(api_client: CommittingClient) -> None:
    """V13.1.4: authorization is declared at the route (bearer security on every operation
    but the public ones listed here) and enforced again on the record (`access_*` choke
    points; `test_nobody_else_sees_or_moves_my_application`)."""
    document = api_client.get("/api/v1/openapi.json").json()
    open_operations = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if not operation.get("security") and not path.startswith(PUBLIC_PREFIXES):
                open_operations.append(f"{method.upper()} {path}")
    assert open_operations == []
    protected = document["paths"]["/api/v1/me/sessions"]["get"]["security"]
    assert protected and "AccessToken" in protected[0]


def test_v13_2_3_a_browser_cookie_is_not_an_api_credential(
    api_client: CommittingClient,
) -> None:
    """V13.2.3 (and V4.2.2 for the API): the API authenticates by bearer token only, never by
    the browser's session cookie, so a forged cross-site request carrying cookies does nothing."""
    account = citizen_create()
    browser = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(account)
    assert browser.cookies.get("qyzmet_session")

    me = browser.get("/api/v1/me")
    ended = browser.post("/api/v1/auth/signout")
    share = browser.post_json("/api/v1/wallet/shares", {"entry": "id-card"})

    assert me.status_code == ended.status_code == share.status_code == 401


def test_v3_3_1_signing_out_ends_the_app_session_for_good(api_client: CommittingClient) -> None:
    """V3.3.1: after the app signs out, neither its access token nor its refresh token works
    again, even within their lifetimes."""
    account = citizen_create()
    tokens = sign_in(api_client, account.person.iin)
    auth = bearer(tokens["access_token"])

    assert api_client.post("/api/v1/auth/signout", **auth).status_code == 204

    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        assert api_client.get("/api/v1/me", **auth).status_code == 401
        again = api_client.post_json(
            "/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}
        )
    assert again.status_code == 401
