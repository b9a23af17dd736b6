"""Who may be issued a driving-licence category: the minimum age, the driving experience and, for
a trailer category, its towing category.

Why dated data: art. 74(2) of the Law "On road traffic" sets these conditions and is amended from
time to time, and a licence is judged by the wording in force on the day it is issued. So they
live in `data/licence-categories.yaml`, each edition with the day it takes effect and the act it
comes from, and the code only reads them. Experience is counted from the licence registry: the
earliest day the holder was issued a category that counts (a category keeps its issue day when a
licence is replaced), in full years, like an age.

No database here: the callers pass what the registry holds.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from qyzmet.core.errors import QyzmetError
from qyzmet.identity.selectors import age_on
from qyzmet.registries.errors import ErrorCode

# The categories the licence registry knows, in its order (the law's rule for each is data).
CATEGORIES: Final = (
    "A", "A1", "B", "B1", "BE", "C", "C1", "CE", "C1E", "D", "D1", "DE", "D1E", "Tb", "Tm",
)  # fmt: skip
ANY: Final = "any"  # experience with a licence of any category


class LicenceRulesNotDefined(QyzmetError):
    """Asked for the rule on a day before the first edition in the data: a gap in our data, not
    something the caller can fix, hence a server error."""

    code: str = ErrorCode.LICENCE_RULES_NOT_DEFINED
    status = 500
    default_message = _("The licence conditions for this date are not known.")


@dataclass(frozen=True)
class Experience:
    """At least `years` full years with a licence of `with_categories` (empty: any category)."""

    years: int
    with_categories: tuple[str, ...]


@dataclass(frozen=True)
class CategoryRule:
    category: str
    minimum_age: int
    experience: tuple[Experience, ...] = ()
    requires: tuple[str, ...] = ()  # a trailer category's towing category, one of these


@dataclass(frozen=True)
class LicenceRules:
    valid_from: date
    act: str
    categories: Mapping[str, CategoryRule]


def licence_rules_editions() -> tuple[LicenceRules, ...]:
    """Every edition in the data, oldest first."""
    return _load(Path(settings.BASE_DIR) / "data" / "licence-categories.yaml")


def licence_rules_on(day: date) -> LicenceRules:
    """The edition in force on `day`."""
    editions = licence_rules_editions()
    position = bisect.bisect_right(editions, day, key=lambda e: e.valid_from) - 1
    if position < 0:
        raise LicenceRulesNotDefined(
            details={"day": day.isoformat(), "first_known": editions[0].valid_from.isoformat()}
        )
    return editions[position]


def under_age(rule: CategoryRule, *, birth_date: date, on: date) -> bool:
    return age_on(birth_date, on) < rule.minimum_age


def years_with(held_since: Mapping[str, date], categories: tuple[str, ...], *, on: date) -> int:
    """Full years since the earliest issue of any of `categories` (empty: any), 0 if none."""
    days = [d for c, d in held_since.items() if not categories or c in categories]
    return max(age_on(min(days), on), 0) if days else 0


def experience_missing(
    rule: CategoryRule, *, held_since: Mapping[str, date], on: date
) -> list[dict[str, Any]]:
    """Each experience condition of `rule` the holder does not meet, with the years they have.
    `held_since` maps each category the holder was ever issued to its earliest issue day."""
    missing = []
    for need in rule.experience:
        has = years_with(held_since, need.with_categories, on=on)
        if has < need.years:
            counted = list(need.with_categories) or ANY
            missing.append({"years": need.years, "with": counted, "has": has})
    return missing


def missing_base_categories(
    rules: LicenceRules, categories: list[str], held: list[str]
) -> list[str]:
    """Trailer categories in `categories` whose towing category is neither held nor asked."""
    have = set(categories) | set(held)
    return [
        c
        for c in categories
        if rules.categories[c].requires and not have & set(rules.categories[c].requires)
    ]


@cache
def _load(path: Path) -> tuple[LicenceRules, ...]:
    with path.open(encoding="utf-8") as stream:
        raw = yaml.safe_load(stream)
    return licence_rules_parse(raw, origin=path.name)


def licence_rules_parse(raw: Any, *, origin: str) -> tuple[LicenceRules, ...]:
    """The editions of a data file; `ImproperlyConfigured` naming what is wrong otherwise."""

    def fail(message: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"licence categories data {origin}: {message}")

    if not isinstance(raw, dict) or set(raw) != {"source", "editions"}:
        raise fail("the file must have exactly `source` and `editions`")
    if not isinstance(raw["source"], str) or not raw["source"].strip():
        raise fail("source must name the law")
    if not isinstance(raw["editions"], list) or not raw["editions"]:
        raise fail("editions must be a non-empty list")
    editions = []
    for number, item in enumerate(raw["editions"], start=1):
        at = f"edition {number}"
        if not isinstance(item, dict) or set(item) != {"valid_from", "act", "categories"}:
            raise fail(f"{at} must have exactly valid_from, act and categories")
        if not isinstance(item["valid_from"], date):
            raise fail(f"{at}: valid_from must be a date (YYYY-MM-DD)")
        if not isinstance(item["act"], str) or not item["act"].strip():
            raise fail(f"{at}: act must cite the article")
        categories = item["categories"]
        if not isinstance(categories, dict) or set(categories) != set(CATEGORIES):
            raise fail(f"{at}: categories must give a rule for each of {', '.join(CATEGORIES)}")
        try:
            rules = {c: _category(c, categories[c]) for c in CATEGORIES}
        except _Bad as exc:
            raise fail(f"{at}: {exc}") from None
        editions.append(
            LicenceRules(valid_from=item["valid_from"], act=item["act"].strip(), categories=rules)
        )
    if any(a.valid_from >= b.valid_from for a, b in itertools.pairwise(editions)):
        raise fail("editions must be in date order, one per date")
    return tuple(editions)


class _Bad(ValueError):
    pass


def _category(category: str, raw: Any) -> CategoryRule:
    if (
        not isinstance(raw, dict)
        or "age" not in raw
        or not set(raw)
        <= {
            "age",
            "experience",
            "requires",
        }
    ):
        raise _Bad(f"{category} must have age, and may have experience and requires")
    age = raw["age"]
    if isinstance(age, bool) or not isinstance(age, int) or not 0 < age < 100:
        raise _Bad(f"{category}: age must be a whole number of years")
    experience = []
    for need in raw.get("experience") or []:
        if not isinstance(need, dict) or set(need) != {"years", "with"}:
            raise _Bad(f"{category}: each experience line has exactly years and with")
        years, with_ = need["years"], need["with"]
        if isinstance(years, bool) or not isinstance(years, int) or years <= 0:
            raise _Bad(f"{category}: experience years must be a whole positive number")
        if with_ == ANY:
            with_ = []
        if not isinstance(with_, list) or not set(with_) <= set(CATEGORIES):
            raise _Bad(f"{category}: experience `with` is `any` or a list of categories")
        experience.append(Experience(years=years, with_categories=tuple(with_)))
    requires = raw.get("requires") or []
    if not isinstance(requires, list) or not set(requires) <= set(CATEGORIES) - {category}:
        raise _Bad(f"{category}: requires must list other categories")
    return CategoryRule(
        category=category,
        minimum_age=age,
        experience=tuple(experience),
        requires=tuple(requires),
    )
