"""The flagship services through the API alone, as the phone app drives them: a car sold from A
to B (seller starts, buyer confirms, pays and signs; the registry, both wallets and both histories
follow), a sale the buyer leaves unanswered lapses, a 17-year-old refused category B with the
reason, an expired licence replaced online, a first registration decided by an officer after the
inspection."""

from __future__ import annotations

import base64
import html
import re
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import formats, timezone
from django.utils.translation import override

from conftest import CommittingClient, bearer, last_code, sign_in
from qyzmet.applications.actions import submission
from qyzmet.applications.deadlines import deadlines_sweep
from qyzmet.applications.models import Application, OfficerMembership, Signature
from qyzmet.core.calendar import local_today
from qyzmet.documents import rendering
from qyzmet.documents.models import Document
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create, make_iin
from qyzmet.payments.models import Invoice, Payment
from qyzmet.payments.providers import sandbox
from qyzmet.payments.tests.conftest import run_tasks
from qyzmet.registries import actions as registry
from qyzmet.registries import validation as rules
from qyzmet.registries.models import DrivingLicence, ExamResult, MedicalCertificate, Vehicle
from qyzmet.registries.tests.conftest import car, pool
from qyzmet.signatures.actions import citizen_certificate_issue, demo_p12_password
from qyzmet.signatures.client import cms_sign

pytestmark = pytest.mark.django_db

SELLER_PHONE = "+77011234567"
BUYER_PHONE = "+77017654321"
PLATE = "123 ABC 02"
Headers = dict[str, str]


def _signed_in(api: CommittingClient, account: Account, phone: str) -> Headers:
    assert account.person is not None
    with time_machine.travel(timezone.now() - timedelta(seconds=61)):  # past the code pause
        return bearer(sign_in(api, account.person.iin, phone)["access_token"])


def _submit(
    api: CommittingClient, auth: Headers, phone: str, service: str, answers: dict[str, Any]
) -> dict[str, Any]:
    draft = api.post_json("/api/v1/applications", {"service": service}, **auth)
    assert draft.status_code == 201, draft.json()
    url = f"/api/v1/applications/{draft.json()['id']}"
    saved = api.patch(url, data={"answers": answers}, content_type="application/json", **auth)
    assert saved.json()["errors"] == {}, saved.json()
    code = api.post(f"{url}/sign/sms", **auth)
    if code.status_code != 202:  # refused before anything is signed
        return {"status": code.status_code, "id": draft.json()["id"], **code.json()}
    done = api.post_json(
        f"{url}/submit",
        {"code_id": code.json()["code_id"], "code": last_code(api, phone)},
        HTTP_IDEMPOTENCY_KEY=f"submit-{draft.json()['id']}",
        **auth,
    )
    return {"status": done.status_code, **done.json()}


def _pay(api: CommittingClient, auth: Headers, key: str) -> None:
    invoices = api.get("/api/v1/payments/invoices?kind=duty&status=unpaid", **auth).json()
    assert len(invoices) == 1, invoices
    payment = api.post_json(
        "/api/v1/payments", {"invoices": [invoices[0]["id"]]}, HTTP_IDEMPOTENCY_KEY=key, **auth
    ).json()
    ref = payment["redirect_url"].rsplit("/", 1)[-1]
    api.post_json(f"/api/v1/payments/sandbox/{ref}/card", {"card_number": sandbox.CARD_ACCEPT})
    run_tasks()


def _vehicles_in_wallet(api: CommittingClient, auth: Headers) -> list[dict[str, str]]:
    entries = api.get("/api/v1/wallet/", **auth).json()["entries"]
    return [
        {f["name"]: str(f["value"]) for f in e["fields"]}
        for e in entries
        if e["kind"] == "vehicle_registration"
    ]


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTML of every result document, as WeasyPrint receives it to lay out the PDF."""
    pages: list[str] = []
    real = rendering.html_render

    def spy(**kwargs: Any) -> str:
        page = real(**kwargs)
        pages.append(page)
        return page

    monkeypatch.setattr(rendering, "html_render", spy)
    return pages


def _rows(page: str) -> dict[str, str]:
    """A document's (label, value) rows."""
    found = re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', page)
    return {html.unescape(label): html.unescape(value) for label, value in found}


def _en_date(day: date) -> str:
    with override("en"):
        return str(formats.date_format(day, "DATE_FORMAT"))


@pytest.fixture
def sale(api_client: CommittingClient) -> dict[str, Any]:
    seller = citizen_create(phone=SELLER_PHONE)
    buyer = citizen_create(phone=BUYER_PHONE, birth_date=date(1985, 5, 5), sex="M", region="09")
    pool(PLATE, "456 DEF 09")
    first = registry.vehicle_register_first(owner=seller.person, vehicle=car(), plate=PLATE)
    return {
        "seller": seller,
        "buyer": buyer,
        "vehicle": first.vehicle,
        "old_certificate": first.certificate_number,
        "a": _signed_in(api_client, seller, SELLER_PHONE),
        "b": _signed_in(api_client, buyer, BUYER_PHONE),
    }


def _start_sale(api: CommittingClient, sale: dict[str, Any], **extra: Any) -> dict[str, Any]:
    assert sale["buyer"].person is not None
    answers = {"plate": PLATE, "buyer_iin": sale["buyer"].person.iin, "price": 4_500_000}
    return _submit(api, sale["a"], SELLER_PHONE, "vehicle-re-registration", answers | extra)


def test_a_sells_a_car_to_b_through_the_api(
    api_client: CommittingClient, sale: dict[str, Any]
) -> None:
    # given: A owns the car and sees it in the wallet
    assert [v["plate"] for v in _vehicles_in_wallet(api_client, sale["a"])] == [PLATE]

    # when: A starts the sale and signs
    started = _start_sale(api_client, sale)
    assert started["status"] == 201, started
    assert started["state"] == "buyer_confirmation"
    # the fee is the buyer's, asked for when they confirm
    assert (started["payment"], started["payer"]) == ("not_required", "counterparty")
    assert started["due_date"] is None  # the legal term starts once the buyer has confirmed
    url = f"/api/v1/applications/{started['id']}"

    # then: B finds it among their applications, waiting for them
    listed = api_client.get("/api/v1/applications", **sale["b"]).json()
    assert [(a["id"], a["party"], a["waiting_for_you"]) for a in listed] == [
        (started["id"], "counterparty", True)
    ]
    assert [s["name"] for s in listed[0]["next_steps"]] == ["confirm", "decline"]
    inbox = api_client.get("/api/v1/inbox", **sale["b"]).json()["items"]
    assert "application.confirmation_asked" in [m["event"] for m in inbox]
    # a confirmation can only be signed, not clicked
    unsigned = api_client.post_json(f"{url}/steps", {"name": "confirm"}, **sale["b"])
    assert unsigned.status_code == 422 and unsigned.json()["code"] == "signature_required"

    # when: B confirms by signing the same content, then pays
    code = api_client.post(f"{url}/countersign/sms", **sale["b"])
    assert code.status_code == 202, code.json()
    confirmed = api_client.post_json(
        f"{url}/countersign",
        {"code_id": code.json()["code_id"], "code": last_code(api_client, BUYER_PHONE)},
        **sale["b"],
    )
    assert confirmed.status_code == 200, confirmed.json()
    assert (confirmed.json()["state"], confirmed.json()["payment"]) == ("confirmed", "awaiting")
    assert (
        Vehicle.objects.get().registrations.get(ended_on=None).owner_id == sale["seller"].person.pk
    )
    _pay(api_client, sale["b"], "pay-sale")

    # then: re-registered to B, on the same plate, with a new certificate
    done = api_client.get(url, **sale["b"]).json()
    assert (done["state"], done["outcome"], done["payment"]) == ("registered", "approved", "paid")
    assert done["due_date"] is not None
    current = Vehicle.objects.get().registrations.get(ended_on=None)
    assert current.owner_id == sale["buyer"].person.pk
    assert current.plate.number == PLATE
    assert current.certificate_number != sale["old_certificate"]
    # A's wallet no longer shows the car; B's does
    assert _vehicles_in_wallet(api_client, sale["a"]) == []
    assert [v["plate"] for v in _vehicles_in_wallet(api_client, sale["b"])] == [PLATE]
    # both see every step of the same history, the registry change in it
    steps = ["submit", "ask_buyer", "confirm", "pay", "register_automatically", "document"]
    for party in ("a", "b"):
        history = api_client.get(url, **sale[party]).json()["history"]
        assert [e["transition"] for e in history] == steps
    registered = history[-2]["changes"]["registry"]
    assert registered == {
        "vin": sale["vehicle"].vin,
        "plate": PLATE,
        "certificate_number": current.certificate_number,
    }
    # both parties signed the same content; the signed certificate is B's
    signatures = Signature.objects.filter(application_id=started["id"])
    assert sorted(s.party for s in signatures) == ["applicant", "counterparty"]
    assert len({s.content_sha256 for s in signatures}) == 1
    document = Document.objects.get(application_id=started["id"])
    assert history[-1]["changes"] == {"document": document.number}
    assert document.holder_id == sale["buyer"].person.pk


def test_the_buyer_may_ask_for_new_plates_of_their_region(
    api_client: CommittingClient, sale: dict[str, Any]
) -> None:
    started = _start_sale(api_client, sale, new_plates=True)
    url = f"/api/v1/applications/{started['id']}"
    code = api_client.post(f"{url}/countersign/sms", **sale["b"])
    api_client.post_json(
        f"{url}/countersign",
        {"code_id": code.json()["code_id"], "code": last_code(api_client, BUYER_PHONE)},
        **sale["b"],
    )
    _pay(api_client, sale["b"], "pay-new-plates")

    assert api_client.get(url, **sale["b"]).json()["state"] == "registered"
    assert [v["plate"] for v in _vehicles_in_wallet(api_client, sale["b"])] == ["456 DEF 09"]


def test_the_buyer_s_certificate_names_its_number_the_new_plate_and_the_car(
    api_client: CommittingClient, sale: dict[str, Any], rendered: list[str]
) -> None:
    # given: a sale with new plates for the buyer, confirmed
    started = _start_sale(api_client, sale, new_plates=True)
    url = f"/api/v1/applications/{started['id']}"
    code = api_client.post(f"{url}/countersign/sms", **sale["b"])
    api_client.post_json(
        f"{url}/countersign",
        {"code_id": code.json()["code_id"], "code": last_code(api_client, BUYER_PHONE)},
        **sale["b"],
    )

    # when: the buyer pays and the registry re-registers the car
    _pay(api_client, sale["b"], "pay-certificate")

    # then: the certificate carries the registry's record after the change
    current = Vehicle.objects.get().registrations.get(ended_on=None)
    assert current.certificate_number != sale["old_certificate"]
    document = Document.objects.get(application_id=started["id"])
    [page] = rendered
    rows = _rows(page)
    assert rows["Registration certificate number"] == current.certificate_number
    assert rows["Registration plate"] == "456 DEF 09"
    assert rows["Vehicle identification number (VIN)"] == sale["vehicle"].vin
    assert (rows["Make"], rows["Model"], rows["Year of manufacture"]) == ("Toyota", "Camry", "2020")
    assert (rows["Vehicle category"], rows["Colour"]) == ("B", "white")
    assert rows["Registered on"] == _en_date(current.started_on)
    assert rows["Holder"] == sale["buyer"].person.full_name
    assert rows["Holder's IIN"] == sale["buyer"].person.iin
    assert document.holder_id == sale["buyer"].person.pk
    # the sale's answers (price, seller, the old plate) are not the certificate's
    assert "Sale price" not in page
    assert PLATE not in page


def test_a_sale_the_buyer_does_not_confirm_lapses(
    api_client: CommittingClient, sale: dict[str, Any]
) -> None:
    started = _start_sale(api_client, sale)
    url = f"/api/v1/applications/{started['id']}"

    deadlines_sweep(today=local_today() + timedelta(days=1))
    assert api_client.get(url, **sale["a"]).json()["state"] == "buyer_confirmation"
    deadlines_sweep(today=local_today() + timedelta(days=10))

    lapsed = api_client.get(url, **sale["a"]).json()
    assert (lapsed["state"], lapsed["outcome"]) == ("lapsed", "withdrawn")
    assert lapsed["history"][-1]["transition"] == "lapse"
    too_late = api_client.post(f"{url}/countersign/sms", **sale["b"])
    assert too_late.status_code == 409 and too_late.json()["code"] == "transition_not_allowed"
    assert (
        Vehicle.objects.get().registrations.get(ended_on=None).owner_id == sale["seller"].person.pk
    )


def test_the_buyer_may_decline_and_the_car_stays(
    api_client: CommittingClient, sale: dict[str, Any]
) -> None:
    started = _start_sale(api_client, sale)
    url = f"/api/v1/applications/{started['id']}"

    declined = api_client.post_json(f"{url}/steps", {"name": "decline"}, **sale["b"])

    assert declined.status_code == 200, declined.json()
    assert (declined.json()["state"], declined.json()["outcome"]) == ("declined", "withdrawn")
    assert [v["plate"] for v in _vehicles_in_wallet(api_client, sale["a"])] == [PLATE]


def test_a_sale_is_refused_before_anything_is_signed_or_paid(
    api_client: CommittingClient, sale: dict[str, Any]
) -> None:
    # B owns no vehicle: cannot even start a sale
    none = api_client.post_json(
        "/api/v1/applications", {"service": "vehicle-re-registration"}, **sale["b"]
    )
    assert none.status_code == 422 and none.json()["code"] == "not_eligible"
    # A names a car that is not theirs
    registry.plate_pool_add(numbers=["321 CBA 02"])
    other = citizen_create(phone="+77019998877", birth_date=date(1990, 1, 1), sex="M")
    registry.vehicle_register_first(
        owner=other.person, vehicle=car("JH4KA7561PC008269"), plate="321 CBA 02"
    )
    not_mine = _start_sale(api_client, sale, plate="321 CBA 02")
    assert not_mine["status"] == 422 and not_mine["code"] == "would_be_refused"
    assert not_mine["details"]["fields"] == [
        {"field": "plate", "message": "The vehicle is not registered to the applicant."}
    ]
    assert [r["code"] for r in not_mine["details"]["refusals"]] == ["not_vehicle_owner"]
    # and a buyer who is not in the population registry
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):  # past the code pause
        nobody = _start_sale(api_client, sale, buyer_iin=make_iin(date(1990, 1, 1), "M"))

    assert nobody["status"] == 422 and nobody["code"] == "counterparty_unknown"
    assert nobody["details"]["fields"][0]["field"] == "buyer_iin"
    assert not Application.objects.exclude(state="draft").exists()


def test_an_arrested_car_cannot_be_sold_and_the_seller_sees_why_before_signing(
    api_client: CommittingClient, sale: dict[str, Any]
) -> None:
    registry.vehicle_arrest_set(vehicle=sale["vehicle"], arrested=True, reason="Court order 12")

    started = _start_sale(api_client, sale)

    assert (started["status"], started["code"]) == (422, "would_be_refused")
    assert started["details"]["refusals"] == [
        {
            "code": "vehicle_arrested",
            "message": "The vehicle is under arrest in the registry: Court order 12",
            "field": "",
        }
    ]
    assert not Application.objects.exclude(state="draft").exists()
    inbox = api_client.get("/api/v1/inbox", **sale["b"]).json()["items"]
    assert "application.confirmation_asked" not in [m["event"] for m in inbox]


@pytest.fixture
def arrested_after_check(monkeypatch: pytest.MonkeyPatch, sale: dict[str, Any]) -> None:
    """A bailiff's arrest lands between the seller's signing and the automatic step: the
    definition sends the sale to an officer."""
    real = submission.refusals_check

    def check(**kwargs: Any) -> None:
        real(**kwargs)
        registry.vehicle_arrest_set(vehicle=sale["vehicle"], arrested=True, reason="Court 12")

    monkeypatch.setattr(submission, "refusals_check", check)


def test_a_car_arrested_while_the_seller_signs_goes_to_an_officer(
    api_client: CommittingClient, sale: dict[str, Any], arrested_after_check: None
) -> None:
    started = _start_sale(api_client, sale)

    assert started["state"] == "in_review"
    listed = api_client.get("/api/v1/applications", **sale["b"]).json()
    assert [a["waiting_for_you"] for a in listed] == [False]
    inbox = api_client.get("/api/v1/inbox", **sale["b"]).json()["items"]
    assert "application.confirmation_asked" not in [m["event"] for m in inbox]


def test_a_corrected_sale_asks_the_buyer_it_now_names(
    api_client: CommittingClient, sale: dict[str, Any], arrested_after_check: None
) -> None:
    started = _start_sale(api_client, sale)
    url = f"/api/v1/applications/{started['id']}"
    office = _officer(api_client)
    returned = api_client.post_json(
        f"/api/v1/office/applications/{started['id']}/steps",
        {
            "name": "return_for_correction",
            "comment": "Name the real buyer",
            "fields": ["buyer_iin"],
        },
        **office,
    )
    assert returned.json()["state"] == "correction"
    other = citizen_create(phone="+77019998877", birth_date=date(1990, 1, 1), sex="M")
    assert other.person is not None
    registry.vehicle_arrest_set(vehicle=sale["vehicle"], arrested=False)

    api_client.patch(
        url, data={"answers": {"buyer_iin": other.person.iin}}, content_type="application/json",
        **sale["a"],
    )  # fmt: skip
    # signed again over the new buyer, with a new code (past the code pause)
    with time_machine.travel(timezone.now() + timedelta(seconds=200)):
        code = api_client.post(f"{url}/sign/sms", **sale["a"]).json()
        resubmitted = api_client.post_json(
            f"{url}/steps",
            {"name": "resubmit", "code_id": code["code_id"],
             "code": last_code(api_client, SELLER_PHONE)},
            **sale["a"],
        )  # fmt: skip

    assert resubmitted.json()["state"] == "buyer_confirmation"
    assert Application.objects.get().counterparty_id == other.person.pk
    assert api_client.get(url, **sale["b"]).status_code == 404  # no longer B's business
    c = _signed_in(api_client, other, "+77019998877")
    assert [a["party"] for a in api_client.get("/api/v1/applications", **c).json()] == [
        "counterparty"
    ]
    inbox = api_client.get("/api/v1/inbox", **c).json()["items"]
    assert [m["event"] for m in inbox].count("application.confirmation_asked") == 1


@pytest.fixture
def young(api_client: CommittingClient) -> dict[str, Any]:
    today = local_today()
    account = citizen_create(birth_date=rules.add_years(today, -17) - timedelta(days=30))
    assert account.person is not None
    MedicalCertificate.objects.create(
        person=account.person,
        number="M-17",
        issued=today - timedelta(days=30),
        expires=today + timedelta(days=300),
        categories=[],
        issuer="Polyclinic 5",
    )
    for kind in ("theory", "practice"):
        ExamResult.objects.create(
            person=account.person, category="B", kind=kind, passed=True,
            taken_on=today - timedelta(days=3), centre="Centre",
        )  # fmt: skip
    return {"account": account, "auth": _signed_in(api_client, account, SELLER_PHONE)}


def test_a_17_year_old_is_refused_category_b_with_the_reason(
    api_client: CommittingClient, young: dict[str, Any]
) -> None:
    submitted = _submit(
        api_client, young["auth"], SELLER_PHONE, "driving-licence-issue", {"category": "B"}
    )

    assert (submitted["status"], submitted["code"]) == (422, "would_be_refused")
    reason = "The holder is too young for category B: the minimum age is 18."
    assert submitted["details"]["refusals"] == [
        {"code": "under_age", "message": reason, "field": ""}
    ]
    assert not DrivingLicence.objects.exists()
    assert not Invoice.objects.exists() and not Payment.objects.exists()
    assert Application.objects.get().state == "draft"


def test_a_17_year_old_is_refused_a_motorcycle_licence_as_the_law_has_it(
    api_client: CommittingClient, young: dict[str, Any]
) -> None:
    # Category A needs 18 years (art. 74(2) of the Law "On road traffic"); A1 needs 16.
    for kind in ("theory", "practice"):
        ExamResult.objects.create(
            person=young["account"].person, category="A", kind=kind, passed=True,
            taken_on=local_today() - timedelta(days=3), centre="Centre",
        )  # fmt: skip
    submitted = _submit(
        api_client, young["auth"], SELLER_PHONE, "driving-licence-issue", {"category": "A"}
    )

    assert (submitted["status"], submitted["code"]) == (422, "would_be_refused")
    [refusal] = submitted["details"]["refusals"]
    assert refusal["code"] == "under_age"
    assert refusal["message"] == "The holder is too young for category A: the minimum age is 18."
    assert not DrivingLicence.objects.exists() and not Invoice.objects.exists()


def test_an_18_year_old_with_exams_and_medical_gets_the_licence_in_the_wallet(
    api_client: CommittingClient, young: dict[str, Any]
) -> None:
    person = young["account"].person
    person.birth_date = rules.add_years(local_today(), -18)
    person.save(update_fields=["birth_date"])

    submitted = _submit(
        api_client, young["auth"], SELLER_PHONE, "driving-licence-issue", {"category": "B"}
    )
    _pay(api_client, young["auth"], "pay-licence-18")

    issued = api_client.get(f"/api/v1/applications/{submitted['id']}", **young["auth"]).json()
    assert issued["state"] == "issued"
    licence = DrivingLicence.objects.get(holder=person)
    made = next(e for e in issued["history"] if e["transition"] == "issue_automatically")
    assert made["changes"]["registry"]["licence_number"] == licence.number
    kinds = [
        e["kind"] for e in api_client.get("/api/v1/wallet/", **young["auth"]).json()["entries"]
    ]
    assert "driving_licence" in kinds


def test_the_licence_document_carries_its_number_categories_and_dates(
    api_client: CommittingClient, young: dict[str, Any], rendered: list[str]
) -> None:
    # given: an 18-year-old with exams and a medical certificate
    person = young["account"].person
    person.birth_date = rules.add_years(local_today(), -18)
    person.save(update_fields=["birth_date"])

    # when: they apply for category B and pay
    _submit(api_client, young["auth"], SELLER_PHONE, "driving-licence-issue", {"category": "B"})
    _pay(api_client, young["auth"], "pay-licence-document")

    # then: the licence document carries what the registry issued
    licence = DrivingLicence.objects.get(holder=person)
    [page] = rendered
    rows = _rows(page)
    assert rows["Driving licence number"] == licence.number
    assert rows["Categories"] == "B"
    assert rows["Category B held since"] == _en_date(licence.issued)
    assert rows["Licence issued on"] == _en_date(licence.issued)
    assert rows["Licence valid until"] == _en_date(licence.expires)
    assert licence.expires > licence.issued
    assert rows["Date of birth"] == _en_date(person.birth_date)


def test_an_expired_licence_with_medical_data_is_replaced_online(
    api_client: CommittingClient,
) -> None:
    today = local_today()
    account = citizen_create(birth_date=date(1980, 3, 3))
    person = account.person
    assert person is not None
    old = DrivingLicence.objects.create(
        number="AB123456", holder=person, categories=[{"category": "B", "issued": "2016-01-10"}],
        issued=date(2016, 1, 10), expires=today - timedelta(days=20),
        status=DrivingLicence.Status.EXPIRED,
    )  # fmt: skip
    MedicalCertificate.objects.create(
        person=person, number="M-1", issued=today - timedelta(days=5),
        expires=today + timedelta(days=360), categories=[], issuer="Polyclinic 5",
    )  # fmt: skip
    auth = _signed_in(api_client, account, SELLER_PHONE)

    submitted = _submit(
        api_client, auth, SELLER_PHONE, "driving-licence-replacement", {"reason": "expiry"}
    )
    assert submitted["status"] == 201, submitted
    _pay(api_client, auth, "pay-replace")

    done = api_client.get(f"/api/v1/applications/{submitted['id']}", **auth).json()
    assert (done["state"], done["outcome"]) == ("replaced", "approved")
    new = DrivingLicence.objects.get(holder=person, status=DrivingLicence.Status.VALID)
    assert new.expires == rules.licence_expiry(today)
    old.refresh_from_db()
    assert (old.status, old.replaced_by_id) == (DrivingLicence.Status.REPLACED, new.pk)
    wallet = api_client.get("/api/v1/wallet/", **auth).json()["entries"]
    licences = [e for e in wallet if e["kind"] == "driving_licence"]
    assert [e["number"] for e in licences] == [new.number]


def test_an_expired_licence_without_medical_data_is_refused_with_the_reason(
    api_client: CommittingClient,
) -> None:
    today = local_today()
    account = citizen_create(birth_date=date(1980, 3, 3))
    DrivingLicence.objects.create(
        number="AB123457", holder=account.person,
        categories=[{"category": "B", "issued": "2016-01-10"}], issued=date(2016, 1, 10),
        expires=today - timedelta(days=20), status=DrivingLicence.Status.EXPIRED,
    )  # fmt: skip
    auth = _signed_in(api_client, account, SELLER_PHONE)

    submitted = _submit(
        api_client, auth, SELLER_PHONE, "driving-licence-replacement", {"reason": "expiry"}
    )

    assert (submitted["status"], submitted["code"]) == (422, "would_be_refused")
    assert [r["code"] for r in submitted["details"]["refusals"]] == ["no_medical"]
    assert not Invoice.objects.exists()


def test_a_first_registration_is_decided_by_an_officer_after_the_inspection(
    api_client: CommittingClient, rendered: list[str]
) -> None:
    owner = citizen_create(region="02")
    auth = _signed_in(api_client, owner, SELLER_PHONE)
    officer = citizen_create(phone="+77470003344", birth_date=date(1980, 8, 8), sex="M")
    OfficerMembership.objects.create(account=officer, agency="mvd-admin-police")
    with time_machine.travel(timezone.now() + timedelta(seconds=120)):
        office = bearer(sign_in(api_client, officer.person.iin, "+77470003344")["access_token"])
    pool("777 AAA 02", "234 KZA 02")
    answers = {
        "vin": "1M8GDM9AXKP042788", "make": "Toyota", "model": "Camry", "year": 2024,
        "colour": "white", "category": "B", "origin": "dealer", "plates": "random",
    }  # fmt: skip
    submitted = _submit(api_client, auth, SELLER_PHONE, "vehicle-first-registration", answers)
    _pay(api_client, auth, "pay-first")
    assert (
        api_client.get(f"/api/v1/applications/{submitted['id']}", **auth).json()["state"]
        == "inspection"
    )

    steps = f"/api/v1/office/applications/{submitted['id']}/steps"
    registered = api_client.post_json(steps, {"name": "register"}, **office)

    assert registered.status_code == 200, registered.json()
    assert registered.json()["state"] == "registered"
    vehicle = Vehicle.objects.get(vin="1M8GDM9AXKP042788")
    current = vehicle.registrations.get(ended_on=None)
    assert current.owner_id == owner.person.pk
    assert current.plate.number == "234 KZA 02"  # the next free standard plate of region 02
    assert registered.json()["history"][-1]["changes"]["registry"]["plate"] == "234 KZA 02"
    # the certificate names the plate and the number the registry gave, not "the next free one"
    run_tasks()
    [page] = rendered
    rows = _rows(page)
    assert rows["Registration plate"] == "234 KZA 02"
    assert rows["Registration certificate number"] == current.certificate_number
    assert rows["Vehicle identification number (VIN)"] == "1M8GDM9AXKP042788"
    assert "The next free number" not in page


def test_an_officer_s_approval_the_registry_refuses_changes_nothing(
    api_client: CommittingClient,
) -> None:
    owner = citizen_create(region="02")
    auth = _signed_in(api_client, owner, SELLER_PHONE)
    officer = citizen_create(phone="+77470003344", birth_date=date(1980, 8, 8), sex="M")
    OfficerMembership.objects.create(account=officer, agency="mvd-admin-police")
    with time_machine.travel(timezone.now() + timedelta(seconds=120)):
        office = bearer(sign_in(api_client, officer.person.iin, "+77470003344")["access_token"])
    answers = {
        "vin": "1M8GDM9AXKP042788", "make": "Toyota", "model": "Camry", "year": 2024,
        "colour": "white", "category": "B", "origin": "dealer", "plates": "random",
    }  # fmt: skip
    submitted = _submit(api_client, auth, SELLER_PHONE, "vehicle-first-registration", answers)
    _pay(api_client, auth, "pay-first-2")
    steps = f"/api/v1/office/applications/{submitted['id']}/steps"

    refused = api_client.post_json(steps, {"name": "register"}, **office)  # the pool is empty

    assert refused.status_code == 409 and refused.json()["code"] == "plate_pool_empty"
    application = Application.objects.get(pk=submitted["id"])
    assert (application.state, application.outcome) == ("inspection", "")
    assert not Vehicle.objects.exists()


def test_the_app_lists_my_vehicles_and_the_plates_i_may_choose(
    api_client: CommittingClient, sale: dict[str, Any]
) -> None:
    pool("777 AAA 02", "888 BBB 02", "234 KZA 02", "777 AAA 09")

    plates = api_client.get("/api/v1/vehicles/plates", **sale["a"])
    standard = api_client.get(
        "/api/v1/vehicles/plates", {"region": "02", "increased_demand": "false"}, **sale["a"]
    )
    wrong = api_client.get("/api/v1/vehicles/plates", {"region": "99"}, **sale["a"])
    mine = api_client.get("/api/v1/vehicles/mine", **sale["a"]).json()

    assert [p["number"] for p in plates.json()] == ["777 AAA 02", "888 BBB 02"]  # A is in 02
    assert [p["number"] for p in standard.json()] == ["234 KZA 02"]
    assert wrong.status_code == 422 and wrong.json()["code"] == "region_invalid"
    assert [(v["plate"], v["vin"]) for v in mine] == [(PLATE, sale["vehicle"].vin)]
    assert api_client.get("/api/v1/vehicles/mine", **sale["b"]).json() == []
    assert api_client.get("/api/v1/vehicles/mine").status_code == 401


def _officer(api: CommittingClient) -> Headers:
    officer = citizen_create(phone="+77470003344", birth_date=date(1980, 8, 8), sex="M")
    OfficerMembership.objects.create(account=officer, agency="mvd-admin-police")
    assert officer.person is not None
    with time_machine.travel(timezone.now() + timedelta(seconds=120)):
        return bearer(sign_in(api, officer.person.iin, "+77470003344")["access_token"])


def test_a_deregistered_car_leaves_the_registry_and_the_wallet(
    api_client: CommittingClient, sale: dict[str, Any]
) -> None:
    office = _officer(api_client)
    submitted = _submit(
        api_client, sale["a"], SELLER_PHONE, "vehicle-deregistration",
        {"plate": PLATE, "reason": "scrapping"},
    )  # fmt: skip
    assert (submitted["status"], submitted["state"]) == (201, "in_review")  # checked: not arrested
    steps = f"/api/v1/office/applications/{submitted['id']}/steps"

    accepted = api_client.post_json(steps, {"name": "accept"}, **office)
    done = api_client.post_json(steps, {"name": "deregister"}, **office)

    assert accepted.json()["state"] == "plates_return"
    assert (done.json()["state"], done.json()["outcome"]) == ("deregistered", "approved")
    vehicle = Vehicle.objects.get()
    assert vehicle.status == Vehicle.Status.DEREGISTERED
    assert vehicle.registrations.get().plate.status == "retired"
    assert _vehicles_in_wallet(api_client, sale["a"]) == []


def test_a_duplicate_certificate_gets_a_new_number(
    api_client: CommittingClient, sale: dict[str, Any]
) -> None:
    office = _officer(api_client)
    submitted = _submit(
        api_client, sale["a"], SELLER_PHONE, "vehicle-certificate-duplicate",
        {"plate": PLATE, "reason": "damage"},
    )  # fmt: skip
    assert submitted["status"] == 201, submitted
    _pay(api_client, sale["a"], "pay-duplicate")
    steps = f"/api/v1/office/applications/{submitted['id']}/steps"

    for step in ("take", "prepare", "hand_over"):
        moved = api_client.post_json(steps, {"name": step}, **office)
        assert moved.status_code == 200, moved.json()

    current = Vehicle.objects.get().registrations.get(ended_on=None)
    assert current.certificate_number != sale["old_certificate"]
    written = moved.json()["history"][-1]["changes"]["registry"]
    assert written["certificate_number"] == current.certificate_number


def test_a_first_registration_is_refused_on_the_form_before_anything_is_paid(
    api_client: CommittingClient, sale: dict[str, Any]
) -> None:
    pool("777 AAA 02")
    registry.plate_reserve(region="02", number="777 AAA 02")  # someone else's reservation
    answers = {
        "vin": sale["vehicle"].vin, "make": "Toyota", "model": "Camry", "year": 2024,
        "colour": "white", "category": "B", "origin": "dealer", "plates": "random",
    }  # fmt: skip

    known = _submit(api_client, sale["b"], BUYER_PHONE, "vehicle-first-registration", answers)
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):  # past the code pause
        chosen = {"vin": "JH4KA7561PC008269", "plates": "chosen", "chosen_plate": "777 AAA 02"}
        taken = _submit(
            api_client, sale["b"], BUYER_PHONE, "vehicle-first-registration", answers | chosen
        )

    assert (known["status"], known["code"]) == (422, "would_be_refused")
    assert [r["code"] for r in known["details"]["refusals"]] == ["vin_registered"]
    assert known["details"]["fields"][0]["field"] == "vin"
    assert (taken["status"], taken["code"]) == (422, "would_be_refused")
    assert [r["code"] for r in taken["details"]["refusals"]] == ["plate_taken"]
    assert taken["details"]["fields"][0]["field"] == "chosen_plate"
    assert not Application.objects.exclude(state="draft").exists()


def test_the_buyer_may_confirm_with_a_certificate_but_only_their_own(
    api_client: CommittingClient, sale: dict[str, Any]
) -> None:
    started = _start_sale(api_client, sale)
    url = f"/api/v1/applications/{started['id']}"
    content = base64.b64decode(
        api_client.get(f"{url}/signing-content", **sale["b"]).json()["content"]
    )

    def signed_by(account: Account) -> str:
        person = account.person
        assert person is not None
        _issued, p12 = citizen_certificate_issue(iin=person.iin, surname="TEST", given_name="BUYER")
        cms = cms_sign(content=content, p12=p12, password=demo_p12_password(person.iin))
        return base64.b64encode(cms).decode()

    wrong = api_client.post_json(
        f"{url}/countersign", {"signature": signed_by(sale["seller"])}, **sale["b"]
    )
    right = api_client.post_json(
        f"{url}/countersign", {"signature": signed_by(sale["buyer"])}, **sale["b"]
    )
    again = api_client.post_json(
        f"{url}/countersign", {"signature": signed_by(sale["buyer"])}, **sale["b"]
    )

    assert wrong.status_code == 422 and wrong.json()["code"] == "certificate_mismatch"
    assert right.status_code == 200 and right.json()["state"] == "confirmed"
    assert again.status_code == 200 and again.json()["state"] == "confirmed"  # a retry: the same
    signature = Signature.objects.get(application_id=started["id"], party="counterparty")
    assert signature.method == "certificate"
    history = [e["transition"] for e in right.json()["history"]]
    assert history.count("confirm") == 1


def test_the_buyer_s_certificate_is_in_the_buyer_s_language_not_the_seller_s(
    api_client: CommittingClient, sale: dict[str, Any], rendered: list[str]
) -> None:
    # given: a seller who reads Kazakh and a buyer who reads English
    sale["seller"].language = "kk"
    sale["seller"].save(update_fields=["language"])
    started = _start_sale(api_client, sale)
    url = f"/api/v1/applications/{started['id']}"
    code = api_client.post(f"{url}/countersign/sms", **sale["b"])
    api_client.post_json(
        f"{url}/countersign",
        {"code_id": code.json()["code_id"], "code": last_code(api_client, BUYER_PHONE)},
        **sale["b"],
    )

    # when: the buyer pays and the certificate is issued
    _pay(api_client, sale["b"], "pay-language")

    # then: the buyer's certificate speaks English, labels and title
    document = Document.objects.get(application_id=started["id"])
    assert (document.holder_id, document.language) == (sale["buyer"].person.pk, "en")
    [page] = rendered
    assert "Registration plate" in _rows(page)
    assert document.title == "Vehicle registration certificate"
    assert document.title_in("kk") == "Көлік құралын тіркеу туралы куәлік"
