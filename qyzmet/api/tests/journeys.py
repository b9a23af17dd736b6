"""Steps the API tests share: a citizen's criminal-record application submitted by SMS, an
officer signed in, and the clock moved past the pause between two SMS codes."""

from datetime import date, timedelta
from typing import Any

import time_machine
from django.utils import timezone

from conftest import PHONE, CommittingClient, bearer, last_code, sign_in
from qyzmet.applications.models import OfficerMembership
from qyzmet.identity.tests.factories import citizen_create

OFFICER_PHONE = "+77470001122"
CRIMINAL_RECORD = "criminal-record-certificate"
AGENCY = "gp-legal-statistics"


def later(seconds: int = 61) -> Any:
    """Past the pause between two SMS codes to the same number."""
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds))


def criminal_record_submitted(
    api: CommittingClient, auth: dict[str, str], key: str = "key-1"
) -> dict[str, Any]:
    draft = api.post_json("/api/v1/applications", {"service": CRIMINAL_RECORD}, **auth)
    assert draft.status_code == 201, draft.json()
    app_id = draft.json()["id"]
    saved = api.patch(
        f"/api/v1/applications/{app_id}",
        data='{"answers": {"purpose": "employment"}}',
        content_type="application/json",
        **auth,
    )
    assert saved.json()["errors"] == {}
    code = api.post(f"/api/v1/applications/{app_id}/sign/sms", **auth)
    assert code.status_code == 202, code.json()
    submitted = api.post_json(
        f"/api/v1/applications/{app_id}/submit",
        {"code_id": code.json()["code_id"], "code": last_code(api, PHONE)},
        HTTP_IDEMPOTENCY_KEY=key,
        **auth,
    )
    assert submitted.status_code == 201, submitted.json()
    result: dict[str, Any] = submitted.json()
    return result


def officer_headers(
    api: CommittingClient, agency: str = AGENCY, phone: str = OFFICER_PHONE
) -> dict:
    """An officer of `agency` signed in through the API: the bearer header for their requests."""
    officer = citizen_create(phone=phone, birth_date=date(1980, 8, 8), sex="M")
    OfficerMembership.objects.create(account=officer, agency=agency)
    with later(120):
        return bearer(sign_in(api, officer.person.iin, phone=phone)["access_token"])
