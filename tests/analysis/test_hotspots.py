"""Gi* against esda on the same weights, queen contiguity against libpysal, and the FDR step."""

import numpy as np
import pytest
from esda.getisord import G_Local
from libpysal.weights import W
from statsmodels.stats.multitest import multipletests

from cspkit.analysis.concentration import gini, top_share
from cspkit.analysis.hotspots import classify, gi_star, knn_weights, queen_weights
from cspkit.errors import AnalysisError


def _libpysal(weights) -> W:
    neighbours = weights.neighbours()
    return W(neighbours, {k: [1.0] * len(v) for k, v in neighbours.items()}, id_order=list(weights.codes), silence_warnings=True)


def _random_points(n: int, seed: int):
    rng = np.random.default_rng(seed)
    return [f"L{i:03d}" for i in range(n)], rng.uniform(51.8, 52.2, n), rng.uniform(-0.7, -0.2, n), rng


@pytest.mark.parametrize("k", [4, 8])
def test_gi_star_matches_esda_on_knn_weights(k: int) -> None:
    codes, lat, lon, rng = _random_points(120, seed=k)
    values = rng.poisson(20, 120).astype(float)
    values[:10] += 40
    weights = knn_weights(codes, lat, lon, k)
    ours = gi_star(values, weights.matrix)
    theirs = G_Local(values, _libpysal(weights), transform="B", star=True, permutations=0)
    np.testing.assert_allclose(ours, theirs.Zs, atol=1e-6, rtol=0)


def test_gi_star_matches_esda_on_queen_weights_of_real_boundaries(shared_data) -> None:
    import json

    collection = json.loads((shared_data / "ons_geography/drkane_geo_lookups/boundaries/lsoa/E06000056.geojson").read_text())
    codes = [f["properties"]["LSOA21CD"] for f in collection["features"]]
    weights = queen_weights(codes, [json.dumps(f["geometry"]) for f in collection["features"]])
    values = np.random.default_rng(1).gamma(2.0, 30.0, len(codes))
    theirs = G_Local(values, _libpysal(weights), transform="B", star=True, permutations=0)
    np.testing.assert_allclose(gi_star(values, weights.matrix), theirs.Zs, atol=1e-6, rtol=0)
    # Our queen weights agree with libpysal's own queen contiguity on the same polygons.
    import shapely
    from libpysal.weights import Queen

    reference = Queen.from_iterable([shapely.geometry.shape(f["geometry"]) for f in collection["features"]], ids=codes)
    ours = weights.neighbours()
    assert {c: set(ours[c]) for c in codes} == {c: set(reference.neighbors[c]) for c in codes}


def test_queen_on_a_grid() -> None:
    from .conftest import square

    codes = [f"S{i}" for i in range(9)]
    weights = queen_weights(codes, [square(i % 3, i // 3) for i in range(9)])
    assert sorted(weights.neighbours()["S4"]) == ["S0", "S1", "S2", "S3", "S5", "S6", "S7", "S8"]
    assert sorted(weights.neighbours()["S0"]) == ["S1", "S3", "S4"]


def test_benjamini_hochberg_matches_statsmodels() -> None:
    z = np.array([3.5, 2.2, -2.8, 0.3, 1.1, -0.5, 2.9, -3.9])
    p, q, classes = classify(z, alpha=0.05)
    reject, q_ref, _, _ = multipletests(p, alpha=0.05, method="fdr_bh")
    np.testing.assert_allclose(q, q_ref)
    assert [c != "no clustering" for c in classes] == list(reject)
    assert classes[0] == "hot spot" and classes[-1] == "cold spot"


def test_equal_counts_have_no_hotspots() -> None:
    codes, lat, lon, _ = _random_points(20, seed=3)
    with pytest.raises(AnalysisError, match="same count"):
        gi_star(np.full(20, 7.0), knn_weights(codes, lat, lon, 4).matrix)


def test_concentration_measures_by_hand() -> None:
    values = [0] * 18 + [10, 30]
    assert top_share(values, 0.05) == pytest.approx(0.75)  # top 1 of 20
    assert top_share(values, 0.10) == pytest.approx(1.0)  # top 2 of 20
    mean_abs_diff = np.abs(np.subtract.outer(values, values)).sum() / (2 * 20**2 * np.mean(values))
    assert gini(values) == pytest.approx(mean_abs_diff)
    assert gini([5, 5, 5]) == pytest.approx(0.0)
    with pytest.raises(AnalysisError):
        gini([0, 0])
