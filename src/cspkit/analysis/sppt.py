"""Where crime moved: Andresen's area-based spatial point pattern test between two periods.

The test asks whether the incidents of two periods are spread over the LSOAs in the same way,
whatever their totals (Andresen 2009; Andresen 2016, Methodological Innovations 9). Each period's
incidents are resampled with replacement (a bootstrap of the same size as the period), each LSOA's
share of the period's incidents is taken in every resample, and the middle 95% of those shares is
its interval. An LSOA is "similar" where the two periods' intervals overlap. The S-index is the share
of LSOAs that are similar; the robust S-index leaves out the LSOAs with no incident in either period
(they are trivially similar and would flatter the index). This is the bootstrap of both periods that
the sppt packages for aggregated counts use (R's sppt.aggregated.data and the PyPI ``sppt`` port):
the choice of base period does not change the answer.

Drawing each LSOA's bootstrap count as one multinomial over the LSOAs (probabilities = its share)
gives the same distribution as resampling every incident, at a fraction of the cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from cspkit.analysis.area import Period
from cspkit.analysis.emerging import monthly_lsoa_counts
from cspkit.analysis.scope import Scope

SIMILAR, LARGER, SMALLER = "similar", "larger share", "smaller share"
SPPT_METHOD = (
    "Andresen's spatial point pattern test: {samples} bootstrap resamples of each period (seed {seed}), "
    "95% intervals of each LSOA's share, similar where they overlap; S-index and robust S-index"
)
#: Columns of :func:`sppt_table` computed from an LSOA's own counts: where suppression hides a count,
#: these go with it (``similar`` and ``change`` come from both counts).
DERIVED_FROM_COUNT = {
    "base_share_pct": "base_count",
    "base_low_pct": "base_count",
    "base_high_pct": "base_count",
    "test_share_pct": "test_count",
    "test_low_pct": "test_count",
    "test_high_pct": "test_count",
    "similar": "test_count",
    "change": "test_count",
}


@dataclass(frozen=True)
class SpptSettings:
    """How many bootstrap resamples of each period, the seed they are drawn from, and the interval."""

    samples: int = 200
    seed: int = 12345
    confidence: float = 0.95


def share_intervals(
    counts: np.ndarray, samples: int, rng: np.random.Generator, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap interval of each unit's percentage share of the incidents (0 to 0 where there are none)."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(len(counts)), np.zeros(len(counts))
    resampled = rng.multinomial(total, counts / total, size=samples) / total * 100
    tail = (1 - confidence) / 2
    return np.quantile(resampled, tail, axis=0), np.quantile(resampled, 1 - tail, axis=0)


def sppt_table(
    codes: Sequence[str], base: np.ndarray, test: np.ndarray, settings: SpptSettings | None = None
) -> tuple[pl.DataFrame, dict[str, float]]:
    """Per LSOA: counts, shares, intervals and whether the two periods are similar; and the S-indices.

    ``change`` is "similar", or (where the intervals do not overlap) "larger share" or "smaller share"
    in the test period.
    """
    settings = settings or SpptSettings()
    base, test = np.asarray(base, dtype=np.int64), np.asarray(test, dtype=np.int64)
    rng = np.random.default_rng(settings.seed)
    base_low, base_high = share_intervals(base, settings.samples, rng, settings.confidence)
    test_low, test_high = share_intervals(test, settings.samples, rng, settings.confidence)
    similar = np.maximum(base_low, test_low) <= np.minimum(base_high, test_high)
    base_share = base / max(int(base.sum()), 1) * 100
    test_share = test / max(int(test.sum()), 1) * 100
    change = np.where(similar, SIMILAR, np.where(test_share > base_share, LARGER, SMALLER))
    table = pl.DataFrame(
        {
            "lsoa21_code": list(codes),
            "base_count": base,
            "test_count": test,
            "base_share_pct": base_share,
            "test_share_pct": test_share,
            "base_low_pct": base_low,
            "base_high_pct": base_high,
            "test_low_pct": test_low,
            "test_high_pct": test_high,
            "similar": similar,
            "change": change,
        }
    )
    with_incidents = (base > 0) | (test > 0)
    indices = {
        "s_index": float(similar.mean()),
        "robust_s_index": float(similar[with_incidents].mean()) if with_incidents.any() else float("nan"),
        "units": len(codes),
        "units_with_incidents": int(with_incidents.sum()),
        "larger": int((change == LARGER).sum()),
        "smaller": int((change == SMALLER).sum()),
    }
    return table, indices


def sppt_statement(indices: dict[str, float], what: str, latest: Period) -> str:
    """One sentence for a lay reader on how much of the pattern stayed put."""
    return (
        f"Where {what} happened, the 12 months to {latest.end:%B %Y} against the 12 months before: "
        f"{round(indices['s_index'] * indices['units'])} of the {indices['units']} neighbourhoods (LSOAs) kept a similar "
        f"share (S-index {indices['s_index']:.2f}; {indices['robust_s_index']:.2f} over the "
        f"{indices['units_with_incidents']} with any); {indices['larger']} took a larger share and "
        f"{indices['smaller']} a smaller one (Andresen's spatial point pattern test)."
    )


def where_crime_moved(
    scope: Scope, crime_types: Sequence[str] | None = None, settings: SpptSettings | None = None, what: str = "crime"
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The test between the previous and the latest 12 months of the scope's period: the per-LSOA
    table, and a one-row summary with the S-indices and a sentence."""
    settings = settings or SpptSettings()
    base_period, test_period = scope.period.previous_12(), scope.period.latest_12()
    codes = sorted(scope.area.lsoas)
    monthly = monthly_lsoa_counts(scope, codes, crime_types)
    months = scope.period.month_list()
    in_base = np.array([base_period.start <= m <= base_period.end for m in months])
    in_test = np.array([test_period.start <= m <= test_period.end for m in months])
    table, indices = sppt_table(codes, monthly[in_base].sum(axis=0), monthly[in_test].sum(axis=0), settings)
    summary = pl.DataFrame(
        [
            {
                "base_period": base_period.label(),
                "test_period": test_period.label(),
                **indices,
                "statement": sppt_statement(indices, what, test_period),
            }
        ]
    )
    return table, summary
