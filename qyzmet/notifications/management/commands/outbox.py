"""Print the outbox (status, provider) or what the demo sink received; start the sweep."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.core.management.base import CommandParser

from qyzmet.core.management.sweeps import SweepCommand
from qyzmet.notifications.selectors import outbox_list, sink_message_list


class Command(SweepCommand):
    help = (
        "Show SMS and e-mail that the demo sink received, newest first; with --status, the "
        "outbox (every message's status, reason and provider); with --schedule, enqueue the "
        "periodic outbox sweep now (the worker starts it by itself)."
    )
    sweep = "outbox"
    scheduled = "Outbox sweep scheduled."
    already_scheduled = "An outbox sweep is already scheduled."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--to", default=None, help="Only messages to this recipient.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")
        parser.add_argument("--status", action="store_true", help="Show the outbox's statuses.")
        super().add_arguments(parser)

    def run_now(
        self, *, limit: int, to: str | None, json: bool, status: bool, **options: Any
    ) -> None:
        rows: Sequence[object]
        if status:
            outbox = rows = outbox_list(limit=limit)
            lines = [
                f"{row['time']}  {row['channel']:5}  {row['event']:28}  "
                f"{row['status']}{_reason(row['reason'])}  {row['provider'] or '-'}  "
                f"x{row['attempts']}"
                for row in outbox
            ]
        else:
            messages = rows = sink_message_list(limit=limit, recipient=to)
            lines = [
                f"{message['time']}  {message['channel']:5}  {message['provider']:12}  "
                f"{message['recipient']}\n    {message['text']}"
                for message in messages
            ]
        if json:
            self.stdout.write(_dumps(rows))
            return
        if not rows:
            self.stdout.write("The outbox is empty.")
        for line in lines:
            self.stdout.write(line)


def _reason(reason: str) -> str:
    return f" ({reason})" if reason else ""


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
