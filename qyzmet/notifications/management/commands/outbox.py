"""Print what the demo sink received (newest first)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from qyzmet.notifications.selectors import sink_message_list


class Command(BaseCommand):
    help = "Show SMS and e-mail that the demo sink received, newest first."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--to", default=None, help="Only messages to this recipient.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, limit: int, to: str | None, json: bool, **opts: Any) -> None:
        messages = sink_message_list(limit=limit, recipient=to)
        if json:
            self.stdout.write(_dumps(messages))
            return
        if not messages:
            self.stdout.write("The outbox is empty.")
        for message in messages:
            self.stdout.write(
                f"{message['time']}  {message['channel']:5}  {message['recipient']}\n"
                f"    {message['text']}"
            )


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
