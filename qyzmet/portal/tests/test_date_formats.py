"""One date format per language on a page: an application's page (the registry's birth date, the
due date, the history's moments) and the citizen's sessions show every date as the language's
DATE_FORMAT, never a second, numeric or ISO, form (the office's pages: backoffice/tests)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from conftest import PASSWORD, PHONE, CommittingClient, last_code
from qyzmet.core.tests.pages import one_date_format
from qyzmet.identity.tests.factories import citizen_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_an_application_page_shows_its_dates_in_one_format(language: str) -> None:
    account = citizen_create()
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE=language)
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, PHONE)})
    url = web.post("/services/criminal-record-certificate/apply")["Location"]
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        web.post(f"{url}sign/sms", {"purpose": "employment"})
        page = web.get(url).content.decode()
        key = page.split('name="idempotency_key" value="')[1].split('"')[0]
        web.post(f"{url}submit", {"code": last_code(web, PHONE), "idempotency_key": key})

    page = web.get(url).content.decode()
    sessions = web.get("/me/sessions/").content.decode()

    # the due date, the birth date from the registry, and the moments of the history
    one_date_format(page, language, at_least=4)
    one_date_format(sessions, language, at_least=2)
