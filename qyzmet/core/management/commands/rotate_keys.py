"""Re-seal every encrypted column under the current key, and optionally recompute blind indexes.

Rotation: add a new version to QYZMET_FIELD_KEYS (e.g. "2:<new>,1:<old>"), restart, run this
command, then remove the old version once it reports nothing left under it. To rotate the
blind-index key, set the new QYZMET_BLIND_INDEX_KEY and run with --reindex (lookups by IIN or
phone miss the rows not yet reindexed until it finishes).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from qyzmet.core.crypto import EncryptedTextField, blind_index, key_version, keyring

BATCH = 1000


class Command(BaseCommand):
    help = "Re-encrypt personal data under the current key; --reindex recomputes blind indexes."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--reindex", action="store_true")
        parser.add_argument("--dry-run", action="store_true", help="Only count what would change.")

    def handle(self, *args: Any, reindex: bool, dry_run: bool, **opts: Any) -> None:
        current = keyring().current
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            indexes: dict[str, tuple[str, str]] = getattr(model, "BLIND_INDEXES", {})
            before: Counter[int] = Counter()
            changed = 0
            last_pk: Any = None
            while True:
                with transaction.atomic():
                    batch = self._raw_batch(model, fields, last_pk)
                    if not batch:
                        break
                    last_pk = batch[-1][0]
                    stale_pks = []
                    for pk, *tokens in batch:
                        versions = {key_version(t) for t in tokens if t}
                        before.update(key_version(t) for t in tokens if t)
                        if reindex or versions - {current}:
                            stale_pks.append(pk)
                    if stale_pks and not dry_run:
                        for obj in model._default_manager.select_for_update().filter(
                            pk__in=stale_pks
                        ):
                            update = [f.attname for f in fields]
                            if reindex:
                                for column, (source, purpose) in indexes.items():
                                    setattr(obj, column, blind_index(getattr(obj, source),
                                                                     purpose=purpose))  # fmt: skip
                                    update.append(column)
                            obj.save(update_fields=update)  # get_prep_value re-seals
                    changed += len(stale_pks)
            label = model._meta.label
            seen = ", ".join(f"v{v}: {n}" for v, n in sorted(before.items())) or "empty"
            verb = "would re-seal" if dry_run else "re-sealed"
            self.stdout.write(f"{label}: values by key {seen}; {verb} {changed} rows")

    @staticmethod
    def _raw_batch(
        model: Any, fields: list[EncryptedTextField], after: Any
    ) -> list[tuple[Any, ...]]:
        table = connection.ops.quote_name(model._meta.db_table)
        pk = connection.ops.quote_name(model._meta.pk.column)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        where = f"WHERE {pk} > %s" if after is not None else ""
        params = [after] if after is not None else []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk}, {columns} FROM {table} {where} ORDER BY {pk} LIMIT {BATCH}",  # noqa: S608
                params,
            )
            return [tuple(row) for row in cursor.fetchall()]
