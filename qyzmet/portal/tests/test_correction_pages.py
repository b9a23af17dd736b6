"""The correction page: the corrected application is signed again (by a code, or a
certificate), a change to a field the officer did not reopen is shown on that field, and the
history says what changed."""

import base64
import re

import pytest

from conftest import PASSWORD, CommittingClient, bearer, last_code, sign_in
from qyzmet.applications.models import Application
from qyzmet.applications.tests.family import (
    OFFICER_PHONE,
    family_applicant,
    later,
    submitted_by,
)
from qyzmet.signatures.actions import citizen_certificate_issue, demo_p12_password
from qyzmet.signatures.client import cms_sign

pytestmark = pytest.mark.django_db


def _returned(api: CommittingClient, fields: list[str]) -> tuple[CommittingClient, str, str]:
    """A criminal-record application (purpose: employment) returned for correction of
    `fields`; the applicant signed in on the pages, its page, the applicant's phone."""
    officer, applicant, phone = family_applicant("unrelated")
    application = submitted_by(api, applicant, phone)
    assert officer.person is not None and applicant.person is not None
    with later(400):
        auth = bearer(sign_in(api, officer.person.iin, phone=OFFICER_PHONE)["access_token"])
    returned = api.post_json(
        f"/api/v1/office/applications/{application['id']}/steps",
        {"name": "return_for_correction", "comment": "Check the purpose", "fields": fields},
        **auth,
    )
    assert returned.status_code == 200, returned.json()
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    with later(600):
        web.post("/signin/", {"iin": applicant.person.iin, "password": PASSWORD})
        web.post("/signin/code/", {"code": last_code(web, phone)})
    return web, f"/applications/{application['id']}/", phone


def test_a_field_not_reopened_is_refused_on_the_field(api_client: CommittingClient) -> None:
    web, url, _phone = _returned(api_client, ["purpose_other"])

    refused = web.post(f"{url}save", {"purpose": "travel"})

    html = refused.content.decode()
    assert refused.status_code == 422
    assert '<p class="error" id="f-purpose-error">' in html
    assert "The officer did not ask to correct this field: it cannot be changed." in html
    assert 'href="#f-purpose"' in html  # linked from the summary
    assert '<option value="employment" selected>' in html  # the answer on record is kept
    assert Application.objects.get().form_data == '{"purpose": "employment"}'


def test_the_corrected_application_is_sent_only_signed(api_client: CommittingClient) -> None:
    web, url, phone = _returned(api_client, ["purpose"])
    page = web.get(url).content.decode()

    unsigned = web.post(f"{url}steps/resubmit", {"purpose": "travel"})
    state_unsigned = Application.objects.get().state
    with later(800):
        sent = web.post(f"{url}sign/sms", {"purpose": "travel"})
        asked = web.get(url).content.decode()
        signed = web.post(
            f"{url}steps/resubmit", {"purpose": "travel", "code": last_code(web, phone)}
        )

    assert f'formaction="{url}sign/sms"' in page
    assert f'formaction="{url}sign/certificate"' in page
    assert unsigned.status_code == 422
    assert "Sign the corrected application" in unsigned.content.decode()
    assert state_unsigned == "correction"
    assert sent.status_code == 302
    assert "Sign and send the corrected application" in asked
    assert signed.status_code == 302
    history = web.get(url).content.decode()
    assert Application.objects.get().state == "in_review"
    assert "changed: What the certificate is for: Employment → Travel abroad or a visa" in history


def test_the_corrected_application_is_signed_with_a_certificate(
    api_client: CommittingClient,
) -> None:
    web, url, _phone = _returned(api_client, ["purpose"])
    person = Application.objects.get().person
    _issued, p12 = citizen_certificate_issue(iin=person.iin, surname="TEST", given_name="CITIZEN")

    step = web.post(f"{url}sign/certificate", {"purpose": "travel"})
    page = web.get(step["Location"]).content.decode()
    challenge = re.search(r'data-challenge="([^"]+)"', page)
    digest = re.search(r'name="content_sha256" value="([^"]*)"', page)
    assert challenge and digest
    cms = cms_sign(
        content=base64.b64decode(challenge.group(1)), p12=p12,
        password=demo_p12_password(person.iin),
    )  # fmt: skip
    with later(800):
        sent = web.post(
            f"{url}submit/certificate",
            {"content_sha256": digest.group(1), "signature": base64.b64encode(cms).decode()},
        )

    assert step["Location"] == f"{url}?sign=certificate"
    assert "Travel abroad or a visa" in page  # what is signed is shown
    assert sent.status_code == 302, sent.content.decode()
    stored = Application.objects.get()
    assert (stored.state, stored.form_data) == ("in_review", '{"purpose": "travel"}')
    assert stored.signatures.filter(round=1, method="certificate").exists()
