"""A code checked before a transaction and spent inside it: the check leaves it unspent, the
spend happens once."""

from __future__ import annotations

import re

import pytest
from django.test import TestCase

from qyzmet.core.errors import QyzmetError
from qyzmet.identity.actions.otp import otp_check, otp_issue, otp_spend, otp_verify
from qyzmet.identity.models import OneTimeCode
from qyzmet.notifications.models import SinkMessage

pytestmark = pytest.mark.django_db
PHONE = "+77015550011"


def _code() -> tuple[str, str]:
    with TestCase.captureOnCommitCallbacks(execute=True):
        issued = otp_issue(purpose=OneTimeCode.Purpose.SIGN, phone=PHONE, client="c")
    text = SinkMessage.objects.get().text
    found = re.search(r"\b(\d{6})\b", text)
    assert found is not None
    return issued.id, found.group(1)


def test_a_checked_code_stays_unspent_until_it_is_spent_once() -> None:
    code_id, code = _code()
    kwargs = {"code_id": code_id, "code": code, "purpose": OneTimeCode.Purpose.SIGN, "client": "c"}

    first = otp_check(**kwargs)
    second = otp_check(**kwargs)  # a retry of the same request, before the first committed
    assert OneTimeCode.objects.get().used_at is None

    otp_spend(row=first)
    with pytest.raises(QyzmetError) as refused:
        otp_spend(row=second)  # the other request spent it meanwhile
    assert refused.value.code == "otp_used"
    with pytest.raises(QyzmetError) as again:
        otp_verify(**kwargs)
    assert again.value.code == "otp_used"
    assert OneTimeCode.objects.get().used_at is not None


def test_a_wrong_code_is_counted_by_the_check() -> None:
    code_id, _ = _code()

    with pytest.raises(QyzmetError) as wrong:
        otp_check(code_id=code_id, code="000000", purpose=OneTimeCode.Purpose.SIGN, client="c")

    assert wrong.value.code == "otp_wrong"
    assert OneTimeCode.objects.get().attempts == 1
