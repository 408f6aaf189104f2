"""Gi* against esda on the same weights (z-scores and conditional-permutation p-values), queen
contiguity against libpysal, and the FDR step against statsmodels."""

import importlib.util
import json

import numpy as np
import pytest
from esda.getisord import G_Local
from libpysal.weights import W
from statsmodels.stats.multitest import multipletests

from cspkit.analysis.concentration import gini, top_share
from cspkit.analysis.hotspots import (
    PermutationSettings,
    classify,
    gi_star,
    gi_star_test,
    knn_weights,
    permutation_p_values,
    permutation_tails,
    queen_weights,
)
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


def _central_bedfordshire(shared_data):
    collection = json.loads((shared_data / "ons_geography/drkane_geo_lookups/boundaries/lsoa/E06000056.geojson").read_text())
    codes = [f["properties"]["LSOA21CD"] for f in collection["features"]]
    return collection, codes, queen_weights(codes, [json.dumps(f["geometry"]) for f in collection["features"]])


def test_gi_star_matches_esda_on_queen_weights_of_real_boundaries(shared_data) -> None:
    collection, codes, weights = _central_bedfordshire(shared_data)
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
    p = np.array([0.002, 0.03, 0.004, 0.8, 0.3, 0.6, 0.01, 0.001])
    q, classes = classify(z, p, alpha=0.05)
    reject, q_ref, _, _ = multipletests(p, alpha=0.05, method="fdr_bh")
    np.testing.assert_allclose(q, q_ref)
    assert [c != "not significant" for c in classes] == list(reject)
    assert classes[0] == "hot spot" and classes[-1] == "cold spot"


@pytest.mark.skipif(importlib.util.find_spec("numba") is not None, reason="with numba, esda draws from numba's own generator")
@pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning")
@pytest.mark.parametrize("seed", [7, 2024])
def test_permutation_counts_equal_esdas_with_the_same_seed(shared_data, seed: int) -> None:
    """esda's G_Local(star=True, transform="B") p_sim is (folded count + 1) / (permutations + 1)."""
    _, codes, weights = _central_bedfordshire(shared_data)
    counts = np.random.default_rng(seed).negative_binomial(2, 0.1, len(codes)).astype(float)
    esda = G_Local(counts, _libpysal(weights), transform="B", star=True, permutations=999, seed=seed, n_jobs=1)
    upper, lower = permutation_tails(counts, weights.matrix, PermutationSettings(999, seed))
    folded = np.minimum(upper[0], 999 - upper[0])
    np.testing.assert_array_equal(folded, np.round(esda.p_sim * 1000).astype(int) - 1)
    # The lower tail counts ties too: at most the permutations above, plus those equal.
    assert (lower[0] >= 999 - upper[0]).all() and (lower[0] + upper[0] >= 999).all()


def test_two_sided_p_values_by_brute_force() -> None:
    """Redraw each unit's neighbours by hand from the same draws and count both tails."""
    codes, lat, lon, rng = _random_points(30, seed=5)
    weights = knn_weights(codes, lat, lon, 4)
    values = rng.poisson(3, 30).astype(float)
    settings = PermutationSettings(permutations=99, seed=11, refine_to=0)
    draws = np.random.RandomState(11)
    draws = np.stack([draws.choice(29, size=4, replace=False) for _ in range(99)])
    expected = []
    for i in range(30):
        own = values[i] + values[weights.matrix[i].indices].sum()
        others = np.delete(values, i)
        drawn = values[i] + others[draws].sum(axis=1)
        tail = min((drawn >= own).sum(), (drawn <= own).sum())
        expected.append(min(1.0, 2 * (tail + 1) / 100))
    np.testing.assert_allclose(permutation_p_values(values, weights.matrix, settings), expected)


def test_small_p_values_are_refined_with_more_permutations() -> None:
    """Units at most 0.1 after the first 99 permutations are counted over 999 in all: the first 99 and 900
    more; the others keep their first p-value."""
    from cspkit.analysis.hotspots import REFINE_BELOW, _more_draws, _other_unit_draws

    codes, lat, lon, rng = _random_points(40, seed=8)
    weights = knn_weights(codes, lat, lon, 5)
    values = rng.negative_binomial(1, 0.1, 40).astype(float)
    values[weights.matrix[0].indices] += 30
    first = permutation_p_values(values, weights.matrix, PermutationSettings(99, 4, refine_to=0))
    refined = permutation_p_values(values, weights.matrix, PermutationSettings(99, 4, refine_to=999))
    draws = np.vstack([_other_unit_draws(40, 5, 99, 4), _more_draws(40, 5, 900, 4)])
    for i in range(40):
        own = values[i] + values[weights.matrix[i].indices].sum()
        drawn = values[i] + np.delete(values, i)[draws].sum(axis=1)
        tail = min((drawn >= own).sum(), (drawn <= own).sum())
        expected = min(1.0, 2 * (tail + 1) / 1000) if first[i] <= REFINE_BELOW else first[i]
        assert refined[i] == pytest.approx(expected), i
    assert (first <= REFINE_BELOW).any() and refined.min() < 2 / 100


def test_permutation_p_values_hold_their_size_on_skewed_counts(shared_data) -> None:
    """With no spatial pattern (skewed counts shuffled over the LSOAs), p < 0.05 about 5% of the time and
    p < 0.002 about 0.2%; the normal approximation's p-values fall below 0.002 several times too often."""
    from scipy import stats

    _, codes, weights = _central_bedfordshire(shared_data)
    rng = np.random.default_rng(3)
    base = rng.negative_binomial(0.4, 0.02, len(codes)).astype(float)
    assert stats.skew(base) > 2
    shuffles = np.stack([rng.permutation(base) for _ in range(40)])
    p = permutation_p_values(shuffles, weights.matrix, PermutationSettings(199, 1))
    z = np.stack([gi_star(row, weights.matrix) for row in shuffles])
    normal = 2 * stats.norm.sf(np.abs(z))
    assert 0.035 < (p < 0.05).mean() < 0.065
    assert (p < 0.002).mean() < 0.004
    assert (normal < 0.002).mean() > 3 * 0.002


def test_gi_star_test_finds_a_planted_cluster_and_is_repeatable(shared_data) -> None:
    _, codes, weights = _central_bedfordshire(shared_data)
    counts = np.random.default_rng(9).poisson(20, len(codes)).astype(float)
    centre = int(np.argmax(np.diff(weights.matrix.indptr)))
    # Two rings of neighbours: enough LSOAs at the smallest p (0.002) for Benjamini-Hochberg to pass them.
    ring = {centre, *weights.matrix[centre].indices}
    cluster = sorted(ring.union(*(weights.matrix[j].indices for j in ring)))
    counts[cluster] += 40
    first = gi_star_test(counts, weights.matrix, PermutationSettings(999, 5))
    assert first["classification"][centre] == "hot spot"
    assert first.equals(gi_star_test(counts, weights.matrix, PermutationSettings(999, 5)))
    _, q_ref, _, _ = multipletests(first["p_value"].to_numpy(), alpha=0.05, method="fdr_bh")
    np.testing.assert_allclose(first["q_value"].to_numpy(), q_ref)
    assert set(first["classification"]) <= {"hot spot", "cold spot", "not significant"}


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
