"""The office pages name things, never show their codes: the application page (its answers and
every step of its history, the platform's own steps too), the queue, a person's record and a
reconciliation, in English and in Russian."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.utils import timezone

from conftest import PASSWORD, CommittingClient, bearer, last_code, sign_in
from qyzmet.applications.models import Application, OfficerMembership
from qyzmet.core.calendar import local_today
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.payments.models import SandboxTransaction
from qyzmet.payments.providers import sandbox
from qyzmet.payments.tests.conftest import run_tasks
from qyzmet.registries.tests.conftest import pool

pytestmark = pytest.mark.django_db

OWNER_PHONE = "+77011234567"
OFFICER_PHONE = "+77470003344"
AGENCY = "mvd-admin-police"
ANSWERS = {
    "vin": "1M8GDM9AXKP042788", "make": "Toyota", "model": "Camry", "year": 2024,
    "colour": "white", "category": "B", "origin": "dealer", "plates": "random",
}  # fmt: skip
# Codes as they showed before: step and role names, an option's value, a category alone.
RAW = (
    "invite_for_inspection", "(system)", "— submit", "— pay ", "— document", "<dd>dealer</dd>",
    "<dd>B</dd>", "<td>inspection</td>", "<td>registered</td>", "not_connected",
)  # fmt: skip


def _later(seconds: int) -> Any:
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds))


def _office(officer: Account) -> CommittingClient:
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    with _later(180):
        web.post("/signin/", {"iin": officer.person.iin, "password": PASSWORD})
        web.post("/signin/code/", {"code": last_code(web, OFFICER_PHONE)})
    return web


@pytest.fixture
def officer() -> Account:
    account = citizen_create(phone=OFFICER_PHONE, birth_date=date(1980, 8, 8), sex="M")
    account.is_staff = True
    account.save(update_fields=["is_staff"])
    account.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_person", "view_reconciliationrun", "add_reconciliationrun"]
        )
    )
    OfficerMembership.objects.create(account=account, agency=AGENCY)
    return account


@pytest.fixture
def registered(api_client: CommittingClient, officer: Account) -> Application:
    """A first registration, submitted, paid, invited for inspection, registered by the
    officer, its certificate issued."""
    owner = citizen_create(phone=OWNER_PHONE, region="02")
    pool("234 KZA 02")
    auth = bearer(sign_in(api_client, owner.person.iin, OWNER_PHONE)["access_token"])
    with _later(61):
        draft = api_client.post_json(
            "/api/v1/applications", {"service": "vehicle-first-registration"}, **auth
        ).json()
        url = f"/api/v1/applications/{draft['id']}"
        api_client.patch(
            url, data={"answers": ANSWERS}, content_type="application/json", **auth
        )  # fmt: skip
        code = api_client.post(f"{url}/sign/sms", **auth).json()
        api_client.post_json(
            f"{url}/submit",
            {"code_id": code["code_id"], "code": last_code(api_client, OWNER_PHONE)},
            HTTP_IDEMPOTENCY_KEY="labels-1",
            **auth,
        )
    [invoice] = api_client.get("/api/v1/payments/invoices?kind=duty", **auth).json()
    payment = api_client.post_json(
        "/api/v1/payments", {"invoices": [invoice["id"]]}, HTTP_IDEMPOTENCY_KEY="p1", **auth
    ).json()
    ref = payment["redirect_url"].rsplit("/", 1)[-1]
    api_client.post_json(
        f"/api/v1/payments/sandbox/{ref}/card", {"card_number": sandbox.CARD_ACCEPT}
    )
    run_tasks()
    application = Application.objects.get()
    assert application.state == "inspection"
    return application


def _pages(web: CommittingClient, application: Application, language: str) -> dict[str, str]:
    web.cookies["qyzmet_language"] = language
    pages = {
        "application": web.get(f"/office/applications/{application.pk}/"),
        "queue": web.get(f"/office/queue/?agency={AGENCY}"),
        "person": web.post(
            "/office/people/", {"iin": application.person.iin, "purpose": "Q-1 check"}
        ),
        "reconciliation": web.get("/office/payments/reconciliation/"),
    }
    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 200)
    return {name: page.content.decode() for name, page in pages.items()}


def test_the_office_pages_name_steps_roles_answers_and_records_in_english_and_russian(
    registered: Application, officer: Account
) -> None:
    # given: the queue while it waits for the inspection, then registered by the officer
    web = _office(officer)
    queued = _pages(web, registered, "en")["queue"]
    web.post(
        f"/office/applications/{registered.pk}/",
        {"action": "register", "version": Application.objects.get().lock_version},
    )
    run_tasks()  # the certificate
    SandboxTransaction.objects.create(
        ref="sbx_planted", order="x", amount_tiyn=70000, status="succeeded", day=local_today()
    )
    web.post("/office/payments/reconciliation/", {"day": local_today().isoformat()})

    # when: the officer reads the pages in English, then in Russian
    en, ru = _pages(web, registered, "en"), _pages(web, registered, "ru")

    # then: labels, and none of the codes
    for pages in (en, ru, {"queue": queued}):
        for name, page in pages.items():
            for raw in RAW:
                assert raw not in page, (name, raw)
    assert "<td>Bring the vehicle to a specialised centre for inspection</td>" in queued
    history = en["application"]
    assert "— Submitted (applicant) → Application received" in history
    assert "— Duty paid (automatically) →" in history
    assert "— Invite for inspection (automatically) →" in history
    assert "— Register (officer) → Registered" in history
    assert "— Result document issued (automatically) → Registered" in history
    assert "<dd>Bought from an authorised dealer in Kazakhstan</dd>" in history
    assert "<dd>B — car</dd>" in history
    assert "<dt>Sex</dt><dd>female</dd>" in en["person"]
    assert "<dt>Status</dt><dd>living</dd>" in en["person"]
    assert "<dt>Citizenship</dt><dd>Kazakhstan</dd>" in en["person"]
    assert "<dd>Almaty ·" in en["person"]
    assert "<td>paid · 700.00\u00a0₸</td>" in en["reconciliation"]
    assert "— Заявление подано (заявитель) →" in ru["application"]
    assert "— Пошлина оплачена (автоматически) →" in ru["application"]
    assert "(сотрудник) → Зарегистрировано" in ru["application"]
    assert "<dt>Пол</dt><dd>женский</dd>" in ru["person"]
    assert "<dt>Гражданство</dt><dd>Казахстан</dd>" in ru["person"]
    assert "<td>оплачен · 700,00\u00a0₸</td>" in ru["reconciliation"]
