"""Survey statistics, pure (numpy, no database): Wilson intervals, weighted shares with Kish's
effective sample size, raking (iterative proportional fitting to several margins) and
cross-tabulation. docs/surveys.md gives the formulas.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

# The two-sided 95% normal quantile, Φ⁻¹(0.975) (what statsmodels uses for alpha=0.05).
Z95 = 1.959963984540054
RAKING_TOLERANCE = 1e-10  # largest allowed |weighted share − target share| in any category
RAKING_MAX_ITERATIONS = 1000


def wilson_interval(successes: float, n: float, *, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a proportion of `successes` out of `n` (both may be
    fractional: a weighted share times the effective n)."""
    if not n > 0:
        raise ValueError("n must be positive")
    if not 0 <= successes <= n * (1 + 1e-12):
        raise ValueError("successes must be between 0 and n")
    p = min(successes / n, 1.0)
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    low = 0.0 if p == 0 else max(0.0, centre - half)  # exact at the ends, not 1e-18 off
    high = 1.0 if p == 1 else min(1.0, centre + half)
    return low, high


def kish_effective_n(weights: npt.ArrayLike) -> float:
    """Kish's effective sample size (Σw)² / Σw²: n for equal weights, less the more they vary."""
    w = np.asarray(weights, dtype=np.float64)
    squares = float(np.dot(w, w))
    return float(w.sum()) ** 2 / squares if squares > 0 else 0.0


@dataclass(frozen=True)
class Share:
    """A (possibly weighted) share with its 95% Wilson interval. For weights, `n_effective`
    is Kish's effective n and the interval is Wilson's with that n."""

    proportion: float
    low: float
    high: float
    n_effective: float


def weighted_share(chosen: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> Share:
    """The share of respondents with `chosen` true among all given (the question's base)."""
    selected = np.asarray(chosen, dtype=bool)
    if selected.size == 0:
        raise ValueError("no respondents")
    w = np.ones(selected.size) if weights is None else np.asarray(weights, dtype=np.float64)
    total = float(w.sum())
    if total <= 0:
        raise ValueError("the weights sum to zero")
    proportion = float(w[selected].sum()) / total
    n_effective = kish_effective_n(w)
    low, high = wilson_interval(proportion * n_effective, n_effective)
    return Share(proportion=proportion, low=low, high=high, n_effective=n_effective)


class RakingError(ValueError):
    """Raking cannot produce weights; `code` says why, `details` where."""

    def __init__(self, code: str, **details: Any) -> None:
        self.code = code
        self.details = details
        super().__init__(f"{code}: {details}")


@dataclass(frozen=True)
class RakingResult:
    weights: FloatArray  # one per respondent; they sum to the sum of the base weights
    iterations: int  # full sweeps over all margins
    max_error: float  # the largest |weighted share − target share| left
    dimensions: tuple[str, ...] = field(default=())


def _encoded(
    name: str, labels: Sequence[str], target: Mapping[str, float]
) -> tuple[IntArray, FloatArray]:
    """Each respondent's category as an index into the target's categories, and the target
    shares; a category of respondents the population lacks is an error."""
    keys = [key for key, value in target.items() if value > 0]
    if any(value < 0 for value in target.values()):
        raise RakingError("raking_negative_target", dimension=name)
    if not keys:
        raise RakingError("raking_empty_margin", dimension=name)
    index = {key: i for i, key in enumerate(keys)}
    codes = np.empty(len(labels), dtype=np.intp)
    for i, label in enumerate(labels):
        position = index.get(label)
        if position is None:
            raise RakingError("raking_population_cell_empty", dimension=name, category=label)
        codes[i] = position
    totals = np.array([target[key] for key in keys], dtype=np.float64)
    return codes, totals / totals.sum()


def rake(
    *,
    categories: Mapping[str, Sequence[str]],
    targets: Mapping[str, Mapping[str, float]],
    base_weights: npt.ArrayLike | None = None,
    tolerance: float = RAKING_TOLERANCE,
    max_iterations: int = RAKING_MAX_ITERATIONS,
) -> RakingResult:
    """Weights that make the sample's weighted margins equal the population's, one dimension at
    a time (iterative proportional fitting).

    `categories[d]` holds each respondent's category on dimension `d`; `targets[d]` the
    population total (or share) of each category, scaled here to the sample's total weight.
    Each sweep multiplies, dimension by dimension, every weight by target / current weighted
    total of its category; it stops when no category's weighted share is further than
    `tolerance` from its target share, and raises `RakingError` when a category has no
    respondents (`raking_sample_cell_empty`), when respondents fall in a category the population
    lacks (`raking_population_cell_empty`) or when `max_iterations` sweeps are not enough
    (`raking_not_converged`, e.g. margins no weighting can meet at once).
    """
    dimensions = tuple(categories)
    if not dimensions:
        raise RakingError("raking_no_margins")
    sizes = {len(categories[d]) for d in dimensions}
    if len(sizes) != 1:
        raise RakingError("raking_lengths_differ")
    n = sizes.pop()
    if n == 0:
        raise RakingError("raking_no_respondents")
    weights = np.ones(n) if base_weights is None else np.asarray(base_weights, dtype=np.float64)
    if weights.shape != (n,) or not np.all(weights > 0):
        raise RakingError("raking_base_weights")
    total = float(weights.sum())
    encoded: list[tuple[str, IntArray, FloatArray]] = []
    for name in dimensions:
        if name not in targets:
            raise RakingError("raking_empty_margin", dimension=name)
        codes, shares = _encoded(name, categories[name], targets[name])
        counts = np.bincount(codes, minlength=shares.size)
        empty = [key for key, c in zip(_positive_keys(targets[name]), counts, strict=True) if not c]
        if empty:
            raise RakingError("raking_sample_cell_empty", dimension=name, category=empty[0])
        encoded.append((name, codes, shares * total))
    weights = weights.copy()
    error = math.inf
    for iteration in range(1, max_iterations + 1):
        for _name, codes, wanted in encoded:
            current = np.bincount(codes, weights=weights, minlength=wanted.size)
            weights *= (wanted / current)[codes]
        error = max(
            float(np.max(np.abs(np.bincount(c, weights=weights, minlength=t.size) - t))) / total
            for _name, c, t in encoded
        )
        if error <= tolerance:
            return RakingResult(
                weights=weights, iterations=iteration, max_error=error, dimensions=dimensions
            )
    raise RakingError("raking_not_converged", iterations=max_iterations, max_error=error)


def _positive_keys(target: Mapping[str, float]) -> list[str]:
    return [key for key, value in target.items() if value > 0]


def crosstab(
    *,
    rows: npt.ArrayLike,
    columns: npt.ArrayLike,
    shape: tuple[int, int],
    weights: npt.ArrayLike | None = None,
) -> FloatArray:
    """A `shape` table of (weighted) counts: entry [r, c] adds up the weight of every pair with
    row index r and column index c (a respondent may appear in several pairs: multiple
    choice)."""
    r = np.asarray(rows, dtype=np.intp)
    c = np.asarray(columns, dtype=np.intp)
    w = np.ones(r.size) if weights is None else np.asarray(weights, dtype=np.float64)
    table = np.zeros(shape, dtype=np.float64)
    np.add.at(table, (r, c), w)
    return table
