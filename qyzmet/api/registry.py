"""/api/v1/registry: the population registry, for officers. Every read is a data-access event."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Field, Router, Schema

from qyzmet.api.schemas import ErrorOut
from qyzmet.api.security import AccessToken, current_account
from qyzmet.core.errors import NotFound
from qyzmet.identity.actions.records import person_record_read
from qyzmet.trust.models import DataAccessEvent

router = Router(tags=["registry"], auth=AccessToken())
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
PERMISSION = "identity.view_person"


class LookupIn(Schema):
    iin: str = Field(..., max_length=20)
    purpose: str = Field(..., min_length=3, max_length=200, description="Why the record is read")


class PersonOut(Schema):
    iin: str
    surname: str
    given_name: str
    patronymic: str
    surname_latin: str
    given_name_latin: str
    birth_date: date
    sex: str
    citizenship: str
    region: str
    settlement: str
    street: str
    status: str
    death_date: date | None


@router.post("/persons/lookup", response={200: PersonOut, **ERRORS},
             summary="Read a person's record (officers; recorded with its purpose)")  # fmt: skip
def person(request: HttpRequest, body: LookupIn) -> dict[str, object]:
    # POST, so that the IIN never appears in a URL or an access log.
    account = current_account(request)
    if not account.has_perm(PERMISSION):
        raise NotFound()  # indistinguishable from an unknown IIN
    return person_record_read(
        iin=body.iin, purpose=body.purpose, channel=DataAccessEvent.Channel.API, actor=account
    )
