"""A change only some states of a row allow: the row locked, its status checked and the change
written in one transaction, so that two requests cannot both make it."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from django.db import models, transaction

from qyzmet.core.errors import QyzmetError

M = TypeVar("M", bound=models.Model)


def row_change_locked(
    *, row: M, status_in: Collection[str], refusal: QyzmetError, values: Mapping[str, Any]
) -> M:
    """`row` read again under a lock with `values` written to it, or `refusal` raised (and
    nothing written) when its status is no longer one of `status_in`."""
    with transaction.atomic():
        locked = type(row)._default_manager.select_for_update().get(pk=row.pk)
        if locked.serializable_value("status") not in status_in:
            raise refusal
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(values))
    return locked
