"""One date format per language on a page: an application's page (the registry's birth date, the
due date, the history's moments), the office's queue and application, and the citizen's sessions
show every date as the language's DATE_FORMAT, never a second, numeric or ISO, form."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.utils import timezone

from conftest import PASSWORD, PHONE, CommittingClient, last_code
from qyzmet.applications.models import Application
from qyzmet.backoffice.tests.test_decide import AGENCY, office, submitted  # noqa: F401
from qyzmet.identity.tests.factories import citizen_create

pytestmark = pytest.mark.django_db

MONTHS = {
    "kk": "қаңтар|ақпан|наурыз|сәуір|мамыр|маусым|шілде|тамыз|қыркүйек|қазан|қараша|желтоқсан",
    "ru": "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря",
    "en": r"Jan\.|Feb\.|March|April|May|June|July|Aug\.|Sept\.|Oct\.|Nov\.|Dec\.",
}
# the one date format of each language: "28 қараша 2026 ж.", "28 ноября 2026 г.", "Nov. 28, 2026"
ONE = {
    "kk": re.compile(rf"\b\d{{1,2}} (?:{MONTHS['kk']}) \d{{4}} ж\."),
    "ru": re.compile(rf"\b\d{{1,2}} (?:{MONTHS['ru']}) \d{{4}} г\."),
    "en": re.compile(rf"(?:{MONTHS['en']}) \d{{1,2}}, \d{{4}}"),
}
# any other way of writing a date
OTHERS = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b")


def _text(html: str) -> str:
    """What a reader sees: the page without its tags, scripts and attributes."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _assert_one_format(html: str, language: str, *, at_least: int) -> None:
    text = _text(html)
    assert OTHERS.findall(text) == []
    assert len(ONE[language].findall(text)) >= at_least, text


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
    _assert_one_format(page, language, at_least=4)
    _assert_one_format(sessions, language, at_least=2)


def test_the_offices_pages_show_their_dates_in_one_format(
    submitted: Application,  # noqa: F811 - the fixture
    office: CommittingClient,  # noqa: F811 - the fixture
) -> None:
    queue = office.get(f"/office/queue/?agency={AGENCY}").content.decode()
    page = office.get(f"/office/applications/{submitted.id}/").content.decode()

    _assert_one_format(queue, "en", at_least=1)
    _assert_one_format(page, "en", at_least=3)
