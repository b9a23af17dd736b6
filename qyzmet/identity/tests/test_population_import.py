import csv
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from qyzmet.core.crypto import blind_index
from qyzmet.core.iin import iin_check, iin_make
from qyzmet.identity import population, population_store
from qyzmet.identity.models import Person
from qyzmet.identity.population import (
    ImportReport,
    PopulationImportRejected,
    RejectedRow,
    population_import,
)
from qyzmet.identity.population_rows import COLUMNS

pytestmark = pytest.mark.django_db


def _iin(birth: str, sex: str, serial: int) -> str:
    day = date.fromisoformat(birth)
    while (iin := iin_make(day, sex, serial)) is None:  # type: ignore[arg-type]
        serial += 1
    return iin


FATHER = _iin("1980-04-12", "M", 101)
MOTHER = _iin("1983-09-30", "F", 102)
CHILD = _iin("2012-01-20", "M", 103)
GRANDMOTHER = _iin("1950-05-05", "F", 104)
SINGLE = _iin("1991-07-07", "F", 105)


def _row(person: str, **fields: str) -> dict[str, str]:
    """A valid row for the person with this IIN, with `fields` changed."""
    iin = person
    info = iin_check(iin)
    row = {
        "iin": iin,
        "surname": "Ахметов" if info.sex == "M" else "Ахметова",
        "given_name": "Нұрлан" if info.sex == "M" else "Айгүл",
        "patronymic": "",
        "surname_latin": "",
        "given_name_latin": "",
        "birth_date": info.birth_date.isoformat(),
        "sex": info.sex,
        "citizenship": "KAZ",
        "region": "09",
        "settlement": "Караганда",
        "street": "ул. Абая, 12",
        "status": "living",
        "death_date": "",
        "father_iin": "",
        "mother_iin": "",
    }
    row.update(fields)
    return row


def _family() -> list[dict[str, str]]:
    """The child comes before both parents, so the import has to hold it back."""
    return [
        _row(CHILD, father_iin=FATHER, mother_iin=MOTHER, patronymic="Нұрланұлы"),
        _row(FATHER),
        _row(MOTHER),
        _row(GRANDMOTHER, status="deceased", death_date="2020-02-02"),
    ]


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _person(iin: str) -> Person:
    return Person.objects.get(iin_index=blind_index(iin, purpose="iin"))


def _import(path: Path, *args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("population_import", str(path), *args, stdout=out, verbosity=0)
    return out.getvalue()


def _bad_rows() -> list[dict[str, str]]:
    return [
        _row(FATHER, iin=FATHER[:11] + str((int(FATHER[11]) + 1) % 10)),  # row 6: a typo
        _row(SINGLE, sex="M"),  # row 7: the IIN says female
        _row(_iin("1970-01-01", "M", 106), region="21"),  # row 8: no such region
        _row(_iin("2015-03-03", "F", 107), father_iin=_iin("1975-03-03", "M", 108)),  # row 9
    ]


def test_the_command_imports_valid_rows_and_reports_rejected_ones(tmp_path: Path) -> None:
    # given four good rows (child first) and four bad ones
    path = _write_csv(tmp_path / "people.csv", _family() + _bad_rows())
    report = tmp_path / "rejected.csv"

    # when
    output = _import(path, "--report", str(report))

    # then
    assert output.splitlines()[0].startswith("created 4, updated 0, unchanged 0, rejected 4 in ")
    assert output.splitlines()[1:] == [
        "  row 6: iin_checksum: This IIN has a typo: its last digit does not match the others.",
        "  row 7: iin_mismatch: This IIN does not match the date of birth and sex.",
        "  row 8: region: The region must be a two-digit code from 01 to 20.",
        "  row 9: parent_unknown: The father or the mother is neither in the registry nor in "
        "this file.",
    ]
    with report.open(encoding="utf-8") as handle:
        assert [(r["row_number"], r["code"]) for r in csv.DictReader(handle)] == [
            ("6", "iin_checksum"),
            ("7", "iin_mismatch"),
            ("8", "region"),
            ("9", "parent_unknown"),
        ]
    assert Person.objects.count() == 4


def test_a_child_is_linked_to_parents_that_come_later_in_the_file(tmp_path: Path) -> None:
    _import(_write_csv(tmp_path / "people.csv", _family()))

    child, father, mother = _person(CHILD), _person(FATHER), _person(MOTHER)

    assert (child.father_id, child.mother_id) == (father.pk, mother.pk)
    assert (father.father_id, father.mother_id) == (None, None)
    assert child.full_name == "Ахметов Нұрлан Нұрланұлы"
    assert _person(GRANDMOTHER).status == "deceased"
    assert _person(GRANDMOTHER).death_date == date(2020, 2, 2)


def test_a_parent_already_in_the_registry_is_linked() -> None:
    population_import(rows=[_row(MOTHER)])

    report = population_import(rows=[_row(CHILD, mother_iin=MOTHER)])

    assert (report.created, report.rejected) == (1, [])
    assert _person(CHILD).mother_id == _person(MOTHER).pk


def test_importing_the_same_file_again_changes_nothing(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "people.csv", _family())
    _import(path)
    before = {p.pk: (p.updated_at, p.surname) for p in Person.objects.all()}

    output = _import(path)

    assert output.startswith("created 0, updated 0, unchanged 4, rejected 0 in ")
    assert {p.pk: (p.updated_at, p.surname) for p in Person.objects.all()} == before


def test_a_corrected_file_updates_only_the_changed_people() -> None:
    first = population_import(rows=_family())
    created_at = _person(FATHER).created_at
    rows = _family()
    rows[1]["street"] = "пр. Бухар жырау, 40"  # the father moved
    rows[0]["mother_iin"] = ""  # the child's mother link is withdrawn

    second = population_import(rows=rows)

    assert (first.created, first.updated) == (4, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 2, 2)
    father = _person(FATHER)
    assert father.street == "пр. Бухар жырау, 40"
    assert father.created_at == created_at
    assert father.updated_at > created_at
    assert _person(CHILD).mother_id is None
    assert _person(MOTHER).updated_at == _person(MOTHER).created_at
    assert Person.objects.count() == 4


def test_strict_imports_nothing_when_a_row_is_rejected(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "people.csv", _family() + _bad_rows()[:1])

    with pytest.raises(CommandError, match="1 rows rejected and --strict given"):
        _import(path, "--strict")

    assert Person.objects.count() == 0


def test_strict_raises_with_the_report() -> None:
    with pytest.raises(PopulationImportRejected) as caught:
        population_import(rows=[_row(FATHER), _row(SINGLE, region="00")], strict=True)

    assert caught.value.code == "population_import_rejected"
    assert caught.value.report.created == 1  # what it would have done
    assert [(r.row_number, r.code) for r in caught.value.report.rejected] == [(3, "region")]
    assert Person.objects.count() == 0


def test_a_failure_half_way_leaves_the_registry_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    # given batches of two rows, and a database write that fails on the second batch
    monkeypatch.setattr(population, "BATCH_SIZE", 2)
    calls: list[int] = []
    insert = population_store.PopulationStore.insert

    def failing_insert(self: Any, items: Any) -> None:
        calls.append(len(items))
        if len(calls) == 2:
            raise RuntimeError("the disk is full")
        insert(self, items)

    monkeypatch.setattr(population_store.PopulationStore, "insert", failing_insert)
    rows = [_row(FATHER), _row(MOTHER), _row(SINGLE), _row(GRANDMOTHER)]

    # when
    with pytest.raises(RuntimeError, match="the disk is full"):
        population_import(rows=rows)

    # then the first batch was written and then rolled back with everything else
    assert calls == [2, 2]
    assert Person.objects.count() == 0


def test_small_batches_give_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(population, "BATCH_SIZE", 1)
    progress: list[int] = []

    report = population_import(rows=_family() + _bad_rows(), progress=progress.append)

    assert (report.created, len(report.rejected)) == (4, 4)
    assert sum(progress) == 8
    assert _person(CHILD).father_id == _person(FATHER).pk


def test_names_and_iin_are_stored_encrypted() -> None:
    population_import(rows=[_row(FATHER, patronymic="Серікұлы")])

    with connection.cursor() as cursor:
        cursor.execute("SELECT iin, surname, given_name, patronymic, street FROM identity_person")
        raw = cursor.fetchone()

    assert all(value.startswith("v1$") for value in raw)
    assert FATHER not in raw[0]
    assert "Ахметов" not in raw[1]
    person = _person(FATHER)
    assert (person.iin, person.surname, person.patronymic) == (FATHER, "Ахметов", "Серікұлы")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"surname": " "}, "name_missing"),
        ({"birth_date": "12.04.1980"}, "birth_date"),
        ({"sex": "X"}, "sex"),
        ({"citizenship": "KZ"}, "citizenship"),
        ({"status": "missing"}, "status"),
        ({"death_date": "2020-01-01"}, "death_date"),  # given for a living person
        ({"father_iin": "123"}, "parent_iin"),
        ({"mother_iin": FATHER}, "parent_sex"),
        ({"father_iin": CHILD}, "parent_age"),
    ],
)
def test_each_rule_has_its_code(fields: dict[str, str], code: str) -> None:
    report = population_import(rows=[_row(FATHER, **fields)])

    assert [(r.row_number, r.code) for r in report.rejected] == [(2, code)]
    assert Person.objects.count() == 0


def test_a_repeated_iin_in_one_file_is_rejected_after_the_first() -> None:
    with translation.override("en"):
        report = population_import(rows=[_row(FATHER), _row(MOTHER), _row(FATHER, region="01")])

    assert report == ImportReport(
        created=2,
        updated=0,
        rejected=[RejectedRow(4, "iin_duplicate", "This IIN appears more than once in the file.")],
    )
    assert _person(FATHER).region == "09"


def test_the_command_refuses_a_file_it_cannot_use(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        _import(tmp_path / "missing.csv")
    bad_header = tmp_path / "header.csv"
    bad_header.write_text("iin,surname,given_nme\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing columns: given_name, birth_date"):
        _import(bad_header)
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(",".join(COLUMNS).encode() + b"\n\xff\xfe\n")
    with pytest.raises(CommandError, match="Cannot read"):
        _import(latin1)
    assert Person.objects.count() == 0


def test_a_row_with_more_fields_than_the_header_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        ",".join(COLUMNS) + "\n" + ",".join(_row(FATHER).values()) + ",extra\n", encoding="utf-8"
    )

    output = _import(path)

    assert output.startswith("created 0, updated 0, unchanged 0, rejected 1 in ")
    assert "row 2: columns:" in output


def test_ids_are_never_reused_and_the_orm_carries_on_after_an_import() -> None:
    population_import(rows=[_row(FATHER), _row(MOTHER)])
    deleted = _person(MOTHER).pk
    Person.objects.filter(pk=deleted).delete()

    population_import(rows=[_row(SINGLE)])
    later = Person.objects.create(
        iin_index="x" * 64, iin="x", surname="x", given_name="x", birth_date=date(2000, 1, 1),
        sex="M", region="01",
    )  # fmt: skip

    assert deleted < _person(SINGLE).pk < later.pk


def test_spouses_are_linked_whichever_row_comes_first() -> None:
    # given a couple naming each other, the husband's row first, in batches of one row
    rows = [_row(FATHER, spouse_iin=MOTHER), _row(MOTHER, spouse_iin=FATHER), _row(SINGLE)]

    report = population_import(rows=rows)

    assert (report.created, report.rejected) == (3, [])
    assert _person(FATHER).spouse_id == _person(MOTHER).pk
    assert _person(MOTHER).spouse_id == _person(FATHER).pk
    assert _person(SINGLE).spouse_id is None


def test_a_spouse_already_in_the_registry_is_linked_and_a_divorce_unlinks() -> None:
    population_import(rows=[_row(MOTHER)])
    population_import(rows=[_row(FATHER, spouse_iin=MOTHER)])
    assert _person(FATHER).spouse_id == _person(MOTHER).pk

    again = population_import(rows=[_row(FATHER)])  # the row names no spouse any more

    assert (again.unchanged, again.rejected) == (1, [])
    assert _person(FATHER).spouse_id is None


@pytest.mark.parametrize(
    ("spouse", "code"), [("123", "spouse_iin"), (FATHER, "spouse_iin"), (SINGLE, "spouse_unknown")]
)
def test_a_spouse_that_cannot_be_linked_is_reported(spouse: str, code: str) -> None:
    report = population_import(rows=[_row(FATHER, spouse_iin=spouse)])

    assert [(r.row_number, r.code) for r in report.rejected] == [(2, code)]
    assert Person.objects.filter(spouse__isnull=False).count() == 0


def test_strict_imports_nothing_when_a_spouse_is_unknown() -> None:
    with pytest.raises(PopulationImportRejected):
        population_import(rows=[_row(FATHER, spouse_iin=SINGLE)], strict=True)

    assert Person.objects.count() == 0
