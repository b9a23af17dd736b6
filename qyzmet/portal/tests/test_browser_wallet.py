"""The offline verifier in a real browser on a 360-px phone: it downloads the keys once, then,
with every request blocked, tells a genuine offline code from an altered or expired one."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest

from qyzmet.documents.actions import document_revoke
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.portal.tests.browser import chromium_page
from qyzmet.registries.models import DrivingLicence
from qyzmet.wallet import tokens
from qyzmet.wallet.actions import offline_key_ensure, offline_token_issue
from qyzmet.wallet.tests.fixtures import document_make, offline_private_key

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _altered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = tokens.b64url_decode(payload).replace(b'"age_over_18":true', b'"age_over_18":1')
    return f"{header}.{tokens.b64url_encode(claims)}.{signature}"


def _expired(token: str) -> str:
    """A genuine signature over a token that ran out an hour ago."""
    row = offline_key_ensure()
    claims = json.loads(tokens.b64url_decode(token.split(".")[1]))
    claims["iat"] -= 7200
    claims["exp"] = claims["iat"] + 3600
    return tokens.jws_sign(claims=claims, key=offline_private_key(row), kid=row.kid)


def _result(page: Any, token: str) -> str:
    page.fill("#token", token)
    page.evaluate("document.querySelector('[data-result]').removeAttribute('data-code')")
    page.locator("[data-offline-form] button[type=submit]").click()
    page.wait_for_selector("[data-result][data-code]")
    return str(page.locator("[data-result]").get_attribute("data-code"))


def test_the_offline_verifier_works_with_the_network_cut(live_server: Any) -> None:
    account = citizen_create()
    token = offline_token_issue(
        account=account, kind="id_card", ref="self", presentation="age_over_18"
    ).token
    withdrawn = document_make(account.person)
    revoked = offline_token_issue(
        account=account,
        kind="result_document",
        ref=str(withdrawn.pk),
        presentation="document_valid",
    ).token
    document_revoke(number=withdrawn.number, reason="Issued in error")
    licence = DrivingLicence.objects.create(
        number="AB7777777", holder=account.person, issued=date(2020, 1, 1),
        categories=[{"category": "B", "issued": "2020-01-01"}], expires=date(2030, 1, 1),
    )  # fmt: skip
    driver = offline_token_issue(
        account=account, kind="driving_licence", ref=licence.number,
        presentation="driving_category:B",
    ).token  # fmt: skip
    expired = _expired(token)  # database work before the browser's event loop starts
    assert account.person is not None
    iin = account.person.iin

    with chromium_page(language="en") as page:
        # Online once, from the QR code's address: keys are fetched, the code checked at once.
        page.goto(f"{live_server.url}/verify/offline#{token}")
        page.wait_for_selector("#offline-verifier[data-keys=ready]")
        page.wait_for_selector("[data-result][data-code]")
        assert page.locator("[data-result]").get_attribute("data-code") == "valid"

        attempted: list[str] = []
        page.on("request", lambda request: attempted.append(request.url))
        page.route("**/*", lambda route: route.abort())

        assert _result(page, token) == "valid"
        text = page.locator("[data-result]").inner_text()
        assert "Age 18 or over" in text and "yes" in text
        # moments written as every page writes them ("Nov. 28, 2026, 3:04 p.m."), not the
        # browser's own way ("11/28/2026, 3:04:05 PM")
        when = r"[A-Z][a-z]+\.? \d{1,2}, \d{4}, (\d{1,2}(:\d{2})? [ap]\.m\.|noon|midnight)"
        assert re.search(rf"Expires\s+{when}", text), text
        assert re.search(rf"updated: {when}", page.inner_text("[data-keys-state]"))
        assert not re.search(r"\d/\d", text + page.inner_text("[data-keys-state]"))
        assert _result(page, driver) == "valid"
        text = page.locator("[data-result]").inner_text()
        assert "Driving category valid B" in text and "yes" in text
        assert _result(page, _altered(token)) == "altered"
        assert _result(page, expired) == "expired"
        assert _result(page, token[:-2] + ("AA" if token[-2:] != "AA" else "BA")) == "altered"
        assert _result(page, "not a token") == "malformed"
        assert _result(page, revoked) == "revoked"
        assert _result(page, f"{live_server.url}/verify/offline#{token}") == "valid"
        assert attempted == []  # nothing even tried the network
        stored = page.evaluate("JSON.stringify(Object.assign({}, window.localStorage))")
        assert iin not in stored and token not in stored
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
