"""Print one year of the working-day calendar as deadlines see it, to check a new file or decree.

It shows the public holidays, the days off moved by the rule, the transfer acts and the operators'
overrides, then the year's totals, which can be compared with the published production calendar.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qyzmet.core.calendar import LANGUAGES, working_calendar


def _day(day: date) -> str:
    return f"{day.isoformat()} {day.strftime('%a')}"


def _changes_show(
    out: Callable[[str], None], heading: str, changes: list[tuple[date, bool, str]], *, empty: str
) -> None:
    """Days made working or off, each with the act or reason that changed it."""
    out(heading)
    for day, working, note in changes:
        out(f"  {_day(day)}  {'working day' if working else 'day off'}  ({note})")
    if not changes:
        out(f"  {empty}")


class Command(BaseCommand):
    help = "Print a year's days off: holidays, days off moved by the rule, transfers, overrides."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("--language", choices=LANGUAGES, default="en")

    def handle(self, *args: Any, year: int, language: str, **options: Any) -> None:
        calendar = working_calendar()
        summary = calendar.year_summary(year)
        data = summary.data
        out = self.stdout.write
        out(f"Working-day calendar of Kazakhstan, {year}")
        if data is None:
            out(f"No data file for {year}: only Saturdays and Sundays are days off.")
        else:
            out(f"Source: {data.source}")
            moved_to = {m.holiday.day: m.day for m in data.moved}
            out("")
            out("Public holidays:")
            for holiday in data.holidays:
                line = f"  {_day(holiday.day)}  {holiday.names[language]}"
                if holiday.religious:
                    line += "  [religious: never moved]"
                elif holiday.day in moved_to:
                    line += f"  -> day off moved to {_day(moved_to[holiday.day])}"
                out(line)
            out("")
            changes = [(t.day, t.working, t.act) for t in data.transfers]
            _changes_show(out, "Transfer acts:", changes, empty="none entered")
        out("")
        changes = [(o.day, o.working, o.reason) for o in summary.overrides]
        _changes_show(out, "Operator overrides:", changes, empty="none")
        out("")
        out(f"Working days: {summary.working_days}; days off: {summary.days_off}")
