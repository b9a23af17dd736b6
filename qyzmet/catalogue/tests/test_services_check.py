"""`manage.py services_check [DIR]`: one line per fault, exit status 1; else a count."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from qyzmet.catalogue.loader import SERVICES_DIR
from qyzmet.catalogue.tests.editing import edit

SERVICE_COUNT = len([p for p in SERVICES_DIR.glob("*.yaml") if not p.name.startswith("_")])


def test_the_published_catalogue_is_valid() -> None:
    out = StringIO()

    call_command("services_check", stdout=out)

    assert out.getvalue() == f"{SERVICE_COUNT} services are valid.\n"


def test_a_directory_argument(catalogue_dir: Path) -> None:
    out = StringIO()

    call_command("services_check", str(catalogue_dir), stdout=out)

    assert out.getvalue() == f"{SERVICE_COUNT} services are valid.\n"


def test_one_line_per_fault_and_status_1(catalogue_dir: Path, example: Path) -> None:
    # given
    def change(data: dict) -> None:
        data["agency"] = "ministry-of-magic"
        data["workflow"]["transitions"][2]["to"] = "nowhere"

    edit(example, change)
    out = StringIO()

    # when
    with pytest.raises(CommandError) as caught:
        call_command("services_check", str(catalogue_dir), stdout=out)

    # then: schema faults come before reference faults
    assert out.getvalue().splitlines() == [
        f"{example}: workflow.transitions[2].to: unknown state 'nowhere'",
        f"{example}: agency: unknown agency 'ministry-of-magic' (see _agencies.yaml)",
    ]
    assert caught.value.returncode == 1
    assert str(caught.value) == "2 faults in 1 file."


def test_reference_faults_are_listed(catalogue_dir: Path, example: Path) -> None:
    edit(example, lambda d: d.update(agency="ministry-of-magic", categories=["magic"]))
    other = catalogue_dir / "address-certificate.yaml"
    edit(other, lambda d: d.update(life_situations=["winning"]))
    out = StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("services_check", str(catalogue_dir), stdout=out)

    assert out.getvalue().splitlines() == [
        f"{other}: life_situations[0]: unknown life situation 'winning' (see _taxonomy.yaml)",
        f"{example}: agency: unknown agency 'ministry-of-magic' (see _agencies.yaml)",
        f"{example}: categories[0]: unknown category 'magic' (see _taxonomy.yaml)",
    ]
    assert str(caught.value) == "3 faults in 2 files."


def test_exit_status_from_the_command_line(
    catalogue_dir: Path, example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given: a valid catalogue, then a broken one
    ManagementUtility(["manage.py", "services_check", str(catalogue_dir)]).execute()
    assert capsys.readouterr().out == f"{SERVICE_COUNT} services are valid.\n"
    example.write_text("code: [\n", encoding="utf-8")

    # when
    with pytest.raises(SystemExit) as caught:
        ManagementUtility(["manage.py", "services_check", str(catalogue_dir)]).execute()

    # then
    assert caught.value.code == 1
    output = capsys.readouterr()
    assert output.out.startswith(f"{example}: line 2: YAML syntax error: ")
    assert output.err == "CommandError: 1 fault in 1 file.\n"


def test_an_iin_field_cannot_show_its_values_in_the_history(catalogue_dir: Path) -> None:
    example = catalogue_dir / "vehicle-re-registration.yaml"

    def change(data: dict) -> None:
        iin = next(i for i, f in enumerate(data["form"]) if f["type"] == "iin")
        data["form"][iin]["sensitive"] = False
        data["form"][0]["sensitive"] = "sometimes"

    edit(example, change)
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("services_check", str(catalogue_dir), stdout=out)

    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{example}: form[0].sensitive: ")
    assert lines[1].endswith(": a iin field is personal data: it cannot be sensitive: false")
