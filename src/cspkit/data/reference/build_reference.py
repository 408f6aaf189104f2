"""Rebuild the bundled reference tables from the public source files (run by a maintainer, not at run time).

The sources are the files listed in ATTRIBUTION.md (ONS, Census 2021, MHCLG; OGL v3). This script
only selects, renames and slims columns; it never changes a value. Usage::

    python -m cspkit.data.reference.build_reference /path/to/shared/data
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import polars as pl

from cspkit.data.geography import CONTIGUITY_FILE, queen_pairs

HERE = Path(__file__).resolve().parent
DEMO_DISTRICTS = ("E06000056", "E06000055", "E06000032")


def _csv(path: Path) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema=False)
    return frame.rename({c: c.lstrip("\ufeff") for c in frame.columns})


def _write(frame: pl.DataFrame, name: str) -> None:
    with gzip.GzipFile(HERE / name, "wb", mtime=0) as out:
        frame.write_csv(out)


def national_geography(shared: Path) -> None:
    """Queen contiguity of every LSOA 2021, computed once from the full-resolution ONS BGC polygons."""
    import pyarrow.parquet as pq
    import shapely

    source = pq.read_table(shared / "ons_geography" / "national" / "lsoa21_boundaries_ew_bgc.parquet",
                           columns=["LSOA21CD", "geometry"])
    polygons = shapely.from_wkb(source["geometry"].to_numpy(zero_copy_only=False))
    queen_pairs(source["LSOA21CD"].to_pylist(), polygons).write_parquet(
        HERE / CONTIGUITY_FILE, compression="zstd", compression_level=19, statistics=False)


def build(shared: Path) -> None:
    geo = shared / "ons_geography"
    wards = _csv(geo / "humaniverse_geographr" / "lookup_lsoa21_ward24_ltla24.csv.gz")
    centroids = _csv(geo / "drkane_geo_lookups" / "lsoa_latlong.csv").select(
        pl.col("LSOACD").alias("lsoa21_code"),
        pl.col("latitude").cast(pl.Float64).round(6),
        pl.col("longitude").cast(pl.Float64).round(6),
    )
    lsoa = wards.select(
        "lsoa21_code",
        "lsoa21_name",
        pl.col("ward24_code").alias("ward_code"),
        pl.col("ward24_name").alias("ward_name"),
        pl.col("ltla24_code").alias("lad_code"),
        pl.col("ltla24_name").alias("lad_name"),
    ).join(centroids, on="lsoa21_code", how="left")
    _write(lsoa.sort("lsoa21_code"), "lsoa.csv.gz")

    exact = _csv(geo / "humaniverse_geographr" / "lookup_lsoa11_lsoa21_ltla22.csv.gz").select(
        "lsoa11_code", "lsoa21_code", "change_code"
    )
    best = _csv(next((geo / "bhf_hds_lookups").glob("*.csv"))).select(
        pl.col("LSOA11CD").alias("lsoa11_code"), pl.col("LSOA21CD").alias("lsoa21_code"), pl.lit(True).alias("best_fit")
    )
    lookup = (
        exact.join(best, on=["lsoa11_code", "lsoa21_code"], how="full", coalesce=True)
        .with_columns(pl.col("best_fit").fill_null(False))
        .sort("lsoa11_code", "lsoa21_code")
    )
    _write(lookup, "lsoa11_lsoa21.csv.gz")

    pop = shared / "population"
    population = _csv(pop / "cwthom_hack25usefuldata" / "census21_pop.csv.gz").select(
        "lsoa21_code",
        pl.col("age_group").alias("age_band"),
        pl.col("usual_residents").cast(pl.Float64).round(0).cast(pl.Int64).alias("residents"),
    )
    _write(population, "population.csv.gz")

    households = (
        _csv(pop / "humaniverse_demographr" / "household_type21_lsoa21.csv.gz")
        .group_by("lsoa21_code")
        .agg(pl.col("total_households").first().cast(pl.Float64).round(0).cast(pl.Int64).alias("households"))
        .sort("lsoa21_code")
    )
    _write(households, "households.csv.gz")

    codes = _csv(geo / "drkane_geo_lookups" / "la_all_codes.csv")
    _write(
        codes.select(
            pl.col("LADCD").alias("lad_code"),
            pl.col("LADNM").alias("lad_name"),
            pl.col("LADCD_ACTIVE").alias("lad_code_active"),
        ).unique().sort("lad_code"),
        "lad_alias.csv.gz",
    )
    sexes = _csv(pop / "humaniverse_demographr" / "age_gender21_ltla21_ew.csv.gz").select(
        pl.col("ltla21_code").alias("lad_code"),
        *[pl.col(f"total_{c}").cast(pl.Float64).cast(pl.Int64).alias(n)
          for c, n in (("population", "population"), ("females", "females"), ("males", "males"))],
    )
    lad_households = _csv(pop / "humaniverse_demographr" / "households21_england_wales_ltla23.csv.gz").select(
        pl.col("ltla23_code").alias("lad_code"),
        pl.col("households").cast(pl.Float64).cast(pl.Int64),
    )
    active = codes.filter(pl.col("LADCD") == pl.col("LADCD_ACTIVE")).select(
        pl.col("LADCD").alias("lad_code"), pl.col("UTLACD").alias("utla_code"), pl.col("RGNCD").alias("region_code")
    ).unique("lad_code")
    lad = (
        lsoa.select("lad_code", "lad_name").unique()
        .join(active, on="lad_code", how="left")
        .join(sexes, on="lad_code", how="left")
        .join(lad_households, on="lad_code", how="left")
        .sort("lad_code")
    )
    _write(lad, "lad.csv.gz")

    imd = _csv(shared / "deprivation" / "iod2025" / "imd2025_england_lsoa21.csv.gz").select(
        "lsoa21_code",
        pl.col("IMD_rank").cast(pl.Float64).cast(pl.Int64).alias("imd_rank"),
        pl.col("IMD_decile").cast(pl.Float64).cast(pl.Int64).alias("imd_decile"),
        pl.col("IMD_score").cast(pl.Float64).alias("imd_score"),
        pl.col("Crime_rank").cast(pl.Float64).cast(pl.Int64).alias("crime_rank"),
        pl.col("Crime_decile").cast(pl.Float64).cast(pl.Int64).alias("crime_decile"),
    )
    _write(imd, "imd.csv.gz")

    national_geography(shared)
    for lad_code in DEMO_DISTRICTS:
        source = json.loads((geo / "drkane_geo_lookups" / "boundaries" / "lsoa" / f"{lad_code}.geojson").read_text())
        keep = ("LSOA21CD", "LSOA21NM", "LADCD_ACTIVE")
        for feature in source["features"]:
            feature["properties"] = {k: feature["properties"].get(k) for k in keep}
        (HERE / f"lsoa21_boundaries_{lad_code}.geojson").write_text(json.dumps(source, separators=(",", ":")))


if __name__ == "__main__":
    build(Path(sys.argv[1]))
