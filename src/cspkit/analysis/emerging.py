"""Emerging hot spots: how each LSOA's Gi* hot or cold spot status changes over the period.

Gi* is computed for each time step (quarters by default) with the same conditional-permutation test
and Benjamini-Hochberg correction as the period's hot spots; then the Mann-Kendall test looks for a
monotonic trend in each LSOA's series of z-scores. Each LSOA falls in one of Esri's 17 emerging hot
spot categories, by the rules and in the order R's sfdep (``emerging_hotspot_analysis``) applies them:
the first rule an LSOA meets gives its category.

Differences from sfdep, on purpose: an intensifying hot spot must have been a significant hot spot
in 90% of the steps, as Esri defines it (sfdep counts significant steps of either kind, so a
diminishing cold spot, whose z-scores rise towards zero, comes out as an "intensifying hot spot");
a step counts as a significant hot or cold spot when its
Benjamini-Hochberg q-value is below ``alpha`` (Esri corrects each step for the false discovery rate;
sfdep uses the raw p-value against 0.01), and Gi* uses each step's own counts (no time-lagged
neighbours). A step in which every LSOA has the same count has no hot or cold spots: z 0, p 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from cspkit.analysis.area import Period, add_months
from cspkit.analysis.hotspots import PermutationSettings, SpatialWeights, area_weights, benjamini_hochberg, gi_star
from cspkit.analysis.hotspots import permutation_p_values as gi_star_p_values
from cspkit.analysis.scope import ASB, Scope
from cspkit.errors import AnalysisError

STEP_MONTHS = {"quarter": 3, "month": 1}
#: Esri's emerging hot spot analysis needs at least ten time steps; so does this one.
MIN_STEPS = 10
#: Share of steps that makes a location "mostly" a hot (or cold) spot in Esri's definitions.
MOSTLY = 0.9
NO_PATTERN = "no pattern detected"
EMERGING_METHOD = (
    "Getis-Ord Gi* for each {step} ({permutations} conditional permutations, seed {seed}, {refine} where p <= 0.1; "
    "Benjamini-Hochberg within "
    "each {step}), Mann-Kendall trend of each LSOA's z-scores, Esri's emerging hot spot categories (sfdep's rules)"
)
#: The 17 categories in the order they are tried (sfdep's order).
CATEGORIES = (
    "new hot spot",
    "new cold spot",
    "consecutive hot spot",
    "consecutive cold spot",
    "intensifying hot spot",
    "intensifying cold spot",
    "persistent hot spot",
    "persistent cold spot",
    "diminishing hot spot",
    "diminishing cold spot",
    "oscillating hot spot",
    "oscillating cold spot",
    "historical hot spot",
    "historical cold spot",
    "sporadic hot spot",
    "sporadic cold spot",
    NO_PATTERN,
)


@dataclass(frozen=True)
class MannKendall:
    """The Mann-Kendall trend test of one series: S, Kendall's tau (S over all pairs), z and the two-sided p."""

    s: float
    tau: float
    z: float
    p_value: float


def mann_kendall(series: Sequence[float] | np.ndarray) -> MannKendall:
    """Mann-Kendall test with the variance corrected for ties and a continuity correction (Kendall 1975),
    the original test as ``pymannkendall.original_test`` computes it."""
    from scipy import stats

    x = np.asarray(series, dtype=float)
    n = len(x)
    if n < 3:
        raise AnalysisError(f"a trend test needs at least 3 time steps; there are {n}")
    s = float(np.sign(x[None, :] - x[:, None])[np.triu_indices(n, 1)].sum())
    _, ties = np.unique(x, return_counts=True)
    variance = (n * (n - 1) * (2 * n + 5) - (ties * (ties - 1) * (2 * ties + 5)).sum()) / 18
    z = 0.0 if s == 0 or variance == 0 else (s - math.copysign(1, s)) / math.sqrt(variance)
    return MannKendall(s, s / (n * (n - 1) / 2), z, float(2 * stats.norm.sf(abs(z))))


def _final_run(significant: np.ndarray) -> int:
    """How many of the last steps in a row are significant (hot or cold)."""
    run = 0
    for flag in significant[::-1]:
        if not flag:
            break
        run += 1
    return run


def emerging_category(z: np.ndarray, significant: np.ndarray, trend: MannKendall, alpha: float) -> str:
    """Esri's category of one LSOA from its Gi* z-scores, which steps were significant, and the trend.

    Each rule is sfdep's (``classify_hotspot``), tried in :data:`CATEGORIES` order.
    """
    n = len(z)
    hot = significant & (z > 0)
    cold = significant & (z < 0)
    last_hot, last_cold = bool(hot[-1]), bool(cold[-1])
    hot_share, cold_share = hot.sum() / n, cold.sum() / n
    only_once = significant.sum() == 1
    run = _final_run(significant)
    # Before the final run of significant steps, none was significant.
    only_final_run = not significant[: n - run].any()
    rising = trend.tau > 0 and trend.p_value <= alpha  # the z-scores grow: hotter, or less cold
    falling = trend.tau < 0 and trend.p_value <= alpha
    rules = {
        "new hot spot": only_once and last_hot,
        "new cold spot": only_once and last_cold,
        "consecutive hot spot": last_hot and only_final_run and hot_share < MOSTLY,
        "consecutive cold spot": last_cold and only_final_run and cold_share < MOSTLY,
        "intensifying hot spot": hot_share >= MOSTLY and significant[-1] and trend.tau > 0 and trend.p_value < alpha,
        "intensifying cold spot": cold_share >= MOSTLY and significant[-1] and falling,
        "persistent hot spot": hot_share >= MOSTLY and trend.p_value > alpha,
        "persistent cold spot": cold_share >= MOSTLY and trend.p_value > alpha,
        "diminishing hot spot": hot_share >= MOSTLY and significant[-1] and falling,
        "diminishing cold spot": cold_share >= MOSTLY and significant[-1] and rising,
        "oscillating hot spot": hot_share <= MOSTLY and last_hot and cold.any(),
        "oscillating cold spot": cold_share < MOSTLY and last_cold and hot.any(),
        "historical hot spot": hot_share >= MOSTLY and z[-1] < 0,
        "historical cold spot": cold_share >= MOSTLY and z[-1] > 0,
        "sporadic hot spot": hot_share < MOSTLY and not cold.any() and hot.any(),
        "sporadic cold spot": cold_share < MOSTLY and not hot.any() and cold.any(),
    }
    return next((name for name, met in rules.items() if met), NO_PATTERN)


def time_steps(period: Period, step: str = "quarter") -> list[Period]:
    """Consecutive steps of whole months ending at the period's end, oldest first (leading months
    that do not fill a step are left out)."""
    if step not in STEP_MONTHS:
        raise AnalysisError(f"unknown time step {step!r}: use 'quarter' or 'month'")
    size = STEP_MONTHS[step]
    count = period.months // size
    if count < MIN_STEPS:
        raise AnalysisError(
            f"emerging hot spots need at least {MIN_STEPS} time steps; {period.label()} has {count} whole {step}s"
            + (" (use monthly steps)" if step == "quarter" and period.months >= MIN_STEPS else "")
        )
    ends = [add_months(period.end, -size * k) for k in reversed(range(count))]
    return [Period(add_months(end, 1 - size), end) for end in ends]


def monthly_lsoa_counts(scope: Scope, codes: Sequence[str], crime_types: Sequence[str] | None = None) -> np.ndarray:
    """Police.uk incidents as a months x LSOAs matrix (the period's months, LSOAs in ``codes`` order,
    zeros included); ``crime_types`` None means all crime excluding ASB."""
    condition, params = scope.where()
    if crime_types is None:
        kind, extra = "crime_type <> ?", [ASB]
    else:
        kind, extra = "crime_type IN (SELECT unnest(?))", [list(crime_types)]
    rows = scope.con.execute(
        f"SELECT month, lsoa21_code, count(*) FROM {scope.street} WHERE {condition} AND {kind} GROUP BY ALL",
        params + extra,
    ).fetchall()
    month_index = {m: i for i, m in enumerate(scope.period.month_list())}
    lsoa_index = {c: j for j, c in enumerate(codes)}
    counts = np.zeros((len(month_index), len(codes)), dtype=np.int64)
    for month, lsoa, n in rows:
        counts[month_index[month], lsoa_index[lsoa]] = n
    return counts


def emerging_table(
    counts: np.ndarray,
    weights: SpatialWeights,
    steps: Sequence[Period],
    settings: PermutationSettings,
    alpha: float = 0.05,
) -> pl.DataFrame:
    """One row per LSOA from a steps x LSOAs matrix of counts: how many steps it was a significant hot
    or cold spot, the Mann-Kendall trend of its z-scores, and its emerging hot spot category."""
    z = np.zeros(counts.shape)
    p = np.ones(counts.shape)
    varied = counts.std(axis=1) > 0
    if varied.any():
        z[varied] = np.stack([gi_star(row, weights.matrix) for row in counts[varied]])
        p[varied] = np.atleast_2d(gi_star_p_values(counts[varied], weights.matrix, settings))
    untested = np.isnan(z)  # an LSOA neighbouring every other has no z-score: no evidence either way
    z[untested], p[untested] = 0.0, 1.0
    significant = np.stack([benjamini_hochberg(row) < alpha for row in p])
    rows = []
    for j, code in enumerate(weights.codes):
        trend = mann_kendall(z[:, j])
        rows.append(
            {
                "lsoa21_code": code,
                "steps": len(steps),
                "hot_steps": int((significant[:, j] & (z[:, j] > 0)).sum()),
                "cold_steps": int((significant[:, j] & (z[:, j] < 0)).sum()),
                "trend_tau": trend.tau,
                "trend_p_value": trend.p_value,
                "classification": emerging_category(z[:, j], significant[:, j], trend, alpha),
            }
        )
    return pl.DataFrame(rows)


def emerging_hotspots(
    scope: Scope,
    kind: str = "queen",
    k: int = 8,
    crime_types: Sequence[str] | None = None,
    alpha: float = 0.05,
    settings: PermutationSettings | None = None,
    step: str = "quarter",
) -> pl.DataFrame:
    """The emerging hot spot category of every LSOA of the area over the scope's period (with the ``step``)."""
    steps = time_steps(scope.period, step)
    weights = area_weights(scope, kind, k)
    monthly = monthly_lsoa_counts(scope, weights.codes, crime_types)
    size = STEP_MONTHS[step]
    used = monthly[monthly.shape[0] - size * len(steps) :]
    by_step = used.reshape(len(steps), size, -1).sum(axis=1)
    table = emerging_table(by_step, weights, steps, settings or PermutationSettings(), alpha)
    return table.with_columns(pl.lit(step).alias("step"))
