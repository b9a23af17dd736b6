"""Reading the catalogue: YAML files in, validated definitions (or every fault) out.

A catalogue directory holds one `<code>.yaml` per service, `_agencies.yaml` (the agencies that
provide services), `_taxonomy.yaml` (categories and life situations) and `_synonyms.yaml` (the
words search treats as one). Loading reports every
fault it finds, each with its file and its location inside the document, and loads nothing if
there is one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from django.utils.translation import gettext_lazy as _
from pydantic import TypeAdapter, ValidationError

from qyzmet.catalogue.errors import ErrorCode
from qyzmet.catalogue.schema import (
    CODE_PATTERN,
    ConsistencyError,
    I18n,
    Loc,
    Model,
    ServiceDefinition,
    Slug,
)
from qyzmet.catalogue.search import SearchIndex, Synonyms, build_index, synonym_faults
from qyzmet.core.errors import QyzmetError

SERVICES_DIR = Path(__file__).resolve().parents[2] / "services"
AGENCIES_FILE = "_agencies.yaml"
TAXONOMY_FILE = "_taxonomy.yaml"
SYNONYMS_FILE = "_synonyms.yaml"
ROOT = "(root)"

T = TypeVar("T")


@dataclass(frozen=True)
class Fault:
    """One fault: the file, where in it (`workflow.transitions[2].to`), and why."""

    file: str
    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.reason}"


class DefinitionError(QyzmetError):
    code = ErrorCode.CATALOGUE_INVALID
    status = 500
    default_message = _("The service catalogue has errors.")

    def __init__(self, faults: Sequence[Fault]) -> None:
        self.faults = list(faults)
        super().__init__(details={"faults": [asdict(fault) for fault in self.faults]})

    def __str__(self) -> str:
        return "\n".join(str(fault) for fault in self.faults)


class Agency(Model):
    name: I18n
    short_name: I18n | None = None
    parent: Slug | None = None
    website: str | None = None


class Taxonomy(Model):
    categories: dict[Slug, I18n]
    life_situations: dict[Slug, I18n]


@dataclass(frozen=True)
class Catalogue:
    """A valid catalogue: services by code (in code order), agencies, the taxonomy and the
    search index."""

    services: Mapping[str, ServiceDefinition]
    agencies: Mapping[str, Agency]
    categories: Mapping[str, I18n]
    life_situations: Mapping[str, I18n]
    index: SearchIndex  # search, built once with the catalogue
    files: Mapping[str, str] = field(default_factory=dict)  # service code -> file

    def __len__(self) -> int:
        return len(self.services)

    def service(self, code: str) -> ServiceDefinition:
        """Raises KeyError for an unknown code."""
        return self.services[code]


def load_definition(path: Path) -> ServiceDefinition:
    """One service file, checked on its own (references to agencies and the taxonomy are checked
    by `load_catalogue`). Raises DefinitionError with every fault."""
    definition, _data, faults = _read_definition(path)
    if faults or definition is None:
        raise DefinitionError(faults)
    return definition


def load_catalogue(directory: Path) -> Catalogue:
    """Every service in `directory` with its references checked. Raises DefinitionError with
    every fault of every file."""
    if not directory.is_dir():
        raise DefinitionError([Fault(str(directory), ROOT, "not a directory")])
    faults: list[Fault] = []
    agencies = _read_model(directory / AGENCIES_FILE, TypeAdapter(dict[Slug, Agency]), faults)
    taxonomy = _read_model(directory / TAXONOMY_FILE, TypeAdapter(Taxonomy), faults)
    synonyms = _read_model(directory / SYNONYMS_FILE, TypeAdapter(Synonyms), faults)
    if agencies is not None:
        faults += _agency_faults(str(directory / AGENCIES_FILE), agencies)
    if synonyms is not None:
        file = str(directory / SYNONYMS_FILE)
        faults += [Fault(file, path, reason) for path, reason in synonym_faults(synonyms)]
    read: list[tuple[Path, ServiceDefinition]] = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith(("_", ".")) or not path.is_file():
            continue
        if path.suffix == ".yml":
            faults.append(Fault(str(path), ROOT, "name service files '<code>.yaml', not '.yml'"))
            continue
        if path.suffix != ".yaml":
            continue
        definition, data, file_faults = _read_definition(path)
        faults += file_faults
        # Checked on the raw data, so that they are reported even when the schema is not met.
        faults += _reference_faults(str(path), data, agencies, taxonomy)
        if definition is not None:
            read.append((path, definition))
    faults += _duplicate_faults(read)
    if faults or agencies is None or taxonomy is None or synonyms is None:
        raise DefinitionError(sorted(faults, key=lambda fault: fault.file))
    services = {definition.code: definition for _path, definition in read}
    return Catalogue(
        services=services,
        agencies=agencies,
        categories=taxonomy.categories,
        life_situations=taxonomy.life_situations,
        files={definition.code: str(path) for path, definition in read},
        index=build_index(
            services.values(), taxonomy.categories, taxonomy.life_situations, synonyms
        ),
    )


def _duplicate_faults(read: list[tuple[Path, ServiceDefinition]]) -> list[Fault]:
    """A code and version defined twice: the fault goes to the file not named after the code."""
    by_key: dict[tuple[str, int], list[Path]] = {}
    for path, definition in read:
        by_key.setdefault((definition.code, definition.version), []).append(path)
    faults: list[Fault] = []
    for (code, version), paths in by_key.items():
        owner = next((path for path in paths if path.name == f"{code}.yaml"), paths[0])
        faults += [
            Fault(str(path), "code", f"'{code}' version {version} is already defined in {owner}")
            for path in paths
            if path != owner
        ]
    return faults


def _read_definition(
    path: Path,
) -> tuple[ServiceDefinition | None, dict[str, Any], list[Fault]]:
    file = str(path)
    data, faults = _read_yaml(path)
    if faults:
        return None, data, faults
    code = data.get("code")
    if isinstance(code, str) and CODE_PATTERN.fullmatch(code) and path.name != f"{code}.yaml":
        faults.append(Fault(file, "code", f"the file must be named '{code}.yaml'"))
    try:
        definition = ServiceDefinition.model_validate(data)
    except ValidationError as error:
        return None, data, faults + _validation_faults(file, error)
    return definition, data, faults


def _read_model(path: Path, adapter: TypeAdapter[T], faults: list[Fault]) -> T | None:
    if not path.is_file():
        faults.append(Fault(str(path), ROOT, "the file is missing"))
        return None
    data, read_faults = _read_yaml(path)
    if read_faults:
        faults += read_faults
        return None
    try:
        return adapter.validate_python(data)
    except ValidationError as error:
        faults += _validation_faults(str(path), error)
        return None


def _agency_faults(file: str, agencies: Mapping[str, Agency]) -> list[Fault]:
    return [
        Fault(file, f"{code}.parent", f"unknown agency '{agency.parent}'")
        for code, agency in agencies.items()
        if agency.parent is not None and agency.parent not in agencies
    ]


def _reference_faults(
    file: str,
    data: Mapping[str, Any],
    agencies: Mapping[str, Agency] | None,
    taxonomy: Taxonomy | None,
) -> list[Fault]:
    """Names of agencies, categories and life situations that the catalogue does not define.
    Values of the wrong type are left to the schema, which reports them."""
    faults: list[Fault] = []
    agency = data.get("agency")
    if agencies is not None and isinstance(agency, str) and agency not in agencies:
        faults.append(Fault(file, "agency", f"unknown agency '{agency}' (see {AGENCIES_FILE})"))
    if taxonomy is None:
        return faults
    for key, known, noun in (
        ("categories", taxonomy.categories, "category"),
        ("life_situations", taxonomy.life_situations, "life situation"),
    ):
        values = data.get(key)
        if not isinstance(values, list):
            continue
        faults += [
            Fault(file, f"{key}[{index}]", f"unknown {noun} '{value}' (see {TAXONOMY_FILE})")
            for index, value in enumerate(values)
            if isinstance(value, str) and value not in known
        ]
    return faults


# YAML ------------------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML with two traps closed: a key written twice is an error (not "the last wins"),
    and only true/false are booleans, so a country code NO or an answer `yes` stays text."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first_line: dict[str, int] = {}
        for key_node, _value in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                continue
            if key_node.value in first_line:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key '{key_node.value}' is written twice "
                    f"(first on line {first_line[key_node.value]})",
                    key_node.start_mark,
                )
            first_line[key_node.value] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


_BOOL = "tag:yaml.org,2002:bool"
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _read_yaml(path: Path) -> tuple[dict[str, Any], list[Fault]]:
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return {}, [Fault(file, ROOT, "the file is not UTF-8 text")]
    except OSError as error:
        return {}, [Fault(file, ROOT, f"cannot be read: {error.strerror}")]
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "unreadable"
        if not isinstance(error, yaml.constructor.ConstructorError):
            problem = f"YAML syntax error: {problem}"
        return {}, [Fault(file, f"line {line}" if line else ROOT, problem, line)]
    except yaml.YAMLError as error:
        return {}, [Fault(file, ROOT, f"YAML error: {error}")]
    if data is None:
        return {}, [Fault(file, ROOT, "the file is empty")]
    if not isinstance(data, dict):
        return {}, [Fault(file, ROOT, f"expected a mapping of keys, found {_kind(data)}")]
    return data, []


def _kind(data: Any) -> str:
    return "a list" if isinstance(data, list) else f"a single value ({data!r})"


# Pydantic errors -------------------------------------------------------------------------------

_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
_REASONS = {
    "missing": "required",
    "extra_forbidden": "unknown key (keys are case-sensitive)",
}


def _validation_faults(file: str, error: ValidationError) -> list[Fault]:
    faults: list[Fault] = []
    for item in error.errors(include_url=False):
        loc: Loc = tuple(item["loc"])
        cause = item.get("ctx", {}).get("error")
        if isinstance(cause, ConsistencyError):
            faults += [Fault(file, loc_path((*loc, *at)), reason) for at, reason in cause.faults]
            continue
        if item["type"] == "value_error" and cause is not None:
            reason = str(cause)
        else:
            reason = _REASONS.get(item["type"], item["msg"])
        if "[key]" in loc:
            loc = tuple(part for part in loc if part != "[key]")
            reason = f"invalid key: {reason}"
        faults.append(Fault(file, loc_path(loc), reason))
    return faults


def loc_path(loc: Loc) -> str:
    """("workflow", "transitions", 2, "to") -> "workflow.transitions[2].to"."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _PLAIN_SEGMENT.fullmatch(part):
            path += f".{part}" if path else part
        else:
            path += f"[{json.dumps(part, ensure_ascii=False)}]"
    return path or ROOT
