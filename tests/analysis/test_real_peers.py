"""Peers on real data: police.uk January 2024 for 40 forces, with the bundled national Census and IMD.

The peer group is checked against an independent nearest-neighbour search (pandas + scikit-learn)
on the same profile variables, and the rates against direct SQL counts.
"""

from pathlib import Path

import numpy as np
import pytest

from cspkit.analysis.area import Period
from cspkit.analysis.peers import peer_group, peer_position, peer_rates
from cspkit.analysis.scope import ALL_CRIME
from cspkit.data import warehouse

from .conftest import independent_peers

CENTRAL_BEDFORDSHIRE = "E06000056"
JANUARY = Period.parse("2024-01", "2024-01")


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    ingest = pytest.importorskip("cspkit.data.police")
    archive = Path(__file__).resolve().parents[3] / "shared" / "data" / "police_uk" / "england-wales-2024-01-street.zip"
    if not archive.exists():
        pytest.skip("../shared/data is not present beside the repo")
    path = tmp_path_factory.mktemp("ew") / "ew.duckdb"
    ingest.ingest_police(path, [archive])
    return path


def test_peer_group_matches_an_independent_nearest_neighbour_search(national) -> None:
    with warehouse.read(national) as con:
        group = peer_group(con, [CENTRAL_BEDFORDSHIRE], JANUARY, k=10)
        expected, distances = independent_peers(con, CENTRAL_BEDFORDSHIRE, 10)
    peers = group.filter(~group["is_area"])
    assert peers["lad_code"].to_list() == expected
    np.testing.assert_allclose(peers["distance"].to_numpy(), distances, rtol=1e-9)
    assert group["residents"][0] == 294_233


def test_peer_rates_equal_direct_counts(national) -> None:
    with warehouse.read(national) as con:
        group = peer_group(con, [CENTRAL_BEDFORDSHIRE], JANUARY, k=10)
        rates = peer_rates(con, group, [CENTRAL_BEDFORDSHIRE], JANUARY)
        codes = group["lad_code"].to_list()
        direct = dict(
            con.execute(
                "SELECT lad_code, count(*) FROM street WHERE lad_code IN (SELECT unnest(?)) "
                "AND crime_type <> 'Anti-social behaviour' "
                # British Transport Police rows count only when the area itself has some (it has here).
                "AND (force <> 'btp' OR (SELECT count(*) FROM street WHERE force = 'btp' AND lad_code = ?) > 0) GROUP BY 1",
                [codes, CENTRAL_BEDFORDSHIRE],
            ).fetchall()
        )
    all_crime = rates.filter(rates["crime_type"] == ALL_CRIME)
    for row in all_crime.iter_rows(named=True):
        assert row["count"] == direct[row["lad_code"]]
        assert row["rate_per_1000_residents"] == pytest.approx(direct[row["lad_code"]] / row["residents"] * 1000)
    position = peer_position(rates).filter(peer_position(rates)["crime_type"] == ALL_CRIME).row(0, named=True)
    peer_values = all_crime.filter(~all_crime["is_area"])["rate_per_1000_residents"].to_numpy()
    assert position["peer_median"] == pytest.approx(np.median(peer_values))
    assert position["units"] == 11
