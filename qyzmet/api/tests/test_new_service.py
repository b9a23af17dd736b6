"""A service added as one YAML file, with no Python, can be applied for, decided by an officer
and tracked."""

import shutil
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from conftest import PHONE, CommittingClient, bearer, last_code, sign_in
from qyzmet.applications.models import OfficerMembership
from qyzmet.catalogue.loader import SERVICES_DIR
from qyzmet.catalogue.selectors import catalogue_forget
from qyzmet.identity.tests.factories import citizen_create

pytestmark = pytest.mark.django_db

FISHING = (Path(__file__).parent / "data" / "amateur-fishing-permit.yaml").read_text(
    encoding="utf-8"
)


@pytest.fixture
def catalogue_with_fishing(tmp_path: Path, settings):  # type: ignore[no-untyped-def]
    directory = tmp_path / "services"
    shutil.copytree(SERVICES_DIR, directory)
    (directory / "amateur-fishing-permit.yaml").write_text(FISHING, encoding="utf-8")
    settings.QYZMET_SERVICES_DIR = str(directory)
    catalogue_forget()
    yield directory
    catalogue_forget()


def test_a_yaml_only_service_is_applied_for_decided_and_tracked(
    api_client: CommittingClient, catalogue_with_fishing: Path
) -> None:
    citizen = bearer(sign_in(api_client, citizen_create().person.iin)["access_token"])
    officer_account = citizen_create(phone="+77470001122", birth_date=date(1980, 8, 8), sex="M")
    OfficerMembership.objects.create(account=officer_account, agency="mvd")

    found = api_client.get("/api/v1/services", {"q": "рыболовство"}).json()
    assert [s["code"] for s in found] == ["amateur-fishing-permit"]
    draft = api_client.post_json(
        "/api/v1/applications", {"service": "amateur-fishing-permit"}, **citizen
    ).json()
    api_client.patch(
        f"/api/v1/applications/{draft['id']}",
        data='{"answers": {"lake": "Балқаш"}}',
        content_type="application/json",
        **citizen,
    )
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        code = api_client.post(f"/api/v1/applications/{draft['id']}/sign/sms", **citizen).json()
        submitted = api_client.post_json(
            f"/api/v1/applications/{draft['id']}/submit",
            {"code_id": code["code_id"], "code": last_code(api_client, PHONE)},
            HTTP_IDEMPOTENCY_KEY="fish",
            **citizen,
        ).json()
    assert submitted["state"] == "submitted"
    assert submitted["working_days_left"] == 3
    with time_machine.travel(timezone.now() + timedelta(seconds=180)):
        officer = bearer(
            sign_in(api_client, officer_account.person.iin, phone="+77470001122")["access_token"]
        )
        no_grounds = api_client.post_json(
            f"/api/v1/office/applications/{draft['id']}/steps", {"name": "refuse"}, **officer
        )
        granted = api_client.post_json(
            f"/api/v1/office/applications/{draft['id']}/steps", {"name": "grant"}, **officer
        )
        tracked = api_client.get(f"/api/v1/applications/{draft['id']}", **citizen).json()

    assert no_grounds.status_code == 422
    assert granted.status_code == 200
    assert tracked["state"] == "granted" and tracked["outcome"] == "approved"
    assert [h["transition"] for h in tracked["history"]] == ["submit", "grant"]


def test_a_broken_definition_is_refused_with_file_path_and_reason(
    catalogue_with_fishing: Path,
) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    broken = FISHING.replace("to: granted, role: officer", "to: graned, role: officer")
    (catalogue_with_fishing / "amateur-fishing-permit.yaml").write_text(broken, encoding="utf-8")

    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("services_check", str(catalogue_with_fishing), stdout=out)

    file = catalogue_with_fishing / "amateur-fishing-permit.yaml"
    assert str(failure.value) == "2 faults in 1 file."
    assert out.getvalue().splitlines() == [
        f"{file}: workflow.transitions[0].to: unknown state 'graned'",
        f"{file}: workflow.states.granted: unreachable from the initial state 'submitted'",
    ]


def test_a_service_signed_only_by_certificate_refuses_an_sms_code(
    api_client: CommittingClient, catalogue_with_fishing: Path
) -> None:
    path = catalogue_with_fishing / "amateur-fishing-permit.yaml"
    text = path.read_text(encoding="utf-8")
    assert "signing: [sms]" in text
    path.write_text(text.replace("signing: [sms]", "signing: [certificate]"), "utf-8")
    citizen = bearer(sign_in(api_client, citizen_create().person.iin)["access_token"])
    draft = api_client.post_json(
        "/api/v1/applications", {"service": "amateur-fishing-permit"}, **citizen
    ).json()
    api_client.patch(f"/api/v1/applications/{draft['id']}", data='{"answers": {"lake": "Балқаш"}}',
                     content_type="application/json", **citizen)  # fmt: skip
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        refused = api_client.post(f"/api/v1/applications/{draft['id']}/sign/sms", **citizen)
        submit = api_client.post_json(
            f"/api/v1/applications/{draft['id']}/submit", {"code_id": "x", "code": "123456"},
            HTTP_IDEMPOTENCY_KEY="k-1", **citizen,
        )  # fmt: skip

    assert refused.status_code == 422
    assert refused.json()["code"] == "signing_method_not_allowed"
    assert submit.status_code == 422
    assert submit.json()["code"] == "signing_method_not_allowed"
