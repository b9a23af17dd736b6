"""A year without its MCI in the data: `/healthz` says degraded from 30 days before it begins,
the catalogue says its fees are provisional, and nothing is charged from last year's value."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import PHONE, CommittingClient, bearer, last_code, sign_in
from qyzmet.applications.models import Application
from qyzmet.core.actions import worker_heartbeat_beat
from qyzmet.core.tests.mci_data import mci_through_2026, mci_through_2027
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.payments.models import Invoice

__all__ = ["mci_through_2026", "mci_through_2027"]  # fixtures

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
ID_CARD = "id-card-replacement"  # 0.2 MCI


def _at(*day: int) -> Any:
    return time_machine.travel(datetime(*day, 10, 0, tzinfo=ALMATY), tick=False)


@pytest.mark.parametrize(
    ("day", "status", "missing"),
    [
        ((2027, 6, 1), "ok", []),
        ((2027, 12, 15), "degraded", [2028]),  # begins within 30 days
        ((2028, 1, 2), "degraded", [2028]),  # has begun
    ],
)
@pytest.mark.parametrize("path", ["/healthz", "/api/v1/health"])
def test_healthz_is_degraded_by_a_year_without_its_mci(
    mci_through_2027: Path, day: tuple[int, int, int], status: str, missing: list[int], path: str
) -> None:
    with _at(*day):
        worker_heartbeat_beat(worker_id="w1")

        response = CommittingClient().get(path)

    assert response.status_code == 200  # the portal still serves: someone must add the value
    body = response.json()
    assert body["status"] == status
    assert body["mci"] == {
        "ok": not missing,
        "missing_years": missing,
        "last_known_since": "2027-01-01",
    }


def test_the_catalogue_says_a_fee_of_a_year_without_its_mci_is_provisional(
    api_client: CommittingClient, mci_through_2027: Path
) -> None:
    with _at(2027, 12, 15):
        before = api_client.get("/api/v1/services?q=identity card").json()
    with _at(2028, 1, 2):
        after = api_client.get("/api/v1/services?q=identity card").json()

    fee_before = next(s["fee"] for s in before if s["code"] == ID_CARD)
    fee_after = next(s["fee"] for s in after if s["code"] == ID_CARD)
    assert (fee_before["tiyn"], fee_before["provisional"]) == (90_000, False)
    assert (fee_after["tiyn"], fee_after["provisional"]) == (90_000, True)


def test_the_passport_page_says_the_fee_is_provisional(
    web: CommittingClient, mci_through_2026: Path
) -> None:
    with _at(2027, 1, 4):
        page = web.get(f"/services/{ID_CARD}/")

    assert page.status_code == 200
    assert "Provisional: this year's MCI is not yet in the portal's data" in page.text


def test_a_duty_of_a_year_without_its_mci_is_refused_and_nothing_is_submitted(
    api_client: CommittingClient, mci_through_2026: Path
) -> None:
    with _at(2027, 1, 4):
        auth = bearer(sign_in(api_client, citizen_create().person.iin)["access_token"])
        draft = api_client.post_json("/api/v1/applications", {"service": ID_CARD}, **auth)
        app_id = draft.json()["id"]
        api_client.patch(
            f"/api/v1/applications/{app_id}",
            data='{"answers": {"reason": "expiry", "collection_centre": "Almaty, Abay 10"}}',
            content_type="application/json",
            **auth,
        )
        code = api_client.post(f"/api/v1/applications/{app_id}/sign/sms", **auth)
        refused = api_client.post_json(
            f"/api/v1/applications/{app_id}/submit",
            {"code_id": code.json()["code_id"], "code": last_code(api_client, PHONE)},
            HTTP_IDEMPOTENCY_KEY="mci-1",
            HTTP_ACCEPT_LANGUAGE="en",
            **auth,
        )

    assert refused.status_code == 503
    assert refused.json() == {
        "code": "mci_missing",
        "message": "Fees cannot be computed yet: the monthly calculation index for this year is "
        "not in the portal's data. Please try again later.",
        "details": {"year": 2027, "last_known_since": "2026-01-01"},
    }
    assert Application.objects.get(pk=app_id).state == "draft"
    assert Invoice.objects.count() == 0
