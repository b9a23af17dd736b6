"""One date format per language: how pages show a date, and reading back a date a person typed.

Pages show a date only in the language's `DATE_FORMAT` ("28 қараша 2026 ж.", "28 ноября
2026 г.", "Nov. 28, 2026") and a moment in its `DATETIME_FORMAT`, which starts with the same date;
the short numeric formats and ISO dates are for machines (APIs, `datetime` attributes). A date
field accepts the format it shows, and also the numeric `28.11.2026` and ISO `2026-11-28` that
people type or paste.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.utils import dates, formats
from django.utils.translation import gettext as _
from django.utils.translation import override

ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
NUMERIC = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")
WORDS = re.compile(r"\d+|[^\W\d_]+")
# What follows the year in a written date ("2026 ж.", "2026 г.", "2026 года"), and English's "of".
FILLERS = frozenset({"ж", "жыл", "жылы", "жылғы", "г", "год", "года", "of"})


def date_show(value: date | str | None) -> str:
    """`value` (a date, or an ISO date as a form keeps it) in the current language's date
    format; text that is not a date comes back as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return str(formats.date_format(value, "DATE_FORMAT"))
    try:
        return str(formats.date_format(date.fromisoformat(str(value)), "DATE_FORMAT"))
    except ValueError:
        return str(value)


def month_names(language: str) -> dict[str, int]:
    """Every way `language` names a month (full, inside a date, abbreviated), and English's."""
    names: dict[str, int] = {}
    for lang in (language, "en"):
        with override(lang):
            for table in (dates.MONTHS, dates.MONTHS_ALT, dates.MONTHS_3, dates.MONTHS_AP):
                for number, name in table.items():
                    names.setdefault(str(name).lower().rstrip("."), number)
    return names


def date_parse(text: str, language: str) -> date:
    """The date in `text`: as `language` writes it ("28 қараша 2026 ж.", "28 ноября 2026",
    "Nov. 28, 2026", "28 November 2026"), numeric day first ("28.11.2026") or ISO
    ("2026-11-28"). `ValueError` when it is none of them or not a real day."""
    cleaned = text.strip().lower()
    if match := ISO.fullmatch(cleaned):
        year, month, day = (int(part) for part in match.groups())
        return date(year, month, day)
    if match := NUMERIC.fullmatch(cleaned):
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    tokens = [t for t in WORDS.findall(cleaned) if t not in FILLERS]
    numbers = [t for t in tokens if t.isdigit()]
    words = [t for t in tokens if not t.isdigit()]
    years = [n for n in numbers if len(n) == 4]
    days = [n for n in numbers if len(n) <= 2]
    if len(tokens) != 3 or len(words) != 1 or len(years) != 1 or len(days) != 1:
        raise ValueError(f"not a date: {text!r}")
    named = month_names(language).get(words[0])
    if named is None:
        raise ValueError(f"not a month: {words[0]!r}")
    return date(int(years[0]), named, int(days[0]))


def date_words() -> dict[str, Any]:
    """What a script needs to write dates as the current language's pages do: the DATE_FORMAT
    and DATETIME_FORMAT patterns (Django's letters) and the month names they use."""
    return {
        "date_format": formats.get_format("DATE_FORMAT"),
        "datetime_format": formats.get_format("DATETIME_FORMAT"),
        "months": [str(dates.MONTHS[n]) for n in range(1, 13)],  # F
        "months_alt": [str(dates.MONTHS_ALT[n]) for n in range(1, 13)],  # E
        "months_ap": [str(dates.MONTHS_AP[n]) for n in range(1, 13)],  # N
        "am": _("a.m."),
        "pm": _("p.m."),
        "noon": _("noon"),
        "midnight": _("midnight"),
    }
