"""Writes to the population registry: the bulk import of people from the registry's files.

The import has to take a country (about 20 million people) in hours, not days, so it is built
around measured costs rather than the ORM's convenience:

- Validation is pure Python per row. The database is asked set-wise, once per batch: which of
  these people exist already (decrypted, to tell changed rows from unchanged ones; skipped when
  the registry was empty at the start), new ids (from the id sequence), and the ids of parents
  written in earlier batches or already in the registry.
- New rows go in with `COPY` on PostgreSQL (`executemany` elsewhere), sealed a chunk at a time so
  the server stores one chunk while Python seals the next. `bulk_create(update_conflicts=True)`
  was measured at about 3,700 people/s on the same machine: Django prepares each of the 19 values
  through the field API, which for this model costs more than the encryption.
- Sealing and blind indexing go column by column through the core's bulk functions
  (`crypto.encrypt_many`, `crypto.BlindIndexer`): one AES-GCM context per column, nonces drawn
  in bulk, the HMAC key state prepared once.

One import is one transaction: a failure anywhere, or a rejected row with `strict=True`, leaves the
registry as it was (a concurrent writer of the same people makes it fail as a whole, and it can be
run again). People are keyed by the blind index of the IIN, so importing a file again changes
nothing, and a corrected file updates only the people whose data changed.
Children may come before their parents in a file: they wait until the parent is written, and are
rejected only if the parent is neither in the file nor in the registry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qyzmet.core import crypto
from qyzmet.core.errors import QyzmetError
from qyzmet.identity.errors import ErrorCode
from qyzmet.identity.models import Person
from qyzmet.identity.population_rows import (
    PLAIN_FIELDS,
    ROW_MESSAGES,
    TEXT_FIELDS,
    Entry,
    Lookahead,
    Parsed,
    parse_batches,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 5000
COPY_CHUNK = 500  # rows sealed between two writes to the COPY stream

COMPARED_FIELDS = (*TEXT_FIELDS, *PLAIN_FIELDS, "father_id", "mother_id")
WRITTEN_COLUMNS = ("iin_index", "iin", *COMPARED_FIELDS)
STAMPS = ("created_at", "updated_at")
SEALED_FIELDS = ("iin", *TEXT_FIELDS)


@dataclass(frozen=True)
class RejectedRow:
    """A row that was not written. `row_number` counts the header as row 1, as spreadsheets do."""

    row_number: int
    code: str
    reason: str


@dataclass
class ImportReport:
    """What an import did. `unchanged` counts people already in the registry exactly as given."""

    created: int = 0
    updated: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    unchanged: int = 0


class PopulationImportRejected(QyzmetError):
    """A strict import found rejected rows, so it wrote nothing; `report` says which and why."""

    code: str = ErrorCode.POPULATION_IMPORT_REJECTED
    status = 422
    default_message = _("Some rows of the file were rejected, so nothing was imported.")

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        super().__init__(details={"rejected": len(report.rejected)})


class _Sealer:
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


def _sealer() -> _Sealer:
    return _Sealer([_context(name) for name in SEALED_FIELDS])


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


_Insert = tuple[int, Entry, int | None, int | None]  # id, entry, father id, mother id


class _Store:
    """The set-wise reads and writes of one import, in the fastest form the database offers.

    New people get their ids before they are written (PostgreSQL: from the id sequence; SQLite:
    after the largest id, under the write lock its transactions hold), so a child can name a
    parent written in the same statement: the foreign keys are checked at commit.
    """

    def __init__(self, now: datetime, sealer: _Sealer, meanwhile: Callable[[], None]) -> None:
        self.sealer = sealer
        self.now = now
        self.meanwhile = meanwhile  # work for Python while the server stores a COPY
        self.postgres = connection.vendor == "postgresql"
        self.chunk = min(BATCH_SIZE, connection.features.max_query_params or BATCH_SIZE)
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
        index = qn(_column("iin_index"))
        self.ids_sql = (
            f"SELECT {index}, {self.pk} FROM {self.table} "  # noqa: S608
            f"WHERE {index} = ANY(string_to_array(%s, ','))"
        )

    def ids(self, indexes: Sequence[str]) -> dict[str, int]:
        """index -> id of the people in the registry."""
        found: dict[str, int] = {}
        step = BATCH_SIZE if self.postgres else self.chunk
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

    def _values(self, items: list[_Insert]) -> list[list[Any]]:
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

    def insert(self, items: list[_Insert]) -> None:
        if not items:
            return
        if self.postgres:
            self._copy(items)
            return
        now = connection.ops.adapt_datetimefield_value(self.now)
        rows = [(*values, now, now) for values in self._values(items)]
        with connection.cursor() as cursor:
            cursor.executemany(self.insert_sql, rows)

    def _copy(self, items: list[_Insert]) -> None:
        """COPY in text form, a chunk at a time so the server stores one while Python seals the
        next. Every value is validated, a number, hex or base64: none needs escaping."""
        with connection.cursor() as cursor, cursor.cursor.copy(self.copy_sql) as stream:
            for start in range(0, len(items), COPY_CHUNK):
                stream.write(self._copy_text(items[start : start + COPY_CHUNK]))
            self.meanwhile()

    def _copy_text(self, items: list[_Insert]) -> str:
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

    def update(self, items: list[_Insert]) -> None:
        if not items:
            return
        now = connection.ops.adapt_datetimefield_value(self.now)
        rows = [(*values[2:], now, values[0]) for values in self._values(items)]
        with connection.cursor() as cursor:
            cursor.executemany(self.update_sql, rows)


class _Import:
    """The state of one import: people accepted so far, and children waiting for a parent."""

    def __init__(self, store: _Store) -> None:
        self.store = store
        self.report = ImportReport()
        # An empty registry has nobody to update: skip asking, batch after batch.
        self.fresh = not Person.objects.exists()
        self.accepted: set[str] = set()  # IINs from this file that are (being) written
        self.external: dict[str, int] = {}  # parents found in the registry, not (yet) in the file
        self.absent: set[str] = set()  # parents looked for in the registry and not found
        self.pending: dict[str, Entry] = {}
        self.waiters: dict[str, list[str]] = {}  # parent IIN -> children waiting for it

    def reject(self, row_number: int, code: str, message: str | Promise) -> None:
        self.report.rejected.append(RejectedRow(row_number, code, str(message)))

    def take(self, parsed: list[Parsed]) -> None:
        """Report the rejected rows and duplicates of a parsed batch, then write the rest."""
        batch: list[Entry] = []
        in_batch: set[str] = set()
        for item in parsed:
            if not isinstance(item, Entry):
                self.reject(*item)
            elif item.iin in in_batch or item.iin in self.accepted or item.iin in self.pending:
                self.reject(item.row_number, "iin_duplicate", ROW_MESSAGES["iin_duplicate"])
            else:
                batch.append(item)
                in_batch.add(item.iin)
        self.flush(batch)

    def resolved(self, iin: str) -> bool:
        return iin in self.accepted or iin in self.external

    def flush(self, batch: list[Entry]) -> None:
        """Write the batch, except children whose parent is later in the file (they wait)."""
        in_batch = {entry.iin for entry in batch}
        self.look_up(
            {
                parent
                for entry in batch
                for parent in entry.parents
                if parent not in in_batch
                and not self.resolved(parent)
                and parent not in self.pending
                and parent not in self.absent
            }
        )
        ready: list[Entry] = []
        for entry in batch:
            if all(self.resolved(p) for p in entry.parents):
                ready.append(entry)
            else:
                self.wait(entry)
        self.write(self.release(ready))

    def look_up(self, parents: set[str]) -> None:
        if not parents:
            return
        by_index = {self.store.sealer.iin_index(iin): iin for iin in parents}
        found = self.store.ids(list(by_index))
        for index, iin in by_index.items():
            if index in found:
                self.external[iin] = found[index]
            else:
                self.absent.add(iin)

    def wait(self, entry: Entry) -> None:
        self.pending[entry.iin] = entry
        for parent in entry.parents:
            if not self.resolved(parent):
                self.waiters.setdefault(parent, []).append(entry.iin)

    def release(self, ready: list[Entry]) -> list[Entry]:
        """`ready`, and the waiting children it completes, and theirs, down the family."""
        closure: list[Entry] = []
        while ready:
            closure.extend(ready)
            self.accepted.update(entry.iin for entry in ready)
            released: list[Entry] = []
            for entry in ready:
                for child in self.waiters.pop(entry.iin, ()):
                    waiting = self.pending.get(child)
                    if waiting is not None and all(self.resolved(p) for p in waiting.parents):
                        released.append(self.pending.pop(child))
            ready = released
        return closure

    def write(self, entries: list[Entry]) -> None:
        if not entries:
            return
        store = self.store
        existing = {} if self.fresh else store.existing([entry.index for entry in entries])
        new = [entry for entry in entries if entry.index not in existing]
        ids = dict(zip([entry.iin for entry in new], store.new_ids(len(new)), strict=True))
        ids.update((e.iin, existing[e.index][0]) for e in entries if e.index in existing)
        self.find_ids(ids, {p for entry in entries for p in entry.parents if p not in ids})
        inserts: list[_Insert] = []
        updates: list[_Insert] = []
        for entry in entries:
            pk = ids[entry.iin]
            father = ids[entry.father] if entry.father else None
            mother = ids[entry.mother] if entry.mother else None
            current = existing.get(entry.index)
            if current is None:
                inserts.append((pk, entry, father, mother))
            elif current[1:] != (*entry.text, *entry.plain, father, mother):
                updates.append((pk, entry, father, mother))
            else:
                self.report.unchanged += 1
        store.insert(inserts)
        store.update(updates)
        self.report.created += len(inserts)
        self.report.updated += len(updates)

    def find_ids(self, ids: dict[str, int], parents: set[str]) -> None:
        """Add the ids of parents written earlier in this import or found in the registry."""
        wanted: dict[str, str] = {}
        for iin in parents:
            if iin in self.external:
                ids[iin] = self.external[iin]
            else:
                wanted[self.store.sealer.iin_index(iin)] = iin
        for index, pk in self.store.ids(list(wanted)).items():
            ids[wanted[index]] = pk

    def finish(self) -> None:
        """Children still waiting: their parent may be a person in the registry whose own row in
        this file was rejected; otherwise the parent is unknown and the child is rejected."""
        while self.pending:
            unresolved = {
                parent
                for entry in self.pending.values()
                for parent in entry.parents
                if not self.resolved(parent)
            }
            self.absent.difference_update(unresolved)
            known = len(self.external)
            self.look_up(unresolved)
            if len(self.external) == known:
                break
            ready = [e for e in self.pending.values() if all(map(self.resolved, e.parents))]
            for entry in ready:
                del self.pending[entry.iin]
            self.write(self.release(ready))
        for entry in self.pending.values():
            self.reject(entry.row_number, "parent_unknown", ROW_MESSAGES["parent_unknown"])
        self.pending.clear()
        self.report.rejected.sort(key=lambda rejected: rejected.row_number)


def population_import(
    *,
    rows: Iterable[Mapping[str, Any]],
    strict: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate and write people from registry rows (the columns are `COLUMNS`).

    Rejected rows are reported, not written; with `strict`, any rejected row aborts the whole
    import with `PopulationImportRejected`. `progress` is called after each batch with the number
    of rows read since the previous call (so `tqdm.update` fits).
    """
    with transaction.atomic():
        sealer = _sealer()
        ahead = Lookahead(parse_batches(rows, timezone.localdate(), sealer.iin_index, BATCH_SIZE))
        job = _Import(_Store(timezone.now(), sealer, meanwhile=ahead.fetch))
        while (parsed := ahead.take()) is not None:
            job.take(parsed)
            if progress is not None:
                progress(len(parsed))
        job.finish()
        if strict and job.report.rejected:
            raise PopulationImportRejected(job.report)
    return job.report
