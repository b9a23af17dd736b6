"""Import exam results from a CSV file (see `qyzmet.registries.imports`)."""

from __future__ import annotations

from qyzmet.core.management.csv_import import CsvImportCommand
from qyzmet.registries.imports import EXAM_COLUMNS, exams_import


class Command(CsvImportCommand):
    records = "exam results"
    columns = EXAM_COLUMNS
    importer = exams_import
