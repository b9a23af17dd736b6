"""Per-client limits count the client, not the reverse proxy, and only a trusted proxy's
X-Forwarded-For is believed (through the API sign-in, whose codes are limited per client)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import CommittingClient
from qyzmet.identity.models import OtpEvent
from qyzmet.identity.tests.factories import PASSWORD, citizen_create

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _two_codes_per_client(settings: Any) -> None:
    settings.QYZMET_TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.QYZMET_OTP_LIMITS = {**settings.QYZMET_OTP_LIMITS, "client": (2, 60)}


def _sign_in(api_client: CommittingClient, number: int, **meta: str) -> int:
    """A different citizen (and number) each time, so only the client's limit can refuse."""
    account = citizen_create(phone=f"+7701555000{number}")
    body = {"iin": account.person.iin, "password": PASSWORD}
    response = api_client.post_json("/api/v1/auth/signin/password", body, **meta)
    return int(response.status_code)


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(
    api_client: CommittingClient,
) -> None:
    alice = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    bob = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.8"}

    assert [_sign_in(api_client, n, **alice) for n in range(3)] == [200, 200, 429]
    assert _sign_in(api_client, 3, **bob) == 200  # the proxy's address is not what counts
    assert OtpEvent.objects.filter(kind="throttled").count() == 1


def test_a_trusted_proxy_passes_on_the_right_most_hop_not_the_client_s_own_claim(
    api_client: CommittingClient,
) -> None:
    answers = [
        _sign_in(
            api_client, n, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7"
        )
        for n in range(3)
    ]
    assert answers == [200, 200, 429]


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(api_client: CommittingClient) -> None:
    answers = [
        _sign_in(api_client, n, REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        for n in range(3)
    ]
    assert answers == [200, 200, 429]
