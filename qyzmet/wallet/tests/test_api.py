"""The wallet through the API: my entries, a share code that works once, the history, offline
tokens checked with nothing but the published keys."""

from __future__ import annotations

import datetime as dt
import time
from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone, translation

from conftest import CommittingClient
from qyzmet.core.client import client_fingerprint
from qyzmet.documents.actions import document_revoke
from qyzmet.documents.models import Document
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.trust.models import DataAccessEvent
from qyzmet.wallet import tokens
from qyzmet.wallet.actions import offline_key_rotate
from qyzmet.wallet.models import Share, ShareCheck
from qyzmet.wallet.providers.entries import document_revocation_id
from qyzmet.wallet.selectors import TOKEN_MESSAGES
from qyzmet.wallet.tests.fixtures import api_headers, document_make

pytestmark = pytest.mark.django_db

OTHER_PHONE = "+77017654321"


def _share(api: CommittingClient, headers: dict[str, str], document: Document) -> dict[str, Any]:
    response = api.post_json(
        "/api/v1/wallet/shares", {"kind": "result_document", "ref": str(document.pk)}, **headers
    )
    assert response.status_code == 201, response.json()
    body: dict[str, Any] = response.json()
    return body


def test_wallet_lists_the_id_card_and_my_documents_not_others(
    api_client: CommittingClient,
) -> None:
    account = citizen_create()
    mine = document_make(account.person)
    document_make(citizen_create(phone=OTHER_PHONE).person)
    headers = api_headers(api_client, account)

    body = api_client.get("/api/v1/wallet/", **headers).json()

    assert [(e["kind"], e["ref"]) for e in body["entries"]] == [
        ("id_card", "self"),
        ("result_document", str(mine.pk)),
    ]
    card = body["entries"][0]
    assert {f["name"]: f["value"] for f in card["fields"]}["iin"] == account.person.iin
    assert [p["name"] for p in card["presentations"]] == ["age_over_18"]
    assert body["entries"][1]["status"] == "valid"
    assert {k["kind"]: k["connected"] for k in body["kinds"]} == {
        "id_card": True,
        "result_document": True,
        "driving_licence": True,
        "vehicle_registration": True,
    }


def test_a_share_code_works_once_and_the_history_shows_who_checked(
    api_client: CommittingClient,
) -> None:
    account = citizen_create()
    document = document_make(account.person)
    headers = api_headers(api_client, account)
    share = _share(api_client, headers, document)
    verifier = CommittingClient(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.1.2.3")

    first = verifier.post_json("/api/v1/wallet/shares/redeem", {"code": share["code"]})
    second = verifier.post_json("/api/v1/wallet/shares/redeem", {"code": share["code"]})
    history = api_client.get("/api/v1/wallet/history", **headers).json()

    assert len(share["code"]) == 8 and share["code"].isdigit()
    assert share["check_url"] == f"http://localhost:8000/wallet/check?code={share['code']}"
    assert share["qr_svg"].startswith("<svg")
    assert first.status_code == 200, first.json()
    entry = first.json()["entry"]
    assert entry["number"].replace(" ", "") == document.number
    assert entry["status"] == "valid"
    assert second.status_code == 410
    assert second.json()["code"] == "share_used"
    assert len(history) == 1
    assert history[0]["id"] == share["id"]
    assert history[0]["redeemed_at"] is not None
    assert [(c["outcome"], c["by_signed_in_user"]) for c in history[0]["checks"]] == [
        ("redeemed", False),
        ("used", False),
    ]
    assert history[0]["checks"][0]["verifier"] == history[0]["checks"][1]["verifier"] != ""
    event = DataAccessEvent.objects.get(person=account.person)
    assert (event.actor_id, event.actor_system, event.channel) == (None, "wallet.share", "api")
    assert "number" in event.fields
    # The code itself is nowhere at rest.
    row = Share.objects.get()
    assert share["code"] not in row.code_hash
    # the client's address is kept only as its keyed hash
    hashes = set(ShareCheck.objects.values_list("client_hash", flat=True))  # both attempts
    assert hashes == {client_fingerprint("10.1.2.3")} and "10.1.2.3" not in hashes


def test_share_and_offline_links_use_the_configured_public_address(
    api_client: CommittingClient,
) -> None:
    account = citizen_create()
    document = document_make(account.person)
    headers = api_headers(api_client, account)

    with override_settings(QYZMET_PUBLIC_URL="https://egov.example.kz/"):
        share = _share(api_client, headers, document)

    assert share["check_url"] == f"https://egov.example.kz/wallet/check?code={share['code']}"


def test_the_verifier_sees_the_status_of_now(api_client: CommittingClient) -> None:
    account = citizen_create()
    document = document_make(account.person)
    headers = api_headers(api_client, account)
    share = _share(api_client, headers, document)

    document_revoke(number=document.number, reason="Issued in error")
    body = CommittingClient().post_json("/api/v1/wallet/shares/redeem", {"code": share["code"]})

    assert body.json()["entry"]["status"] == "revoked"


def test_an_expired_code_is_refused_and_recorded(api_client: CommittingClient) -> None:
    account = citizen_create()
    headers = api_headers(api_client, account)
    share = _share(api_client, headers, document_make(account.person))

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=301)):
        late = CommittingClient().post_json("/api/v1/wallet/shares/redeem", {"code": share["code"]})

    assert late.status_code == 410
    assert late.json()["code"] == "share_expired"
    assert Share.objects.get().redeemed_at is None
    assert list(ShareCheck.objects.values_list("outcome", flat=True)) == ["expired"]
    assert not DataAccessEvent.objects.exists()


def test_wrong_codes_are_refused_then_limited_per_address(api_client: CommittingClient) -> None:
    verifier = CommittingClient(REMOTE_ADDR="10.9.9.9")
    answers = [
        verifier.post_json("/api/v1/wallet/shares/redeem", {"code": f"{n:08d}"}) for n in range(11)
    ]
    elsewhere = CommittingClient(REMOTE_ADDR="10.9.9.10").post_json(
        "/api/v1/wallet/shares/redeem", {"code": "12345678"}
    )

    assert [a.status_code for a in answers] == [404] * 10 + [429]
    assert answers[0].json()["code"] == "share_not_found"
    assert answers[10].json()["code"] == "share_rate_limited"
    assert int(answers[10]["Retry-After"]) > 3000
    assert elsewhere.status_code == 404


def test_wrong_codes_spread_over_many_addresses_meet_the_budget_of_everyone(
    settings: Any,
) -> None:
    settings.QYZMET_WALLET_CHECK_FAILURES_ALL_PER_HOUR = 5
    answers = [
        CommittingClient(REMOTE_ADDR=f"198.51.100.{n}", HTTP_ACCEPT_LANGUAGE="en").post_json(
            "/api/v1/wallet/shares/redeem", {"code": f"{n:08d}"}
        )
        for n in range(6)
    ]

    assert [a.status_code for a in answers] == [404] * 5 + [429]
    assert answers[5].json()["code"] == "share_rate_limited"
    assert answers[5]["Retry-After"] == str(answers[5].json()["details"]["retry_after"])
    assert ShareCheck.objects.count() == 5  # the refusal looked nothing up


def test_a_signed_in_verifier_is_named_in_the_history(api_client: CommittingClient) -> None:
    holder = citizen_create()
    verifier_account = citizen_create(phone=OTHER_PHONE)
    headers = api_headers(api_client, holder)
    share = _share(api_client, headers, document_make(holder.person))
    verifier = CommittingClient()
    verifier_headers = api_headers(verifier, verifier_account, OTHER_PHONE)

    redeemed = verifier.post_json(
        "/api/v1/wallet/shares/redeem", {"code": share["code"]}, **verifier_headers
    )
    forged = CommittingClient().post_json(
        "/api/v1/wallet/shares/redeem",
        {"code": share["code"]},
        HTTP_AUTHORIZATION="Bearer nonsense",
    )
    history = api_client.get("/api/v1/wallet/history", **headers).json()

    assert redeemed.status_code == 200
    assert forged.status_code == 401  # a wrong token is refused, not taken as anonymous
    assert history[0]["checks"][0]["by_signed_in_user"] is True
    event = DataAccessEvent.objects.get(person=holder.person)
    assert event.actor_id == verifier_account.pk


def test_only_the_holder_can_share_or_prove_an_entry(api_client: CommittingClient) -> None:
    holder = citizen_create()
    document = document_make(holder.person)
    other = citizen_create(phone=OTHER_PHONE)
    other_headers = api_headers(api_client, other, OTHER_PHONE)
    anonymous = CommittingClient()
    body = {"kind": "result_document", "ref": str(document.pk)}

    theirs = api_client.post_json("/api/v1/wallet/shares", body, **other_headers)
    token = api_client.post_json(
        "/api/v1/wallet/tokens", {**body, "presentation": "document_valid"}, **other_headers
    )
    unknown_kind = api_client.post_json(
        "/api/v1/wallet/shares", {"kind": "driving_licence", "ref": "x"}, **other_headers
    )

    assert theirs.status_code == 404 and theirs.json()["code"] == "wallet_entry_not_found"
    assert token.status_code == 404
    assert unknown_kind.status_code == 404
    for method, path in [
        ("get", "/api/v1/wallet/"),
        ("get", "/api/v1/wallet/history"),
        ("post", "/api/v1/wallet/shares"),
        ("post", "/api/v1/wallet/tokens"),
    ]:
        response = anonymous.get(path) if method == "get" else anonymous.post_json(path, body)
        assert response.status_code == 401, path
    assert not Share.objects.exists()


def test_an_offline_token_verifies_with_only_the_published_keys(
    api_client: CommittingClient,
) -> None:
    account = citizen_create(birth_date=date(2000, 1, 1))
    headers = api_headers(api_client, account)
    issued = api_client.post_json(
        "/api/v1/wallet/tokens",
        {"kind": "id_card", "ref": "self", "presentation": "age_over_18", "ttl_seconds": 120},
        **headers,
    ).json()
    jwks_response = CommittingClient().get("/api/v1/wallet/jwks.json")
    jwks = jwks_response.json()
    token = issued["token"]
    now = int(time.time())

    header_b64, payload_b64, signature_b64 = token.split(".")
    payload = tokens.b64url_decode(payload_b64)
    forged_payload = tokens.b64url_encode(
        payload.replace(b'"age_over_18":true', b'"age_over_18":1')
    )

    assert jwks_response["Cache-Control"] == "public, max-age=3600"
    assert [k["kid"] for k in jwks["keys"]] == [tokens.jws_header(token)["kid"]]
    assert tokens.token_verify(token=token, jwks=jwks, revoked=set(), now=now).ok
    verdict = tokens.token_verify(token=token, jwks=jwks, revoked=set(), now=now)
    assert verdict.claims["age_over_18"] is True
    assert verdict.claims["exp"] - verdict.claims["iat"] == 120
    # Minimal disclosure: nothing of the person but the one fact.
    assert account.person.iin not in payload.decode()
    assert "surname" not in payload.decode() and "birth" not in payload.decode()
    later = now + 120 + tokens.LEEWAY_SECONDS + 1
    assert tokens.token_verify(token=token, jwks=jwks, revoked=set(), now=later).code == "expired"
    altered = f"{header_b64}.{forged_payload}.{signature_b64}"
    assert tokens.token_verify(token=altered, jwks=jwks, revoked=set(), now=now).code == "altered"
    assert issued["verify_url"] == f"http://localhost:8000/verify/offline#{token}"


def test_an_under_age_holder_gets_a_no(api_client: CommittingClient) -> None:
    today = timezone.localdate()
    account = citizen_create(birth_date=date(today.year - 17, 1, 1))
    headers = api_headers(api_client, account)

    issued = api_client.post_json(
        "/api/v1/wallet/tokens",
        {"kind": "id_card", "ref": "self", "presentation": "age_over_18"},
        **headers,
    ).json()

    assert issued["claims"]["age_over_18"] is False
    assert issued["claims"]["exp"] - issued["claims"]["iat"] == 600  # the default lifetime


def test_the_server_check_and_the_revocation_list(api_client: CommittingClient) -> None:
    account = citizen_create()
    document = document_make(account.person)
    headers = api_headers(api_client, account)
    token = api_client.post_json(
        "/api/v1/wallet/tokens",
        {"kind": "result_document", "ref": str(document.pk), "presentation": "document_valid"},
        **headers,
    ).json()["token"]
    public = CommittingClient()

    before = public.post_json("/api/v1/wallet/tokens/verify", {"token": token}).json()
    document_revoke(number=document.number, reason="Issued in error")
    after = public.post_json("/api/v1/wallet/tokens/verify", {"token": token}).json()
    listed = public.get("/api/v1/wallet/revocations.json").json()
    jwks = public.get("/api/v1/wallet/jwks.json").json()
    junk = public.post_json("/api/v1/wallet/tokens/verify", {"token": "abc"}).json()

    assert (before["code"], before["valid"]) == ("valid", True)
    assert before["claims"]["valid"] is True
    assert before["claims"]["document"]["number"].replace(" ", "") == document.number
    assert before["claims"]["rid"] == document_revocation_id(number=document.number)
    assert (after["code"], after["valid"]) == ("revoked", False)
    assert listed["revoked"] == [before["claims"]["rid"]]
    assert document.number not in str(listed)
    signed = tokens.revocation_list_read(token=listed["token"], jwks=jwks, now=int(time.time()))
    assert signed == frozenset(listed["revoked"])
    offline = tokens.token_verify(token=token, jwks=jwks, revoked=signed, now=int(time.time()))
    assert offline.code == "revoked"
    with translation.override("kk"):  # the caller's language (kk by default)
        malformed = str(TOKEN_MESSAGES["malformed"])
    assert junk == {"code": "malformed", "valid": False, "message": malformed, "claims": {}}


def test_token_lifetime_and_presentation_are_checked(api_client: CommittingClient) -> None:
    account = citizen_create()
    headers = api_headers(api_client, account)
    base = {"kind": "id_card", "ref": "self", "presentation": "age_over_18"}

    too_long = api_client.post_json(
        "/api/v1/wallet/tokens", {**base, "ttl_seconds": 86401}, **headers
    )
    too_short = api_client.post_json(
        "/api/v1/wallet/tokens", {**base, "ttl_seconds": 59}, **headers
    )
    wrong = api_client.post_json(
        "/api/v1/wallet/tokens", {**base, "presentation": "document_valid"}, **headers
    )
    longest = api_client.post_json(
        "/api/v1/wallet/tokens", {**base, "ttl_seconds": 86400}, **headers
    )

    assert (too_long.status_code, too_long.json()["code"]) == (422, "token_lifetime")
    assert too_short.status_code == 422
    assert (wrong.status_code, wrong.json()["code"]) == (422, "presentation_unsupported")
    assert longest.status_code == 201


def test_the_wallet_api_is_valid_openapi(client: Any) -> None:
    from openapi_spec_validator import validate

    # The wallet's part of the document as it is served.
    document = client.get("/api/v1/openapi.json").json()
    document["paths"] = {k: v for k, v in document["paths"].items() if "/wallet/" in k}
    validate(document)
    assert set(document["paths"]) == {
        "/api/v1/wallet/",
        "/api/v1/wallet/shares",
        "/api/v1/wallet/shares/redeem",
        "/api/v1/wallet/history",
        "/api/v1/wallet/tokens",
        "/api/v1/wallet/tokens/verify",
        "/api/v1/wallet/jwks.json",
        "/api/v1/wallet/revocations.json",
    }
    assert "security" not in document["paths"]["/api/v1/wallet/shares/redeem"]["post"]
    assert document["paths"]["/api/v1/wallet/history"]["get"]["security"] == [{"AccessToken": []}]


def test_a_rotated_key_stays_published_until_its_tokens_have_expired(
    api_client: CommittingClient,
) -> None:
    account = citizen_create()
    headers = api_headers(api_client, account)
    body = {"kind": "id_card", "ref": "self", "presentation": "age_over_18"}
    old = api_client.post_json("/api/v1/wallet/tokens", body, **headers).json()["token"]
    old_kid = tokens.jws_header(old)["kid"]

    offline_key_rotate()
    new = api_client.post_json("/api/v1/wallet/tokens", body, **headers).json()["token"]
    jwks = CommittingClient().get("/api/v1/wallet/jwks.json").json()
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=86401)):
        later = CommittingClient().get("/api/v1/wallet/jwks.json").json()

    new_kid = tokens.jws_header(new)["kid"]
    assert new_kid != old_kid
    assert [k["kid"] for k in jwks["keys"]] == [new_kid, old_kid]
    assert tokens.token_verify(token=old, jwks=jwks, revoked=(), now=int(time.time())).ok
    assert [k["kid"] for k in later["keys"]] == [new_kid]
    assert all("d" not in k for k in jwks["keys"])  # never a private part


def test_the_wallet_reads_the_same_number_of_rows_for_one_document_or_four(
    api_client: CommittingClient,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    account = citizen_create()
    headers = api_headers(api_client, account)
    document_make(account.person)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api_client.get("/api/v1/wallet/", **headers).status_code == 200
        return len(captured)

    one = queries()
    for _ in range(3):
        document_make(account.person)

    assert queries() == one  # no query per document (its holder comes with it)
