"""A submit retried with the same Idempotency-Key and code after a crash inside the submission
succeeds: the signing code is spent in the submission's own transaction."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import PHONE, CommittingClient, bearer, last_code, sign_in
from qyzmet.api.tests.journeys import CRIMINAL_RECORD, later
from qyzmet.applications.actions import submission
from qyzmet.applications.models import Application
from qyzmet.identity.models import OneTimeCode
from qyzmet.identity.tests.factories import citizen_create

pytestmark = pytest.mark.django_db


def _signed_draft(api: CommittingClient) -> tuple[str, dict[str, str], dict[str, str]]:
    account = citizen_create()
    auth = bearer(sign_in(api, account.person.iin)["access_token"])
    draft = api.post_json("/api/v1/applications", {"service": CRIMINAL_RECORD}, **auth).json()
    api.patch(
        f"/api/v1/applications/{draft['id']}",
        data='{"answers": {"purpose": "employment"}}',
        content_type="application/json",
        **auth,
    )
    with later():
        code = api.post(f"/api/v1/applications/{draft['id']}/sign/sms", **auth).json()
        body = {"code_id": code["code_id"], "code": last_code(api, PHONE)}
    return draft["id"], auth, body


def test_a_submit_retried_after_a_crash_with_the_same_key_and_code_is_submitted(
    api_client: CommittingClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    application_id, auth, body = _signed_draft(api_client)
    path = f"/api/v1/applications/{application_id}/submit"
    record = submission.event_record
    crashes = [RuntimeError("the web server died here")]

    def crash_once(**kwargs: Any) -> Any:
        if crashes:
            raise crashes.pop()
        return record(**kwargs)

    monkeypatch.setattr(submission, "event_record", crash_once)
    with pytest.raises(RuntimeError):
        api_client.post_json(path, body, HTTP_IDEMPOTENCY_KEY="k-1", **auth)

    retried = api_client.post_json(path, body, HTTP_IDEMPOTENCY_KEY="k-1", **auth)
    again = api_client.post_json(path, body, HTTP_IDEMPOTENCY_KEY="k-1", **auth)

    assert retried.status_code == 201, retried.json()  # not otp_used: spent with the submission
    assert (again.status_code, again.json()["number"]) == (201, retried.json()["number"])
    assert Application.objects.exclude(state="draft").count() == 1
    assert OneTimeCode.objects.get(purpose="sign").used_at is not None


def test_the_code_of_a_submitted_application_signs_nothing_else(
    api_client: CommittingClient,
) -> None:
    application_id, auth, body = _signed_draft(api_client)
    path = f"/api/v1/applications/{application_id}/submit"
    assert api_client.post_json(path, body, HTTP_IDEMPOTENCY_KEY="k-1", **auth).status_code == 201

    other_key = api_client.post_json(path, body, HTTP_IDEMPOTENCY_KEY="k-2", **auth)

    assert other_key.status_code == 409
    assert other_key.json()["code"] == "already_submitted"
