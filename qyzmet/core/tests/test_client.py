"""The client's address: X-Forwarded-For only from trusted proxies, right-most untrusted hop."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from qyzmet.core.client import client_address

PROXIES = ["10.0.0.0/8", "2001:db8::/32", "192.0.2.1/32"]


def _address(settings: Any, *, peer: str, forwarded: str | None = None) -> str:
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        # no proxy in front: the peer, whatever the header says
        ("198.51.100.4", None, "198.51.100.4"),
        ("198.51.100.4", "203.0.113.9", "198.51.100.4"),
        # a trusted proxy: the right-most hop it did not vouch for
        ("10.0.0.2", "203.0.113.9", "203.0.113.9"),
        ("10.0.0.2", "1.1.1.1, 203.0.113.9", "203.0.113.9"),  # the left one is the client's lie
        ("10.0.0.2", "203.0.113.9, 10.1.2.3", "203.0.113.9"),  # two proxies in a row
        ("10.0.0.2", "203.0.113.9,10.1.2.3 , 192.0.2.1", "203.0.113.9"),
        ("192.0.2.1", "203.0.113.9", "203.0.113.9"),
        ("192.0.2.2", "203.0.113.9", "192.0.2.2"),  # next door to a trusted one is not trusted
        # ports and brackets, as some proxies write them
        ("10.0.0.2", "203.0.113.9:5123", "203.0.113.9"),
        ("10.0.0.2", "[2001:db9::7]:443", "2001:db9::7"),
        ("2001:db8::1", "2001:db9::7", "2001:db9::7"),
        ("::ffff:10.0.0.2", "203.0.113.9", "203.0.113.9"),
        # nothing usable from the proxy: the nearest address it vouched for
        ("10.0.0.2", None, "10.0.0.2"),
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "10.0.0.3", "10.0.0.3"),
        ("10.0.0.2", "unknown", "10.0.0.2"),
        ("10.0.0.2", "unknown, 10.0.0.3", "10.0.0.3"),
        ("10.0.0.2", "203.0.113.9, garbage, 10.0.0.3", "10.0.0.3"),
        # no peer at all (tests, management commands)
        ("", "203.0.113.9", ""),
    ],
)
def test_the_rule(settings: Any, peer: str, forwarded: str | None, expected: str) -> None:
    settings.QYZMET_TRUSTED_PROXIES = PROXIES
    assert _address(settings, peer=peer, forwarded=forwarded) == expected


def test_no_trusted_proxy_means_the_header_is_never_read(settings: Any) -> None:
    settings.QYZMET_TRUSTED_PROXIES = []
    assert _address(settings, peer="10.0.0.2", forwarded="203.0.113.9") == "10.0.0.2"


def test_the_setting_is_read_on_every_request(settings: Any) -> None:
    settings.QYZMET_TRUSTED_PROXIES = ["10.0.0.2/32"]
    assert _address(settings, peer="10.0.0.2", forwarded="203.0.113.9") == "203.0.113.9"
    settings.QYZMET_TRUSTED_PROXIES = ["10.0.0.3/32"]
    assert _address(settings, peer="10.0.0.2", forwarded="203.0.113.9") == "10.0.0.2"
