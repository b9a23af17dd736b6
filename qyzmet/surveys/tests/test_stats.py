"""The pure statistics: Wilson intervals against statsmodels, Kish's effective n, raking against
an independent reference (a plain-Python IPF over the full contingency table), and
cross-tabulation."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from qyzmet.surveys.stats import (
    RakingError,
    crosstab,
    kish_effective_n,
    rake,
    weighted_share,
    wilson_interval,
)

# --- Wilson ------------------------------------------------------------------------------------

CASES = [(0, 1), (1, 1), (0, 10), (10, 10), (1, 2), (3, 7), (339, 450), (39, 450), (72, 450),
         (156, 381), (2, 450), (450, 450), (1, 1000000), (999999, 1000000), (50, 100)]  # fmt: skip


@pytest.mark.parametrize(("count", "n"), CASES)
def test_wilson_matches_statsmodels(count: int, n: int) -> None:
    low, high = wilson_interval(count, n)
    expected = proportion_confint(count, n, alpha=0.05, method="wilson")

    assert low == pytest.approx(expected[0], abs=1e-12)
    assert high == pytest.approx(expected[1], abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=100000), st.floats(min_value=0, max_value=1))
def test_wilson_matches_statsmodels_everywhere(n: int, share: float) -> None:
    count = round(share * n)
    low, high = wilson_interval(count, n)
    expected = proportion_confint(count, n, alpha=0.05, method="wilson")

    assert low == pytest.approx(expected[0], abs=1e-12)
    assert high == pytest.approx(expected[1], abs=1e-12)
    assert 0 <= low <= count / n <= high <= 1


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=0.5, max_value=5000), st.floats(min_value=0, max_value=1))
def test_wilson_takes_fractional_counts_as_statsmodels_does(n: float, share: float) -> None:
    low, high = wilson_interval(share * n, n)
    expected = proportion_confint(share * n, n, alpha=0.05, method="wilson")

    assert (low, high) == pytest.approx(expected, abs=1e-12)


def test_the_article_figure_has_its_interval() -> None:
    low, high = wilson_interval(339, 450)

    assert (round(low * 100, 1), round(high * 100, 1)) == (71.1, 79.1)


@pytest.mark.parametrize(("count", "n"), [(1, 0), (-1, 5), (6, 5)])
def test_wilson_refuses_impossible_counts(count: int, n: int) -> None:
    with pytest.raises(ValueError):
        wilson_interval(count, n)


# --- Weighted shares ---------------------------------------------------------------------------


def test_kish_effective_n_is_n_for_equal_weights_and_less_otherwise() -> None:
    assert kish_effective_n([2.0] * 10) == pytest.approx(10.0)
    assert kish_effective_n([1, 1, 1, 3]) == pytest.approx(36 / 12)
    assert kish_effective_n([]) == 0.0


def test_a_weighted_share_uses_wilson_with_the_effective_n() -> None:
    chosen = [True, False, True, False]
    weights = [1.0, 1.0, 1.0, 3.0]

    share = weighted_share(chosen, weights)

    expected = proportion_confint(2 / 6 * 3.0, 3.0, alpha=0.05, method="wilson")
    assert share.proportion == pytest.approx(2 / 6)
    assert share.n_effective == pytest.approx(3.0)
    assert (share.low, share.high) == pytest.approx(expected, abs=1e-12)


def test_an_unweighted_share_is_the_plain_wilson_interval() -> None:
    share = weighted_share([True] * 339 + [False] * 111)

    assert share.proportion == pytest.approx(339 / 450)
    assert (share.low, share.high) == pytest.approx(wilson_interval(339, 450), abs=1e-15)


# --- Raking --------------------------------------------------------------------------------


def reference_ipf(
    people: Sequence[tuple[str, ...]],
    targets: Sequence[Mapping[str, float]],
    *,
    sweeps: int = 20000,
) -> list[float]:
    """An independent raking: IPF on the full contingency table of the sample, in plain Python
    with dictionaries; each respondent's weight is their cell's fitted total divided by the
    cell's size. Every margin is scaled to the sample size."""
    n = len(people)
    cells = Counter(people)
    fitted = {cell: float(count) for cell, count in cells.items()}
    wanted = [{k: v * n / sum(t.values()) for k, v in t.items()} for t in targets]
    for _sweep in range(sweeps):
        before = dict(fitted)
        for d, margin in enumerate(wanted):
            totals: dict[str, float] = {}
            for cell, value in fitted.items():
                totals[cell[d]] = totals.get(cell[d], 0.0) + value
            fitted = {cell: value * margin[cell[d]] / totals[cell[d]]
                      for cell, value in fitted.items()}  # fmt: skip
        if max(abs(fitted[cell] - before[cell]) for cell in fitted) < 1e-13:
            break
    return [fitted[person] / cells[person] for person in people]


def _sample(seed: int, n: int) -> tuple[list[tuple[str, str, str]], dict[str, dict[str, float]]]:
    rng = np.random.default_rng(seed)
    regions = [f"{i:02d}" for i in range(1, 6)]
    bands = ["18-29", "30-44", "45-59", "60+"]
    people = [
        (str(rng.choice(regions, p=[0.4, 0.2, 0.2, 0.1, 0.1])), str(rng.choice(["M", "F"])),
         str(rng.choice(bands, p=[0.4, 0.3, 0.2, 0.1])))
        for _ in range(n)
    ]  # fmt: skip
    targets = {
        "region": dict(zip(regions, [300.0, 250.0, 200.0, 150.0, 100.0], strict=True)),
        "sex": {"M": 480.0, "F": 520.0},
        "age_band": dict(zip(bands, [250.0, 300.0, 250.0, 200.0], strict=True)),
    }
    return people, targets


@pytest.mark.parametrize("seed", [1, 2, 3, 2021])
def test_raking_agrees_with_a_plain_contingency_table_ipf(seed: int) -> None:
    people, targets = _sample(seed, 400)

    result = rake(
        categories={
            "region": [p[0] for p in people],
            "sex": [p[1] for p in people],
            "age_band": [p[2] for p in people],
        },
        targets=targets,
    )

    reference = reference_ipf(people, [targets["region"], targets["sex"], targets["age_band"]])
    assert np.max(np.abs(result.weights - np.array(reference))) < 1e-6
    assert result.weights.sum() == pytest.approx(400)
    assert result.max_error <= 1e-10
    assert 1 < result.iterations < 100


def test_raked_margins_equal_the_population_shares() -> None:
    people, targets = _sample(7, 300)
    result = rake(
        categories={"region": [p[0] for p in people], "sex": [p[1] for p in people]},
        targets={"region": targets["region"], "sex": targets["sex"]},
    )

    men = sum(w for w, p in zip(result.weights, people, strict=True) if p[1] == "M")
    first = sum(w for w, p in zip(result.weights, people, strict=True) if p[0] == "01")
    assert men / 300 == pytest.approx(0.48, abs=1e-9)
    assert first / 300 == pytest.approx(0.30, abs=1e-9)


@st.composite
def samples(draw: st.DrawFn) -> tuple[list[tuple[str, str]], dict[str, dict[str, float]]]:
    """A sample with every category of two dimensions present, and positive targets."""
    a_values = [f"a{i}" for i in range(draw(st.integers(2, 4)))]
    b_values = [f"b{i}" for i in range(draw(st.integers(2, 3)))]
    base = list(itertools.product(a_values, b_values))  # every cell once: always feasible
    extra = draw(st.lists(st.sampled_from(base), max_size=60))
    weight = st.floats(min_value=0.5, max_value=50)
    targets = {
        "a": {v: draw(weight) for v in a_values},
        "b": {v: draw(weight) for v in b_values},
    }
    return base + extra, targets


@settings(max_examples=80, deadline=None)
@given(samples())
def test_raked_weighted_margins_equal_the_targets(
    sample: tuple[list[tuple[str, str]], dict[str, dict[str, float]]],
) -> None:
    people, targets = sample
    result = rake(
        categories={"a": [p[0] for p in people], "b": [p[1] for p in people]}, targets=targets
    )

    n = len(people)
    for d, name in enumerate(("a", "b")):
        total = sum(targets[name].values())
        for value, target in targets[name].items():
            got = sum(w for w, p in zip(result.weights, people, strict=True) if p[d] == value)
            assert got / n == pytest.approx(target / total, abs=1e-9)
    assert np.all(result.weights > 0)
    reference = reference_ipf(people, [targets["a"], targets["b"]])
    assert np.max(np.abs(result.weights - np.array(reference))) < 1e-6


def test_raking_keeps_base_weights_proportions_within_a_cell() -> None:
    result = rake(
        categories={"sex": ["M", "M", "F"]},
        targets={"sex": {"M": 1.0, "F": 1.0}},
        base_weights=[1.0, 3.0, 2.0],
    )

    assert result.weights.tolist() == pytest.approx([0.75, 2.25, 3.0])


def test_raking_refuses_a_category_without_respondents() -> None:
    with pytest.raises(RakingError) as caught:
        rake(categories={"sex": ["M", "M"]}, targets={"sex": {"M": 10.0, "F": 12.0}})

    assert caught.value.code == "raking_sample_cell_empty"
    assert caught.value.details == {"dimension": "sex", "category": "F"}


def test_raking_refuses_respondents_the_population_lacks() -> None:
    with pytest.raises(RakingError) as caught:
        rake(categories={"region": ["01", "21"]}, targets={"region": {"01": 5.0}})

    assert caught.value.code == "raking_population_cell_empty"
    assert caught.value.details == {"dimension": "region", "category": "21"}


def test_raking_says_so_when_the_margins_cannot_be_met_together() -> None:
    # Every man is in region A and every woman in B: A = B and M = 0.3 cannot both hold.
    with pytest.raises(RakingError) as caught:
        rake(
            categories={"region": ["A", "B"], "sex": ["M", "F"]},
            targets={"region": {"A": 1.0, "B": 1.0}, "sex": {"M": 3.0, "F": 7.0}},
            max_iterations=50,
        )

    assert caught.value.code == "raking_not_converged"
    assert caught.value.details["iterations"] == 50
    assert caught.value.details["max_error"] == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("categories", "targets", "code"),
    [
        ({}, {}, "raking_no_margins"),
        ({"sex": []}, {"sex": {"M": 1.0}}, "raking_no_respondents"),
        ({"sex": ["M"], "age": ["x", "y"]}, {}, "raking_lengths_differ"),
        ({"sex": ["M"]}, {}, "raking_empty_margin"),
        ({"sex": ["M"]}, {"sex": {"M": 0.0}}, "raking_empty_margin"),
        ({"sex": ["M"]}, {"sex": {"M": 1.0, "F": -1.0}}, "raking_negative_target"),
    ],
)
def test_raking_refuses_what_it_cannot_weight(
    categories: dict[str, list[str]], targets: dict[str, dict[str, float]], code: str
) -> None:
    with pytest.raises(RakingError) as caught:
        rake(categories=categories, targets=targets)

    assert caught.value.code == code


# --- Cross-tabulation ------------------------------------------------------------------------


def test_crosstab_counts_and_weighs_pairs() -> None:
    table = crosstab(rows=[0, 0, 1, 1, 1], columns=[0, 1, 1, 1, 0], shape=(2, 3))
    weighted = crosstab(rows=[0, 0, 1], columns=[0, 1, 1], shape=(2, 2), weights=[0.5, 2.0, 1.5])

    assert table.tolist() == [[1, 1, 0], [1, 2, 0]]
    assert weighted.tolist() == [[0.5, 2.0], [0.0, 1.5]]
    assert math.isclose(float(weighted.sum()), 4.0)
