"""Reference tables, LSOA 2011 -> 2021 harmonisation (checked against the ONS lookups) and areas."""

from __future__ import annotations

import gzip
import json

import numpy as np
import polars as pl
import pytest

from cspkit.data import warehouse
from cspkit.data.geography import LsoaLookup, boundaries, harmonise, ingest_geography, resolve_area
from cspkit.errors import ConfigError, InputError


def test_reference_tables_are_loaded_with_national_coverage(reference_warehouse):
    _, rows = warehouse.query(reference_warehouse, """SELECT
        (SELECT count(*) FROM lsoa), (SELECT count(*) FROM lsoa WHERE latitude IS NULL),
        (SELECT sum(residents) FROM population p JOIN lsoa USING (lsoa21_code) WHERE lad_code = 'E06000056'),
        (SELECT sum(households) FROM households JOIN lsoa USING (lsoa21_code) WHERE lad_code = 'E06000056'),
        (SELECT population FROM lad WHERE lad_code = 'E06000056'),
        (SELECT count(*) FROM imd)""")
    # Figures from SOURCES.md: 35,672 LSOAs; Central Bedfordshire 294,233 residents, 120,749 households,
    # TS009 total 294,252; IMD 2025 covers England's 33,755 LSOAs.
    assert rows[0] == (35_672, 0, 294_233, 120_749, 294_252, 33_755)
    with warehouse.read(reference_warehouse) as con:
        polygons = boundaries(con)
        assert boundaries(con, ["E06000056"]).height == 175  # SOURCES.md: Central Bedfordshire's polygons
        codes = {r[0] for r in con.execute("SELECT lsoa21_code FROM lsoa").fetchall()}
    assert polygons.height == 35_672 and set(polygons["lsoa21_code"]) == codes  # one polygon for every LSOA


def _lookup(reference_warehouse) -> LsoaLookup:
    with warehouse.read(reference_warehouse) as con:
        return LsoaLookup.from_warehouse(con)


def test_harmonisation_follows_the_change_codes(reference_warehouse):
    frame = pl.DataFrame({
        "source_row": [1, 2, 3, 4, 5, 6, 7, 8],
        "lsoa_code": ["E01034474", "E01017540", "E01028041", "E01000010", "E01000010", "E01000010", "E01008187",
                      "E01999999"],
        # Rows 4 and 5: a split 2011 LSOA, each point next to one child's centroid; row 6 has no coordinates.
        "latitude": [None, None, None, 51.537639, 51.53646, None, None, None],
        "longitude": [None, None, None, 0.080881, 0.076368, None, None, None],
    })
    out = harmonise(frame, _lookup(reference_warehouse))
    assert out["lsoa21_code"].to_list() == [
        "E01034474",  # already a 2021 code
        "E01017540",  # unchanged (U)
        "E01033769",  # merged (M)
        "E01034473",  # split (S): nearest child centroid
        "E01034474",  # split (S): the other child
        "E01034474",  # split, no coordinates: best fit
        "E01035624",  # X: best fit
        None,         # unknown
    ]
    assert out["lad_code"].to_list()[:3] == ["E09000002", "E06000055", "E07000171"]


def test_split_lsoas_match_the_nearest_child_for_every_split_in_the_lookup(reference_warehouse):
    lookup = _lookup(reference_warehouse)
    children = lookup.split_children
    # A point exactly at a child's centroid must map to that child, for every S row in the ONS lookup.
    frame = children.select(
        pl.int_range(pl.len()).alias("source_row"), pl.col("_code").alias("lsoa_code"),
        pl.col("_clat").alias("latitude"), pl.col("_clon").alias("longitude"))
    out = harmonise(frame, lookup).sort("source_row")
    assert (out["lsoa21_code"] == children["_child"]).all()
    assert children.height == 1_900


def test_resolve_area_by_code_name_and_former_code(reference_warehouse):
    with warehouse.read(reference_warehouse) as con:
        assert resolve_area(con, "E06000056") == ["E06000056"]
        assert resolve_area(con, "central bedfordshire") == ["E06000056"]
        assert resolve_area(con, "E07000004") == ["E06000060"]  # Aylesbury Vale, now Buckinghamshire
        with pytest.raises(ConfigError, match="did you mean 'Central Bedfordshire'"):
            resolve_area(con, "Central Bedfordshir")


def test_user_supplied_postcode_directory_and_boundaries(warehouse_file, tmp_path):
    directory = tmp_path / "ONSPD_sample.csv.gz"
    with gzip.open(directory, "wt") as handle:
        handle.write("pcds,lsoa21,lat,long\nLU5 4AB,E01017540,51.9,-0.5\nMK45 2DJ,E01017541,52.0,-0.4\n")
    # Two City of London LSOAs replaced by unit squares side by side (sharing an edge), one not touching.
    squares = {"E01000001": (-0.25, 51.5), "E01000002": (-0.125, 51.5), "E01000003": (0.25, 51.5)}  # exact in binary
    boundary = tmp_path / "extra.geojson"
    boundary.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"LSOA21CD": code}, "geometry": {"type": "Polygon", "coordinates": [
            [[x, y], [x + 0.125, y], [x + 0.125, y + 0.125], [x, y + 0.125], [x, y]]]}} for code, (x, y) in squares.items()]}))
    counts = ingest_geography(warehouse_file, [directory, boundary])
    assert counts == {"postcode": 2, "lsoa_boundary": 3}
    with warehouse.read(warehouse_file) as con:
        polygons = boundaries(con)
    assert polygons.height == 35_672  # the bundle's, three of them replaced by the file's
    assert polygons.filter(pl.col("lsoa21_code") == "E01000003")["geometry"].item() == json.dumps(
        json.loads(boundary.read_text())["features"][2]["geometry"], separators=(",", ":"))
    pairs = warehouse.query(warehouse_file, """SELECT lsoa21_code, neighbour_code FROM lsoa_contiguity
        WHERE list_contains($1, lsoa21_code) AND list_contains($1, neighbour_code)""", [list(squares)])
    assert pairs[1] == [("E01000001", "E01000002")]  # recomputed among the file's LSOAs from its polygons
    assert warehouse.query(warehouse_file, "SELECT lsoa21_code FROM postcode WHERE postcode = 'LU54AB'")[1] == [
        ("E01017540",)]


def test_unrecognised_geography_file_is_an_error(warehouse_file, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="unrecognised geography file"):
        ingest_geography(warehouse_file, [other])


def test_user_supplied_ons_lookup_replaces_the_bundled_one(warehouse_file, tmp_path):
    lookup = tmp_path / "LSOA11_LSOA21_LAD22_EW_LU.csv"
    lookup.write_text("LSOA11CD,LSOA11NM,CHGIND,LSOA21CD,LSOA21NM,LAD22CD\nE01000010,x,S,E01034473,y,E09000002\n"
                      "E01000010,x,S,E01034474,y,E09000002\n")
    assert ingest_geography(warehouse_file, [lookup]) == {"lsoa11_lsoa21": 2}
    broken = tmp_path / "ward_lookup.csv"
    broken.write_text("LSOA21CD,WD24CD,LAD24CD\nE01000001,E05000001,E09000001\n")  # no name columns
    with pytest.raises(InputError, match="could not load this geography file") as caught:
        ingest_geography(warehouse_file, [broken])
    assert caught.value.file == broken


def _state(path) -> list:
    """Everything ``ingest geography`` may change, to show a refused file changed nothing."""
    return [warehouse.query(path, f"SELECT count(*), sum(hash(t)) FROM {table} t")[1]
            for table in ("lsoa_boundary", "lsoa_contiguity", "lsoa", "postcode", "lsoa11_lsoa21")]


def _real_polygon_in_bng(shared_data, crs: dict | None) -> dict:
    """A real Central Bedfordshire LSOA, reprojected to British National Grid metres as a GIS export would be."""
    import pyproj
    import shapely

    source = json.loads((shared_data / "ons_geography/drkane_geo_lookups/boundaries/lsoa/E06000056.geojson").read_text())
    feature = source["features"][0]
    to_bng = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    shape = shapely.transform(shapely.geometry.shape(feature["geometry"]), lambda xy: np.column_stack(to_bng.transform(*xy.T)))
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"LSOA21CD": feature["properties"]["LSOA21CD"]},
         "geometry": shapely.geometry.mapping(shape)}]}
    return {**collection, "crs": crs} if crs else collection


@pytest.mark.parametrize("crs,found", [
    (None, r"found \(5\d{5}, 2\d{5}\), which looks like British National Grid metres \(EPSG:27700\)"),
    ({"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}, "crs member is 'urn:ogc:def:crs:EPSG::27700'"),
])
def test_boundaries_not_in_wgs84_are_refused_and_change_nothing(warehouse_file, tmp_path, shared_data, crs, found):
    from typer.testing import CliRunner

    from cspkit.cli import app

    bng = tmp_path / "lsoa_bng.geojson"
    bng.write_text(json.dumps(_real_polygon_in_bng(shared_data, crs)))
    directory = tmp_path / "ONSPD_sample.csv"  # loaded first in the same run: rolled back too
    directory.write_text("pcds,lsoa21\nLU5 4AB,E01017540\n")
    before = _state(warehouse_file)
    with pytest.raises(InputError, match=found) as refused:
        ingest_geography(warehouse_file, [directory, bng])
    assert refused.value.file == str(bng)
    assert _state(warehouse_file) == before
    result = CliRunner().invoke(app, ["ingest", "geography", str(bng), "-w", str(warehouse_file)])
    assert result.exit_code != 0 and "lsoa_bng.geojson" in result.output and "WGS84" in result.output
    assert _state(warehouse_file) == before


def test_a_wgs84_crs_member_is_accepted(warehouse_file, tmp_path):
    square = [[-0.5, 51.9], [-0.49, 51.9], [-0.49, 51.91], [-0.5, 51.9]]
    path = tmp_path / "crs84.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {
        "name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}, "features": [{"type": "Feature", "properties": {
            "LSOA21CD": "E01017540"}, "geometry": {"type": "Polygon", "coordinates": [square]}}]}))
    assert ingest_geography(warehouse_file, [path]) == {"lsoa_boundary": 1}


def test_welsh_lsoas_have_wimd_2019_never_ranked_with_england(reference_warehouse, shared_data):
    from cspkit.data.geography import deprivation_indices

    source = {r["lsoa11_code"]: r for r in pl.read_csv(shared_data / "deprivation/wimd2019/imd2019_wales_lsoa11.csv.gz")
              .iter_rows(named=True)}
    with warehouse.read(reference_warehouse) as con:
        rows = {r[0]: r[1:] for r in con.execute(
            "SELECT lsoa21_code, deprivation_index, imd_rank, imd_decile, imd_score, crime_decile FROM deprivation").fetchall()}
        parents = dict(con.execute("""SELECT lsoa21_code, list(lsoa11_code ORDER BY lsoa11_code) FROM lsoa11_lsoa21
                                      WHERE lsoa21_code LIKE 'W%' GROUP BY 1""").fetchall())
        changes = dict(con.execute("SELECT lsoa11_code, change_code FROM lsoa11_lsoa21 WHERE lsoa11_code LIKE 'W%'").fetchall())
        by_index = con.execute("""SELECT deprivation_index, nation, count(*), min(imd_rank), max(imd_rank)
                                  FROM deprivation GROUP BY ALL ORDER BY 1""").fetchall()
        assert deprivation_indices(con, ["W06000015"]) == {"WIMD 2019": 218}  # Cardiff
        assert deprivation_indices(con, ["E07000178", "W06000015"]) == {"IMD 2025": 84, "WIMD 2019": 218}
    # Each index ranks its own nation: WIMD 1..1,909 (LSOA 2011 ranks), IMD 1..33,755.
    assert by_index == [("IMD 2025", "England", 33_755, 1, 33_755), ("WIMD 2019", "Wales", 1_917, 1, 1_909)]
    unchanged = next(c for c, p in parents.items() if len(p) == 1 and changes[p[0]] == "U")
    split = next(c for c, p in parents.items() if len(p) == 1 and changes[p[0]] == "S")
    merged = next(c for c, p in parents.items() if len(p) > 1)
    for code in (unchanged, split):
        published = source[parents[code][0]]
        assert rows[code] == ("WIMD 2019", published["IMD_rank"], published["IMD_decile"],
                              pytest.approx(published["IMD_score"]), published["Crime_decile"])
    # A merged LSOA: the parents' mean score, placed in the published ranking by hand.
    mean = sum(source[p]["IMD_score"] for p in parents[merged]) / len(parents[merged])
    rank = 1 + sum(r["IMD_score"] > mean for r in source.values())
    at_rank = next(r for r in source.values() if r["IMD_rank"] == rank)
    assert rows[merged][1:4] == (rank, at_rank["IMD_decile"], pytest.approx(mean))


def test_points_on_a_boundary_or_in_a_simplification_gap_go_to_the_nearest_lsoa(reference_warehouse):
    from cspkit.data.geography import GAP_DEGREES, LsoaPolygons

    def square(x0: float, x1: float) -> str:
        return json.dumps({"type": "Polygon", "coordinates": [[[x0, 52.0], [x1, 52.0], [x1, 52.01], [x0, 52.01], [x0, 52.0]]]})

    # Two LSOAs with a 0.0002 degree gap between them, as independent simplification can leave.
    polygons = LsoaPolygons(["E01017540", "E01017541"], [square(-0.5, -0.49), square(-0.4898, -0.48)])
    points = pl.DataFrame({"lat": [52.005, 52.005, 52.005, 52.005, 52.0], "lon": [-0.495, -0.48985, -0.48995, -0.47, -0.5]})
    with warehouse.read(reference_warehouse) as con:
        placed = polygons.place(points, LsoaLookup.from_warehouse(con), "lat", "lon")
    # inside; in the gap, nearer the second; in the gap, nearer the first; 0.01 degrees away; on a corner
    assert placed["lsoa21_code"].to_list() == ["E01017540", "E01017541", "E01017540", None, "E01017540"]
    assert GAP_DEGREES < 0.01 and placed["lad_code"][0] == "E06000055"  # the LSOA's district, from the lookup


@pytest.mark.slow
def test_bundled_contiguity_is_recomputed_from_the_national_ons_polygons(shared_data):
    """The bundle is reproducible: queen contiguity of the full-resolution ONS file equals the bundled table."""
    from importlib import resources

    import pyarrow.parquet as pq
    import shapely

    from cspkit.data.geography import CONTIGUITY_FILE, queen_pairs

    source = pq.read_table(shared_data / "ons_geography/national/lsoa21_boundaries_ew_bgc.parquet",
                           columns=["LSOA21CD", "geometry"])
    polygons = shapely.from_wkb(source["geometry"].to_numpy(zero_copy_only=False))
    pairs = queen_pairs(source["LSOA21CD"].to_pylist(), polygons)
    with resources.as_file(resources.files("cspkit.data") / "reference" / CONTIGUITY_FILE) as path:
        assert pairs.equals(pl.read_parquet(path))
    # Every LSOA but one has a neighbour: the Isles of Scilly are a single LSOA, surrounded by sea.
    assert pairs.height == 104_276 and pl.concat([pairs["lsoa21_code"], pairs["neighbour_code"]]).n_unique() == 35_671
