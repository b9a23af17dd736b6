"""The rows of a population registry file: their columns, the rules a row must meet (each with
its code and translated reason), and reading them in batches.

Validation is pure Python per row; the database is asked nothing here. A row becomes a
`PersonEntry` (what will be written) or a rejection `(row number, code, message)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qyzmet.core.iin import IinError, IinInfo, iin_agrees, iin_check
from qyzmet.identity.models import Person

REGION_CODES = frozenset(f"{n:02d}" for n in range(1, 21))
REQUIRED_COLUMNS = ("iin", "surname", "given_name", "birth_date", "sex", "region")
OPTIONAL_COLUMNS = (
    "patronymic",
    "surname_latin",
    "given_name_latin",
    "citizenship",
    "settlement",
    "street",
    "status",
    "death_date",
    "father_iin",
    "mother_iin",
    "spouse_iin",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# The text that is encrypted (besides the IIN itself), and the plain columns, in the order used
# for comparing an existing person with a row and for writing.
TEXT_FIELDS = (
    "surname",
    "given_name",
    "patronymic",
    "surname_latin",
    "given_name_latin",
    "settlement",
    "street",
)
PLAIN_FIELDS = ("birth_date", "sex", "citizenship", "region", "status", "death_date")

ROW_MESSAGES: dict[str, Promise] = {
    "name_missing": _("The surname and the given name are required."),
    "birth_date": _("The date of birth is missing, not a date (YYYY-MM-DD) or in the future."),
    "sex": _("Sex must be M or F."),
    "citizenship": _("Citizenship must be a three-letter country code (ISO 3166-1 alpha-3)."),
    "region": _("The region must be a two-digit code from 01 to 20."),
    "status": _("The status must be living or deceased."),
    "death_date": _(
        "A date of death is given only for a deceased person, as a date (YYYY-MM-DD) between "
        "the birth and today."
    ),
    "parent_iin": _("The IIN of the father or the mother is not valid."),
    "parent_sex": _("The father's IIN belongs to a woman, or the mother's to a man."),
    "parent_age": _("A parent must be born before the child."),
    "parent_unknown": _("The father or the mother is neither in the registry nor in this file."),
    "spouse_iin": _("The IIN of the spouse is not valid, or it is the person's own."),
    "spouse_unknown": _(
        "The spouse is neither in the registry nor in this file: the person was written without "
        "the link."
    ),
    "iin_duplicate": _("This IIN appears more than once in the file."),
    "columns": _("The row has more fields than the header."),
}


class RowError(Exception):
    """A row breaks the rule named by `code` (a key of `ROW_MESSAGES`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
        self.message: Promise = ROW_MESSAGES[code]


@dataclass(slots=True)
class PersonEntry:
    """A validated row, waiting to be written."""

    row_number: int
    iin: str
    index: str  # the blind index of the IIN: the registry's key
    text: tuple[str, ...]  # TEXT_FIELDS
    plain: tuple[Any, ...]  # PLAIN_FIELDS
    father: str | None
    mother: str | None
    parents: tuple[str, ...]
    spouse: str | None = None  # linked once the whole file is written (`population`)


Parsed = PersonEntry | tuple[int, str, str | Promise]  # an entry, or (row number, code, message)

_STATUSES = frozenset(Person.Status.values)
_LIVING = Person.Status.LIVING.value
_DECEASED = Person.Status.DECEASED.value


def _date(text: str, code: str) -> date:
    # fromisoformat also takes "20240101" and week dates: insist on the one documented form.
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise RowError(code)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RowError(code) from None


def _parent(text: str, *, sex: str, child_birth: date, known: dict[str, IinInfo]) -> str | None:
    """A parent's IIN, checked against what it encodes: the sex, and a birth before the child.
    Parents are usually rows of the same file, so their IIN was decoded moments ago."""
    if not text:
        return None
    try:
        info = known.get(text) or iin_check(text)
    except IinError:
        raise RowError("parent_iin") from None
    if info.sex != sex:
        raise RowError("parent_sex")
    if info.birth_date >= child_birth:
        raise RowError("parent_age")
    return info.iin


def _spouse(text: str, *, iin: str, known: dict[str, IinInfo]) -> str | None:
    if not text:
        return None
    try:
        info = known.get(text) or iin_check(text)
    except IinError:
        raise RowError("spouse_iin") from None
    if info.iin == iin:
        raise RowError("spouse_iin")
    return info.iin


def person_entry_parse(
    raw: Mapping[Any, Any],
    *,
    row_number: int,
    today: date,
    iin_index: Callable[[str], str],
    known: dict[str, IinInfo],
) -> PersonEntry:
    """Validate one row; raises `IinError` or `RowError` with the first problem found."""
    if None in raw:  # csv.DictReader puts the fields beyond the header there
        raise RowError("columns")
    get = raw.get
    (iin, surname, given_name, birth_text, sex, region, patronymic, surname_latin,
     given_name_latin, citizenship, settlement, street, status, death_text, father_text,
     mother_text, spouse_text) = [(get(name) or "").strip() for name in COLUMNS]  # fmt: skip
    info = iin_check(iin)
    known[info.iin] = info
    if not surname or not given_name:
        raise RowError("name_missing")
    birth_date = _date(birth_text, "birth_date")
    if birth_date > today:
        raise RowError("birth_date")
    sex = sex.upper()
    if sex not in ("M", "F"):
        raise RowError("sex")
    iin_agrees(info, birth_date=birth_date, sex=sex)
    citizenship = citizenship.upper() or "KAZ"
    if len(citizenship) != 3 or not (citizenship.isascii() and citizenship.isalpha()):
        raise RowError("citizenship")
    if region not in REGION_CODES:
        raise RowError("region")
    status = status.lower() or _LIVING
    if status not in _STATUSES:
        raise RowError("status")
    death_date = None
    if death_text:
        death_date = _date(death_text, "death_date")
        if status != _DECEASED or not birth_date <= death_date <= today:
            raise RowError("death_date")
    father = _parent(father_text, sex="M", child_birth=birth_date, known=known)
    mother = _parent(mother_text, sex="F", child_birth=birth_date, known=known)
    spouse = _spouse(spouse_text, iin=info.iin, known=known)
    return PersonEntry(
        row_number=row_number,
        iin=info.iin,
        index=iin_index(info.iin),
        text=(surname, given_name, patronymic, surname_latin, given_name_latin, settlement, street),
        plain=(birth_date, sex, citizenship, region, status, death_date),
        father=father,
        mother=mother,
        parents=tuple(filter(None, (father, mother))),
        spouse=spouse,
    )


def person_entry_batches(
    rows: Iterable[Mapping[str, Any]],
    *,
    today: date,
    iin_index: Callable[[str], str],
    size: int,
) -> Iterator[list[Parsed]]:
    """The rows parsed, `size` at a time; row numbers count the header as row 1."""
    batch: list[Parsed] = []
    known: dict[str, IinInfo] = {}  # IINs decoded lately, for the parent checks
    for row_number, raw in enumerate(rows, start=2):
        try:
            entry = person_entry_parse(
                raw, row_number=row_number, today=today, iin_index=iin_index, known=known
            )
        except (IinError, RowError) as exc:
            batch.append((row_number, exc.code, exc.message))
        else:
            batch.append(entry)
        if len(batch) >= size:
            yield batch
            batch = []
            if len(known) > 20 * size:
                known.clear()
    if batch:
        yield batch


class BatchLookahead:
    """The next parsed batch, read while the server is still storing the current one.

    On a large registry the server needs about as long to store a row as Python needs to read,
    validate and seal it. The writer hands the server a whole batch through `COPY`, then reads the
    next batch (`fetch`) before it waits for the server to finish: the two overlap. (A thread
    would not do: the GIL makes the writer wait up to a switch interval after every reply.)
    """

    def __init__(self, batches: Iterator[list[Parsed]]) -> None:
        self._batches = batches
        self._next: list[Parsed] | None = None
        self._fetched = False

    def fetch(self) -> None:
        if not self._fetched:
            self._next = next(self._batches, None)
            self._fetched = True

    def take(self) -> list[Parsed] | None:
        self.fetch()
        self._fetched = False
        return self._next
