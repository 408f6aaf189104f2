"""Hot and cold spots: Getis-Ord Gi* over the area's LSOAs, tested by conditional permutation.

Weights are binary and include each LSOA itself (that is what makes it Gi* rather than Gi):
queen contiguity (boundaries that share a point) from the bundled national table ``lsoa_contiguity``,
or the k nearest LSOA centroids from ``lsoa``. Only the area's own LSOAs enter, so LSOAs on the area's
edge have fewer neighbours than they would in a national analysis (docs/geography.md says why).

Crime counts by LSOA are skewed, so the normal approximation to Gi* is too liberal: its p-values
come instead from conditional permutation (each LSOA keeps its own count while its neighbours' are
drawn at random from the other LSOAs, 999 times by default, with a fixed seed so a run can be
repeated), then Benjamini-Hochberg across LSOAs. The z-score stays as the size of the effect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from cspkit.analysis.concentration import lsoa_counts
from cspkit.analysis.multiplicity import bh_q_values
from cspkit.analysis.scope import Scope, require_table
from cspkit.data.geography import queen_pairs
from cspkit.errors import AnalysisError

if TYPE_CHECKING:
    from scipy import sparse

HOT, COLD, NOT_SIGNIFICANT = "hot spot", "cold spot", "not significant"
NO_TEST = "no test: its neighbourhood is the whole area"
EARTH_RADIUS_KM = 6371.0
#: Columns of :func:`hotspot_table` that are computed from the LSOA's own count (with its
#: neighbours'): where suppression hides that count, these must be hidden with it.
DERIVED_FROM_COUNT = {"gi_z": "count", "p_value": "count", "q_value": "count", "classification": "count"}
HOTSPOT_METHOD = (
    "Getis-Ord Gi* ({weights} weights, binary, self included); two-sided pseudo p-values from {permutations} "
    "conditional permutations (seed {seed}; {refine} in all where p <= 0.1); Benjamini-Hochberg FDR across the LSOAs"
)
#: Units whose first p-value is at most this are tested again with more permutations. With 999
#: permutations the smallest two-sided p is 0.002, while Benjamini-Hochberg over 175 LSOAs needs
#: 0.05 / 175 = 0.0003 to pass a single one: without more permutations no lone LSOA could ever pass.
REFINE_BELOW = 0.1
#: Elements of the (units x permutations x neighbours x steps) block gathered at once: bounds memory.
_BLOCK_ELEMENTS = 4_000_000


@dataclass(frozen=True)
class PermutationSettings:
    """How Gi* is tested: ``permutations`` conditional permutations drawn from ``seed``; the units whose
    p-value is then at most :data:`REFINE_BELOW` are tested again with ``refine_to`` permutations in all
    (0: never), so that a p-value small enough to survive the false discovery rate correction can be seen."""

    permutations: int = 999
    seed: int = 12345
    refine_to: int = 9999


@dataclass(frozen=True)
class SpatialWeights:
    """Binary neighbour matrix (no self-links) over ``codes``, in that order."""

    codes: tuple[str, ...]
    matrix: sparse.csr_matrix
    kind: str

    def neighbours(self) -> dict[str, list[str]]:
        return {
            code: [self.codes[j] for j in self.matrix.indices[self.matrix.indptr[i] : self.matrix.indptr[i + 1]]]
            for i, code in enumerate(self.codes)
        }


def contiguity_weights(codes: Sequence[str], pairs: Sequence[tuple[str, str]]) -> SpatialWeights:
    """Binary weights over ``codes`` from unordered neighbour pairs (pairs leaving ``codes`` are ignored)."""
    from scipy import sparse

    position = {code: i for i, code in enumerate(codes)}
    links = np.array([(position[a], position[b]) for a, b in pairs if a in position and b in position and a != b],
                     dtype=np.int64).reshape(-1, 2)
    left, right = np.concatenate([links[:, 0], links[:, 1]]), np.concatenate([links[:, 1], links[:, 0]])
    n = len(codes)
    matrix = sparse.csr_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    matrix.data[:] = 1.0
    return SpatialWeights(tuple(codes), matrix, "queen contiguity")


def queen_weights(codes: Sequence[str], geometries: Sequence[str]) -> SpatialWeights:
    """Queen contiguity from GeoJSON polygons: neighbours share at least one boundary vertex (libpysal's rule)."""
    import shapely

    pairs = queen_pairs(codes, shapely.from_geojson(list(geometries)))
    return contiguity_weights(codes, list(pairs.iter_rows()))


def knn_weights(codes: Sequence[str], latitudes: Sequence[float], longitudes: Sequence[float], k: int = 8) -> SpatialWeights:
    """The ``k`` nearest centroids (great-circle distances approximated on a local flat projection)."""
    from scipy import sparse
    from scipy.spatial import cKDTree

    n = len(codes)
    if n <= k:
        raise AnalysisError(f"k-nearest-neighbour weights need more than k={k} LSOAs; the area has {n}")
    lat = np.radians(np.asarray(latitudes, dtype=float))
    lon = np.radians(np.asarray(longitudes, dtype=float))
    points = np.column_stack([lon * np.cos(lat.mean()), lat]) * EARTH_RADIUS_KM
    _, index = cKDTree(points).query(points, k=k + 1)
    rows, cols = [], []
    for i, near in enumerate(index):
        others = [j for j in near if j != i][:k]
        rows += [i] * len(others)
        cols += others
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    return SpatialWeights(tuple(codes), matrix, f"{k} nearest neighbours")


def gi_star(values: Sequence[float], weights: sparse.csr_matrix) -> np.ndarray:
    """Getis-Ord Gi* z-scores (Getis and Ord 1995) with each unit counted as its own neighbour."""
    from scipy import sparse

    x = np.asarray(values, dtype=float)
    n = len(x)
    w = (weights + sparse.identity(n, format="csr")).tocsr()
    mean = x.mean()
    sd = np.sqrt((x**2).mean() - mean**2)
    if sd == 0:
        raise AnalysisError("every LSOA has the same count, so there are no hot or cold spots to find")
    w_sum = np.asarray(w.sum(axis=1)).ravel()
    w_sq = np.asarray(w.multiply(w).sum(axis=1)).ravel()
    numerator = w @ x - mean * w_sum
    denominator = sd * np.sqrt(np.maximum(n * w_sq - w_sum**2, 0) / (n - 1))
    # A unit whose neighbourhood is the whole area has no variance to test against: no z-score.
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


@lru_cache(maxsize=8)
def _other_unit_draws(n: int, max_neighbours: int, permutations: int, seed: int) -> np.ndarray:
    """For each permutation, ``max_neighbours`` distinct positions among the n - 1 units other than
    the one tested. Drawn as esda's conditional randomisation draws them (legacy NumPy generator,
    one ``choice`` without replacement per permutation), so the same seed gives esda's p-values."""
    rng = np.random.RandomState(seed)
    return np.stack([rng.choice(n - 1, size=max_neighbours, replace=False) for _ in range(permutations)])


@lru_cache(maxsize=8)
def _more_draws(n: int, max_neighbours: int, permutations: int, seed: int) -> np.ndarray:
    """Further draws of the same kind for the refining permutations, vectorised: the ``max_neighbours``
    positions with the smallest of n - 1 uniform keys, in key order (so any first k are a uniform k-subset).
    Keys are drawn a block of rows at a time, which bounds memory and gives the same draws."""
    rng = np.random.default_rng(seed)
    rows = max(1, _BLOCK_ELEMENTS // max(n - 1, 1))
    blocks = []
    for first in range(0, permutations, rows):
        keys = rng.random((min(rows, permutations - first), n - 1))
        smallest = np.argpartition(keys, max_neighbours - 1, axis=1)[:, :max_neighbours]
        order = np.take_along_axis(keys, smallest, axis=1).argsort(axis=1)
        blocks.append(np.take_along_axis(smallest, order, axis=1))
    return np.vstack(blocks)


def _tails(x: np.ndarray, weights: sparse.csr_matrix, draws: np.ndarray, only: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Upper and lower tail counts over ``draws`` for the units in ``only`` (zeros elsewhere)."""
    neighbours = np.diff(weights.indptr)
    permutations = len(draws)
    upper = np.zeros(x.shape, dtype=np.int64)
    lower = np.zeros(x.shape, dtype=np.int64)
    upper[:, only] = lower[:, only] = permutations  # a unit with no neighbours always equals itself
    observed = x + np.stack([weights @ row for row in x])
    by_unit = np.ascontiguousarray(x.T)  # units x steps: one gather fetches every step's value
    for k in np.unique(neighbours[only][neighbours[only] > 0]):
        same_k = only[neighbours[only] == k]
        block = max(1, _BLOCK_ELEMENTS // (permutations * k * x.shape[0]))
        for first in range(0, len(same_k), block):
            units = same_k[first : first + block]
            # Position p among the other units is unit p, or p + 1 once past the unit tested.
            others = draws[None, :, :k] + (draws[None, :, :k] >= units[:, None, None])
            drawn = by_unit[others].sum(axis=2).transpose(2, 0, 1) + x[:, units, None]  # steps x units x permutations
            target = observed[:, units, None]
            tolerance = 1e-9 * np.maximum(1.0, np.abs(target))
            upper[:, units] = (drawn >= target - tolerance).sum(axis=-1)
            lower[:, units] = (drawn <= target + tolerance).sum(axis=-1)
    return upper, lower


def permutation_tails(
    values: np.ndarray, weights: sparse.csr_matrix, settings: PermutationSettings
) -> tuple[np.ndarray, np.ndarray]:
    """How many of the first ``settings.permutations`` permutations gave each unit's Gi* neighbourhood
    (itself included) a total at least, and at most, the observed one. ``values`` is one row per time
    step (or a single vector).

    Under conditional permutation unit i keeps its own value and its k_i neighbours' values are
    replaced by k_i values drawn without replacement from the other n - 1 units. The total of all
    values is fixed, so comparing neighbourhood totals is comparing Gi* itself.
    """
    x = np.atleast_2d(np.asarray(values, dtype=float))
    n = x.shape[1]
    neighbours = np.diff(weights.indptr)
    if n < 2 or neighbours.max(initial=0) == 0:
        full = np.full(x.shape, settings.permutations, dtype=np.int64)
        return full, full.copy()
    draws = _other_unit_draws(n, int(neighbours.max()), settings.permutations, settings.seed)
    return _tails(x, weights, draws, np.arange(n))


def _two_sided(upper: np.ndarray, lower: np.ndarray, permutations: int) -> np.ndarray:
    return np.minimum(1.0, 2 * (np.minimum(upper, lower) + 1) / (permutations + 1))


def permutation_p_values(
    values: Sequence[float] | np.ndarray, weights: sparse.csr_matrix, settings: PermutationSettings
) -> np.ndarray:
    """Two-sided pseudo p-values of Gi*: twice the smaller tail, (count + 1) / (permutations + 1), at most 1.

    Units at most :data:`REFINE_BELOW` after the first permutations are counted again over
    ``settings.refine_to`` permutations in all (the first ones and more drawn after them).
    """
    x = np.atleast_2d(np.asarray(values, dtype=float))
    upper, lower = permutation_tails(x, weights, settings)
    p = _two_sided(upper, lower, settings.permutations)
    extra = settings.refine_to - settings.permutations
    neighbours = np.diff(weights.indptr)
    candidates = p <= REFINE_BELOW
    if extra > 0 and candidates.any() and neighbours.max(initial=0) > 0:
        only = np.flatnonzero(candidates.any(axis=0))
        more = _more_draws(x.shape[1], int(neighbours.max()), extra, settings.seed)
        more_upper, more_lower = _tails(x, weights, more, only)
        refined = _two_sided(upper + more_upper, lower + more_lower, settings.refine_to)
        p = np.where(candidates, refined, p)
    return p[0] if np.ndim(values) == 1 else p


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values of the p-values that are not NaN (NaN stays NaN)."""
    return bh_q_values(p)


def classify(z: np.ndarray, p: np.ndarray, alpha: float = 0.05) -> tuple[np.ndarray, list[str]]:
    """Benjamini-Hochberg q-values across the units, and hot/cold classes at false discovery rate ``alpha``
    (a unit with no z-score, ``NaN``, must have a ``NaN`` p-value: it is left out of the correction)."""
    q = benjamini_hochberg(p)
    classes = [
        NO_TEST if np.isnan(qi) else HOT if qi < alpha and zi > 0 else COLD if qi < alpha and zi < 0 else NOT_SIGNIFICANT
        for zi, qi in zip(z, q, strict=True)
    ]
    return q, classes


def gi_star_test(
    values: Sequence[float] | np.ndarray, weights: sparse.csr_matrix, settings: PermutationSettings, alpha: float = 0.05
) -> pl.DataFrame:
    """``gi_z``, ``p_value``, ``q_value``, ``classification`` for one vector of values over the weights' units."""
    z = gi_star(values, weights)
    p = np.where(np.isnan(z), np.nan, permutation_p_values(values, weights, settings))
    q, classes = classify(z, p, alpha)
    return pl.DataFrame(
        {
            "gi_z": pl.Series(z, nan_to_null=True),
            "p_value": pl.Series(p, nan_to_null=True),
            "q_value": pl.Series(q, nan_to_null=True),
            "classification": classes,
        }
    )


def area_weights(scope: Scope, kind: str = "queen", k: int = 8) -> SpatialWeights:
    """Weights over the area's LSOAs from the warehouse's contiguity table (queen) or centroids (knn)."""
    lsoas = list(scope.area.lsoas)
    if kind == "queen":
        require_table(scope.con, "lsoa_contiguity")
        if not scope.con.execute("SELECT count(*) FROM lsoa_contiguity").fetchall()[0][0]:
            raise AnalysisError("the warehouse has no LSOA contiguity table yet (it predates it): "
                                "run 'cspkit ingest geography' to load the bundled geography")
        pairs = scope.con.execute(
            """SELECT lsoa21_code, neighbour_code FROM lsoa_contiguity
               WHERE lsoa21_code IN (SELECT unnest($1)) AND neighbour_code IN (SELECT unnest($1))""", [lsoas]
        ).fetchall()
        return contiguity_weights(sorted(lsoas), pairs)
    if kind == "knn":
        rows = scope.con.execute(
            "SELECT lsoa21_code, latitude, longitude FROM lsoa WHERE lsoa21_code IN (SELECT unnest(?)) ORDER BY 1", [lsoas]
        ).fetchall()
        if any(r[1] is None or r[2] is None for r in rows):
            raise AnalysisError("some of the area's LSOAs have no centroid in the lsoa table; load centroids first")
        return knn_weights([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], k)
    raise AnalysisError(f"unknown spatial weights {kind!r}: use 'queen' or 'knn'")


def hotspot_table(
    scope: Scope,
    kind: str = "queen",
    k: int = 8,
    crime_type: str | None = None,
    alpha: float = 0.05,
    settings: PermutationSettings | None = None,
) -> pl.DataFrame:
    """Gi* per LSOA: ``lsoa21_code``, ``count``, ``neighbours``, ``gi_z``, ``p_value``, ``q_value``,
    ``classification``, ``weights`` (see :data:`DERIVED_FROM_COUNT` for what suppression must hide)."""
    weights = area_weights(scope, kind, k)
    counts = lsoa_counts(scope, crime_type)
    ordered = pl.DataFrame({"lsoa21_code": list(weights.codes)}).join(counts, on="lsoa21_code", how="left")
    tested = gi_star_test(ordered["count"].to_numpy(), weights.matrix, settings or PermutationSettings(), alpha)
    return pl.concat(
        [ordered.with_columns(pl.Series("neighbours", np.diff(weights.matrix.indptr), dtype=pl.Int64)), tested],
        how="horizontal",
    ).with_columns(pl.lit(weights.kind).alias("weights"))
