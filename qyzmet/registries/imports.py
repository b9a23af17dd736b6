"""Imports of the records other agencies' systems write: medical certificates (health care) and
exam results (the examination centres). Each import is one transaction and idempotent: a row is
keyed by the certificate number, or by (person, category, kind, day) for an exam, so a file
imported again changes nothing and a corrected file updates only the changed rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qyzmet.core.crypto import blind_index
from qyzmet.core.iin import IinError, iin_check
from qyzmet.core.importing import ImportReport, RejectedRow
from qyzmet.identity.models import Person
from qyzmet.registries import validation as rules
from qyzmet.registries.models import ExamResult, MedicalCertificate

MEDICAL_COLUMNS = ("iin", "number", "issued", "expires", "categories", "issuer")
EXAM_COLUMNS = ("iin", "category", "kind", "passed", "taken_on", "centre")

Record = TypeVar("Record", bound=models.Model)
Row = TypeVar("Row")

ROW_MESSAGES: dict[str, Promise] = {
    "iin": _("The IIN is not valid."),
    "person_unknown": _("No person with this IIN is in the population registry."),
    "date": _("A date is missing or not in the form YYYY-MM-DD."),
    "expires_before_issued": _("The certificate expires before it was issued."),
    "number_missing": _("The certificate number is required."),
    "number_duplicate": _("This certificate number appears more than once in the file."),
    "category_invalid": _("A category is not a driving licence category."),
    "kind_invalid": _("The exam kind must be theory or practice."),
    "passed_invalid": _("Passed must be yes or no."),
    "issuer_missing": _("The issuer (or the exam centre) is required."),
}
_YES = {"1", "yes", "true", "y", "да", "иә"}
_NO = {"0", "no", "false", "n", "нет", "жоқ"}


class _Row(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _date(text: str) -> date:
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise _Row("date")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Row("date") from None


def _people(rows: list[Mapping[str, Any]]) -> dict[str, Person]:
    """The people of the file, by IIN, asked of the database once per chunk."""
    by_index: dict[str, str] = {}
    for row in rows:
        iin = (row.get("iin") or "").strip()
        by_index[blind_index(iin, purpose="iin")] = iin
    found: dict[str, Person] = {}
    keys = list(by_index)
    for start in range(0, len(keys), 500):
        for person in Person.objects.filter(iin_index__in=keys[start : start + 500]):
            found[by_index[person.iin_index]] = person
    return found


def _person(row: Mapping[str, Any], people: dict[str, Person]) -> Person:
    iin = (row.get("iin") or "").strip()
    try:
        iin_check(iin)
    except IinError:
        raise _Row("iin") from None
    if iin not in people:
        raise _Row("person_unknown")
    return people[iin]


def _reject(report: ImportReport, number: int, code: str) -> None:
    report.rejected.append(RejectedRow(number, code, str(ROW_MESSAGES[code])))


def _upsert(
    report: ImportReport,
    model: type[Record],
    old: Record | None,
    *,
    keys: dict[str, Any],
    values: dict[str, Any],
) -> Record:
    """Create the record, or update the `values` that changed, and count which it was."""
    if old is None:
        report.created += 1
        return model._default_manager.create(**keys, **values)
    if all(getattr(old, name) == value for name, value in values.items()):
        report.unchanged += 1
        return old
    for name, value in values.items():
        setattr(old, name, value)
    old.save(update_fields=list(values))
    report.updated += 1
    return old


def _categories(text: str) -> list[str]:
    items = [item for item in text.replace(",", " ").split() if item]
    try:
        return rules.categories_normalise(items)
    except rules.RuleError:
        raise _Row("category_invalid") from None


def _each_valid(
    report: ImportReport, rows: list[Mapping[str, Any]], parse: Callable[[Mapping[str, Any]], Row]
) -> Iterator[Row]:
    """The rows parsed; a row that breaks a rule is rejected with its code and skipped."""
    for number, row in enumerate(rows, start=2):
        try:
            parsed = parse(row)
        except _Row as exc:
            _reject(report, number, exc.code)
            continue
        yield parsed


def _medical_row(
    row: Mapping[str, Any], people: dict[str, Person], seen: set[str]
) -> tuple[str, dict[str, Any]]:
    person = _person(row, people)
    cert = (row.get("number") or "").strip()
    if not cert:
        raise _Row("number_missing")
    if cert in seen:
        raise _Row("number_duplicate")
    issued = _date((row.get("issued") or "").strip())
    expires = _date((row.get("expires") or "").strip())
    if expires < issued:
        raise _Row("expires_before_issued")
    categories = _categories(row.get("categories") or "")
    issuer = (row.get("issuer") or "").strip()[:200]
    if not issuer:
        raise _Row("issuer_missing")
    values = {
        "person": person,
        "issued": issued,
        "expires": expires,
        "categories": categories,
        "issuer": issuer,
    }
    return cert, values


def medical_import(*, rows: Iterable[Mapping[str, Any]]) -> ImportReport:
    """Write medical certificates (columns `MEDICAL_COLUMNS`; categories space-separated)."""
    rows = list(rows)
    report = ImportReport()
    with transaction.atomic():
        people = _people(rows)
        numbers = [(r.get("number") or "").strip() for r in rows]
        existing = {m.number: m for m in MedicalCertificate.objects.filter(number__in=numbers)}
        seen: set[str] = set()
        for cert, values in _each_valid(report, rows, lambda row: _medical_row(row, people, seen)):
            seen.add(cert)
            _upsert(
                report, MedicalCertificate, existing.get(cert), keys={"number": cert}, values=values
            )
    return report


def _passed(text: str) -> bool:
    value = text.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise _Row("passed_invalid")


def _exam_row(
    row: Mapping[str, Any], people: dict[str, Person]
) -> tuple[tuple[Person, str, str, date], dict[str, Any]]:
    person = _person(row, people)
    try:
        category = rules.category_normalise(row.get("category") or "")
    except rules.RuleError:
        raise _Row("category_invalid") from None
    kind = (row.get("kind") or "").strip().lower()
    if kind not in ExamResult.Kind.values:
        raise _Row("kind_invalid")
    passed = _passed(row.get("passed") or "")
    taken_on = _date((row.get("taken_on") or "").strip())
    centre = (row.get("centre") or "").strip()[:200]
    if not centre:
        raise _Row("issuer_missing")
    return (person, category, kind, taken_on), {"passed": passed, "centre": centre}


def exams_import(*, rows: Iterable[Mapping[str, Any]]) -> ImportReport:
    """Write exam results (columns `EXAM_COLUMNS`; kind theory/practice, passed yes/no)."""
    rows = list(rows)
    report = ImportReport()
    with transaction.atomic():
        people = _people(rows)
        existing = {
            (e.person_id, e.category, e.kind, e.taken_on): e
            for e in ExamResult.objects.filter(person__in=list(people.values()))
        }
        for (person, category, kind, taken_on), values in _each_valid(
            report, rows, lambda row: _exam_row(row, people)
        ):
            key = (person.pk, category, kind, taken_on)
            existing[key] = _upsert(
                report,
                ExamResult,
                existing.get(key),
                keys={"person": person, "category": category, "kind": kind, "taken_on": taken_on},
                values=values,
            )
    return report
