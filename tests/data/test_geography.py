"""Reference tables, LSOA 2011 -> 2021 harmonisation (checked against the ONS lookups) and areas."""

from __future__ import annotations

import gzip
import json

import polars as pl
import pytest

from cspkit.data import warehouse
from cspkit.data.geography import LsoaLookup, harmonise, ingest_geography, resolve_area
from cspkit.errors import ConfigError, InputError


def test_reference_tables_are_loaded_with_national_coverage(reference_warehouse):
    _, rows = warehouse.query(reference_warehouse, """SELECT
        (SELECT count(*) FROM lsoa), (SELECT count(*) FROM lsoa WHERE latitude IS NULL),
        (SELECT sum(residents) FROM population p JOIN lsoa USING (lsoa21_code) WHERE lad_code = 'E06000056'),
        (SELECT sum(households) FROM households JOIN lsoa USING (lsoa21_code) WHERE lad_code = 'E06000056'),
        (SELECT count(*) FROM lsoa_boundary b JOIN lsoa USING (lsoa21_code) WHERE lad_code = 'E06000056'),
        (SELECT population FROM lad WHERE lad_code = 'E06000056'),
        (SELECT count(*) FROM imd)""")
    # Figures from SOURCES.md: 35,672 LSOAs; Central Bedfordshire 294,233 residents, 120,749 households,
    # 175 LSOA polygons; TS009 total 294,252; IMD 2025 covers England's 33,755 LSOAs.
    assert rows[0] == (35_672, 0, 294_233, 120_749, 175, 294_252, 33_755)


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
    boundary = tmp_path / "extra.geojson"
    boundary.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"LSOA21CD": "E01000001"},
         "geometry": {"type": "Point", "coordinates": [-0.09, 51.52]}}]}))
    counts = ingest_geography(warehouse_file, [directory, boundary])
    assert counts == {"postcode": 2, "lsoa_boundary": 1}
    assert warehouse.query(warehouse_file, "SELECT count(*) FROM lsoa_boundary")[1] == [(418,)]
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
