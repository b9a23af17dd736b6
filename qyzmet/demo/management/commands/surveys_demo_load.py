"""Load the demo survey (the article's 450 respondents); a second run changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from qyzmet.demo.surveys import surveys_demo_load


class Command(BaseCommand):
    help = "Load the demo survey of the article (closed, 450 respondents). Idempotent."

    def handle(self, *args: Any, **opts: Any) -> None:
        survey = surveys_demo_load()
        self.stdout.write(f"survey {survey.code}: {survey.responses.count()} responses")
