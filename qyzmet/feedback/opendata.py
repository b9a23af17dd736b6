"""The open-data form of the public figures: a JSON document (names in one language) and a
long-format CSV of codes and numbers (one value per row), both described in docs/feedback.md."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils import translation

from qyzmet.applications.models import Application
from qyzmet.feedback.figures import Figures
from qyzmet.feedback.models import Rating
from qyzmet.feedback.selectors import GRADES, GroupRatings, RatingStats

CSV_COLUMNS = ("figure", "year", "agency", "service", "category", "measure", "value")
SHARE_DIGITS = 4
AVERAGE_DIGITS = 2


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def rating_stats_data(stats: RatingStats) -> dict[str, Any]:
    return {
        "counts": dict(stats.counts),
        "total": stats.total,
        "positive_share": _round(stats.positive_share, SHARE_DIGITS),
        "average": _round(stats.average, AVERAGE_DIGITS),
    }


def _group(group: GroupRatings, language: str) -> dict[str, Any]:
    return {
        "code": group.code,
        "name": group.name.get(language) if group.name else group.code,
        "agency": group.agency,
        **rating_stats_data(group.stats),
    }


def figures_data(figures: Figures, *, language: str) -> dict[str, Any]:
    """The figures as JSON-ready data, names and labels in `language`."""
    with translation.override(language):  # the channel and grade labels are lazy translations
        return _figures_data(figures, language)


def _figures_data(figures: Figures, language: str) -> dict[str, Any]:
    services = figures.service_names
    agencies = figures.agency_names

    def service_name(code: str) -> str:
        return services[code].get(language) if code in services else code

    def agency_name(code: str) -> str:
        return agencies[code].get(language) if code in agencies else code

    online = figures.online_services
    mobile = figures.mobile_citizens
    return {
        "as_of": figures.on.isoformat(),
        "language": language,
        "online_services": {
            "online": online.online,
            "total": online.total,
            "share": _round(online.share, SHARE_DIGITS),
            "services": [
                {"code": code, "name": service_name(code), "online": code in online.codes}
                for code in services
            ],
        },
        "applications_per_year": [
            {
                "year": row.year,
                "service": row.service,
                "service_name": service_name(row.service),
                "agency": row.agency,
                "count": row.count,
            }
            for row in figures.applications_per_year
        ],
        "channels": [
            {
                "channel": row.channel,
                "label": str(Application.Channel(row.channel).label),
                "count": row.count,
                "share": _round(row.share, SHARE_DIGITS),
            }
            for row in figures.channels
        ],
        "mobile_citizens": {
            "adults": mobile.adults,
            "in_database": mobile.in_database,
            "share": _round(mobile.share, SHARE_DIGITS),
        },
        "grades": [{"code": grade, "label": str(Rating.Grade(grade).label)} for grade in GRADES],
        "ratings_by_service": [_group(g, language) for g in figures.ratings_by_service],
        "ratings_by_agency": [_group(g, language) for g in figures.ratings_by_agency],
        "deadlines": [
            {
                "agency": row.agency,
                "name": agency_name(row.agency),
                "decided": row.decided,
                "decided_on_time": row.decided_on_time,
                "on_time_share": _round(row.on_time_share, SHARE_DIGITS),
                "open": row.open,
                "overdue_now": row.overdue_now,
            }
            for row in figures.deadlines
        ],
    }


def _number(value: float | int | None, digits: int = SHARE_DIGITS) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return f"{round(value, digits):.{digits}f}".rstrip("0").rstrip(".") or "0"


def figures_csv_rows(figures: Figures) -> list[tuple[str, ...]]:
    """One value per row: (figure, year, agency, service, category, measure, value); codes only,
    empty cells where a column does not apply or a share has no denominator."""
    rows: list[tuple[str, ...]] = []

    def add(figure: str, measure: str, value: float | int | None, *, year: int | None = None,
            agency: str = "", service: str = "", category: str = "",
            digits: int = SHARE_DIGITS) -> None:  # fmt: skip
        year_text = str(year) if year is not None else ""
        rows.append((figure, year_text, agency, service, category, measure, _number(value, digits)))

    online = figures.online_services
    add("online_services", "services", online.total)
    add("online_services", "online", online.online)
    add("online_services", "share", online.share)
    for code in figures.service_names:
        add("online_services", "online", int(code in online.codes), service=code)
    for row in figures.applications_per_year:
        add("applications", "count", row.count, year=row.year, agency=row.agency,
            service=row.service)  # fmt: skip
    for channel in figures.channels:
        add("channels", "count", channel.count, category=channel.channel)
        add("channels", "share", channel.share, category=channel.channel)
    mobile = figures.mobile_citizens
    add("mobile_citizens", "adults", mobile.adults)
    add("mobile_citizens", "in_database", mobile.in_database)
    add("mobile_citizens", "share", mobile.share)
    for figure, groups in (
        ("ratings_by_service", figures.ratings_by_service),
        ("ratings_by_agency", figures.ratings_by_agency),
    ):
        for group in groups:
            agency = group.agency
            service = group.code if figure == "ratings_by_service" else ""
            for grade in GRADES:
                add(figure, "count", group.stats.counts[grade], agency=agency, service=service,
                    category=grade)  # fmt: skip
            add(figure, "total", group.stats.total, agency=agency, service=service)
            add(figure, "positive_share", group.stats.positive_share, agency=agency,
                service=service)  # fmt: skip
            add(figure, "average", group.stats.average, agency=agency, service=service,
                digits=AVERAGE_DIGITS)  # fmt: skip
    for deadline in figures.deadlines:
        for measure, value in (
            ("decided", deadline.decided),
            ("decided_on_time", deadline.decided_on_time),
            ("on_time_share", deadline.on_time_share),
            ("open", deadline.open),
            ("overdue_now", deadline.overdue_now),
        ):
            add("deadlines", measure, value, agency=deadline.agency)
    return rows


def figures_csv(figures: Figures) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(figures_csv_rows(figures))
    return buffer.getvalue()
