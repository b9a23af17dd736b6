"""What would be refused is refused before anything is signed or paid, through the API: the
draft's overview names the reasons as soon as the answers are saved, signing (the second party's
too) is refused with `would_be_refused`, no duty is invoiced; and a refund that does happen is
told to the payer in the inbox and by SMS, with the amount."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from conftest import CommittingClient, bearer, last_code, sign_in
from qyzmet.applications.models import Application
from qyzmet.core.calendar import local_today
from qyzmet.core.mci import format_tenge
from qyzmet.identity.models import Account, OneTimeCode
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.notifications.testing import deliver_due
from qyzmet.payments.models import Invoice, Payment, Refund
from qyzmet.payments.providers import sandbox
from qyzmet.payments.tests.conftest import run_tasks
from qyzmet.registries import actions as registry
from qyzmet.registries import validation as rules
from qyzmet.registries.models import DrivingLicence, ExamResult, MedicalCertificate
from qyzmet.registries.tests.conftest import car, pool
from qyzmet.signatures.actions import citizen_certificate_issue, demo_p12_password
from qyzmet.signatures.client import cms_sign

pytestmark = pytest.mark.django_db

PHONE = "+77011234567"
BUYER_PHONE = "+77017654321"
UNDER_AGE_B = "The holder is too young for category B: the minimum age is 18."
Headers = dict[str, str]


def _signed_in(api: CommittingClient, account: Account, phone: str = PHONE) -> Headers:
    assert account.person is not None
    with time_machine.travel(timezone.now() - timedelta(seconds=61)):  # past the code pause
        return bearer(sign_in(api, account.person.iin, phone)["access_token"])


def _learner(years: int) -> Account:
    """A person of `years` (a month past the birthday) with a medical certificate and both
    exams of category B passed."""
    today = local_today()
    account = citizen_create(birth_date=rules.add_years(today, -years) - timedelta(days=30))
    MedicalCertificate.objects.create(
        person=account.person, number=f"M-{years}", issued=today - timedelta(days=30),
        expires=today + timedelta(days=300), categories=[], issuer="Polyclinic 5",
    )  # fmt: skip
    for kind in ("theory", "practice"):
        ExamResult.objects.create(
            person=account.person, category="B", kind=kind, passed=True,
            taken_on=today - timedelta(days=3), centre="Centre",
        )  # fmt: skip
    return account


def _draft(api: CommittingClient, auth: Headers, service: str, answers: dict[str, Any]) -> Any:
    draft = api.post_json("/api/v1/applications", {"service": service}, **auth)
    assert draft.status_code == 201, draft.json()
    url = f"/api/v1/applications/{draft.json()['id']}"
    return api.patch(url, data={"answers": answers}, content_type="application/json", **auth)


def test_a_17_year_old_sees_why_category_b_is_refused_and_can_neither_sign_nor_pay(
    api_client: CommittingClient,
) -> None:
    # given: a 17-year-old with a medical certificate and both exams of category B
    account = _learner(17)
    auth = _signed_in(api_client, account)

    # when: they save category B on the form
    saved = _draft(api_client, auth, "driving-licence-issue", {"category": "B"})

    # then: the saved draft names the refusal at once, in the reader's language
    assert saved.status_code == 200, saved.json()
    assert saved.json()["errors"] == {}
    draft = saved.json()["application"]
    assert draft["blockers"] == [{"code": "under_age", "message": UNDER_AGE_B, "field": ""}]
    url = f"/api/v1/applications/{draft['id']}"
    in_russian = api_client.get(url, HTTP_ACCEPT_LANGUAGE="ru", **auth).json()
    assert in_russian["blockers"][0]["message"] == (
        "Заявитель слишком молод для категории B: минимальный возраст — 18."
    )
    # and: no code is sent to sign it, and a certificate's signature is refused as well
    code = api_client.post(f"{url}/sign/sms", **auth)
    assert (code.status_code, code.json()["code"]) == (422, "would_be_refused")
    assert code.json()["details"]["refusals"] == draft["blockers"]
    assert UNDER_AGE_B in code.json()["message"]
    assert not OneTimeCode.objects.filter(purpose=OneTimeCode.Purpose.SIGN).exists()
    content = base64.b64decode(api_client.get(f"{url}/signing-content", **auth).json()["content"])
    _issued, p12 = citizen_certificate_issue(
        iin=account.person.iin, surname="TEST", given_name="YOUNG"
    )
    cms = cms_sign(content=content, p12=p12, password=demo_p12_password(account.person.iin))
    signed = api_client.post_json(
        f"{url}/submit", {"signature": base64.b64encode(cms).decode()},
        HTTP_IDEMPOTENCY_KEY="submit-young", **auth,
    )  # fmt: skip
    assert (signed.status_code, signed.json()["code"]) == (422, "would_be_refused")
    # and: nothing is invoiced, nothing charged, the draft stays a draft
    assert api_client.get("/api/v1/payments/invoices?kind=duty", **auth).json() == []
    assert not Invoice.objects.exists() and not Payment.objects.exists()
    assert not DrivingLicence.objects.exists()
    assert Application.objects.get().state == "draft"


def test_an_18_year_old_s_draft_has_no_blockers_and_lists_do_not_judge(
    api_client: CommittingClient,
) -> None:
    auth = _signed_in(api_client, _learner(18))

    saved = _draft(api_client, auth, "driving-licence-issue", {"category": "B"})
    half = _draft(api_client, auth, "driving-licence-issue", {})

    assert saved.json()["application"]["blockers"] == []
    assert half.json()["application"]["blockers"] == []  # nothing asked yet, nothing judged
    listed = api_client.get("/api/v1/applications", **auth).json()
    assert [a["blockers"] for a in listed] == [None, None]


def test_the_buyer_can_neither_confirm_nor_pay_for_a_car_arrested_after_the_seller_signed(
    api_client: CommittingClient,
) -> None:
    # given: a sale the seller signed, waiting for the buyer
    seller = citizen_create(phone=PHONE)
    buyer = citizen_create(phone=BUYER_PHONE, birth_date=rules.add_years(local_today(), -40))
    pool("123 ABC 02")
    first = registry.vehicle_register_first(owner=seller.person, vehicle=car(), plate="123 ABC 02")
    a, b = _signed_in(api_client, seller), _signed_in(api_client, buyer, BUYER_PHONE)
    answers = {"plate": "123 ABC 02", "buyer_iin": buyer.person.iin, "price": 4_500_000}
    draft = _draft(api_client, a, "vehicle-re-registration", answers).json()["application"]
    url = f"/api/v1/applications/{draft['id']}"
    code = api_client.post(f"{url}/sign/sms", **a).json()
    submitted = api_client.post_json(
        f"{url}/submit", {"code_id": code["code_id"], "code": last_code(api_client, PHONE)},
        HTTP_IDEMPOTENCY_KEY="submit-sale", **a,
    )  # fmt: skip
    assert submitted.json()["state"] == "buyer_confirmation"
    assert submitted.json()["blockers"] is None  # nothing left for the seller to sign or pay
    polled = api_client.get(url, **b)
    assert polled.json()["blockers"] == []

    # when: a bailiff arrests the car before the buyer confirms
    registry.vehicle_arrest_set(vehicle=first.vehicle, arrested=True, reason="Court order 12")

    # then: the buyer's phone, polling, learns it at once (the row did not change)
    again = api_client.get(url, HTTP_IF_NONE_MATCH=polled.headers["ETag"], **b)
    assert again.status_code == 200
    # and: the buyer sees why, is sent no code, and no duty is invoiced to them
    seen = api_client.get(url, **b).json()
    assert seen["blockers"] == [
        {
            "code": "vehicle_arrested",
            "message": "The vehicle is under arrest in the registry: Court order 12",
            "field": "",
        }
    ]
    asked = api_client.post(f"{url}/countersign/sms", **b)
    assert (asked.status_code, asked.json()["code"]) == (422, "would_be_refused")
    confirmed = api_client.post_json(f"{url}/countersign", {"code_id": "x", "code": "1"}, **b)
    assert (confirmed.status_code, confirmed.json()["code"]) == (422, "would_be_refused")
    assert Application.objects.get().state == "buyer_confirmation"
    assert not Invoice.objects.exists()


def test_a_duty_is_held_from_payment_once_its_application_would_be_refused(
    api_client: CommittingClient,
) -> None:
    # given: a sale the buyer confirmed, its duty invoiced to the buyer
    seller = citizen_create(phone=PHONE)
    buyer = citizen_create(phone=BUYER_PHONE, birth_date=rules.add_years(local_today(), -40))
    pool("123 ABC 02")
    first = registry.vehicle_register_first(owner=seller.person, vehicle=car(), plate="123 ABC 02")
    a, b = _signed_in(api_client, seller), _signed_in(api_client, buyer, BUYER_PHONE)
    answers = {"plate": "123 ABC 02", "buyer_iin": buyer.person.iin, "price": 4_500_000}
    draft = _draft(api_client, a, "vehicle-re-registration", answers).json()["application"]
    url = f"/api/v1/applications/{draft['id']}"
    code = api_client.post(f"{url}/sign/sms", **a).json()
    api_client.post_json(
        f"{url}/submit", {"code_id": code["code_id"], "code": last_code(api_client, PHONE)},
        HTTP_IDEMPOTENCY_KEY="submit-sale", **a,
    )  # fmt: skip
    code = api_client.post(f"{url}/countersign/sms", **b).json()
    signed = {"code_id": code["code_id"], "code": last_code(api_client, BUYER_PHONE)}
    confirmed = api_client.post_json(f"{url}/countersign", signed, **b)
    assert (confirmed.json()["state"], confirmed.json()["payment"]) == ("confirmed", "awaiting")
    assert confirmed.json()["blockers"] == []

    # when: the car is arrested before the buyer pays
    registry.vehicle_arrest_set(vehicle=first.vehicle, arrested=True, reason="Court order 12")

    # then: the buyer's page says why, and the duty cannot be paid: nothing is charged
    assert [r["code"] for r in api_client.get(url, **b).json()["blockers"]] == ["vehicle_arrested"]
    [invoice] = api_client.get("/api/v1/payments/invoices?kind=duty", **b).json()
    paying = api_client.post_json(
        "/api/v1/payments", {"invoices": [invoice["id"]]}, HTTP_IDEMPOTENCY_KEY="pay-held", **b
    )
    assert (paying.status_code, paying.json()["code"]) == (409, "invoice_held")
    assert "The vehicle is under arrest in the registry: Court order 12" in paying.json()["message"]
    assert not Payment.objects.exists()


def test_a_refunded_duty_is_told_in_the_inbox_and_by_sms_with_the_amount(
    api_client: CommittingClient,
) -> None:
    # given: an 18-year-old signs for category B, all in order
    account = _learner(18)
    auth = _signed_in(api_client, account)
    draft = _draft(api_client, auth, "driving-licence-issue", {"category": "B"}).json()
    url = f"/api/v1/applications/{draft['application']['id']}"
    code = api_client.post(f"{url}/sign/sms", **auth).json()
    submitted = api_client.post_json(
        f"{url}/submit", {"code_id": code["code_id"], "code": last_code(api_client, PHONE)},
        HTTP_IDEMPOTENCY_KEY="submit-refund", **auth,
    )  # fmt: skip
    assert submitted.status_code == 201, submitted.json()
    [invoice] = api_client.get("/api/v1/payments/invoices?kind=duty", **auth).json()
    payment = api_client.post_json(
        "/api/v1/payments", {"invoices": [invoice["id"]]}, HTTP_IDEMPOTENCY_KEY="pay", **auth
    ).json()
    ref = payment["redirect_url"].rsplit("/", 1)[-1]
    # when: the exam results are withdrawn while the bank takes the card (the registry changed
    # after the last check), the duty is paid, the licence registry refuses, the duty comes back
    ExamResult.objects.filter(person=account.person).delete()
    api_client.post_json(
        f"/api/v1/payments/sandbox/{ref}/card", {"card_number": sandbox.CARD_ACCEPT}
    )
    run_tasks()  # the paid hook: the automatic refusal
    run_tasks()  # its follow-up: the refund
    assert api_client.get(url, **auth).json()["payment"] == "refunded"

    # then: the payer is told, in the inbox and by SMS, what comes back
    refund = Refund.objects.get()
    amount = format_tenge(refund.amount_tiyn, "en")
    inbox = api_client.get("/api/v1/inbox", **auth).json()["items"]
    [told] = [m for m in inbox if m["event"] == "payment.refunded"]
    assert amount in told["text"] and "Driving licence issue" in told["text"]
    deliver_due()
    texts = [
        m["text"] for m in api_client.get("/dev/outbox.json", {"to": PHONE}).json()["messages"]
    ]
    assert any(amount in t and "returned" in t for t in texts), texts
