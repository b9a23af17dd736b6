"""The checked update every step makes: two officers deciding at once cannot both win.

The state and a version number are compared in the UPDATE itself, so the second writer gets a
conflict and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F

from qyzmet.applications.models import Application
from qyzmet.core.errors import Conflict


def application_update_checked(
    *, application: Application, values: dict[str, Any], conflict: Conflict
) -> None:
    """Write `values` only if the row is still in the state and version this process read, and
    bump the version; then the instance holds what the row holds, with no second read."""
    updated = Application.objects.filter(
        pk=application.pk, state=application.state, lock_version=application.lock_version
    ).update(**values, lock_version=F("lock_version") + 1)
    if not updated:
        raise conflict
    for name, value in values.items():
        setattr(application, name, value)
    application.lock_version += 1
