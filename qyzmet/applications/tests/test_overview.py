"""The API and the portal show one application alike: a car sale (re-registration on change of
owner, the service with the most states) is taken through every state it can reach, and in each
the seller's and the buyer's answer from `GET /api/v1/applications/{id}` and their page show the
same overview: state and its label, waiting for you, editable, next steps, payer, days left,
history."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from conftest import PASSWORD, CommittingClient, bearer, last_code, sign_in
from qyzmet.applications.actions import correction as correcting
from qyzmet.applications.actions import signing, submission
from qyzmet.applications.deadlines import deadlines_sweep
from qyzmet.applications.models import Application, OfficerMembership
from qyzmet.applications.overview import application_overview
from qyzmet.core.calendar import local_today
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.payments.providers import sandbox
from qyzmet.payments.tests.conftest import run_tasks
from qyzmet.registries import actions as registry
from qyzmet.registries.tests.conftest import car, pool

pytestmark = pytest.mark.django_db

SERVICE = "vehicle-re-registration"
PLATE = "123 ABC 02"
SELLER_PHONE = "+77011234567"
BUYER_PHONE = "+77017654321"
OFFICER_PHONE = "+77470003344"


@dataclass
class Person:
    account: Account
    phone: str
    api: CommittingClient
    auth: dict[str, str]
    web: CommittingClient


def person(account: Account, phone: str) -> Person:
    """Signed in to the phone app (a token) and to the pages (a session), each past the pause
    between two codes to one number."""
    assert account.person is not None
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    with time_machine.travel(timezone.now() - timedelta(seconds=240)):
        web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
        web.post("/signin/code/", {"code": last_code(web, phone)})
    api = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    with time_machine.travel(timezone.now() - timedelta(seconds=120)):
        auth = bearer(sign_in(api, account.person.iin, phone)["access_token"])
    return Person(account=account, phone=phone, api=api, auth=auth, web=web)


@pytest.fixture
def sale() -> dict[str, Any]:
    seller = citizen_create(phone=SELLER_PHONE)
    buyer = citizen_create(phone=BUYER_PHONE, birth_date=date(1985, 5, 5), sex="M")
    assert seller.person is not None and buyer.person is not None
    pool(PLATE)
    first = registry.vehicle_register_first(owner=seller.person, vehicle=car(), plate=PLATE)
    return {
        "seller": person(seller, SELLER_PHONE),
        "buyer": person(buyer, BUYER_PHONE),
        "vehicle": first.vehicle,
    }


def shown_alike(viewer: Person, application_id: str) -> dict[str, Any]:
    """Assert that the viewer's API answer, their page and their list show the overview; the
    API's answer."""
    answer: dict[str, Any] = viewer.api.get(
        f"/api/v1/applications/{application_id}", **viewer.auth
    ).json()
    page_url = f"/applications/{application_id}/"
    page = viewer.web.get(page_url).content.decode()
    overview = application_overview(
        account=viewer.account,
        application=Application.objects.get(pk=application_id),
        language="en",
    )

    # the API says what the overview says
    assert {
        "state": answer["state"],
        "state_label": answer["state_label"],
        "number": answer["number"],
        "service_name": answer["service_name"],
        "party": answer["party"],
        "waiting_for_you": answer["waiting_for_you"],
        "outcome": answer["outcome"],
        "fee_tiyn": answer["fee_tiyn"],
        "payment": answer["payment"],
        "payer": answer["payer"],
        "working_days_left": answer["working_days_left"],
        "correction_fields": answer["correction_fields"],
        "next_steps": answer["next_steps"],
        "history": [(e["transition"], e["to_state"], e["comment"]) for e in answer["history"]],
        "subject": answer["subject"],
    } == {
        "state": overview.state,
        "state_label": overview.state_label,
        "number": overview.number,
        "service_name": overview.service_name,
        "party": overview.party,
        "waiting_for_you": overview.waiting_for_you,
        "outcome": overview.outcome,
        "fee_tiyn": overview.fee_tiyn,
        "payment": overview.payment,
        "payer": overview.payer,
        "working_days_left": overview.working_days_left,
        "correction_fields": list(overview.correction_fields),
        "next_steps": [
            {"name": s.name, "label": s.label, "requires": list(s.requires)}
            for s in overview.next_steps
        ],
        "history": [(r.transition, r.to_state, r.comment) for r in overview.history],
        "subject": asdict(overview.subject) if overview.subject else None,
    }

    # the page shows the same
    assert f"<h1>{escape(answer['service_name'])}</h1>" in page
    status = escape(answer["state_label"]) or "Draft"
    waiting = " — waiting for you" if answer["waiting_for_you"] and not overview.is_draft else ""
    assert f"<dd><strong>{status}</strong>{waiting}</dd>" in page
    if answer["number"]:
        assert f"<dt>Number</dt><dd>{answer['number']}</dd>" in page
    else:
        assert "<dt>Number</dt>" not in page
    if answer["party"] == "counterparty":
        assert f"<dt>You take part as</dt><dd>{escape(overview.party_label)}</dd>" in page
    else:
        assert "You take part as" not in page
    days = answer["working_days_left"]
    if days is None:
        assert 'class="countdown' not in page
    elif days >= 0:
        assert f"{days} working day{'' if days == 1 else 's'} left" in page
    else:
        assert "Overdue" in page
    if answer["fee_tiyn"]:
        assert f"<dd>{overview.fee_text} · {escape(overview.payment_label)}" in page
    else:
        assert "<dt>State duty</dt>" not in page
    buyer_pays_later = (
        answer["payer"] == "counterparty"
        and answer["fee_tiyn"]
        and answer["payment"] == "not_required"
        and not answer["outcome"]
    )
    assert ("Buyer pays it when confirming" in page) == bool(buyer_pays_later)
    assert (f'action="{page_url}save"' in page) == overview.editable
    clicked = {s["name"] for s in answer["next_steps"] if "signature" not in s["requires"]}
    assert set(re.findall(rf'formaction="{page_url}steps/(\w+)"', page)) == clicked
    for step in answer["next_steps"]:
        if "signature" in step["requires"] and answer["party"] == "applicant":
            # a correction, signed again: by a code or a certificate over the new answers
            assert f'formaction="{page_url}sign/sms"' in page
            assert f'formaction="{page_url}sign/certificate"' in page
            assert "/countersign" not in page
        elif "signature" in step["requires"]:  # the second party signs it
            assert f"<h2>{escape(step['label'])}</h2>" in page
            assert f'action="{page_url}countersign/sms"' in page
            assert f'action="{page_url}countersign/certificate"' in page
        else:
            assert f">{escape(step['label'])}</button>" in page
    if answer["party"] == "applicant" or not any(
        "signature" in s["requires"] for s in answer["next_steps"]
    ):
        assert "/countersign" not in page
    if overview.subject is not None:  # what is sold: the car, the seller, the price
        assert f"<dd><strong>{overview.subject.price_text}</strong></dd>" in page
        assert f"<dd>{escape(overview.subject.seller_name)}</dd>" in page
    assert page.count('<li><time datetime="') == len(answer["history"])
    for row in overview.history:
        assert f"— {escape(row.to_state_label)}" in page

    # and the list row too
    listing = viewer.web.get("/applications/").content.decode()
    assert f'<a href="{page_url}">{escape(answer["service_name"])}</a>' in listing
    assert f"<strong>{status}</strong>" in listing
    assert ("You take part as: Buyer" in listing) == (answer["party"] == "counterparty")
    return answer


def start(seller: Person, buyer: Person) -> str:
    """A sale's draft, checked as the seller sees it before signing; its id."""
    assert buyer.account.person is not None
    answers = {"plate": PLATE, "buyer_iin": buyer.account.person.iin, "price": 4_500_000}
    return draft_of(seller, SERVICE, answers)


def draft_of(seller: Person, service: str, answers: dict[str, Any]) -> str:
    """A draft of `service`, checked as its applicant sees it before signing; its id."""
    created = seller.api.post_json("/api/v1/applications", {"service": service}, **seller.auth)
    application_id: str = created.json()["id"]
    seller.api.patch(
        f"/api/v1/applications/{application_id}", data={"answers": answers},
        content_type="application/json", **seller.auth,
    )  # fmt: skip
    draft = shown_alike(seller, application_id)
    assert (draft["state"], draft["waiting_for_you"]) == ("draft", True)
    return application_id


def submit(seller: Person, application_id: str) -> None:
    url = f"/api/v1/applications/{application_id}"
    code = seller.api.post(f"{url}/sign/sms", **seller.auth).json()
    done = seller.api.post_json(
        f"{url}/submit",
        {"code_id": code["code_id"], "code": last_code(seller.api, seller.phone)},
        HTTP_IDEMPOTENCY_KEY=f"submit-{application_id}",
        **seller.auth,
    )
    assert done.status_code == 201, done.json()


def resubmit_signed(citizen: Person, application_id: str, answers: dict[str, Any]) -> Any:
    """On the page: the corrected answers saved and a code sent, then signed with it."""
    url = f"/applications/{application_id}"
    with time_machine.travel(timezone.now() + timedelta(seconds=200)):  # past the code pause
        sent = citizen.web.post(f"{url}/sign/sms", answers)
        assert sent.status_code == 302, sent.content.decode()
        code = last_code(citizen.web, citizen.phone)
        return citizen.web.post(f"{url}/steps/resubmit", {**answers, "code": code})


def both_alike(sale: dict[str, Any], application_id: str, state: str) -> dict[str, Any]:
    seen = {who: shown_alike(sale[who], application_id) for who in ("seller", "buyer")}
    assert {who: answer["state"] for who, answer in seen.items()} == {
        "seller": state,
        "buyer": state,
    }
    return seen


def officer(sale: dict[str, Any]) -> dict[str, str]:
    return officer_of(sale["seller"], "mvd-admin-police")


def officer_of(someone: Person, agency: str) -> dict[str, str]:
    """An officer of `agency`, signed in to the API (through `someone`'s client)."""
    account = citizen_create(phone=OFFICER_PHONE, birth_date=date(1980, 8, 8), sex="M")
    OfficerMembership.objects.create(account=account, agency=agency)
    assert account.person is not None
    with time_machine.travel(timezone.now() - timedelta(seconds=120)):
        return bearer(sign_in(someone.api, account.person.iin, OFFICER_PHONE)["access_token"])


def decide(sale: dict[str, Any], auth: dict[str, str], application_id: str, **step: Any) -> None:
    done = sale["seller"].api.post_json(
        f"/api/v1/office/applications/{application_id}/steps", step, **auth
    )
    assert done.status_code == 200, done.json()


def test_the_sale_looks_alike_from_draft_to_registration(sale: dict[str, Any]) -> None:
    seller, buyer = sale["seller"], sale["buyer"]
    application_id = start(seller, buyer)
    submit(seller, application_id)

    asked = both_alike(sale, application_id, "buyer_confirmation")
    assert (asked["buyer"]["waiting_for_you"], asked["seller"]["waiting_for_you"]) == (True, False)
    assert [s["name"] for s in asked["buyer"]["next_steps"]] == ["confirm", "decline"]
    assert [s["name"] for s in asked["seller"]["next_steps"]] == ["withdraw"]
    assert asked["seller"]["payer"] == "counterparty"

    url = f"/api/v1/applications/{application_id}"
    code = buyer.api.post(f"{url}/countersign/sms", **buyer.auth).json()
    buyer.api.post_json(
        f"{url}/countersign",
        {"code_id": code["code_id"], "code": last_code(buyer.api, buyer.phone)},
        **buyer.auth,
    )
    confirmed = both_alike(sale, application_id, "confirmed")
    assert confirmed["buyer"]["payment"] == "awaiting"

    invoices = buyer.api.get(
        "/api/v1/payments/invoices?kind=duty&status=unpaid", **buyer.auth
    ).json()
    payment = buyer.api.post_json(
        "/api/v1/payments", {"invoices": [invoices[0]["id"]]}, HTTP_IDEMPOTENCY_KEY="pay-sale",
        **buyer.auth,
    ).json()  # fmt: skip
    ref = payment["redirect_url"].rsplit("/", 1)[-1]
    buyer.api.post_json(
        f"/api/v1/payments/sandbox/{ref}/card", {"card_number": sandbox.CARD_ACCEPT}
    )
    run_tasks()

    registered = both_alike(sale, application_id, "registered")
    assert registered["buyer"]["outcome"] == "approved"
    assert registered["buyer"]["working_days_left"] is None


def test_the_sale_looks_alike_through_review_correction_hearing_and_refusal(
    sale: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    seller = sale["seller"]
    checked = submission.refusals_check

    def arrested_after_the_check(**kwargs: Any) -> None:
        # an arrest that lands between the seller's signing and the automatic step
        checked(**kwargs)
        registry.vehicle_arrest_set(vehicle=sale["vehicle"], arrested=True, reason="Court 12")

    monkeypatch.setattr(submission, "refusals_check", arrested_after_the_check)
    application_id = start(seller, sale["buyer"])
    submit(seller, application_id)
    office = officer(sale)

    in_review = both_alike(sale, application_id, "in_review")
    assert in_review["seller"]["working_days_left"] is None  # the term starts on confirmation
    decide(
        sale, office, application_id,
        name="return_for_correction", comment="Check the price", fields=["price"],
    )  # fmt: skip
    correction = both_alike(sale, application_id, "correction")
    assert correction["seller"]["correction_fields"] == ["price"]
    assert [s["name"] for s in correction["seller"]["next_steps"]] == ["resubmit", "withdraw"]

    # the arrest lands again after the seller signs the correction
    monkeypatch.setattr(signing, "refusals_check", lambda **kwargs: None)
    monkeypatch.setattr(correcting, "refusals_check", lambda **kwargs: None)
    resubmitted = resubmit_signed(seller, application_id, {})
    assert resubmitted.status_code == 302
    both_alike(sale, application_id, "in_review")  # still arrested: back to the officer
    decide(
        sale, office, application_id,
        name="propose_refusal", grounds="vehicle_restricted", comment="The car is arrested",
    )  # fmt: skip
    hearing = both_alike(sale, application_id, "hearing")
    assert hearing["seller"]["waiting_for_you"] is True
    decide(sale, office, application_id, name="refuse", grounds="vehicle_restricted")

    refused = both_alike(sale, application_id, "refused")
    assert refused["seller"]["outcome"] == "refused"
    assert refused["seller"]["next_steps"] == []


def test_the_sale_looks_alike_when_the_buyer_declines(sale: dict[str, Any]) -> None:
    application_id = start(sale["seller"], sale["buyer"])
    submit(sale["seller"], application_id)

    declined = sale["buyer"].web.post(f"/applications/{application_id}/steps/decline")

    assert declined.status_code == 302
    assert both_alike(sale, application_id, "declined")["buyer"]["outcome"] == "withdrawn"


def test_the_sale_looks_alike_when_it_lapses(sale: dict[str, Any]) -> None:
    application_id = start(sale["seller"], sale["buyer"])
    submit(sale["seller"], application_id)

    deadlines_sweep(today=local_today() + timedelta(days=10))

    assert both_alike(sale, application_id, "lapsed")["seller"]["outcome"] == "withdrawn"


def test_the_sale_looks_alike_when_the_seller_withdraws(sale: dict[str, Any]) -> None:
    application_id = start(sale["seller"], sale["buyer"])
    submit(sale["seller"], application_id)

    withdrawn = sale["seller"].web.post(f"/applications/{application_id}/steps/withdraw")

    assert withdrawn.status_code == 302
    assert both_alike(sale, application_id, "withdrawn")["seller"]["outcome"] == "withdrawn"


def test_the_lists_cost_the_same_queries_for_one_application_or_three(
    sale: dict[str, Any],
) -> None:
    seller = sale["seller"]
    start(seller, sale["buyer"])

    def counted() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as api:
            seller.api.get("/api/v1/applications", **seller.auth)
        with CaptureQueriesContext(connection) as page:
            seller.web.get("/applications/")
        return len(api), len(page)

    one = counted()
    for _ in range(2):
        start(seller, sale["buyer"])

    assert counted() == one


def test_a_certificate_looks_alike_with_its_countdown_through_correction_and_hearing(
    sale: dict[str, Any],
) -> None:
    applicant = sale["seller"]
    application_id = draft_of(applicant, "criminal-record-certificate", {"purpose": "employment"})
    submit(applicant, application_id)
    office = officer_of(applicant, "gp-legal-statistics")

    assert shown_alike(applicant, application_id)["working_days_left"] == 5
    decide(
        sale, office, application_id,
        name="return_for_correction", comment="Choose the purpose again", fields=["purpose"],
    )  # fmt: skip
    correction = shown_alike(applicant, application_id)
    assert (correction["state"], correction["waiting_for_you"]) == ("correction", True)
    page = applicant.web.get(f"/applications/{application_id}/").content.decode()
    assert "— correct this" in page

    resubmitted = resubmit_signed(applicant, application_id, {"purpose": "travel"})
    assert resubmitted.status_code == 302
    assert shown_alike(applicant, application_id)["answers"]["purpose"] == "travel"
    decide(
        sale, office, application_id,
        name="propose_refusal", grounds="untrue_data", comment="The data is not true",
    )  # fmt: skip
    assert shown_alike(applicant, application_id)["state"] == "hearing"
    decide(sale, office, application_id, name="refuse", grounds="untrue_data")

    refused = shown_alike(applicant, application_id)
    assert (refused["state"], refused["working_days_left"]) == ("refused", None)
