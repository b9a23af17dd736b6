"""The figures from the database: exact numbers for a small, known set of applications,
ratings and people; the open-data CSV; who may see the ministry's part."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qyzmet.catalogue.selectors import catalogue_get
from qyzmet.core.errors import NotFound
from qyzmet.feedback.actions import rating_submit
from qyzmet.feedback.figures import (
    ChannelShare,
    MobileCitizens,
    OnlineServices,
    YearCount,
    figures_internal,
    figures_public,
    online_services_of,
)
from qyzmet.feedback.opendata import CSV_COLUMNS, figures_csv, figures_data
from qyzmet.feedback.tests.fixtures import (
    CRIMINAL_RECORD,
    ID_CARD,
    application_make,
    ministry_analyst,
    other_citizen,
)
from qyzmet.identity.models import Person, PhoneBinding
from qyzmet.identity.tests.factories import citizen_create, person_create

pytestmark = pytest.mark.django_db

TODAY = date(2026, 2, 20)
LEGAL_STATISTICS = "gp-legal-statistics"
MIGRATION = "mvd-migration"


def _world() -> None:
    """Applications: criminal record, approved: 2 web + 1 app in 2026, 1 web on New Year's
    morning 2026 in Almaty (still 2025 in UTC), 1 refused in 2025 through a centre; id card:
    1 app approved 2026, 1 withdrawn 2026 (web), 1 draft (never counted).
    Ratings: excellent, good, bad on criminal record; hard_to_say on the id card."""
    citizen = other_citizen()
    a = [
        application_make(citizen),
        application_make(citizen),
        application_make(citizen, channel="app"),
        application_make(citizen, submitted_at=datetime(2025, 12, 31, 19, 30, tzinfo=UTC)),
        application_make(
            citizen,
            outcome="refused",
            channel="centre",
            submitted_at=datetime(2025, 6, 1, 9, tzinfo=UTC),
        ),
        application_make(citizen, service=ID_CARD, channel="app"),
        application_make(citizen, service=ID_CARD, outcome="withdrawn"),
        application_make(citizen, service=ID_CARD, outcome="", submitted_at=None),
    ]
    for application, grade, comment in (
        (a[0], "excellent", "Жылдам!"),
        (a[1], "good", ""),
        (a[4], "bad", "Отказали без объяснения причин"),
        (a[5], "hard_to_say", ""),
    ):
        rating_submit(
            account=citizen, application_id=str(application.pk), grade=grade, comment=comment
        )


def test_the_public_figures_count_exactly() -> None:
    _world()

    figures = figures_public(today=TODAY)

    online = figures.online_services
    assert online.total == len(catalogue_get().services)
    assert online.online == len(online.codes)
    assert figures.applications_per_year == [
        YearCount(year=2025, service=CRIMINAL_RECORD, agency=LEGAL_STATISTICS, count=1),
        YearCount(year=2026, service=CRIMINAL_RECORD, agency=LEGAL_STATISTICS, count=4),
        YearCount(year=2026, service=ID_CARD, agency=MIGRATION, count=2),
    ]
    assert figures.channels == [
        ChannelShare(channel="web", count=4, share=4 / 7),
        ChannelShare(channel="app", count=2, share=2 / 7),
        ChannelShare(channel="centre", count=1, share=1 / 7),
    ]
    services = {g.code: g for g in figures.ratings_by_service}
    assert list(services) == list(catalogue_get().services)
    record = services[CRIMINAL_RECORD].stats
    assert record.counts == {
        "excellent": 1,
        "good": 1,
        "satisfactory": 0,
        "bad": 1,
        "hard_to_say": 0,
    }
    assert (record.total, record.positive_share, record.average) == (3, 2 / 3, 11 / 3)
    id_card = services[ID_CARD].stats
    assert (id_card.total, id_card.positive_share, id_card.average) == (1, 0.0, None)
    agencies = {g.code: g.stats for g in figures.ratings_by_agency}
    assert list(agencies) == list(catalogue_get().agencies)
    assert agencies[LEGAL_STATISTICS] == record
    assert agencies[MIGRATION] == id_card
    assert agencies["moj-rags"].total == 0
    deadlines = {row.agency: row for row in figures.deadlines}
    assert (deadlines[LEGAL_STATISTICS].decided, deadlines[LEGAL_STATISTICS].decided_on_time) == (
        5,
        5,
    )


def test_services_with_an_online_or_proactive_channel_count_as_online() -> None:
    services = catalogue_get().services
    first, second, third = (services[code] for code in list(services)[:3])
    sample = {
        "a": first.model_copy(update={"channels": ["service_centre"]}),
        "b": second.model_copy(update={"channels": ["proactive", "service_centre"]}),
        "c": third.model_copy(update={"channels": ["online"]}),
        "d": third.model_copy(update={"channels": ["service_centre"]}),
    }

    assert online_services_of(sample) == OnlineServices(
        online=2, total=4, share=0.5, codes=["b", "c"]
    )
    assert online_services_of({}).share is None


def test_the_mobile_citizens_share_counts_living_adults_with_an_active_number() -> None:
    citizen_create(birth_date=date(1990, 1, 1))  # adult, bound
    other_citizen(birth_date=date(2008, 2, 20))  # 18 today, bound
    other_citizen(birth_date=date(2008, 2, 21))  # 18 tomorrow, bound: not counted
    person_create(birth_date=date(1970, 3, 3))  # adult, no number
    ended = other_citizen(birth_date=date(1980, 5, 5))  # adult, number ended
    PhoneBinding.objects.filter(person=ended.person).update(active=False)
    dead = other_citizen(birth_date=date(1950, 1, 1))
    Person.objects.filter(pk=dead.person_id).update(status=Person.Status.DECEASED)

    assert figures_public(today=TODAY).mobile_citizens == MobileCitizens(
        adults=4, in_database=2, share=0.5, on=TODAY
    )


def test_the_figures_take_a_fixed_number_of_queries() -> None:
    _world()
    figures_public(today=TODAY)  # the catalogue is loaded and cached once per process

    with CaptureQueriesContext(connection) as few:
        figures_public(today=TODAY)
    for _ in range(3):
        _world()
    with CaptureQueriesContext(connection) as more:
        figures_public(today=TODAY)

    # channels, ratings, applications per year, adults, deadlines
    assert len(few) == len(more) == 5


def test_the_json_document_names_things_in_the_language_asked() -> None:
    _world()

    data = figures_data(figures_public(today=TODAY), language="ru")

    assert data["as_of"] == "2026-02-20"
    assert data["online_services"]["total"] == len(catalogue_get().services)
    assert data["channels"][0] == {"channel": "web", "label": "портал", "count": 4, "share": 0.5714}
    row = next(r for r in data["ratings_by_service"] if r["code"] == CRIMINAL_RECORD)
    assert row["name"] == catalogue_get().services[CRIMINAL_RECORD].name.ru
    assert (row["positive_share"], row["average"]) == (0.6667, 3.67)
    assert [g["code"] for g in data["grades"]] == [
        "excellent",
        "good",
        "satisfactory",
        "bad",
        "hard_to_say",
    ]


def test_the_csv_holds_one_value_a_row() -> None:
    _world()

    text = figures_csv(figures_public(today=TODAY))

    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    body = {tuple(row[:6]): row[6] for row in rows[1:]}
    assert len(body) == len(rows) - 1  # no row repeats another's key
    assert body[("online_services", "", "", "", "", "services")] == str(
        len(catalogue_get().services)
    )
    assert body[("applications", "2025", LEGAL_STATISTICS, CRIMINAL_RECORD, "", "count")] == "1"
    assert body[("channels", "", "", "", "app", "share")] == "0.2857"
    assert body[("mobile_citizens", "", "", "", "", "adults")] == "1"
    assert (
        body[("ratings_by_service", "", LEGAL_STATISTICS, CRIMINAL_RECORD, "bad", "count")] == "1"
    )
    assert body[("ratings_by_service", "", LEGAL_STATISTICS, CRIMINAL_RECORD, "", "average")] == (
        "3.67"
    )
    assert body[("ratings_by_agency", "", MIGRATION, "", "", "average")] == ""
    assert body[("ratings_by_agency", "", MIGRATION, "", "", "positive_share")] == "0"
    assert body[("deadlines", "", LEGAL_STATISTICS, "", "", "on_time_share")] == "1"
    assert "Жылдам" not in text  # comments are never published


def test_only_ministry_staff_see_the_internal_figures() -> None:
    _world()
    analyst = ministry_analyst()

    internal = figures_internal(account=analyst, agency=LEGAL_STATISTICS, today=TODAY)

    detail = {d.agency: d for d in internal.agencies}
    record = detail[LEGAL_STATISTICS]
    assert record.applications == 5
    assert [(c.channel, c.count) for c in record.channels] == [
        ("web", 3),
        ("app", 1),
        ("centre", 1),
    ]
    assert [g.code for g in record.services] == [CRIMINAL_RECORD]
    assert record.ratings.total == 3
    assert [(c.grade, c.text) for c in internal.comments] == [
        ("bad", "Отказали без объяснения причин"),
        ("excellent", "Жылдам!"),
    ]
    assert figures_internal(account=analyst, agency=MIGRATION).comments == []

    for account in (citizen_create(phone="+77019998877"), other_citizen()):
        with pytest.raises(NotFound):
            figures_internal(account=account)
    with pytest.raises(NotFound):
        figures_internal(account=analyst, agency="no-such-agency")
