"""Hot spots for districts outside the demo with only the bundled national geography: ``cspkit analyse
hotspots --weights queen`` on a fresh warehouse, its Gi* z checked against esda on libpysal's own Queen
contiguity of the full-resolution ONS polygons (the file the bundle was built from)."""

import json
from datetime import date

import numpy as np
import pytest
from esda.getisord import G_Local
from libpysal.weights import Queen
from typer.testing import CliRunner

from cspkit.cli import app
from cspkit.data import warehouse
from cspkit.data.geography import load_reference_tables

from .conftest import write_street

OXFORD, CARDIFF = "E07000178", "W06000015"
NATIONAL = "ons_geography/national/lsoa21_boundaries_ew_bgc.parquet"


@pytest.fixture(scope="module")
def national_warehouse(tmp_path_factory):
    """Bundled reference tables only (no ``cspkit ingest geography``) and one month of street crime in each district."""
    path = tmp_path_factory.mktemp("national") / "w.duckdb"
    rng = np.random.default_rng(11)
    with warehouse.write(path) as con:
        load_reference_tables(con)
        lsoas = con.execute("""SELECT lsoa21_code, lad_code, latitude - avg(latitude) OVER (PARTITION BY lad_code)
                               FROM lsoa WHERE lad_code IN (?, ?) ORDER BY 1""", [OXFORD, CARDIFF]).fetchall()
        # More crime in the northern half, so there are real hot and cold spots to find.
        rows = [{"month": date(2024, 3, 1), "lsoa": code, "lad": lad, "crime_type": "Burglary", "outcome": None,
                 "location": None, "n": int(rng.poisson(4 + 10 * (north > 0)))} for code, lad, north in lsoas]
        write_street(con, [r for r in rows if r["n"]])
    return path


@pytest.mark.parametrize("district", [OXFORD, CARDIFF])
def test_queen_hotspots_equal_esda_on_libpysal_queen_of_the_full_polygons(national_warehouse, shared_data, district) -> None:
    import geopandas

    result = CliRunner().invoke(app, ["analyse", "hotspots", "--area", district, "--from", "2024-03", "--to", "2024-03",
                                      "--weights", "queen", "-w", str(national_warehouse), "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    codes = [r["lsoa21_code"] for r in rows]
    with warehouse.read(national_warehouse) as con:
        district_lsoas = con.execute("SELECT lsoa21_code FROM lsoa WHERE lad_code = ? ORDER BY 1", [district]).fetchall()
    assert codes == [r[0] for r in district_lsoas]

    polygons = geopandas.read_parquet(shared_data / NATIONAL).set_index("LSOA21CD").loc[codes]
    queen = Queen.from_dataframe(polygons, use_index=True, silence_warnings=True)
    counts = np.array([r["count"] or 0 for r in rows], dtype=float)
    reference = G_Local(counts, queen, transform="B", star=True, permutations=0)
    assert [r["neighbours"] for r in rows] == [queen.cardinalities[c] for c in codes]
    np.testing.assert_allclose([r["gi_z"] for r in rows], reference.Zs, atol=1e-6, rtol=0)
    assert {r["classification"] for r in rows} >= {"hot spot"}
