"""A corrected application is signed again over its new content, its history names what
changed (with the values a service does not mark sensitive), and a change to a field the
officer did not reopen is refused with a field error."""

import base64
import json
from typing import Any

import pytest

from conftest import PHONE, CommittingClient, bearer, last_code, sign_in
from qyzmet.api.tests.journeys import criminal_record_submitted, later, officer_headers
from qyzmet.applications.models import Application, Signature
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.signatures.actions import citizen_certificate_issue, demo_p12_password
from qyzmet.signatures.client import cms_sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen(api_client: CommittingClient) -> dict[str, str]:
    account = citizen_create()
    return bearer(sign_in(api_client, account.person.iin)["access_token"])


def _returned(api: CommittingClient, citizen: dict[str, str], fields: list[str]) -> str:
    """A criminal-record application (purpose: employment) returned to the citizen to correct
    `fields`: its URL."""
    with later():
        application = criminal_record_submitted(api, citizen)
    officer = officer_headers(api)
    returned = api.post_json(
        f"/api/v1/office/applications/{application['id']}/steps",
        {"name": "return_for_correction", "comment": "Name the purpose", "fields": fields},
        **officer,
    )
    assert returned.json()["state"] == "correction", returned.json()
    return f"/api/v1/applications/{application['id']}"


def _patch(api: CommittingClient, url: str, answers: dict[str, Any], auth: dict[str, str]) -> Any:
    return api.patch(
        url, data=json.dumps({"answers": answers}), content_type="application/json", **auth
    )


def test_a_correction_is_sent_back_only_signed_and_its_history_names_the_changes(
    api_client: CommittingClient, citizen: dict[str, str]
) -> None:
    url = _returned(api_client, citizen, ["purpose", "purpose_other"])
    saved = _patch(api_client, url, {"purpose": "other", "purpose_other": "A bank loan"}, citizen)
    assert saved.status_code == 200, saved.json()

    # when the citizen sends it back without signing, then signs it by SMS
    unsigned = api_client.post_json(f"{url}/steps", {"name": "resubmit"}, **citizen)
    with later(200):
        code = api_client.post(f"{url}/sign/sms", **citizen)
        signed = api_client.post_json(
            f"{url}/steps",
            {"name": "resubmit", "code_id": code.json()["code_id"],
             "code": last_code(api_client, PHONE)},
            **citizen,
        )  # fmt: skip

    # then the unsigned one is refused and changes nothing; the signed one goes back to review
    assert unsigned.status_code == 422
    assert unsigned.json()["code"] == "signature_required"
    assert code.status_code == 202, code.json()
    assert signed.status_code == 200, signed.json()
    assert signed.json()["state"] == "in_review"
    row = signed.json()["history"][-1]
    assert (row["transition"], row["actor_role"]) == ("resubmit", "citizen")
    assert row["changes"] == {
        "signature": "sms",
        "changed": ["purpose", "purpose_other"],  # free text: named, its value not kept
        "values": {"purpose": {"from": "employment", "to": "other"}},
    }
    application = Application.objects.get()
    rounds = application.signatures.order_by("round")
    assert [(s.party, s.round, s.method) for s in rounds] == [
        ("applicant", 0, "sms"),
        ("applicant", 1, "sms"),
    ]
    assert json.loads(rounds[1].content)["answers"] == {
        "purpose": "other",
        "purpose_other": "A bank loan",
    }
    # the code that signed the correction is spent with it: it signs nothing again
    assert rounds[1].code is not None and rounds[1].code.used_at is not None


def test_a_field_the_officer_did_not_reopen_is_refused_and_kept(
    api_client: CommittingClient, citizen: dict[str, str]
) -> None:
    url = _returned(api_client, citizen, ["purpose_other"])

    changed = _patch(api_client, url, {"purpose": "travel"}, citizen)
    unchanged = _patch(api_client, url, {"purpose": "employment"}, citizen)

    assert changed.status_code == 422
    assert changed.json()["code"] == "not_reopened"
    assert changed.json()["details"] == {
        "fields": [
            {
                "field": "purpose",
                "message": "The officer did not ask to correct this field: it cannot be changed.",
            }
        ]
    }
    assert unchanged.status_code == 200  # sending a field as it is changes nothing
    assert json.loads(Application.objects.get().form_data) == {"purpose": "employment"}


def test_a_correction_signed_with_a_certificate_over_the_new_content(
    api_client: CommittingClient, citizen: dict[str, str]
) -> None:
    url = _returned(api_client, citizen, ["purpose"])
    _patch(api_client, url, {"purpose": "travel"}, citizen)
    content = base64.b64decode(
        api_client.get(f"{url}/signing-content", **citizen).json()["content"]
    )
    person = Application.objects.get().person
    _issued, p12 = citizen_certificate_issue(iin=person.iin, surname="TEST", given_name="CITIZEN")
    cms = cms_sign(content=content, p12=p12, password=demo_p12_password(person.iin))
    stale = cms_sign(content=content.replace(b"travel", b"employment"), p12=p12,
                     password=demo_p12_password(person.iin))  # fmt: skip

    with later(200):  # after the submission's own history rows
        refused = api_client.post_json(
            f"{url}/steps", {"name": "resubmit", "signature": base64.b64encode(stale).decode()},
            **citizen,
        )  # fmt: skip
        sent = api_client.post_json(
            f"{url}/steps", {"name": "resubmit", "signature": base64.b64encode(cms).decode()},
            **citizen,
        )  # fmt: skip

    assert refused.status_code == 422
    assert sent.status_code == 200, sent.json()
    assert sent.json()["history"][-1]["changes"] == {
        "signature": "certificate",
        "changed": ["purpose"],
        "values": {"purpose": {"from": "employment", "to": "travel"}},
    }
    assert Signature.objects.filter(round=1, method="certificate").count() == 1
