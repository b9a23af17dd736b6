"""The officer's forms: a refused step marks its own fields and keeps what the officer wrote;
the office's pages show dates in the one format of the language."""

from __future__ import annotations

import pytest

from conftest import CommittingClient
from qyzmet.applications.models import Application
from qyzmet.backoffice.tests.test_decide import AGENCY, office, submitted  # noqa: F401 - fixtures
from qyzmet.core.tests.pages import Page, field_in_error, one_date_format, summary_shown

pytestmark = pytest.mark.django_db


def test_an_officers_step_without_grounds_marks_the_grounds_of_that_step(
    submitted: Application,  # noqa: F811 - the fixture
    office: CommittingClient,  # noqa: F811 - the fixture
) -> None:
    url = f"/office/applications/{submitted.id}/"
    office.post(url, {"action": "claim"})
    submitted.refresh_from_db()

    refused = office.post(
        url, {"action": "propose_refusal", "version": submitted.lock_version, "comment": "kept"}
    )

    assert refused.status_code == 422
    page = Page(refused.content.decode())
    summary_shown(page)
    message = "Choose the grounds from the service's list."
    field_in_error(page, "grounds-propose_refusal", message, hint=False)
    assert "aria-invalid" not in page.by_id["comment-propose_refusal"]  # only the field in error
    assert page.text["comment-propose_refusal"] == "kept"  # what the officer wrote is kept
    assert "aria-invalid" not in page.by_id["comment-return_for_correction"]  # another step


def test_the_offices_pages_show_their_dates_in_one_format(
    submitted: Application,  # noqa: F811 - the fixture
    office: CommittingClient,  # noqa: F811 - the fixture
) -> None:
    queue = office.get(f"/office/queue/?agency={AGENCY}").content.decode()
    page = office.get(f"/office/applications/{submitted.id}/").content.decode()

    one_date_format(queue, "en", at_least=1)
    one_date_format(page, "en", at_least=3)
