"""The staff see on the back office's pages a year that has begun, or begins within 30 days,
without its MCI in the data (what `/healthz` reports as degraded)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import PASSWORD, CommittingClient, last_code
from qyzmet.applications.models import OfficerMembership
from qyzmet.core.tests.mci_data import mci_through_2027
from qyzmet.identity.tests.factories import citizen_create

__all__ = ["mci_through_2027"]  # a fixture

pytestmark = pytest.mark.django_db

PHONE = "+77470009988"
BANNER = "The monthly calculation index (MCI) for 2028 is not in the portal's data"


@pytest.mark.parametrize(("day", "shown"), [(date(2027, 11, 20), False),
                                            (date(2027, 12, 15), True),
                                            (date(2028, 1, 2), True)])  # fmt: skip
def test_the_back_office_names_a_year_without_its_mci(
    mci_through_2027: Path, day: date, shown: bool
) -> None:
    moment = datetime(day.year, day.month, day.day, 10, tzinfo=ZoneInfo("Asia/Almaty"))
    with time_machine.travel(moment, tick=False):
        officer = citizen_create(phone=PHONE, birth_date=date(1980, 8, 8), sex="M")
        OfficerMembership.objects.create(account=officer, agency="gp-legal-statistics")
        web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
        web.post("/signin/", {"iin": officer.person.iin, "password": PASSWORD})
        web.post("/signin/code/", {"code": last_code(web, PHONE)})

        office = web.get("/office/queue/")
        portal = web.get("/services/")

    assert office.status_code == 200
    assert (BANNER in office.text) is shown
    assert BANNER not in portal.text  # for the staff, not the citizens
