"""Selling a car through the pages: the seller fills in and signs; the buyer finds it among their
applications, reads what they confirm, confirms by SMS code and is asked for the fee; a third
person sees nothing."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from conftest import PASSWORD, CommittingClient, bearer, last_code, sign_in
from qyzmet.applications.models import Application
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.notifications.selectors import sink_message_list
from qyzmet.notifications.testing import deliver_due
from qyzmet.registries import actions as registry
from qyzmet.registries.tests.conftest import car, pool

pytestmark = pytest.mark.django_db

SELLER_PHONE = "+77011234567"
BUYER_PHONE = "+77017654321"


def _web(account: Account, phone: str) -> CommittingClient:
    assert account.person is not None
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, phone)})
    return web


def _submit_on_pages(
    web: CommittingClient, phone: str, service: str, fields: dict[str, str]
) -> str:
    """Start, fill in, sign by SMS code and submit on the pages; the application page's URL."""
    page_url: str = web.post(f"/services/{service}/apply")["Location"]
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):  # past the code pause
        web.post(f"{page_url}sign/sms", fields)
        page = web.get(page_url).content.decode()
        key = page.split('name="idempotency_key" value="')[1].split('"')[0]
        code = last_code(web, phone)
        web.post(f"{page_url}submit", {"code": code, "idempotency_key": key})
    return page_url


def test_the_buyer_confirms_a_sale_on_the_application_page() -> None:
    seller = citizen_create(phone=SELLER_PHONE)
    buyer = citizen_create(phone=BUYER_PHONE, birth_date=date(1985, 5, 5), sex="M")
    assert buyer.person is not None and seller.person is not None
    pool("123 ABC 02")
    registry.vehicle_register_first(owner=seller.person, vehicle=car(), plate="123 ABC 02")
    a, b = _web(seller, SELLER_PHONE), _web(buyer, BUYER_PHONE)

    fields = {"plate": "123 ABC 02", "buyer_iin": buyer.person.iin, "price": "4500000"}
    page_url = _submit_on_pages(a, SELLER_PHONE, "vehicle-re-registration", fields)
    assert "Waiting for the buyer to confirm" in a.get(page_url).content.decode()

    listing = b.get("/applications/").content.decode()
    assert "You take part as: Buyer" in listing
    page = b.get(page_url).content.decode()
    assert "waiting for you" in page
    assert "123 ABC 02" in page and "4,500,000" in page  # what the buyer confirms
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        b.post(f"{page_url}countersign/sms")
        assert "Code sent to +7 701 *** ** 21" in b.get(page_url).content.decode()
        wrong = b.post(f"{page_url}countersign", {"code": "000000"})
        assert wrong.status_code == 400 and Application.objects.get().state == "buyer_confirmation"
        done = b.post(f"{page_url}countersign", {"code": last_code(b, BUYER_PHONE)})

    assert done.status_code == 302
    page = b.get(page_url).content.decode()
    assert "Confirmed and signed." in page
    assert "The buyer confirmed; waiting for the fee" in page
    application = Application.objects.get()
    assert (application.state, application.payment) == ("confirmed", "awaiting")
    third = citizen_create(phone="+77075554433", birth_date=date(1990, 1, 1), sex="M")
    assert _web(third, "+77075554433").get(page_url).status_code == 404


def test_the_first_registration_form_offers_the_free_plates_of_the_owner_s_region() -> None:
    owner = citizen_create(phone=SELLER_PHONE, region="02")
    pool("777 AAA 02", "888 BBB 02", "777 AAA 09")
    web = _web(owner, SELLER_PHONE)

    page_url = web.post("/services/vehicle-first-registration/apply")["Location"]
    page = web.post(f"{page_url}save", {"plates": "chosen"}, follow=True)

    body = page.content.decode()
    options = '<option value="777 AAA 02"><option value="888 BBB 02">'
    assert f'<datalist id="f-chosen_plate-free">{options}</datalist>' in body
    assert "777 AAA 09" not in body


def test_the_officer_s_page_shows_what_the_registry_wrote_and_why_it_refused() -> None:
    from qyzmet.applications.models import OfficerMembership

    owner = citizen_create(phone=SELLER_PHONE)
    assert owner.person is not None
    pool("123 ABC 02")
    first = registry.vehicle_register_first(owner=owner.person, vehicle=car(), plate="123 ABC 02")
    _submit_on_pages(
        _web(owner, SELLER_PHONE), SELLER_PHONE, "vehicle-deregistration",
        {"plate": "123 ABC 02", "reason": "scrapping"},
    )  # fmt: skip
    application = Application.objects.get()
    officer_account = citizen_create(phone="+77470001122", birth_date=date(1980, 8, 8), sex="M")
    OfficerMembership.objects.create(account=officer_account, agency=application.agency)
    office = _web(officer_account, "+77470001122")
    url = f"/office/applications/{application.pk}/"
    office.post(url, {"action": "accept", "version": Application.objects.get().lock_version})
    registry.vehicle_arrest_set(vehicle=first.vehicle, arrested=True, reason="Court order 12")

    refused = office.post(
        url, {"action": "deregister", "version": Application.objects.get().lock_version}
    )
    assert "The vehicle is under arrest in the registry: Court order 12" in refused.content.decode()
    assert Application.objects.get().state == "plates_return"
    registry.vehicle_arrest_set(vehicle=first.vehicle, arrested=False)
    office.post(url, {"action": "deregister", "version": Application.objects.get().lock_version})

    page = office.get(url).content.decode()
    assert Application.objects.get().outcome == "approved"
    assert f"Written to the registry: VIN {first.vehicle.vin}, plate 123 ABC 02" in page


def test_the_buyer_may_confirm_on_the_page_with_a_certificate() -> None:
    import base64

    from qyzmet.signatures.actions import citizen_certificate_issue, demo_p12_password
    from qyzmet.signatures.client import cms_sign

    seller = citizen_create(phone=SELLER_PHONE)
    buyer = citizen_create(phone=BUYER_PHONE, birth_date=date(1985, 5, 5), sex="M")
    assert buyer.person is not None and seller.person is not None
    pool("123 ABC 02")
    registry.vehicle_register_first(owner=seller.person, vehicle=car(), plate="123 ABC 02")
    fields = {"plate": "123 ABC 02", "buyer_iin": buyer.person.iin, "price": "4500000"}
    page_url = _submit_on_pages(
        _web(seller, SELLER_PHONE), SELLER_PHONE, "vehicle-re-registration", fields
    )
    b = _web(buyer, BUYER_PHONE)
    page = b.get(page_url).content.decode()
    challenge = page.split('data-challenge="')[1].split('"')[0]
    digest = page.split('name="content_sha256" value="')[1].split('"')[0]

    def signed_by(iin: str) -> str:
        _issued, p12 = citizen_certificate_issue(iin=iin, surname="TEST", given_name="BUYER")
        cms = cms_sign(
            content=base64.b64decode(challenge), p12=p12, password=demo_p12_password(iin)
        )
        return base64.b64encode(cms).decode()

    post = {"content_sha256": digest}
    confirm_url = f"{page_url}countersign/certificate"
    assert f'action="{confirm_url}"' in page
    wrong = b.post(confirm_url, {**post, "signature": signed_by(seller.person.iin)})
    assert wrong.status_code == 422
    assert "This certificate belongs to another person." in wrong.content.decode()
    assert Application.objects.get().state == "buyer_confirmation"

    done = b.post(confirm_url, {**post, "signature": signed_by(buyer.person.iin)})

    assert done.status_code == 302
    assert "Confirmed and signed." in b.get(page_url).content.decode()
    assert Application.objects.get().state == "confirmed"


# What the buyer reads before confirming, in each language: the car from the registry, the
# seller's name and the price in the language's money format (non-breaking spaces in kk and ru).
KK_PRICE, EN_PRICE = "4\xa0500\xa0000,00\xa0₸", "4,500,000.00\xa0₸"
WHAT_THE_BUYER_SEES = {
    "kk": ("ақ", KK_PRICE, f"Toyota Camry 2020, ақ, 123 ABC 02, бағасы {KK_PRICE}"),
    "ru": ("белый", KK_PRICE, f"Toyota Camry 2020, белый, 123 ABC 02 за {KK_PRICE}"),
    "en": ("white", EN_PRICE, f"Toyota Camry 2020, white, 123 ABC 02 for {EN_PRICE}"),
}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_buyer_sees_the_car_the_seller_and_the_price_in_their_language(language: str) -> None:
    seller = citizen_create(
        phone=SELLER_PHONE, surname="ASANOVA", given_name="ALIYA", patronymic=""
    )
    buyer = citizen_create(phone=BUYER_PHONE, birth_date=date(1985, 5, 5), sex="M")
    assert buyer.person is not None and seller.person is not None
    Account.objects.filter(pk=buyer.pk).update(language=language)
    pool("123 ABC 02")
    registry.vehicle_register_first(owner=seller.person, vehicle=car(), plate="123 ABC 02")
    fields = {"plate": "123 ABC 02", "buyer_iin": buyer.person.iin, "price": "4500000"}
    page_url = _submit_on_pages(
        _web(seller, SELLER_PHONE), SELLER_PHONE, "vehicle-re-registration", fields
    )
    colour, price, line = WHAT_THE_BUYER_SEES[language]
    b = _web(buyer, BUYER_PHONE)
    b.cookies["qyzmet_language"] = language

    page = b.get(page_url).content.decode()
    shown = page.split('id="subject-title"')[1].split("</section>")[0]
    for fact in ("Toyota Camry", "2020", colour, car().vin, "123 ABC 02", "ASANOVA ALIYA", price):
        assert f"<dd>{fact}</dd>" in shown or f"<dd><strong>{fact}</strong></dd>" in shown, fact
    # the answers below it write the price as a number of the language, not "4500000"
    assert "4500000" not in page
    assert ("4,500,000" if language == "en" else "4\xa0500\xa0000") in page

    # the SMS that asked them names the car and the price
    deliver_due()
    texts = [m["text"] for m in sink_message_list(recipient=BUYER_PHONE)]
    assert any(f"({line})" in text for text in texts), texts

    # the phone app's answer carries the same facts
    api = CommittingClient(HTTP_ACCEPT_LANGUAGE=language)
    with time_machine.travel(timezone.now() + timedelta(seconds=122)):
        auth = bearer(sign_in(api, buyer.person.iin, BUYER_PHONE)["access_token"])
    answer = api.get(f"/api/v1/applications/{page_url.split('/')[-2]}", **auth).json()
    assert answer["subject"] == {
        "make": "Toyota",
        "model": "Camry",
        "year": 2020,
        "colour": colour,
        "vin": car().vin,
        "plate": "123 ABC 02",
        "seller_name": "ASANOVA ALIYA",
        "price_tiyn": 450_000_000,
        "price_text": price,
    }
    listing = api.get("/api/v1/applications", **auth).json()
    assert [a["subject"] for a in listing] == [None]  # lists leave the registry alone
