"""Check the service catalogue: every file, every fault, one line each (`FILE: PATH: REASON`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qyzmet.catalogue.loader import SERVICES_DIR, DefinitionError, load_catalogue


class Command(BaseCommand):
    help = (
        "Validate the service catalogue (one YAML file per service, plus _agencies.yaml, "
        "_taxonomy.yaml and _synonyms.yaml). Prints every fault as FILE: PATH: REASON and exits "
        "with status 1 if there is any."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "directory",
            nargs="?",
            type=Path,
            default=None,
            help="The catalogue directory (default: services/ at the project root).",
        )

    def handle(self, *args: Any, directory: Path | None, **options: Any) -> None:
        try:
            catalogue = load_catalogue(directory or _default_directory())
        except DefinitionError as error:
            for fault in error.faults:
                self.stdout.write(str(fault))
            files = len({fault.file for fault in error.faults})
            raise CommandError(
                f"{_count(len(error.faults), 'fault')} in {_count(files, 'file')}.", returncode=1
            ) from None
        count = len(catalogue)
        verb = "is" if count == 1 else "are"
        self.stdout.write(self.style.SUCCESS(f"{_count(count, 'service')} {verb} valid."))


def _default_directory() -> Path:
    """services/ as a path relative to the working directory when it is below it, so that the
    faults name files the way a person would type them."""
    try:
        return SERVICES_DIR.relative_to(Path.cwd())
    except ValueError:
        return SERVICES_DIR


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
