"""Print the outbox (status, provider) or what the demo sink received; start the sweep."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand

from qyzmet.core.periodic import periodic_schedule
from qyzmet.notifications.selectors import outbox_list, sink_message_list


class Command(BaseCommand):
    help = (
        "Show SMS and e-mail that the demo sink received, newest first; with --status, the "
        "outbox (every message's status, reason and provider); with --schedule, enqueue the "
        "periodic outbox sweep now (the worker starts it by itself)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--to", default=None, help="Only messages to this recipient.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")
        parser.add_argument("--status", action="store_true", help="Show the outbox's statuses.")
        parser.add_argument("--schedule", action="store_true", help="Start the outbox sweep.")

    def handle(
        self,
        *args: Any,
        limit: int,
        to: str | None,
        json: bool,
        status: bool,
        schedule: bool,
        **opts: Any,
    ) -> None:
        if schedule:
            started = periodic_schedule(name="outbox", delay=timedelta(0))
            self.stdout.write(
                "Outbox sweep scheduled." if started else "An outbox sweep is already scheduled."
            )
            return
        if status:
            rows = outbox_list(limit=limit)
            if json:
                self.stdout.write(_dumps(rows))
                return
            if not rows:
                self.stdout.write("The outbox is empty.")
            for row in rows:
                reason = f" ({row['reason']})" if row["reason"] else ""
                self.stdout.write(
                    f"{row['time']}  {row['channel']:5}  {row['event']:28}  "
                    f"{row['status']}{reason}  {row['provider'] or '-'}  x{row['attempts']}"
                )
            return
        messages = sink_message_list(limit=limit, recipient=to)
        if json:
            self.stdout.write(_dumps(messages))
            return
        if not messages:
            self.stdout.write("The outbox is empty.")
        for message in messages:
            self.stdout.write(
                f"{message['time']}  {message['channel']:5}  {message['provider']:12}  "
                f"{message['recipient']}\n    {message['text']}"
            )


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
