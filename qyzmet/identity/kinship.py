"""Who is family to whom, as the population registry records it: parents (`father`, `mother`)
and spouses (`spouse`), and what follows from them.

The circle is the law's on conflicts of interest (the Law "On combating corruption", art. 1:
close relatives are parents, children, adoptive parents and adopted children, full and half
siblings, grandparents and grandchildren; relatives by marriage are the spouse's siblings,
parents and children), with the spouse. Adoption is in the registry as parenthood. Reads only.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.db.models import Q

from qyzmet.identity.models import Person


class Kinship(StrEnum):
    """How a person is related to another; `self` is the person themself."""

    SELF = "self"
    SPOUSE = "spouse"
    PARENT = "parent"
    CHILD = "child"
    SIBLING = "sibling"
    GRANDPARENT = "grandparent"
    GRANDCHILD = "grandchild"
    SPOUSE_PARENT = "spouse_parent"
    SPOUSE_CHILD = "spouse_child"
    SPOUSE_SIBLING = "spouse_sibling"


def _parents(ids: Iterable[int]) -> set[int]:
    pairs = Person.objects.filter(pk__in=list(ids)).values_list("father_id", "mother_id")
    return {parent for pair in pairs for parent in pair if parent is not None}


def _children(ids: set[int]) -> set[int]:
    if not ids:
        return set()
    found = Person.objects.filter(Q(father_id__in=ids) | Q(mother_id__in=ids))
    return set(found.values_list("pk", flat=True))


def _spouses(person_id: int) -> set[int]:
    """Either side may name the other: a registry file may give the link on one row only."""
    rows = Person.objects.filter(Q(pk=person_id) | Q(spouse_id=person_id)).values_list(
        "pk", "spouse_id"
    )
    return {
        other for pk, spouse in rows for other in (pk, spouse) if other not in (None, person_id)
    }


def person_relatives(*, person_id: int) -> dict[int, Kinship]:
    """The person's family in the registry, by person id, each with the closest way they are
    related (the person themself is not in it)."""
    found: dict[int, Kinship] = {}

    def add(ids: set[int], kinship: Kinship) -> None:
        for pk in ids - {person_id}:
            found.setdefault(pk, kinship)

    me = {person_id}
    spouses, parents, children = _spouses(person_id), _parents(me), _children(me)
    add(spouses, Kinship.SPOUSE)
    add(parents, Kinship.PARENT)
    add(children, Kinship.CHILD)
    add(_children(parents), Kinship.SIBLING)
    add(_parents(parents), Kinship.GRANDPARENT)
    add(_children(children), Kinship.GRANDCHILD)
    if spouses:
        in_laws = _parents(spouses)
        add(in_laws, Kinship.SPOUSE_PARENT)
        add(_children(spouses), Kinship.SPOUSE_CHILD)
        add(_children(in_laws) - spouses, Kinship.SPOUSE_SIBLING)
    return found


def kinship_between(*, person_id: int, others: Iterable[int | None]) -> Kinship | None:
    """How `person_id` is related to the closest of `others` (themself first), or None."""
    wanted = {pk for pk in others if pk is not None}
    if person_id in wanted:
        return Kinship.SELF
    if not wanted:
        return None
    relatives = person_relatives(person_id=person_id)
    for kinship in Kinship:
        if any(relatives.get(pk) == kinship for pk in wanted):
            return kinship
    return None
