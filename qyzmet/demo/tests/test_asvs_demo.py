"""OWASP ASVS 4.0.3 requirements shown by the demo's own guards (docs/security.md)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from qyzmet.identity.models import Account

pytestmark = pytest.mark.django_db


def test_v2_5_4_the_demo_accounts_exist_only_in_demo_mode(settings: Any) -> None:
    """V2.5.4 and V2.10.2: the demo's shared accounts (`admin` with a published password, the
    demo citizens and officer) are made by `demo_load` alone, which refuses outside demo mode;
    migrations make no account."""
    settings.QYZMET_DEMO = False

    with pytest.raises(CommandError, match="only in demo mode"):
        call_command("demo_load")

    assert not Account.objects.exists()
