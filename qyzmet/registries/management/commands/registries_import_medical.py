"""Import medical certificates from a CSV file (see `qyzmet.registries.imports`)."""

from __future__ import annotations

from qyzmet.core.management.csv_import import CsvImportCommand
from qyzmet.registries.imports import MEDICAL_COLUMNS, medical_import


class Command(CsvImportCommand):
    records = "medical certificates"
    columns = MEDICAL_COLUMNS
    importer = medical_import
