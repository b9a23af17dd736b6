"""Every public link is built on the one configured public address."""

from __future__ import annotations

import pytest
from django.test import override_settings

from qyzmet.core.public_url import public_base, public_url


@pytest.mark.parametrize(
    ("configured", "path", "expected"),
    [
        (
            "https://egov.example.kz",
            "/verify/?number=1",
            "https://egov.example.kz/verify/?number=1",
        ),
        ("https://egov.example.kz/", "/pki/ocsp", "https://egov.example.kz/pki/ocsp"),
        ("https://example.kz/egov/", "/qr/#t", "https://example.kz/egov/qr/#t"),
        ("", "/verify/offline#t", "/verify/offline#t"),
    ],
)
def test_a_public_link_is_the_configured_address_and_the_path(
    configured: str, path: str, expected: str
) -> None:
    with override_settings(QYZMET_PUBLIC_URL=configured):
        assert public_url(path) == expected
        assert public_base() == configured.rstrip("/")


def test_a_public_path_starts_with_a_slash() -> None:
    with pytest.raises(ValueError, match="starts with '/'"):
        public_url("verify/")
