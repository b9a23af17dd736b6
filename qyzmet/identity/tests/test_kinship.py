"""The family the population registry records: close relatives and relatives by marriage."""

from datetime import date

import pytest

from qyzmet.identity.kinship import Kinship, kinship_between, person_relatives
from qyzmet.identity.models import Person
from qyzmet.identity.tests.factories import person_create

pytestmark = pytest.mark.django_db


def _person(year: int, sex: str = "F", **links: Person) -> Person:
    return person_create(birth_date=date(year, 1, 1), sex=sex, **links)


def test_the_family_circle_and_how_each_is_related() -> None:
    # given three generations, a half-sister, a wife (named on his row only) and her family
    grandfather = _person(1930, "M")
    father = _person(1955, "M", father=grandfather)
    mother = _person(1957)
    me = _person(1980, "M", father=father, mother=mother)
    sister = _person(1983, father=father, mother=mother)
    half_sister = _person(1990, mother=mother)
    son = _person(2005, "M", father=me)
    grandson = _person(2024, "M", father=son)
    wifes_father = _person(1950, "M")
    wife = _person(1982, father=wifes_father)
    Person.objects.filter(pk=me.pk).update(spouse=wife)
    wifes_brother = _person(1978, "M", father=wifes_father)
    wifes_daughter = _person(2002, mother=wife)
    cousin = _person(1979, father=_person(1952, "M", father=grandfather))
    stranger = _person(1981)

    relatives = person_relatives(person_id=me.pk)

    assert relatives == {
        grandfather.pk: Kinship.GRANDPARENT,
        father.pk: Kinship.PARENT,
        mother.pk: Kinship.PARENT,
        sister.pk: Kinship.SIBLING,
        half_sister.pk: Kinship.SIBLING,
        son.pk: Kinship.CHILD,
        grandson.pk: Kinship.GRANDCHILD,
        wife.pk: Kinship.SPOUSE,
        wifes_father.pk: Kinship.SPOUSE_PARENT,
        wifes_brother.pk: Kinship.SPOUSE_SIBLING,
        wifes_daughter.pk: Kinship.SPOUSE_CHILD,
    }
    assert cousin.pk not in relatives
    assert stranger.pk not in relatives
    # the link named on one row only holds both ways
    assert person_relatives(person_id=wife.pk)[me.pk] == Kinship.SPOUSE


def test_the_closest_kinship_among_several_people() -> None:
    father = _person(1955, "M")
    me = _person(1980, "M", father=father)
    stranger = _person(1981)

    assert kinship_between(person_id=me.pk, others=[stranger.pk, me.pk]) == Kinship.SELF
    assert kinship_between(person_id=me.pk, others=[None, stranger.pk, father.pk]) == (
        Kinship.PARENT
    )
    assert kinship_between(person_id=me.pk, others=[stranger.pk, None]) is None
    assert kinship_between(person_id=me.pk, others=[]) is None


def test_a_person_without_family_has_none() -> None:
    assert person_relatives(person_id=_person(1990).pk) == {}
