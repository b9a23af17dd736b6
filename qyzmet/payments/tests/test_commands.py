from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_sweep_command_schedules_one_run() -> None:
    out = io.StringIO()
    call_command("payments_sweep", "--schedule", stdout=out)
    call_command("payments_sweep", "--schedule", stdout=out)

    assert out.getvalue() == "Payments sweep scheduled.\nAlready scheduled.\n"
