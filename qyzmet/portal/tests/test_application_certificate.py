"""Signing an application with a certificate on its page: the browser signs the content the page
shows (here: Python, with the same demo CA), the page posts the signature with the submit."""

from __future__ import annotations

import base64
import re

import pytest
from django.utils import translation

from conftest import PASSWORD, PHONE, CommittingClient, last_code
from qyzmet.applications.models import Application, ApplicationEvent, Signature
from qyzmet.core.models import IdempotencyKey
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.portal.views_applications import CERTIFICATE_ERRORS
from qyzmet.signatures.actions import (
    certificate_revoke,
    citizen_certificate_issue,
    demo_p12_password,
)
from qyzmet.signatures.client import cms_sign

pytestmark = pytest.mark.django_db

SERVICE = "criminal-record-certificate"


def _signed_in(account: Account, phone: str = PHONE, language: str = "en") -> CommittingClient:
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE=language)
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, phone)})
    return web


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden {name}"
    return match.group(1)


def _challenge(page: str) -> bytes:
    match = re.search(r'data-challenge="([^"]+)"', page)
    assert match, "no certificate step on the page"
    return base64.b64decode(match.group(1))


def _certificate_step(web: CommittingClient) -> tuple[str, str]:
    """Apply, fill in, choose "Sign with a certificate": (page url, the certificate step)."""
    url = web.post(f"/services/{SERVICE}/apply")["Location"]
    step = web.post(f"{url}sign/certificate", {"purpose": "employment"})
    assert step.status_code == 302
    assert step["Location"] == f"{url}?sign=certificate"
    page = web.get(step["Location"]).content.decode()
    assert f'action="{url}submit/certificate"' in page
    return url, page


def _signed_post(page: str, p12: bytes, password: str) -> dict[str, str]:
    signature = cms_sign(content=_challenge(page), p12=p12, password=password)
    return {
        "idempotency_key": _hidden(page, "idempotency_key"),
        "content_sha256": _hidden(page, "content_sha256"),
        "signature": base64.b64encode(signature).decode(),
    }


def test_a_citizen_signs_with_their_certificate_and_a_double_post_submits_once() -> None:
    account = citizen_create()
    iin = account.person.iin
    _issued, p12 = citizen_certificate_issue(iin=iin, surname="SEITKALI", given_name="ALIYA")
    web = _signed_in(account)
    url, page = _certificate_step(web)
    assert "Employment" in page  # the answers being signed are shown
    assert "data-certsign" in page and 'name="p12_password"' in page
    body = _signed_post(page, p12, demo_p12_password(iin))

    first = web.post(f"{url}submit/certificate", body)
    second = web.post(f"{url}submit/certificate", body)  # a double click: the same Idempotency-Key

    assert first.status_code == 302 and first["Location"] == url
    assert second.status_code == 302 and second["Location"] == url
    application = Application.objects.get()
    assert application.state == "in_review"
    assert application.number.startswith("Q")
    signature = Signature.objects.get(application=application)
    assert signature.method == "certificate"
    assert bytes(signature.cms) == base64.b64decode(body["signature"])
    assert IdempotencyKey.objects.filter(key=body["idempotency_key"]).count() == 1
    submits = ApplicationEvent.objects.filter(application=application, transition="submit")
    assert submits.count() == 1
    shown = web.get(url).content.decode()
    assert "Your application is submitted." in shown
    assert "(signed with a certificate)" in shown
    assert "data-certsign" not in shown


def test_someone_elses_certificate_is_refused_in_the_citizens_language_and_the_draft_stays() -> (
    None
):
    account = citizen_create()
    other = citizen_create(phone="+77075554433")
    _issued, p12 = citizen_certificate_issue(
        iin=other.person.iin, surname="OTHER", given_name="PERSON"
    )
    web = _signed_in(account, language="ru")
    url, page = _certificate_step(web)
    before = Application.objects.get().form_data

    refused = web.post(
        f"{url}submit/certificate", _signed_post(page, p12, demo_p12_password(other.person.iin))
    )

    assert refused.status_code == 422
    shown = refused.content.decode()
    with translation.override("ru"):
        in_russian = str(CERTIFICATE_ERRORS["certificate_mismatch"])
    assert (
        f'<p id="p12-error" class="error" data-certsign-error="file" role="alert">{in_russian}</p>'
        in shown
    )
    assert 'aria-invalid="true"' in shown
    assert "data-challenge=" in shown  # still on the certificate step, ready to try again
    application = Application.objects.get()
    assert application.state == "draft"
    assert application.form_data == before
    assert not Signature.objects.exists()


def test_someone_elses_certificate_message_in_english() -> None:
    account = citizen_create()
    other = citizen_create(phone="+77075554433")
    _issued, p12 = citizen_certificate_issue(
        iin=other.person.iin, surname="OTHER", given_name="PERSON"
    )
    web = _signed_in(account)
    url, page = _certificate_step(web)

    refused = web.post(
        f"{url}submit/certificate", _signed_post(page, p12, demo_p12_password(other.person.iin))
    )

    assert refused.status_code == 422
    assert (
        "This certificate belongs to another person. Sign with your own certificate."
        in refused.content.decode()
    )
    assert Application.objects.get().state == "draft"


def test_a_revoked_certificate_is_refused() -> None:
    account = citizen_create()
    iin = account.person.iin
    issued, p12 = citizen_certificate_issue(iin=iin, surname="SEITKALI", given_name="ALIYA")
    certificate_revoke(serial=issued.serial, reason="key_compromise")
    web = _signed_in(account)
    url, page = _certificate_step(web)

    refused = web.post(f"{url}submit/certificate", _signed_post(page, p12, demo_p12_password(iin)))

    assert refused.status_code == 422
    assert "This certificate has been revoked." in refused.content.decode()
    assert Application.objects.get().state == "draft"


def test_a_draft_changed_after_the_page_was_signed_is_not_submitted() -> None:
    account = citizen_create()
    iin = account.person.iin
    _issued, p12 = citizen_certificate_issue(iin=iin, surname="SEITKALI", given_name="ALIYA")
    web = _signed_in(account)
    url, page = _certificate_step(web)
    body = _signed_post(page, p12, demo_p12_password(iin))
    web.post(f"{url}save", {"purpose": "travel"})  # e.g. from another tab

    refused = web.post(f"{url}submit/certificate", body)

    assert refused.status_code == 422
    assert "The application changed after this page was opened." in refused.content.decode()
    application = Application.objects.get()
    assert application.state == "draft"
    assert '"travel"' in application.form_data
    # the page now shows the new content to sign, and signing that works
    retried = web.post(
        f"{url}submit/certificate",
        _signed_post(refused.content.decode(), p12, demo_p12_password(iin)),
    )
    assert retried.status_code == 302
    assert Application.objects.get().state == "in_review"


def test_a_signature_over_other_content_is_refused() -> None:
    account = citizen_create()
    iin = account.person.iin
    _issued, p12 = citizen_certificate_issue(iin=iin, surname="SEITKALI", given_name="ALIYA")
    web = _signed_in(account)
    url, page = _certificate_step(web)
    body = _signed_post(page, p12, demo_p12_password(iin))
    forged = cms_sign(content=b'{"answers":{}}', p12=p12, password=demo_p12_password(iin))
    body["signature"] = base64.b64encode(forged).decode()

    refused = web.post(f"{url}submit/certificate", body)

    assert refused.status_code == 422
    assert "The signature does not match this application." in refused.content.decode()
    assert Application.objects.get().state == "draft"


def test_an_incomplete_draft_does_not_reach_the_certificate_step() -> None:
    web = _signed_in(citizen_create())
    url = web.post(f"/services/{SERVICE}/apply")["Location"]

    response = web.post(f"{url}sign/certificate", {"purpose": ""})

    assert response.status_code == 422
    page = response.content.decode()
    assert "data-challenge=" not in page
    assert 'class="field has-error"' in page
    assert Application.objects.get().state == "draft"


def test_the_draft_page_offers_both_ways_and_explains_certificates_need_javascript() -> None:
    web = _signed_in(citizen_create())
    url = web.post(f"/services/{SERVICE}/apply")["Location"]

    page = web.get(url).content.decode()

    assert f'formaction="{url}sign/sms"' in page  # by SMS code, works without scripts
    assert f'formaction="{url}sign/certificate"' in page
    assert "<noscript>" in page
    assert "Signing with a certificate needs JavaScript" in page
    # the certificate step ships its button disabled: only the script enables it
    web.post(f"{url}save", {"purpose": "employment"})
    step = web.get(f"{url}?sign=certificate").content.decode()
    assert re.search(r'<button class="button" type="submit" disabled>Sign and submit', step)


def test_a_service_without_certificate_signing_offers_only_the_sms_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from qyzmet.applications import overview
    from qyzmet.catalogue.schema import ServiceDefinition

    real = overview.definition_of

    def sms_only(application: Application) -> ServiceDefinition:
        return real(application).model_copy(update={"signing": ["sms"]})

    monkeypatch.setattr(overview, "definition_of", sms_only)
    web = _signed_in(citizen_create())
    url = web.post(f"/services/{SERVICE}/apply")["Location"]
    web.post(f"{url}save", {"purpose": "employment"})

    page = web.get(url).content.decode()
    step = web.get(f"{url}?sign=certificate").content.decode()

    assert f'formaction="{url}sign/sms"' in page
    assert f'formaction="{url}sign/certificate"' not in page
    assert "data-challenge=" not in step
