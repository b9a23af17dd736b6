"""Answers kept as the citizen types: the draft page saves through its own address when the
page's script asks for JSON, and a VIN copied off a document with spaces and hyphens is taken
as the registry keeps it, on the page and through the API."""

from __future__ import annotations

import json

import pytest

from conftest import PASSWORD, PHONE, CommittingClient, bearer, last_code, sign_in
from qyzmet.applications.models import Application
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create

pytestmark = pytest.mark.django_db

SERVICE = "vehicle-first-registration"
COPIED = "1m8-gdm9a xkp 042788"  # as read off a document
VIN = "1M8GDM9AXKP042788"


def _signed_in(account: Account) -> CommittingClient:
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, PHONE)})
    return web


def _answers() -> dict[str, str]:
    return json.loads(Application.objects.get().form_data)


def test_the_draft_page_saves_what_its_script_posts_and_answers_in_json() -> None:
    web = _signed_in(citizen_create(region="02"))
    url = web.post(f"/services/{SERVICE}/apply")["Location"]
    page = web.get(url).content.decode()
    assert f'data-autosave="{url}save"' in page
    assert 'data-autosave-status role="status"' in page
    assert "portal/forms." in page  # the script that saves, as a file (the CSP allows no inline)

    saved = web.post(f"{url}save", {"make": "Toyota", "year": "nineteen"},
                     HTTP_ACCEPT="application/json")  # fmt: skip

    assert saved.status_code == 200
    assert saved.json() == {"saved": True, "errors": {"year": "Enter a number."}}
    assert _answers() == {"make": "Toyota", "year": "nineteen"}  # kept, wrong as it is
    assert not list(web.get(url).context["messages"])  # no "Saved." flash for a quiet save


def test_a_quiet_save_of_an_application_no_longer_a_draft_is_refused_in_json() -> None:
    web = _signed_in(citizen_create())
    url = web.post("/services/criminal-record-certificate/apply")["Location"]
    Application.objects.update(state="in_review")  # submitted meanwhile, in another tab

    refused = web.post(f"{url}save", {"purpose": "employment"}, HTTP_ACCEPT="application/json")

    assert refused.status_code == 409
    assert refused.json()["code"] == "not_editable"


def test_a_vin_with_spaces_and_hyphens_is_taken_on_the_page() -> None:
    web = _signed_in(citizen_create(region="02"))
    url = web.post(f"/services/{SERVICE}/apply")["Location"]

    saved = web.post(f"{url}save", {"vin": COPIED})

    assert saved.status_code == 302
    assert _answers()["vin"] == VIN
    assert f'value="{VIN}"' in web.get(url).content.decode()


def test_a_vin_with_spaces_and_hyphens_is_taken_by_the_api(api_client: CommittingClient) -> None:
    account = citizen_create(region="02")
    auth = bearer(sign_in(api_client, account.person.iin)["access_token"])
    draft = api_client.post_json("/api/v1/applications", {"service": SERVICE}, **auth).json()

    saved = api_client.patch(
        f"/api/v1/applications/{draft['id']}",
        data={"answers": {"vin": COPIED}},
        content_type="application/json",
        **auth,
    )

    assert saved.status_code == 200
    assert saved.json()["errors"] == {}
    assert saved.json()["application"]["answers"]["vin"] == VIN


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1M8GDM9AXKP04278", "A VIN has 17 characters; this one has 16."),
        ("1M8GDM9AXKP04278O", "A VIN never contains the letters I, O or Q (check for 1 and 0)."),
    ],
)
def test_a_wrong_vin_is_refused_with_the_registrys_reason(
    api_client: CommittingClient, typed: str, message: str
) -> None:
    account = citizen_create(region="02")
    auth = bearer(sign_in(api_client, account.person.iin)["access_token"])
    draft = api_client.post_json("/api/v1/applications", {"service": SERVICE}, **auth).json()

    saved = api_client.patch(
        f"/api/v1/applications/{draft['id']}",
        data={"answers": {"vin": typed}},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **auth,
    )

    assert saved.json()["errors"] == {"vin": message}
