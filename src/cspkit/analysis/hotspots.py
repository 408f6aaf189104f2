"""Hot and cold spots: Getis-Ord Gi* over the area's LSOAs, with a false-discovery-rate correction.

Weights are binary and include each LSOA itself (that is what makes it Gi* rather than Gi):
queen contiguity (boundaries that share a point) from the bundled national table ``lsoa_contiguity``,
or the k nearest LSOA centroids from ``lsoa``. Only the area's own LSOAs enter, so LSOAs on the area's
edge have fewer neighbours than they would in a national analysis (docs/geography.md says why).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse, stats
from scipy.spatial import cKDTree

from cspkit.analysis.concentration import lsoa_counts
from cspkit.analysis.scope import Scope, require_table
from cspkit.data.geography import queen_pairs
from cspkit.errors import AnalysisError

HOT, COLD, NEITHER = "hot spot", "cold spot", "no clustering"
NO_TEST = "no test: its neighbourhood is the whole area"
EARTH_RADIUS_KM = 6371.0


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


def classify(z: np.ndarray, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Two-sided p-values, Benjamini-Hochberg q-values, and hot/cold classes at FDR ``alpha``."""
    p = 2 * stats.norm.sf(np.abs(z))
    q = np.full_like(p, np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        q[tested] = stats.false_discovery_control(p[tested], method="bh")
    classes = [
        NO_TEST if np.isnan(qi) else HOT if qi < alpha and zi > 0 else COLD if qi < alpha and zi < 0 else NEITHER
        for zi, qi in zip(z, q, strict=True)
    ]
    return p, q, classes


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
    scope: Scope, kind: str = "queen", k: int = 8, crime_type: str | None = None, alpha: float = 0.05
) -> pl.DataFrame:
    """Gi* per LSOA: ``lsoa21_code``, ``count``, ``neighbours``, ``gi_z``, ``p_value``, ``q_value``, ``classification``."""
    weights = area_weights(scope, kind, k)
    counts = lsoa_counts(scope, crime_type)
    ordered = pl.DataFrame({"lsoa21_code": list(weights.codes)}).join(counts, on="lsoa21_code", how="left")
    z = gi_star(ordered["count"].to_numpy(), weights.matrix)
    p, q, classes = classify(z, alpha)
    return ordered.with_columns(
        pl.Series("neighbours", np.diff(weights.matrix.indptr), dtype=pl.Int64),
        pl.Series("gi_z", z, nan_to_null=True),
        pl.Series("p_value", p, nan_to_null=True),
        pl.Series("q_value", q, nan_to_null=True),
        pl.Series("classification", classes),
        pl.lit(weights.kind).alias("weights"),
    )
