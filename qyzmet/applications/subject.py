"""What a sale is about, as the second party must see it before they confirm: the vehicle from
the registry (read, never written), the seller's name and the price in the reader's money
format. A definition is a sale when it has a second party and names a vehicle among its
`record_keys`; the price is its form's `price` field, in tenge. Reads only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qyzmet.applications.models import Application
from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.core.mci import TIYN_PER_TENGE, format_tenge
from qyzmet.registries.selectors import vehicle_by_plate, vehicle_by_vin

PRICE_FIELD = "price"
# The registry keeps colours as English words; the reader sees them in their language.
COLOURS: dict[str, Promise] = {
    "white": gettext_lazy("white"),
    "black": gettext_lazy("black"),
    "silver": gettext_lazy("silver"),
    "grey": gettext_lazy("grey"),
    "blue": gettext_lazy("blue"),
    "red": gettext_lazy("red"),
}


@dataclass(frozen=True, slots=True)
class Subject:
    """The vehicle sold (empty facts when the registry no longer has it under that plate), the
    seller and the price, worded in one language."""

    make: str
    model: str
    year: int | None
    colour: str
    vin: str
    plate: str
    seller_name: str
    price_tiyn: int | None
    price_text: str

    @property
    def vehicle_text(self) -> str:
        """ "Toyota Camry 2020, white, 123 ABC 02": the car in one line."""
        name = " ".join(str(part) for part in (self.make, self.model, self.year) if part)
        return ", ".join(part for part in (name, self.colour, self.plate) if part)


def application_subject(
    *, application: Application, definition: ServiceDefinition, language: str
) -> Subject | None:
    """What the sale `application` is about, in `language`; None for any other service."""
    key = definition.record_keys.get("vehicle")
    if definition.counterparty is None or key is None:
        return None
    answers: dict[str, Any] = json.loads(application.form_data or "{}")
    named = str(answers.get(key) or "")
    by_plate = any(f.key == key and f.type == "plate" for f in definition.form)
    if not named:
        vehicle = None
    elif by_plate:
        vehicle = vehicle_by_plate(plate=named)
    else:
        vehicle = vehicle_by_vin(vin=named)
    price = price_tiyn(answers.get(PRICE_FIELD))
    with translation.override(language):
        return Subject(
            make=vehicle.make if vehicle else "",
            model=vehicle.model if vehicle else "",
            year=vehicle.year if vehicle else None,
            colour=str(COLOURS.get(vehicle.colour, vehicle.colour)) if vehicle else "",
            vin=vehicle.vin if vehicle else "",
            plate=named if by_plate else "",
            seller_name=application.person.full_name,
            price_tiyn=price,
            price_text=format_tenge(price, language) if price is not None else "",
        )


def subject_line(subject: Subject, language: str) -> str:
    """The car and its price in one line of `language`, for a message."""
    with translation.override(language):
        if not subject.price_text:
            return subject.vehicle_text
        return _("%(vehicle)s for %(price)s") % {
            "vehicle": subject.vehicle_text,
            "price": subject.price_text,
        }


def price_tiyn(value: object) -> int | None:
    """A price answered in tenge ("5200000", "4500000.5") as whole tiyn; None when there is
    none or it is not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        tenge = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not tenge.is_finite() or tenge < 0:
        return None
    return int((tenge * TIYN_PER_TENGE).quantize(Decimal(1), rounding=ROUND_HALF_UP))
