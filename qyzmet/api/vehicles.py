"""/api/v1/vehicles: what a citizen needs to apply for the vehicle services: the free plates they
may choose, and their own vehicles (as the wallet shows them)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from qyzmet.api.schemas import ErrorOut
from qyzmet.api.security import AccessToken, current_account
from qyzmet.core.errors import NotFound, ValidationFailed
from qyzmet.registries import selectors as registry
from qyzmet.registries import validation as rules
from qyzmet.registries.errors import ErrorCode

router = Router(tags=["vehicles"], auth=AccessToken())
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PlatesIn(Schema):
    region: str = Field("", max_length=2, description="01–20; by default the caller's region")
    increased_demand: bool = True


class PlateOut(Schema):
    number: str
    region: str
    increased_demand: bool
    price_tier: str


class VehicleOut(Schema):
    vin: str
    make: str
    model: str
    year: int
    colour: str
    category: str
    plate: str
    certificate_number: str
    registered_on: date


@router.get("/plates", response={200: list[PlateOut], **ERRORS},
            summary="Free plates of a region to choose (increased-demand by default)")  # fmt: skip
def plates(request: HttpRequest, query: Query[PlatesIn]) -> list[PlateOut]:
    account = current_account(request)
    region = query.region or (account.person.region if account.person else "")
    if region not in rules.REGIONS:
        message = _("The region must be a two-digit code from 01 to 20.")
        raise ValidationFailed(
            details={"fields": [{"field": "region", "message": message}]},
            code=ErrorCode.REGION_INVALID,
        )
    return [
        PlateOut(
            number=p.number,
            region=p.region,
            increased_demand=p.increased_demand,
            price_tier=p.price_tier,
        )
        for p in registry.plates_free_list(region=region, increased_demand=query.increased_demand)
    ]


@router.get("/mine", response={200: list[VehicleOut], **ERRORS},
            summary="The vehicles registered to me now")  # fmt: skip
def mine(request: HttpRequest) -> list[VehicleOut]:
    account = current_account(request)
    if account.person is None:
        raise NotFound()
    return [
        VehicleOut(
            vin=r.vehicle.vin,
            make=r.vehicle.make,
            model=r.vehicle.model,
            year=r.vehicle.year,
            colour=r.vehicle.colour,
            category=r.vehicle.category,
            plate=r.plate.number,
            certificate_number=r.certificate_number,
            registered_on=r.started_on,
        )
        for r in registry.vehicles_of(person=account.person)
    ]
