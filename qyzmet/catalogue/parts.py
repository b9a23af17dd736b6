"""The parts of a service definition (see `qyzmet.catalogue.schema`): names, conditions, fees,
the form, the workflow and the result, and `ServiceFields`, every field of a definition before
the rules between them are checked.

Every model is frozen and forbids unknown keys, so a typo in a key is an error and not a silently
ignored setting.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

# The registries a condition, a check or a prefill may read. Others (tax, health, courts…) arrive
# with their own issues and are added here then.
REGISTRIES = ("person", "vehicle", "licence", "medical", "exam", "address")
# Registries whose record an application names through one of its form fields (see record_keys).
KEYED_REGISTRIES = ("vehicle", "address")
LANGUAGES = ("kk", "ru", "en")

Loc = tuple[str | int, ...]

CODE_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # codes of services, agencies…
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_REGISTRY_PATH = re.compile(r"[a-z]+(?:\.[a-z0-9_]+)+")
_COUNTRY = re.compile(r"[A-Z]{3}")


def _text(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _matching(pattern: re.Pattern[str], rule: str) -> Callable[[str], str]:
    """A validator: the whole value matches `pattern`, or it fails saying `rule`."""

    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(rule)
        return value

    return check


_slug = _matching(
    CODE_PATTERN,
    "must be lowercase Latin letters and digits separated by single hyphens "
    "(like 'vehicle-registration')",
)
_name = _matching(
    _NAME,
    "must be lowercase Latin letters, digits and underscores, starting with a letter "
    "(like 'birth_date')",
)
_country = _matching(_COUNTRY, "must be an ISO 3166-1 alpha-3 country code like 'KAZ'")
_dotted_path = _matching(_REGISTRY_PATH, "must be a dotted registry path like 'person.age'")


def _registry_path(value: str) -> str:
    registry = _dotted_path(value).split(".", 1)[0]
    if registry not in REGISTRIES:
        raise ValueError(f"unknown registry '{registry}' (known: {', '.join(REGISTRIES)})")
    return value


def _pattern(value: str) -> str:
    try:
        re.compile(value)
    except re.error as error:
        raise ValueError(f"is not a valid regular expression: {error}") from None
    return value


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _unique(values: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for value in values:
        if value in seen:
            raise ValueError(f"'{value}' is listed twice")
        seen.append(value)
    return values


Text = Annotated[str, AfterValidator(_text)]
Slug = Annotated[str, AfterValidator(_slug)]
Name = Annotated[str, AfterValidator(_name)]
RegistryPath = Annotated[str, AfterValidator(_registry_path)]
Country = Annotated[str, AfterValidator(_country)]
NonNegative = Annotated[int, Field(ge=0)]
Positive = Annotated[int, Field(ge=1)]
Mci = Annotated[Decimal, Field(ge=0)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class I18n(Model):
    """A text in the three languages of the platform; every one is required."""

    kk: Text
    ru: Text
    en: Text

    def get(self, language: str) -> str:
        """The text in `language` ("kk", "ru", "en", also "ru-RU", "kk_KZ"); Russian, then
        English, when the language is not one of ours."""
        base = language.lower().replace("_", "-").split("-", 1)[0]
        for candidate in (base, "ru", "en"):
            if candidate in LANGUAGES:
                text: str = getattr(self, candidate)
                if text:
                    return text
        return self.en


class Condition(Model):
    """A fact about registry data that must hold; `message` tells the citizen when it does not.

    `source` is a dotted path whose first segment is a registry (see REGISTRIES): `person` is the
    applicant, `licence` the applicant's driving licence, `vehicle` and `address` the records the
    form names (ServiceDefinition.record_keys) or else the applicant's own. Operators:
    eq / ne (a scalar), gte / lte (a number), in (a list), exists (true, the default: the datum is
    on record; false: it is not).
    """

    source: RegistryPath
    op: Literal["eq", "ne", "gte", "lte", "in", "exists"]
    value: Any = None
    message: I18n

    @model_validator(mode="after")
    def _value_fits_op(self) -> Condition:
        value = self.value
        if self.op in ("eq", "ne") and (value is None or isinstance(value, list | dict)):
            raise ValueError(f"'{self.op}' needs a single value (use 'exists' to test presence)")
        if self.op in ("gte", "lte") and (
            isinstance(value, bool) or not isinstance(value, int | float | Decimal)
        ):
            raise ValueError(f"'{self.op}' needs a number")
        if self.op == "in" and (not isinstance(value, list) or not value):
            raise ValueError("'in' needs a non-empty list of values")
        if self.op == "exists" and value is not None and not isinstance(value, bool):
            raise ValueError("'exists' takes true, false or nothing")
        return self


class Eligibility(Model):
    """Who may receive the service. Ages are full years; an empty citizenship list means any."""

    min_age: NonNegative | None = None
    max_age: NonNegative | None = None
    citizenship: Annotated[list[Country], AfterValidator(_unique)] = []
    conditions: list[Condition] = []

    @model_validator(mode="after")
    def _ages_ordered(self) -> Eligibility:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError("min_age is greater than max_age")
        return self


class FieldCondition(Model):
    """True when the form field `field` holds exactly `equals`."""

    field: Name
    equals: Any

    def matches(self, answers: Mapping[str, Any]) -> bool:
        return self.field in answers and answers[self.field] == self.equals


class FeeRule(Model):
    when: FieldCondition
    mci: Mci


class Fee(Model):
    """The state duty as a multiple of the MCI in force on the payment date. The first rule whose
    condition matches the form wins; otherwise `mci` applies (0 = free). `refund_on` lists the
    outcomes after which a paid duty is returned (e.g. `[refused]`)."""

    mci: Mci = Decimal(0)
    conditions: list[FeeRule] = []
    refund_on: list[Literal["refused", "withdrawn"]] = []

    def mci_for(self, answers: Mapping[str, Any]) -> Decimal:
        for rule in self.conditions:
            if rule.when.matches(answers):
                return rule.mci
        return self.mci

    @property
    def is_free(self) -> bool:
        return self.mci == 0 and all(rule.mci == 0 for rule in self.conditions)


class Extension(Model):
    """The term grows by `calendar_days` in the situation described by `when`."""

    calendar_days: Positive
    when: I18n


class Term(Model):
    """The legal term in working days (0: the same day, as instant registry services are).
    The day of receipt is not counted unless `receipt_day_counted`."""

    working_days: NonNegative
    receipt_day_counted: bool = False
    extension: Extension | None = None


class Prefill(Model):
    """Registry data shown on the form (not typed by the citizen) and kept with the application
    under `key`."""

    key: Name
    source: RegistryPath
    label: I18n


class Option(Model):
    value: Annotated[str, Field(min_length=1)]
    label: I18n


TEXT_TYPES = ("text", "textarea")
# Types whose values are personal data whatever the service: never `sensitive: false`.
PERSONAL_TYPES = ("iin", "phone")
FieldType = Literal[
    "text", "textarea", "number", "date", "select", "boolean", "phone", "iin", "plate", "vin"
]


class FormField(Model):
    """One question of the application form.

    Lengths and `pattern` apply to text and textarea fields, `minimum` and `maximum` to numbers;
    `phone`, `iin`, `plate` and `vin` are validated by their type. `options` are required for a
    select and forbidden otherwise. A field with `show_if` is asked (and required) only when the
    condition on an earlier field holds. `sensitive`: the history of a correction names the field
    but never shows its values; by default free text, IINs and phone numbers are, and IINs and
    phone numbers always are.
    """

    key: Name
    type: FieldType
    label: I18n
    help: I18n | None = None
    required: bool = True
    min_length: NonNegative | None = None
    max_length: Positive | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    pattern: Annotated[str, AfterValidator(_pattern)] | None = None
    options: list[Option] = []
    show_if: FieldCondition | None = None
    sensitive: bool | None = None

    @property
    def values_hidden(self) -> bool:
        """Whether a history may show the field's old and new values (see `sensitive`)."""
        if self.sensitive is not None:
            return self.sensitive
        return self.type in TEXT_TYPES or self.type in PERSONAL_TYPES

    @model_validator(mode="after")
    def _constraints_fit_type(self) -> FormField:
        faults: list[str] = []
        if self.sensitive is False and self.type in PERSONAL_TYPES:
            faults.append(f"a {self.type} field is personal data: it cannot be sensitive: false")
        is_text = self.type in TEXT_TYPES
        for name in ("min_length", "max_length", "pattern"):
            if getattr(self, name) is not None and not is_text:
                faults.append(f"{name} applies only to text and textarea fields")
        for name in ("minimum", "maximum"):
            if getattr(self, name) is not None and self.type != "number":
                faults.append(f"{name} applies only to number fields")
        if (
            self.min_length is not None
            and self.max_length is not None
            and self.min_length > self.max_length
        ):
            faults.append("min_length is greater than max_length")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            faults.append("minimum is greater than maximum")
        if self.type == "select" and not self.options:
            faults.append("a select field needs options")
        if self.type != "select" and self.options:
            faults.append("options are allowed only for a select field")
        values = [option.value for option in self.options]
        if len(set(values)) != len(values):
            faults.append("option values must be unique")
        if self.show_if is not None and self.show_if.field == self.key:
            faults.append("show_if refers to the field itself")
        if faults:
            raise ValueError("; ".join(faults))
        return self


class State(Model):
    """A step of the workflow. A final state ends the application with an `outcome`;
    `deadline_working_days` bounds the time spent in this state; `citizen_action` marks a state
    that waits for the applicant (a correction, a payment, a reply)."""

    label: I18n
    final: bool = False
    outcome: Literal["approved", "refused", "withdrawn"] | None = None
    deadline_working_days: Positive | None = None
    citizen_action: bool = False
    notify: bool = True
    # The system transition taken when `deadline_working_days` pass (a lapse), instead of an
    # escalation to the agency.
    on_deadline: Name | None = None

    @model_validator(mode="after")
    def _final_has_outcome(self) -> State:
        if self.final and self.outcome is None:
            raise ValueError("a final state needs an outcome")
        if not self.final and self.outcome is not None:
            raise ValueError("only a final state has an outcome")
        if self.final and (self.deadline_working_days is not None or self.citizen_action):
            raise ValueError("a final state has no deadline and waits for no one")
        if self.on_deadline is not None and self.deadline_working_days is None:
            raise ValueError("on_deadline needs deadline_working_days")
        return self


class Transition(Model):
    """A move between states, made by someone in `role`.

    System transitions are made by the platform: with `auto`, on entering a `from` state, the
    auto transitions from it are tried in the order written and the first whose `checks` all pass
    is taken (one without checks always passes, so it belongs last); without `auto`, an event
    makes them (a payment arriving, a second party's confirmation).
    """

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    name: Name
    from_: Annotated[
        list[Name], BeforeValidator(_one_or_many), Field(min_length=1), AfterValidator(_unique)
    ] = Field(alias="from")
    to: Name
    role: Literal["citizen", "counterparty", "officer", "supervisor", "system"]
    label: I18n
    requires: Annotated[
        list[Literal["grounds", "fields", "comment", "signature"]], AfterValidator(_unique)
    ] = []
    checks: Annotated[list[Name], AfterValidator(_unique)] = []
    auto: bool = False

    @model_validator(mode="after")
    def _system_only(self) -> Transition:
        if self.role != "system" and self.checks:
            raise ValueError("only a system transition runs checks")
        if self.role != "system" and self.auto:
            raise ValueError("only a system transition can be automatic")
        if "signature" in self.requires and self.role != "counterparty":
            raise ValueError("only a counterparty's step is signed (the applicant signs on submit)")
        return self


class Workflow(Model):
    initial: Name
    states: dict[Name, State] = Field(min_length=2)
    transitions: list[Transition] = Field(min_length=1)

    def transitions_from(self, state: str) -> list[Transition]:
        return [transition for transition in self.transitions if state in transition.from_]


class Check(Model):
    """An automatic registry check, run by the system transitions that name it."""

    name: Name
    condition: Condition


class ResultDocument(Model):
    """The e-document issued on approval, rendered from `template`."""

    template: Slug
    title: I18n
    valid_days: Positive | None = None
    # whose document it is: the applicant's, or the second party's (the buyer's certificate)
    holder: Literal["applicant", "counterparty"] = "applicant"


class RegistryChange(Model):
    """The registry write made on approval, in the approval's transaction: `fields` maps the
    action's parameters to the form (or prefill) keys that give their values.

    When the registry refuses (under age, plate taken, vehicle under arrest…) an officer's step
    fails with the registry's reason and changes nothing; an automatic step takes the system
    transition `on_refusal` instead, with the refusal ground `grounds` maps the registry's code
    to (`default_ground` for codes not listed)."""

    registry: Annotated[str, AfterValidator(_name)]
    action: Name
    fields: dict[Name, Name] = {}
    on_refusal: Name | None = None
    grounds: dict[Name, Name] = {}
    default_ground: Name | None = None


class Counterparty(Model):
    """The second party of a two-party service (the buyer of a car): the form field `field`
    (an IIN) names them; they confirm with the transitions of role `counterparty`, and with
    `pays` the duty is theirs, asked for when they confirm."""

    field: Name
    label: I18n
    pays: bool = False


class Result(Model):
    document: ResultDocument | None = None
    registry_change: RegistryChange | None = None

    @model_validator(mode="after")
    def _something(self) -> Result:
        if self.document is None and self.registry_change is None:
            raise ValueError("a result needs a document, a registry change or both")
        return self


class RefusalGround(Model):
    code: Name
    text: I18n


class ServiceFields(Model):
    """Every field of one public service: its passport (names, agency, fee, term…), form,
    workflow and result; `ServiceDefinition` adds the rules between them."""

    code: Slug
    version: Positive
    name: I18n
    description: I18n
    agency: Slug
    categories: Annotated[list[Slug], Field(min_length=1), AfterValidator(_unique)]
    life_situations: Annotated[list[Slug], AfterValidator(_unique)]
    recipients: I18n
    eligibility: Eligibility
    channels: Annotated[
        list[Literal["online", "service_centre", "proactive"]],
        Field(min_length=1),
        AfterValidator(_unique),
    ]
    fee: Fee
    term: Term
    prefill: list[Prefill]
    form: list[FormField]
    signing: Annotated[
        list[Literal["sms", "certificate"]], Field(min_length=1), AfterValidator(_unique)
    ]
    payment: Literal["none", "before_submit", "before_decision"]
    workflow: Workflow
    checks: list[Check]
    result: Result
    refusal_grounds: list[RefusalGround]
    documents_required: list[I18n] = []
    # Which form field names the record a `vehicle.` or `address.` path reads; without one, the
    # path reads the applicant's own records (e.g. `vehicle.count`).
    record_keys: dict[Literal["vehicle", "address"], Name] = {}
    counterparty: Counterparty | None = None
