"""A broken catalogue copy gives the file, the place in it and the reason, for every fault."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qyzmet.catalogue.loader import DefinitionError, Fault, load_catalogue, load_definition
from qyzmet.catalogue.tests.editing import LABEL, edit, line_of, replace_text


def faults_of(directory: Path) -> list[Fault]:
    with pytest.raises(DefinitionError) as caught:
        load_catalogue(directory)
    return caught.value.faults


def test_unknown_state_in_a_transition(catalogue_dir: Path, example: Path) -> None:
    # given: the officer's "issue" transition leads nowhere
    edit(example, lambda d: d["workflow"]["transitions"][2].update(to="nowhere"))

    # when / then
    assert faults_of(catalogue_dir) == [
        Fault(str(example), "workflow.transitions[2].to", "unknown state 'nowhere'")
    ]


def test_unknown_state_in_a_from_list(catalogue_dir: Path, example: Path) -> None:
    edit(
        example,
        lambda d: d["workflow"]["transitions"][8].update(
            {"from": ["submitted", "in_reveiw", "correction", "hearing"]}
        ),
    )

    assert faults_of(catalogue_dir) == [
        Fault(str(example), "workflow.transitions[8].from", "unknown state 'in_reveiw'")
    ]


def test_unreachable_state(catalogue_dir: Path, example: Path) -> None:
    # given: a state that nothing leads to
    def change(data: dict) -> None:
        data["workflow"]["states"]["archived"] = {"label": LABEL}
        data["workflow"]["transitions"].append(
            {
                "name": "discard",
                "from": "archived",
                "to": "withdrawn",
                "role": "officer",
                "label": LABEL,
            }
        )

    edit(example, change)

    assert faults_of(catalogue_dir) == [
        Fault(
            str(example),
            "workflow.states.archived",
            "unreachable from the initial state 'submitted'",
        )
    ]


def test_state_with_no_way_to_an_end(catalogue_dir: Path, example: Path) -> None:
    # given: an officer can park an application where nothing leads on
    def change(data: dict) -> None:
        data["workflow"]["states"]["parked"] = {"label": LABEL}
        data["workflow"]["transitions"].append(
            {"name": "park", "from": "in_review", "to": "parked", "role": "officer", "label": LABEL}
        )

    edit(example, change)

    assert faults_of(catalogue_dir) == [
        Fault(str(example), "workflow.states.parked", "no way from this state to a final state")
    ]


def test_unknown_agency(catalogue_dir: Path, example: Path) -> None:
    edit(example, lambda d: d.update(agency="ministry-of-magic"))

    assert faults_of(catalogue_dir) == [
        Fault(str(example), "agency", "unknown agency 'ministry-of-magic' (see _agencies.yaml)")
    ]


def test_unknown_category_and_life_situation(catalogue_dir: Path, example: Path) -> None:
    edit(
        example,
        lambda d: d.update(
            categories=["certificates", "magic"], life_situations=["winning-the-lottery"]
        ),
    )

    assert faults_of(catalogue_dir) == [
        Fault(str(example), "categories[1]", "unknown category 'magic' (see _taxonomy.yaml)"),
        Fault(
            str(example),
            "life_situations[0]",
            "unknown life situation 'winning-the-lottery' (see _taxonomy.yaml)",
        ),
    ]


def test_unknown_form_key_in_show_if(catalogue_dir: Path, example: Path) -> None:
    edit(example, lambda d: d["form"][1]["show_if"].update(field="porpose"))

    assert faults_of(catalogue_dir) == [
        Fault(str(example), "form[1].show_if.field", "unknown form key 'porpose'")
    ]


def test_show_if_value_that_is_not_an_option(catalogue_dir: Path, example: Path) -> None:
    edit(example, lambda d: d["form"][1]["show_if"].update(equals="others"))

    assert faults_of(catalogue_dir) == [
        Fault(
            str(example),
            "form[1].show_if.equals",
            "'others' is not an option of 'purpose' (employment, travel, adoption, other)",
        )
    ]


def test_select_without_options(catalogue_dir: Path, example: Path) -> None:
    edit(example, lambda d: d["form"][0].pop("options"))

    assert faults_of(catalogue_dir) == [
        Fault(str(example), "form[0]", "a select field needs options")
    ]


def test_bad_yaml_syntax_gives_the_line(catalogue_dir: Path, example: Path) -> None:
    line = line_of(example, "version: 1")
    replace_text(example, "version: 1\n", "version: 1: 2\n")

    assert faults_of(catalogue_dir) == [
        Fault(
            str(example),
            f"line {line}",
            "YAML syntax error: mapping values are not allowed here",
            line,
        )
    ]


def test_a_key_written_twice_is_a_fault(catalogue_dir: Path, example: Path) -> None:
    first = line_of(example, "payment: none")
    replace_text(example, "payment: none\n", "payment: none\npayment: before_submit\n")

    assert faults_of(catalogue_dir) == [
        Fault(
            str(example),
            f"line {first + 1}",
            f"the key 'payment' is written twice (first on line {first})",
            first + 1,
        )
    ]


def test_duplicate_code(catalogue_dir: Path, example: Path) -> None:
    copy = catalogue_dir / "criminal-record-certificate-2.yaml"
    shutil.copy(example, copy)

    assert faults_of(catalogue_dir) == [
        Fault(str(copy), "code", "the file must be named 'criminal-record-certificate.yaml'"),
        Fault(
            str(copy),
            "code",
            f"'criminal-record-certificate' version 1 is already defined in {example}",
        ),
    ]


def test_every_fault_in_every_file_is_reported(catalogue_dir: Path, example: Path) -> None:
    # given: three faults in one file, one in another, and a misnamed file
    def change(data: dict) -> None:
        data["workflow"]["transitions"][2]["to"] = "nowhere"
        data["form"][1]["show_if"]["field"] = "porpose"
        data["categories"] = ["magic"]

    edit(example, change)
    other = catalogue_dir / "address-certificate.yaml"
    edit(other, lambda d: d.update(agency="ministry-of-magic"))
    (catalogue_dir / "passport-issue.yaml").rename(catalogue_dir / "passport.yml")

    # when / then: sorted by file, in document order inside a file
    assert faults_of(catalogue_dir) == [
        Fault(str(other), "agency", "unknown agency 'ministry-of-magic' (see _agencies.yaml)"),
        Fault(str(example), "form[1].show_if.field", "unknown form key 'porpose'"),
        Fault(str(example), "workflow.transitions[2].to", "unknown state 'nowhere'"),
        Fault(str(example), "categories[0]", "unknown category 'magic' (see _taxonomy.yaml)"),
        Fault(
            str(catalogue_dir / "passport.yml"),
            "(root)",
            "name service files '<code>.yaml', not '.yml'",
        ),
    ]


def test_structural_faults_are_all_reported(catalogue_dir: Path, example: Path) -> None:
    def change(data: dict) -> None:
        data["name"].pop("kk")
        data["workflow"]["states"]["in_review"]["colour"] = "red"
        data["fee"]["mci"] = -1
        data["channels"] = ["online", "by_pigeon"]

    edit(example, change)

    faults = faults_of(catalogue_dir)

    assert [(fault.file, fault.path) for fault in faults] == [
        (str(example), "name.kk"),
        (str(example), "channels[1]"),
        (str(example), "fee.mci"),
        (str(example), "workflow.states.in_review.colour"),
    ]
    assert faults[0].reason == "required"
    assert faults[3].reason == "unknown key (keys are case-sensitive)"


def test_invalid_state_name_points_at_the_key(catalogue_dir: Path, example: Path) -> None:
    edit(example, lambda d: d["workflow"]["states"].update({"On Hold": {"label": LABEL}}))

    assert faults_of(catalogue_dir) == [
        Fault(
            str(example),
            'workflow.states["On Hold"]',
            "invalid key: must be lowercase Latin letters, digits and underscores, starting with "
            "a letter (like 'birth_date')",
        )
    ]


def test_missing_taxonomy_and_unknown_parent_agency(catalogue_dir: Path) -> None:
    (catalogue_dir / "_taxonomy.yaml").unlink()
    edit(catalogue_dir / "_agencies.yaml", lambda d: d["gp-legal-statistics"].update(parent="gpo"))

    assert faults_of(catalogue_dir) == [
        Fault(
            str(catalogue_dir / "_agencies.yaml"),
            "gp-legal-statistics.parent",
            "unknown agency 'gpo'",
        ),
        Fault(str(catalogue_dir / "_taxonomy.yaml"), "(root)", "the file is missing"),
    ]


def test_not_a_directory(tmp_path: Path) -> None:
    assert faults_of(tmp_path / "nothing") == [
        Fault(str(tmp_path / "nothing"), "(root)", "not a directory")
    ]


def test_empty_file_and_list_file(catalogue_dir: Path, example: Path) -> None:
    example.write_text("", encoding="utf-8")
    listed = catalogue_dir / "address-certificate.yaml"
    listed.write_text("- one\n- two\n", encoding="utf-8")

    assert faults_of(catalogue_dir) == [
        Fault(str(listed), "(root)", "expected a mapping of keys, found a list"),
        Fault(str(example), "(root)", "the file is empty"),
    ]


@pytest.mark.parametrize(
    ("change", "path", "reason"),
    [
        pytest.param(
            lambda d: d["workflow"]["transitions"].append(
                {
                    "name": "reopen",
                    "from": "issued",
                    "to": "in_review",
                    "role": "officer",
                    "label": LABEL,
                }
            ),
            "workflow.transitions[9].from",
            "'issued' is a final state: no transition leaves it",
            id="final-state-left",
        ),
        pytest.param(
            lambda d: d["workflow"].update(initial="draft"),
            "workflow.initial",
            "unknown state 'draft'",
            id="unknown-initial",
        ),
        pytest.param(
            lambda d: d["workflow"]["transitions"][0].update(checks=["no_records"]),
            "workflow.transitions[0].checks[0]",
            "unknown check 'no_records'",
            id="unknown-check",
        ),
        pytest.param(
            lambda d: d["workflow"]["transitions"].insert(
                1,
                {
                    "name": "shortcut",
                    "from": "submitted",
                    "to": "in_review",
                    "role": "system",
                    "auto": True,
                    "label": LABEL,
                },
            ),
            "workflow.transitions[2].auto",
            "never runs: an earlier automatic transition from 'submitted' has no checks and "
            "is always taken",
            id="shadowed-auto",
        ),
        pytest.param(
            lambda d: d["workflow"]["transitions"].append(
                {
                    "name": "issue",
                    "from": "in_review",
                    "to": "refused",
                    "role": "officer",
                    "label": LABEL,
                }
            ),
            "workflow.transitions[9].name",
            "another transition from 'in_review' is already called 'issue'",
            id="duplicate-transition-name",
        ),
        pytest.param(
            lambda d: d["fee"].update(mci=0.5),
            "payment",
            "the service has a fee, so payment cannot be 'none'",
            id="fee-without-payment",
        ),
        pytest.param(
            lambda d: d["form"].append(dict(d["form"][1], show_if=None)),
            "form[2].key",
            "'purpose_other' is already the key of form[1]",
            id="duplicate-form-key",
        ),
        pytest.param(
            lambda d: d["prefill"].append(
                {"key": "purpose", "source": "person.iin", "label": LABEL}
            ),
            "prefill[3].key",
            "'purpose' is also a form key",
            id="prefill-clashes-with-form",
        ),
        pytest.param(
            lambda d: (
                d["fee"].update(
                    conditions=[{"when": {"field": "urgent", "equals": True}, "mci": 1}]
                )
                or d.update(payment="before_submit")
            ),
            "fee.conditions[0].when.field",
            "unknown form key 'urgent'",
            id="fee-rule-unknown-field",
        ),
        pytest.param(
            lambda d: d["result"].update(
                registry_change={
                    "registry": "person",
                    "action": "note",
                    "fields": {"purpose": "reason"},
                }
            ),
            "result.registry_change.fields.purpose",
            "unknown form or prefill key 'reason'",
            id="registry-change-unknown-key",
        ),
        pytest.param(
            lambda d: d["workflow"]["states"]["issued"].update(outcome="refused"),
            "workflow.states",
            "no final state has the outcome 'approved'",
            id="no-approved-outcome",
        ),
    ],
)
def test_consistency_rules(
    catalogue_dir: Path, example: Path, change: object, path: str, reason: str
) -> None:
    edit(example, change)  # type: ignore[arg-type]

    assert faults_of(catalogue_dir) == [Fault(str(example), path, reason)]


def test_grounds_need_refusal_grounds(catalogue_dir: Path, example: Path) -> None:
    edit(example, lambda d: d.update(refusal_grounds=[]))

    assert faults_of(catalogue_dir) == [
        Fault(
            str(example),
            "workflow.transitions[5].requires",
            "requires grounds, but refusal_grounds is empty",
        ),
        Fault(
            str(example),
            "workflow.transitions[7].requires",
            "requires grounds, but refusal_grounds is empty",
        ),
    ]


def test_load_definition_checks_one_file_without_references(example: Path) -> None:
    # given: an agency the catalogue does not know, which only load_catalogue checks
    edit(example, lambda d: d.update(agency="ministry-of-magic"))

    definition = load_definition(example)

    assert definition.agency == "ministry-of-magic"


def test_load_definition_raises_every_fault_of_the_file(example: Path) -> None:
    edit(example, lambda d: d["workflow"]["transitions"][2].update(to="nowhere"))

    with pytest.raises(DefinitionError) as caught:
        load_definition(example)

    assert caught.value.faults == [
        Fault(str(example), "workflow.transitions[2].to", "unknown state 'nowhere'")
    ]
    assert str(caught.value) == f"{example}: workflow.transitions[2].to: unknown state 'nowhere'"
    assert caught.value.as_dict()["details"] == {
        "faults": [
            {
                "file": str(example),
                "path": "workflow.transitions[2].to",
                "reason": "unknown state 'nowhere'",
                "line": None,
            }
        ]
    }


def test_yes_and_no_stay_text(example: Path) -> None:
    # given: YAML 1.1 would read an unquoted `no` as false (the "Norway problem")
    replace_text(example, "      - value: other\n", "      - value: no\n")
    replace_text(
        example, "show_if: {field: purpose, equals: other}", "show_if: {field: purpose, equals: no}"
    )

    definition = load_definition(example)

    assert definition.form[0].options[3].value == "no"
    assert definition.form[1].show_if is not None
    assert definition.form[1].show_if.equals == "no"
