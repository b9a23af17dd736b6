"""The wallet on the pages: my documents as cards, share → code and QR, the verifier's page
(once), who checked, an offline code and the offline verifier page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from conftest import PASSWORD, PHONE, CommittingClient, last_code
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.trust.models import DataAccessEvent
from qyzmet.wallet.tests.fixtures import document_make

pytestmark = pytest.mark.django_db


def _signed_in(account: Account, phone: str = PHONE) -> CommittingClient:
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    assert account.person is not None
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, phone)})
    return web


def _code_of(page: str) -> str:
    match = re.search(r"data-code>(\d{4}) (\d{4})<", page)
    assert match, page
    return match.group(1) + match.group(2)


def test_share_from_the_wallet_check_once_and_see_it_in_the_history() -> None:
    account = citizen_create()
    document = document_make(account.person)
    web = _signed_in(account)
    verifier = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")

    wallet = web.get("/wallet/").content.decode()
    shared = web.post("/wallet/share", {"kind": "result_document", "ref": str(document.pk)})
    code = _code_of(shared.content.decode())
    opened = verifier.get(f"/wallet/check?code={code}")
    first = verifier.post("/wallet/check", {"code": f"{code[:4]} {code[4:]}"})
    second = verifier.post("/wallet/check", {"code": code})
    history = web.get("/wallet/history").content.decode()

    assert 'data-kind="id_card"' in wallet and 'data-kind="result_document"' in wallet
    assert document.title in wallet
    assert shared.status_code == 200
    assert "<svg" in shared.content.decode()
    assert 'data-countdown="300"' in shared.content.decode()
    assert f'value="{code}"' in opened.content.decode()
    assert first.status_code == 200
    assert 'data-status="valid"' in first.content.decode()
    assert document.title in first.content.decode()
    assert second.status_code == 410
    assert 'data-error-code="share_used"' in second.content.decode()
    assert history.count('data-outcome="redeemed"') == 1
    assert history.count('data-outcome="used"') == 1
    assert "an anonymous verifier" in history
    assert DataAccessEvent.objects.filter(person=account.person, channel="system").count() == 1


def test_the_verifier_page_refuses_an_expired_and_an_empty_code() -> None:
    account = citizen_create()
    web = _signed_in(account)
    shared = web.post("/wallet/share", {"kind": "id_card", "ref": "self"})
    code = _code_of(shared.content.decode())

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6)):
        late = CommittingClient(HTTP_ACCEPT_LANGUAGE="en").post("/wallet/check", {"code": code})
    empty = CommittingClient(HTTP_ACCEPT_LANGUAGE="en").post("/wallet/check", {"code": ""})

    assert late.status_code == 410
    assert 'data-error-code="share_expired"' in late.content.decode()
    assert empty.status_code == 422


def test_the_verifier_page_limits_wrong_codes_with_retry_after(settings: Any) -> None:
    settings.QYZMET_WALLET_CHECK_FAILURES_PER_HOUR = 2
    verifier = CommittingClient(HTTP_ACCEPT_LANGUAGE="ru", REMOTE_ADDR="198.51.100.7")
    answers = [verifier.post("/wallet/check", {"code": f"{n:08d}"}) for n in range(3)]

    assert [a.status_code for a in answers] == [404, 404, 429]
    assert int(answers[2]["Retry-After"]) > 0
    assert "Слишком много неверных кодов" in answers[2].content.decode()


def test_wallet_pages_need_sign_in_and_entries_are_the_holders_own() -> None:
    holder = citizen_create()
    document = document_make(holder.person)
    anonymous = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    other_phone = "+77017654321"
    other = _signed_in(citizen_create(phone=other_phone), other_phone)

    assert anonymous.get("/wallet/").status_code == 302
    assert anonymous.get("/wallet/history").status_code == 302
    assert anonymous.post("/wallet/share", {"kind": "id_card", "ref": "self"}).status_code == 302
    assert anonymous.get("/wallet/check").status_code == 200  # the verifier's page is public
    assert anonymous.get("/verify/offline").status_code == 200
    refused = other.post("/wallet/share", {"kind": "result_document", "ref": str(document.pk)})
    assert refused.status_code == 404
    assert "This document is not in your wallet." in refused.content.decode()


def test_an_offline_code_page_and_the_no_script_check() -> None:
    account = citizen_create()
    web = _signed_in(account)

    page = web.post(
        "/wallet/token", {"kind": "id_card", "ref": "self", "presentation": "age_over_18"}
    ).content.decode()
    token = re.search(r"data-token-text>([^<]+)<", page)
    assert token
    checked = CommittingClient(HTTP_ACCEPT_LANGUAGE="en").post(
        "/verify/offline", {"token": token.group(1)}
    )
    forged = CommittingClient(HTTP_ACCEPT_LANGUAGE="en").post(
        "/verify/offline", {"token": token.group(1)[:-3] + "AAA"}
    )
    verifier_page = CommittingClient(HTTP_ACCEPT_LANGUAGE="en").get("/verify/offline")

    assert "<svg" in page
    assert account.person.iin not in page
    assert 'data-code="valid"' in checked.content.decode()
    assert 'data-code="altered"' in forged.content.decode()
    body = verifier_page.content.decode()
    assert 'data-jwks-url="/api/v1/wallet/jwks.json"' in body
    assert 'id="offline-messages"' in body and "offline-verify.js" in body
