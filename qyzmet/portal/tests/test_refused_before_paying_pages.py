"""The application page shows at once why a draft would be refused, in the reader's language,
and offers neither Sign nor Pay; signing anyway is refused on the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from conftest import PASSWORD, CommittingClient, last_code
from qyzmet.applications.models import Application
from qyzmet.core.calendar import local_today
from qyzmet.identity.models import Account, OneTimeCode
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.payments.models import Invoice
from qyzmet.registries import validation as rules
from qyzmet.registries.models import ExamResult, MedicalCertificate

pytestmark = pytest.mark.django_db

PHONE = "+77011234567"


def _web(account: Account, language: str = "en") -> CommittingClient:
    assert account.person is not None
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE=language)
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, PHONE)})
    return web


def _learner(years: int) -> Account:
    today = local_today()
    account = citizen_create(
        phone=PHONE, birth_date=rules.add_years(today, -years) - timedelta(days=30)
    )
    MedicalCertificate.objects.create(
        person=account.person, number="M-1", issued=today - timedelta(days=30),
        expires=today + timedelta(days=300), categories=[], issuer="Polyclinic 5",
    )  # fmt: skip
    for kind in ("theory", "practice"):
        ExamResult.objects.create(
            person=account.person, category="B", kind=kind, passed=True,
            taken_on=today - timedelta(days=3), centre="Centre",
        )  # fmt: skip
    return account


@pytest.mark.parametrize(
    ("language", "heading", "reason"),
    [
        (
            "en",
            "This application would be refused",
            "The holder is too young for category B: the minimum age is 18.",
        ),
        (
            "ru",
            "По этому заявлению будет отказано",
            "Заявитель слишком молод для категории B: минимальный возраст — 18.",
        ),
        (
            "kk",
            "Бұл өтінішке бас тартылар еді",
            "Өтініш беруші B санаты үшін тым жас: ең төменгі жас — 18.",
        ),
    ],
    ids=["en", "ru", "kk"],
)
def test_a_17_year_old_s_page_shows_the_refusal_and_no_sign_button(
    language: str, heading: str, reason: str
) -> None:
    web = _web(_learner(17), language)
    page_url = web.post("/services/driving-licence-issue/apply")["Location"]

    saved = web.post(f"{page_url}save", {"category": "B"})
    page = web.get(saved["Location"]).content.decode()

    assert heading in page
    assert reason in page
    assert "sign/sms" not in page and "sign/certificate" not in page
    assert "/payments/?application=" not in page


def test_signing_anyway_is_refused_on_the_page_and_nothing_is_invoiced() -> None:
    web = _web(_learner(17))
    page_url = web.post("/services/driving-licence-issue/apply")["Location"]

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):  # past the code pause
        refused = web.post(f"{page_url}sign/sms", {"category": "B"})

    assert refused.status_code == 422
    page = refused.content.decode()
    assert "This application would be refused, so it cannot be signed" in page
    assert not OneTimeCode.objects.filter(purpose=OneTimeCode.Purpose.SIGN).exists()
    assert Application.objects.get().state == "draft"
    assert not Invoice.objects.exists()


def test_an_adult_s_page_offers_signing() -> None:
    web = _web(_learner(18))
    page_url = web.post("/services/driving-licence-issue/apply")["Location"]

    page = web.get(web.post(f"{page_url}save", {"category": "B"})["Location"]).content.decode()

    assert "This application would be refused" not in page
    assert f"{page_url}sign/sms" in page
