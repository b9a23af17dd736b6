"""What a file import did: how many rows it created, updated or left unchanged, and the rows it
rejected with a code and a translated reason (the registries' and the population's imports)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RejectedRow:
    """A row that was not written. `row_number` counts the header as row 1, as spreadsheets do."""

    row_number: int
    code: str
    reason: str


@dataclass
class ImportReport:
    """What an import did. `unchanged` counts the rows already stored exactly as given."""

    created: int = 0
    updated: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    unchanged: int = 0
