"""A correction, compared (pure): what the applicant changed since they last signed, as its
history row keeps it, and the changes to fields the officer did not reopen."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.utils.translation import gettext as _

from qyzmet.catalogue.schema import ServiceDefinition


def _same(old: Any, new: Any) -> bool:
    """An answer left empty and one never given are the same; so are an unticked box and none."""
    return (old in (None, "", False) and new in (None, "", False)) or old == new


def answers_changed(
    definition: ServiceDefinition, before: Mapping[str, Any] | None, after: Mapping[str, Any]
) -> dict[str, Any]:
    """The history's record of a correction: the fields changed (in the form's order) and, of
    those that are not sensitive, the old and new values. Empty when `before` is unknown."""
    if before is None:
        return {}
    changed = [f for f in definition.form if not _same(before.get(f.key), after.get(f.key))]
    record: dict[str, Any] = {"changed": [f.key for f in changed]}
    values = {
        f.key: {"from": before.get(f.key), "to": after.get(f.key)}
        for f in changed
        if not f.values_hidden
    }
    if values:
        record["values"] = values
    return record


def changes_not_reopened(
    stored: Mapping[str, Any], posted: Mapping[str, Any], reopened: Collection[str]
) -> dict[str, str]:
    """The error of each posted field the officer did not reopen whose value differs from the
    one on record (sending a field unchanged is not a change)."""
    return {
        key: _("The officer did not ask to correct this field: it cannot be changed.")
        for key, value in posted.items()
        if key not in reopened and not _same(stored.get(key), value)
    }
