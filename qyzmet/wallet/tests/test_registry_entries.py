"""The driving licence and the vehicle registration certificate in the wallet, drawn live from
the registries: a sold car leaves the seller's wallet and appears in the buyer's; a licence
proves one category offline."""

from __future__ import annotations

import time
from datetime import date

import pytest

from conftest import CommittingClient
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.registries import actions
from qyzmet.registries.tests.conftest import TODAY, car, exams, medical, pool
from qyzmet.wallet import tokens
from qyzmet.wallet.tests.fixtures import api_headers

pytestmark = pytest.mark.django_db


def _kinds(api: CommittingClient, headers: dict[str, str]) -> list[tuple[str, str]]:
    entries = api.get("/api/v1/wallet/", **headers).json()["entries"]
    return [(e["kind"], e["number"]) for e in entries if e["kind"] != "id_card"]


def test_a_sold_car_moves_from_the_seller_s_wallet_to_the_buyer_s(
    api_client: CommittingClient,
) -> None:
    seller = citizen_create()
    buyer = citizen_create(phone="+77017654321", birth_date=date(1985, 5, 5), sex="M")
    pool("123 ABC 02")
    first = actions.vehicle_register_first(owner=seller.person, vehicle=car(), plate="123 ABC 02")
    seller_headers = api_headers(api_client, seller)
    assert _kinds(api_client, seller_headers) == [
        ("vehicle_registration", first.certificate_number)
    ]
    entry = api_client.get("/api/v1/wallet/", **seller_headers).json()["entries"][1]
    assert {f["name"]: f["value"] for f in entry["fields"]}["plate"] == "123 ABC 02"

    second = actions.vehicle_owner_change(vehicle=first.vehicle, buyer=buyer.person)

    assert _kinds(api_client, seller_headers) == []
    buyer_headers = api_headers(api_client, buyer, phone="+77017654321")
    assert _kinds(api_client, buyer_headers) == [
        ("vehicle_registration", second.certificate_number)
    ]


def test_a_licence_proves_one_category_offline(api_client: CommittingClient) -> None:
    account = citizen_create(birth_date=date(1990, 1, 1))
    medical(account.person, ["B"])
    exams(account.person, "B")
    licence = actions.licence_issue(holder=account.person, categories=["B"], on=TODAY)
    headers = api_headers(api_client, account)
    entries = api_client.get("/api/v1/wallet/", **headers).json()["entries"]
    shown = next(e for e in entries if e["kind"] == "driving_licence")
    issued = api_client.post_json(
        "/api/v1/wallet/tokens",
        {"kind": "driving_licence", "ref": licence.number,
         "presentation": "driving_category:B", "ttl_seconds": 120},
        **headers,
    )  # fmt: skip
    jwks = CommittingClient().get("/api/v1/wallet/jwks.json").json()
    wrong = api_client.post_json(
        "/api/v1/wallet/tokens",
        {"kind": "driving_licence", "ref": licence.number,
         "presentation": "driving_category:C", "ttl_seconds": 120},
        **headers,
    )  # fmt: skip
    now = int(time.time())

    assert shown["number"] == licence.number and shown["status"] == "valid"
    assert [p["name"] for p in shown["presentations"]] == ["driving_category:B"]
    assert issued.status_code == 201, issued.json()
    verdict = tokens.token_verify(token=issued.json()["token"], jwks=jwks, revoked=set(), now=now)
    assert verdict.ok
    assert verdict.claims["prs"] == "driving_category"
    assert (verdict.claims["category"], verdict.claims["valid"]) == ("B", True)
    assert account.person.iin not in str(verdict.claims)
    assert wrong.status_code == 422  # a category the licence does not hold proves nothing


def test_a_replaced_licence_and_a_sold_car_are_on_the_revocation_list(
    api_client: CommittingClient,
) -> None:
    from qyzmet.wallet.selectors import revoked_ids

    owner = citizen_create(birth_date=date(1990, 1, 1))
    buyer = citizen_create(phone="+77017654321", birth_date=date(1985, 5, 5), sex="M")
    medical(owner.person, ["B"])
    exams(owner.person, "B")
    licence = actions.licence_issue(holder=owner.person, categories=["B"], on=TODAY)
    pool("123 ABC 02")
    first = actions.vehicle_register_first(owner=owner.person, vehicle=car(), plate="123 ABC 02")
    headers = api_headers(api_client, owner)
    tokens_issued = [
        api_client.post_json(
            "/api/v1/wallet/tokens",
            {"kind": kind, "ref": ref, "presentation": presentation, "ttl_seconds": 300},
            **headers,
        ).json()["token"]
        for kind, ref, presentation in (
            ("driving_licence", licence.number, "driving_category:B"),
            ("vehicle_registration", first.certificate_number, "document_valid"),
        )
    ]
    jwks = CommittingClient().get("/api/v1/wallet/jwks.json").json()
    now = int(time.time())

    def verdicts() -> list[str]:
        revoked = set(revoked_ids())
        return [tokens.token_verify(token=t, jwks=jwks, revoked=revoked, now=now).code
                for t in tokens_issued]  # fmt: skip

    assert verdicts() == ["valid", "valid"]
    actions.licence_replace(licence=licence, reason="loss", on=TODAY)
    actions.vehicle_owner_change(vehicle=first.vehicle, buyer=buyer.person)

    assert verdicts() == ["revoked", "revoked"]
