"""Writes to the population registry: the bulk import of people from the registry's files.

The import has to take a country (about 20 million people) in hours, not days, so it is built
around measured costs rather than the ORM's convenience:

- Validation is pure Python per row (`population_rows`). The database is asked set-wise, once per
  batch (`population_store`): which of these people exist already (decrypted, to tell changed
  rows from unchanged ones; skipped when the registry was empty at the start), new ids (from the
  id sequence), and the ids of parents written in earlier batches or already in the registry.
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
rejected only if the parent is neither in the file nor in the registry. Spouses name each other,
so neither can wait for the other: the links are set once every row is written (`spouse_iin`,
looked up a batch at a time), and a row that names no spouse takes out the link it had.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qyzmet.core.errors import QyzmetError
from qyzmet.core.importing import ImportReport, RejectedRow
from qyzmet.identity.errors import ErrorCode
from qyzmet.identity.models import Person
from qyzmet.identity.population_rows import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    REGION_CODES,
    REQUIRED_COLUMNS,
    ROW_MESSAGES,
    BatchLookahead,
    Parsed,
    PersonEntry,
    person_entry_batches,
)
from qyzmet.identity.population_store import Insert, PopulationStore, sealer_for_people

__all__ = [
    "BATCH_SIZE",
    "COLUMNS",
    "OPTIONAL_COLUMNS",
    "REGION_CODES",
    "REQUIRED_COLUMNS",
    "ImportReport",
    "PopulationImportRejected",
    "RejectedRow",
    "population_import",
]

BATCH_SIZE = 5000


class PopulationImportRejected(QyzmetError):
    """A strict import found rejected rows, so it wrote nothing; `report` says which and why."""

    code: str = ErrorCode.POPULATION_IMPORT_REJECTED
    status = 422
    default_message = _("Some rows of the file were rejected, so nothing was imported.")

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        super().__init__(details={"rejected": len(report.rejected)})


class _Import:
    """The state of one import: people accepted so far, and children waiting for a parent."""

    def __init__(self, store: PopulationStore) -> None:
        self.store = store
        self.report = ImportReport()
        # An empty registry has nobody to update: skip asking, batch after batch.
        self.fresh = not Person.objects.exists()
        self.accepted: set[str] = set()  # IINs from this file that are (being) written
        self.external: dict[str, int] = {}  # parents found in the registry, not (yet) in the file
        self.absent: set[str] = set()  # parents looked for in the registry and not found
        self.pending: dict[str, PersonEntry] = {}
        self.waiters: dict[str, list[str]] = {}  # parent IIN -> children waiting for it
        # spouses are linked once every row is written: a wife's row may come after her husband's
        self.spouses: list[tuple[int, int, str]] = []  # (row number, person id, spouse IIN)
        self.unmarried: list[int] = []  # people in the registry whose row names no spouse

    def reject(self, row_number: int, code: str, message: str | Promise) -> None:
        self.report.rejected.append(RejectedRow(row_number, code, str(message)))

    def take(self, parsed: list[Parsed]) -> None:
        """Report the rejected rows and duplicates of a parsed batch, then write the rest."""
        batch: list[PersonEntry] = []
        in_batch: set[str] = set()
        for item in parsed:
            if not isinstance(item, PersonEntry):
                self.reject(*item)
            elif item.iin in in_batch or item.iin in self.accepted or item.iin in self.pending:
                self.reject(item.row_number, "iin_duplicate", ROW_MESSAGES["iin_duplicate"])
            else:
                batch.append(item)
                in_batch.add(item.iin)
        self.flush(batch)

    def resolved(self, iin: str) -> bool:
        return iin in self.accepted or iin in self.external

    def flush(self, batch: list[PersonEntry]) -> None:
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
        ready: list[PersonEntry] = []
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

    def wait(self, entry: PersonEntry) -> None:
        self.pending[entry.iin] = entry
        for parent in entry.parents:
            if not self.resolved(parent):
                self.waiters.setdefault(parent, []).append(entry.iin)

    def release(self, ready: list[PersonEntry]) -> list[PersonEntry]:
        """`ready`, and the waiting children it completes, and theirs, down the family."""
        closure: list[PersonEntry] = []
        while ready:
            closure.extend(ready)
            self.accepted.update(entry.iin for entry in ready)
            released: list[PersonEntry] = []
            for entry in ready:
                for child in self.waiters.pop(entry.iin, ()):
                    waiting = self.pending.get(child)
                    if waiting is not None and all(self.resolved(p) for p in waiting.parents):
                        released.append(self.pending.pop(child))
            ready = released
        return closure

    def write(self, entries: list[PersonEntry]) -> None:
        if not entries:
            return
        store = self.store
        existing = {} if self.fresh else store.existing([entry.index for entry in entries])
        new = [entry for entry in entries if entry.index not in existing]
        ids = dict(zip([entry.iin for entry in new], store.new_ids(len(new)), strict=True))
        ids.update((e.iin, existing[e.index][0]) for e in entries if e.index in existing)
        self.find_ids(ids, {p for entry in entries for p in entry.parents if p not in ids})
        inserts: list[Insert] = []
        updates: list[Insert] = []
        for entry in entries:
            pk = ids[entry.iin]
            father = ids[entry.father] if entry.father else None
            mother = ids[entry.mother] if entry.mother else None
            current = existing.get(entry.index)
            if entry.spouse:
                self.spouses.append((entry.row_number, pk, entry.spouse))
            elif current is not None:
                self.unmarried.append(pk)
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
        self.link_spouses()
        self.report.rejected.sort(key=lambda rejected: rejected.row_number)

    def link_spouses(self) -> None:
        """Every row is written now: link the spouses they name, a batch at a time; a spouse
        neither in the file nor in the registry leaves the person without the link (reported)."""
        store = self.store
        store.spouses_unlink(self.unmarried)
        for start in range(0, len(self.spouses), store.batch_size):
            chunk = self.spouses[start : start + store.batch_size]
            by_index = {store.sealer.iin_index(iin): iin for _, _, iin in chunk}
            ids = {by_index[index]: pk for index, pk in store.ids(list(by_index)).items()}
            links = []
            for row_number, pk, iin in chunk:
                if iin in ids:
                    links.append((pk, ids[iin]))
                else:
                    self.reject(row_number, "spouse_unknown", ROW_MESSAGES["spouse_unknown"])
            store.spouses_link(links)
        self.spouses.clear()


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
        sealer = sealer_for_people()
        batches = person_entry_batches(
            rows, today=timezone.localdate(), iin_index=sealer.iin_index, size=BATCH_SIZE
        )
        ahead = BatchLookahead(batches)
        store = PopulationStore(
            now=timezone.now(), sealer=sealer, meanwhile=ahead.fetch, batch_size=BATCH_SIZE
        )
        job = _Import(store)
        while (parsed := ahead.take()) is not None:
            job.take(parsed)
            if progress is not None:
                progress(len(parsed))
        job.finish()
        if strict and job.report.rejected:
            raise PopulationImportRejected(job.report)
    return job.report
