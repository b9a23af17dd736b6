"""An approved application gets its signed result document, in the citizen's documents and
verifiable by number and IIN; a refused one gets none."""

from __future__ import annotations

import pytest

from conftest import CommittingClient, bearer, sign_in
from qyzmet.api.tests.journeys import criminal_record_submitted, later, officer_headers
from qyzmet.applications.models import ApplicationEvent
from qyzmet.documents.models import Document
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.payments.tests.conftest import run_tasks

pytestmark = pytest.mark.django_db


def test_an_approved_application_gets_a_signed_document(api_client: CommittingClient) -> None:
    account = citizen_create()
    citizen = bearer(sign_in(api_client, account.person.iin)["access_token"])
    with later():
        application = criminal_record_submitted(api_client, citizen)
    officer = officer_headers(api_client)
    steps = f"/api/v1/office/applications/{application['id']}/steps"
    assert api_client.post_json(steps, {"name": "issue"}, **officer).status_code == 200
    assert Document.objects.count() == 0  # made by the worker, not in the officer's request

    run_tasks()
    run_tasks()  # a second run issues nothing more

    document = Document.objects.get()
    assert document.application_id == application["id"]
    assert document.holder_id == account.person_id
    history = api_client.get(f"/api/v1/applications/{application['id']}", **citizen).json()
    assert [e["transition"] for e in history["history"]].count("document") == 1
    mine = api_client.get("/api/v1/documents/", **citizen).json()
    assert len(mine) == 1 and mine[0]["status"] == "valid"
    checked = api_client.post_json(
        "/api/v1/documents/verify", {"number": document.number, "iin": account.person.iin}
    )
    assert checked.status_code == 200, checked.json()
    assert checked.json()["status"] == "valid"
    assert ApplicationEvent.objects.filter(transition="document").count() == 1


def test_the_document_follows_the_version_the_application_was_submitted_under(
    api_client: CommittingClient,
) -> None:
    from qyzmet.applications.models import Application

    account = citizen_create()
    citizen = bearer(sign_in(api_client, account.person.iin)["access_token"])
    with later():
        application = criminal_record_submitted(api_client, citizen)
    snapshot = Application.objects.get(pk=application["id"]).service
    data = snapshot.definition
    data["result"]["document"]["title"] = {lang: "Title of v1" for lang in ("kk", "ru", "en")}
    snapshot.definition, snapshot.sha256 = data, "0" * 64  # as the version submitted said
    snapshot.save()
    officer = officer_headers(api_client)
    steps = f"/api/v1/office/applications/{application['id']}/steps"
    assert api_client.post_json(steps, {"name": "issue"}, **officer).status_code == 200
    run_tasks()

    assert Document.objects.get().title == "Title of v1"
