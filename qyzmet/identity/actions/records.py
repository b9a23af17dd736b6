"""A person's record read by an officer or another system: an action, because the read is
written to the data-access log in the same call."""

from __future__ import annotations

from qyzmet.core.errors import NotFound, ValidationFailed
from qyzmet.identity.errors import ErrorCode
from qyzmet.identity.models import Account
from qyzmet.identity.selectors import PERSON_FIELDS, iin_validated, person_get_by_iin
from qyzmet.trust.actions import data_access_record


def person_record_read(
    *,
    iin: str,
    purpose: str,
    channel: str,
    actor: Account | None = None,
    actor_system: str = "",
    fields: tuple[str, ...] = PERSON_FIELDS,
) -> dict[str, object]:
    """A person's record read by an officer or another system: the read is recorded (who, when,
    which fields, why) in the same call, so no read can skip the data-access log."""
    if not purpose.strip():
        raise ValidationFailed(details={"field": "purpose"}, code=ErrorCode.PURPOSE_REQUIRED)
    person = person_get_by_iin(iin=iin_validated(iin))
    if person is None:
        raise NotFound()
    record: dict[str, object] = {name: getattr(person, name) for name in fields}
    data_access_record(
        person_id=person.pk,
        actor_id=actor.pk if actor else None,
        actor_system=actor_system,
        channel=channel,
        fields=list(fields),
        purpose=purpose.strip(),
    )
    return record
