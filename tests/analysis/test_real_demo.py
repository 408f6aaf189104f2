"""The analysis on the real Central Bedfordshire demo data (police.uk 2021-05 to 2024-04), checked
against direct SQL, the published Census totals, scipy and esda."""

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from esda.getisord import G_Local
from libpysal.weights import W
from scipy import stats

from cspkit.analysis.analyse import analyse_area, open_scope
from cspkit.analysis.area import Period
from cspkit.analysis.hotspots import area_weights
from cspkit.analysis.scope import ALL_CRIME
from cspkit.data import warehouse

CENTRAL_BEDFORDSHIRE = "E06000056"
PERIOD = Period.parse("2021-05", "2024-04")


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory):
    ingest = pytest.importorskip("cspkit.data.police")
    archive = Path(__file__).resolve().parents[2] / "demo" / "police" / "bedfordshire-2021-05-to-2024-04.zip"
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    ingest.ingest_police(path, [archive])
    return path


@pytest.fixture(scope="module")
def demo(demo_warehouse):
    return analyse_area(demo_warehouse, CENTRAL_BEDFORDSHIRE, PERIOD)


def test_denominators_are_the_census_totals(demo) -> None:
    # Census 2021 (ONS custom table) residents and TS044 households for the 175 LSOAs, per SOURCES.md.
    assert len(demo.area.lsoas) == 175
    assert demo.denominators.residents == 294_233
    assert demo.denominators.households == 120_749


def test_counts_equal_direct_sql(demo, demo_warehouse) -> None:
    _, rows = warehouse.query(
        demo_warehouse,
        "SELECT crime_type = 'Anti-social behaviour', count(*) FROM street WHERE lad_code = ? "
        "AND month BETWEEN DATE '2021-05-01' AND DATE '2024-04-01' GROUP BY 1",
        [CENTRAL_BEDFORDSHIRE],
    )
    by_asb = dict(rows)
    rates = dict(demo.rates.select("crime_type", "count").iter_rows())
    assert rates[ALL_CRIME] == by_asb[False] and rates["Anti-social behaviour"] == by_asb[True]


def test_change_tests_match_scipy(demo) -> None:
    """The exact test beside the headline one equals scipy's; "statistically significant" follows the q-value of
    the headline test (Benjamini-Hochberg across the categories compared together, checked against scipy)."""
    for (comparison,), rows in demo.change.group_by(["comparison"]):
        tested = rows.filter(pl.col("p_value").is_not_null())
        q = stats.false_discovery_control(tested["p_value"].to_numpy(), method="bh")
        np.testing.assert_allclose(tested["q_value"].to_numpy(), q, rtol=1e-12)
        for row in rows.iter_rows(named=True):
            n = row["previous_count"] + row["latest_count"]
            assert row["p_value_exact_poisson"] == pytest.approx(stats.binomtest(row["latest_count"], n, 0.5).pvalue)
            assert row["significant"] == (row["q_value"] is not None and row["q_value"] < 0.05)
            assert ("statistically significant" in row["statement"]) == row["significant"], comparison
    assert demo.trends["annual_pct"].null_count() == 0


def test_gi_star_on_real_boundaries_matches_esda(demo, demo_warehouse) -> None:
    with open_scope(demo_warehouse, CENTRAL_BEDFORDSHIRE, PERIOD) as scope:
        weights = area_weights(scope, "queen")
    neighbours = weights.neighbours()
    w = W(neighbours, {k: [1.0] * len(v) for k, v in neighbours.items()}, id_order=list(weights.codes), silence_warnings=True)
    ordered = pl.DataFrame({"lsoa21_code": list(weights.codes)}).join(demo.hotspots, on="lsoa21_code", how="left")
    reference = G_Local(ordered["count"].to_numpy().astype(float), w, transform="B", star=True, permutations=0)
    np.testing.assert_allclose(ordered["gi_z"].to_numpy(), reference.Zs, atol=1e-6, rtol=0)


def test_provenance_names_the_real_files(demo) -> None:
    sources = demo.provenance["rates"].sources
    assert len(sources) == 36 and all("bedfordshire-street" in s for s in sources)


def test_grouped_concentration_equals_one_category_at_a_time(demo, demo_warehouse) -> None:
    from cspkit.analysis.concentration import concentration_table

    with open_scope(demo_warehouse, CENTRAL_BEDFORDSHIRE, PERIOD) as scope:
        one_by_one = pl.concat([concentration_table(scope, c) for c in [None, "Burglary", "Robbery"]])
    grouped = demo.concentration.filter(pl.col("crime_type").is_in([ALL_CRIME, "Burglary", "Robbery"]))
    key = ["crime_type", "unit"]
    assert grouped.sort(key).equals(one_by_one.sort(key))
