"""Identifiers that arrive from outside (URLs, request bodies)."""

from __future__ import annotations

import uuid


def uuid_or_none(value: object) -> str | None:
    """The canonical form of a UUID given by a client, or None when it is not one (so a lookup
    answers "not found" instead of failing on the database's UUID parsing)."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None
