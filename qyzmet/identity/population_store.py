"""The set-wise reads and writes of a population import, in the fastest form the database
offers, and the sealing of a batch (see `qyzmet.identity.population` for the measured costs).

New rows go in with `COPY` on PostgreSQL (`executemany` elsewhere), sealed a chunk at a time so
the server stores one chunk while Python seals the next. Sealing and blind indexing go column by
column through the core's bulk functions (`crypto.encrypt_many`, `crypto.BlindIndexer`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models

from qyzmet.core import crypto
from qyzmet.identity.models import Person
from qyzmet.identity.population_rows import PLAIN_FIELDS, TEXT_FIELDS, PersonEntry

COPY_CHUNK = 500  # rows sealed between two writes to the COPY stream

COMPARED_FIELDS = (*TEXT_FIELDS, *PLAIN_FIELDS, "father_id", "mother_id")
WRITTEN_COLUMNS = ("iin_index", "iin", *COMPARED_FIELDS)
STAMPS = ("created_at", "updated_at")
SEALED_FIELDS = ("iin", *TEXT_FIELDS)


class Sealer:
    """Seals a batch column by column with the core's bulk functions (`encrypt_many`,
    `BlindIndexer`), which cost about half of sealing one value at a time."""

    def __init__(self, contexts: Sequence[str]) -> None:
        self._contexts = tuple(contexts)
        self.iin_index = crypto.BlindIndexer(purpose="iin")

    def seal_rows(self, rows: Sequence[Sequence[str]]) -> list[str]:
        """Each row's values sealed for their columns (in `contexts` order), tab-separated."""
        if not rows:
            return []
        columns = [
            crypto.encrypt_many(column, context=context)
            for column, context in zip(zip(*rows, strict=True), self._contexts, strict=True)
        ]
        return ["\t".join(tokens) for tokens in zip(*columns, strict=True)]


def sealer_for_people() -> Sealer:
    return Sealer([_context(name) for name in SEALED_FIELDS])


def _column(name: str) -> str:
    model_field = Person._meta.get_field(name)
    if not isinstance(model_field, models.Field) or model_field.column is None:
        raise TypeError(f"Person.{name} is expected to be a column")
    return model_field.column


def _context(name: str) -> str:
    model_field = Person._meta.get_field(name)
    if not isinstance(model_field, crypto.EncryptedTextField):
        raise TypeError(f"Person.{name} is expected to be encrypted")
    return model_field.crypto_context


Insert = tuple[int, PersonEntry, int | None, int | None]  # id, entry, father id, mother id


class PopulationStore:
    """The set-wise reads and writes of one import, in the fastest form the database offers.

    New people get their ids before they are written (PostgreSQL: from the id sequence; SQLite:
    after the largest id, under the write lock its transactions hold), so a child can name a
    parent written in the same statement: the foreign keys are checked at commit.
    """

    def __init__(
        self, *, now: datetime, sealer: Sealer, meanwhile: Callable[[], None], batch_size: int
    ) -> None:
        self.sealer = sealer
        self.batch_size = batch_size
        self.now = now
        self.meanwhile = meanwhile  # work for Python while the server stores a COPY
        self.postgres = connection.vendor == "postgresql"
        self.chunk = min(batch_size, connection.features.max_query_params or batch_size)
        self.next_id: int | None = None  # SQLite: the last id taken
        self.sequence: str | None = None  # PostgreSQL: the id sequence
        # Identifiers come from the model and are quoted; every value is a query parameter.
        qn = connection.ops.quote_name
        self.table = qn(Person._meta.db_table)
        self.pk = qn(_column("id"))
        columns = [self.pk, *(qn(_column(name)) for name in (*WRITTEN_COLUMNS, *STAMPS))]
        listed, placeholders = ", ".join(columns), ", ".join(["%s"] * len(columns))
        self.insert_sql = f"INSERT INTO {self.table} ({listed}) VALUES ({placeholders})"  # noqa: S608
        self.copy_sql = f"COPY {self.table} ({listed}) FROM STDIN"
        assignments = ", ".join(f"{c} = %s" for c in [*columns[2:-2], columns[-1]])
        self.update_sql = f"UPDATE {self.table} SET {assignments} WHERE {self.pk} = %s"  # noqa: S608
        # One text parameter that the server splits: binding thousands of parameters costs the
        # client more than the lookup costs the server. Blind indexes are hex, never a comma.
        spouse = qn(_column("spouse"))
        self.spouse_sql = f"UPDATE {self.table} SET {spouse} = %s WHERE {self.pk} = %s"  # noqa: S608
        index = qn(_column("iin_index"))
        self.ids_sql = (
            f"SELECT {index}, {self.pk} FROM {self.table} "  # noqa: S608
            f"WHERE {index} = ANY(string_to_array(%s, ','))"
        )

    def ids(self, indexes: Sequence[str]) -> dict[str, int]:
        """index -> id of the people in the registry."""
        found: dict[str, int] = {}
        step = self.batch_size if self.postgres else self.chunk
        for start in range(0, len(indexes), step):
            chunk = indexes[start : start + step]
            if self.postgres:
                with connection.cursor() as cursor:
                    cursor.execute(self.ids_sql, [",".join(chunk)])
                    found.update(cursor.fetchall())
            else:
                people = Person.objects.filter(iin_index__in=chunk)
                found.update(people.values_list("iin_index", "id"))
        return found

    def existing(self, indexes: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        """index -> (id, *COMPARED_FIELDS) for the people already in the registry, decrypted."""
        ids = list(self.ids(indexes).values())
        found: dict[str, tuple[Any, ...]] = {}
        for start in range(0, len(ids), self.chunk):
            people = Person.objects.filter(id__in=ids[start : start + self.chunk])
            for row in people.values_list("iin_index", "id", *COMPARED_FIELDS):
                found[row[0]] = row[1:]
        return found

    def new_ids(self, count: int) -> list[int]:
        if not count:
            return []
        with connection.cursor() as cursor:
            if self.postgres:
                if self.sequence is None:
                    cursor.execute(
                        "SELECT pg_get_serial_sequence(%s, %s)",
                        [Person._meta.db_table, _column("id")],
                    )
                    self.sequence = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                    [self.sequence, count],
                )
                return [pk for (pk,) in cursor.fetchall()]
            if self.next_id is None:
                cursor.execute(f"SELECT MAX({self.pk}) FROM {self.table}")  # noqa: S608
                self.next_id = (cursor.fetchone() or (None,))[0] or 0
                if connection.vendor == "sqlite":  # AUTOINCREMENT never reuses a deleted id
                    cursor.execute(
                        "SELECT seq FROM sqlite_sequence WHERE name = %s", [Person._meta.db_table]
                    )
                    used = cursor.fetchone()
                    self.next_id = max(self.next_id, used[0] if used else 0)
            first = self.next_id + 1
            self.next_id += count
            return list(range(first, first + count))

    def _values(self, items: list[Insert]) -> list[list[Any]]:
        """(id, *WRITTEN_COLUMNS) for each item, as the database driver takes them."""
        adapt = connection.ops.adapt_datefield_value
        sealed = self.sealer.seal_rows([(entry.iin, *entry.text) for _, entry, _, _ in items])
        rows = []
        for (pk, entry, father, mother), tokens in zip(items, sealed, strict=True):
            birth_date, sex, citizenship, region, status, death_date = entry.plain
            rows.append(
                [
                    pk,
                    entry.index,
                    *tokens.split("\t"),
                    adapt(birth_date),
                    sex,
                    citizenship,
                    region,
                    status,
                    adapt(death_date),
                    father,
                    mother,
                ]
            )
        return rows

    def insert(self, items: list[Insert]) -> None:
        if not items:
            return
        if self.postgres:
            self._copy(items)
            return
        now = connection.ops.adapt_datetimefield_value(self.now)
        rows = [(*values, now, now) for values in self._values(items)]
        with connection.cursor() as cursor:
            cursor.executemany(self.insert_sql, rows)

    def _copy(self, items: list[Insert]) -> None:
        """COPY in text form, a chunk at a time so the server stores one while Python seals the
        next. Every value is validated, a number, hex or base64: none needs escaping."""
        with connection.cursor() as cursor, cursor.cursor.copy(self.copy_sql) as stream:
            for start in range(0, len(items), COPY_CHUNK):
                stream.write(self._copy_text(items[start : start + COPY_CHUNK]))
            self.meanwhile()

    def _copy_text(self, items: list[Insert]) -> str:
        stamp = self.now.isoformat()
        tail = f"\t{stamp}\t{stamp}\n"
        null = "\\N"
        sealed = self.sealer.seal_rows([(entry.iin, *entry.text) for _, entry, _, _ in items])
        lines = []
        for (pk, entry, father, mother), tokens in zip(items, sealed, strict=True):
            birth_date, sex, citizenship, region, status, death_date = entry.plain
            lines.append(
                f"{pk}\t{entry.index}\t{tokens}\t{birth_date.isoformat()}\t{sex}\t"
                f"{citizenship}\t{region}\t{status}\t"
                f"{death_date.isoformat() if death_date else null}\t"
                f"{father or null}\t{mother or null}{tail}"
            )
        return "".join(lines)

    def update(self, items: list[Insert]) -> None:
        if not items:
            return
        now = connection.ops.adapt_datetimefield_value(self.now)
        rows = [(*values[2:], now, values[0]) for values in self._values(items)]
        with connection.cursor() as cursor:
            cursor.executemany(self.update_sql, rows)

    def spouses_link(self, links: Sequence[tuple[int, int]]) -> None:
        """Set each (person id, spouse id)."""
        if links:
            with connection.cursor() as cursor:
                cursor.executemany(self.spouse_sql, [(spouse, pk) for pk, spouse in links])

    def spouses_unlink(self, ids: Sequence[int]) -> None:
        """The people whose row names no spouse (any more): their link is taken out."""
        for start in range(0, len(ids), self.chunk):
            chunk = ids[start : start + self.chunk]
            Person.objects.filter(pk__in=chunk, spouse__isnull=False).update(spouse=None)
