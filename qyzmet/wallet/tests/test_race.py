"""Two verifiers entering the same code at the same moment: exactly one sees the document."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from conftest import at_once
from qyzmet.core.errors import QyzmetError
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.trust.models import DataAccessEvent
from qyzmet.wallet.actions import share_claim, share_create, share_redeem
from qyzmet.wallet.models import Share, ShareCheck


@pytest.mark.django_db
def test_the_claim_is_conditional() -> None:
    issued = share_create(account=citizen_create(), kind="id_card", ref="self")
    now = timezone.now()

    first = share_claim(share_id=issued.share.pk, now=now, account_id=None, client="a")
    second = share_claim(share_id=issued.share.pk, now=now, account_id=None, client="b")

    assert (first, second) == (True, False)
    assert Share.objects.get().redeemed_client_hash == "a"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"
)
def test_simultaneous_redemptions_one_wins() -> None:
    issued = share_create(account=citizen_create(), kind="id_card", ref="self")

    def redeem(n: int) -> str:
        try:
            share_redeem(code=issued.code, client=f"10.0.0.{n}")
        except QyzmetError as exc:
            return exc.code
        return "shown"

    outcomes = at_once(4, redeem)

    assert sorted(outcomes) == ["share_used"] * 3 + ["shown"], outcomes
    assert ShareCheck.objects.filter(outcome="redeemed").count() == 1
    assert ShareCheck.objects.filter(outcome="used").count() == 3
    assert DataAccessEvent.objects.count() == 1
