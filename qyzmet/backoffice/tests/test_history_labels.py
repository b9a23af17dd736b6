"""The pure part of the office history: each step, role, registry write and refusal named."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import translation

from qyzmet.applications.overview import HistoryRow
from qyzmet.backoffice.labels import history_lines, payment_side, person_rows
from qyzmet.catalogue.selectors import service_get

AT = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


def _row(transition: str, role: str = "system", **changes: Any) -> HistoryRow:
    return HistoryRow(
        transition=transition, from_state="a", to_state="b", to_state_label="B", actor_role=role,
        comment="", grounds="", changes=changes, at=AT, signed_with="", written="",
    )  # fmt: skip


def test_a_registry_not_connected_names_the_change_to_make_by_hand() -> None:
    definition = service_get(code="birth-registration")
    row = _row("register", "officer", registry={"not_connected": "person.register_birth"})

    with translation.override("ru"):
        [line] = history_lines([row], definition, "ru")

    assert (line.role, line.not_connected, line.written) == (
        "сотрудник", "зарегистрировать рождение", ()
    )  # fmt: skip


def test_a_licence_written_lists_its_categories_and_dates_and_a_refusal_its_ground() -> None:
    definition = service_get(code="driving-licence-issue")
    written = {"licence_number": "AB123", "categories": ["B", "C"], "expires": "2036-03-10"}
    rows = [
        _row("issue_automatically", registry=written),
        _row("registry_refused", registry_refusal="under_age"),
        _row("registry_refused", registry_refusal="categories_held"),  # the default ground
        _row("document"),
    ]

    with translation.override("en"):
        issued, refused, held, document = history_lines(rows, definition, "en")

    assert issued.written == (
        ("driving licence", "AB123"), ("categories", "B, C"), ("valid until", "March 10, 2036"),
    )  # fmt: skip
    assert (refused.step, refused.role) == ("Refused by the registry", "automatically")
    assert refused.refusal == "The applicant is below the minimum age for the category"
    assert held.refusal == ("The documents submitted, or the data in them, are found to be untrue")
    assert document.step == "Result document issued"


def test_a_person_s_coded_values_and_a_payment_s_state_are_named() -> None:
    record = {"sex": "M", "status": "deceased", "citizenship": "KAZ", "region": "09"}

    with translation.override("en"):
        named = person_rows(record)
        side = payment_side({"state": "pending", "amount_tiyn": 123456}, "en")

    assert named == {
        "sex": "male", "status": "deceased", "citizenship": "Kazakhstan",
        "region": "Karaganda Region",
    }  # fmt: skip
    assert side == "waiting for the bank · 1,234.56\u00a0₸"
    assert payment_side({}, "en") == "—"
