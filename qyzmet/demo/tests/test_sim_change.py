"""`demo_sim_change`: the demo operator's SIM-change record, set and cleared by number."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qyzmet.core.crypto import blind_index
from qyzmet.identity.models import DemoSimChange

pytestmark = pytest.mark.django_db

PHONE = "+77010000001"


def test_records_and_clears_a_sim_change() -> None:
    out = StringIO()
    call_command("demo_sim_change", PHONE, "--hours-ago", "2", stdout=out)
    assert "SIM change recorded" in out.getvalue()
    assert DemoSimChange.objects.filter(phone_index=blind_index(PHONE, purpose="phone")).exists()
    call_command("demo_sim_change", PHONE, "--clear", stdout=StringIO())
    assert not DemoSimChange.objects.exists()


def test_refuses_outside_demo_mode(settings) -> None:  # type: ignore[no-untyped-def]
    settings.QYZMET_DEMO = False
    with pytest.raises(CommandError):
        call_command("demo_sim_change", PHONE, stdout=StringIO())
