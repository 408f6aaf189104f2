"""Rebuild the bundled reference tables from the public source files (run by a maintainer, not at run time).

The sources are the files listed in ATTRIBUTION.md (ONS, Census 2021, MHCLG, Welsh Government; OGL v3).
This script selects, renames and slims columns and never changes a value, with two documented
exceptions: the map polygons are simplified, and Welsh deprivation is carried from LSOA 2011 to 2021.
Usage::

    python -m cspkit.data.reference.build_reference /path/to/shared/data
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import polars as pl

from cspkit.data.geography import BOUNDARY_FILE, CONTIGUITY_FILE, queen_pairs

HERE = Path(__file__).resolve().parent
#: Map polygons: Douglas-Peucker tolerance and coordinate grid, in degrees (0.0004 is about 30-45 m,
#: 0.0001 about 7-11 m). ONS's BGC polygons are already generalised to about 20 m; this keeps the
#: national bundle to a few MB. Contiguity is computed before simplifying, from the polygons as published.
MAP_TOLERANCE = 0.0004
MAP_GRID = 0.0001


def _csv(path: Path) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema=False)
    return frame.rename({c: c.lstrip("\ufeff") for c in frame.columns})


def _write(frame: pl.DataFrame, name: str) -> None:
    with gzip.GzipFile(HERE / name, "wb", mtime=0) as out:
        frame.write_csv(out)


def national_geography(shared: Path) -> None:
    """Queen contiguity of every LSOA 2021, computed once from the full-resolution ONS BGC polygons, and the
    polygons simplified for maps and placing points (see MAP_TOLERANCE)."""
    import pyarrow.parquet as pq
    import shapely

    source = pq.read_table(shared / "ons_geography" / "national" / "lsoa21_boundaries_ew_bgc.parquet",
                           columns=["LSOA21CD", "geometry"])
    codes = source["LSOA21CD"].to_pylist()
    polygons = shapely.from_wkb(source["geometry"].to_numpy(zero_copy_only=False))
    queen_pairs(codes, polygons).write_parquet(HERE / CONTIGUITY_FILE, compression="zstd", compression_level=19,
                                               statistics=False)
    simplified = shapely.set_precision(shapely.simplify(polygons, MAP_TOLERANCE, preserve_topology=True), MAP_GRID)
    pl.DataFrame({"lsoa21_code": codes, "geometry": shapely.to_geojson(simplified)}).sort("lsoa21_code").write_parquet(
        HERE / BOUNDARY_FILE, compression="zstd", compression_level=19, statistics=False)


def welsh_deprivation(shared: Path, lookup: pl.DataFrame) -> pl.DataFrame:
    """WIMD 2019 (published on LSOA 2011) carried to LSOA 2021 by the ONS exact lookup.

    An unchanged or split LSOA keeps its 2011 values (a split's children share their parent's). An LSOA
    2021 merged from several 2011 LSOAs (22 in Wales) gets their mean score, ranked among the published
    2011 scores: rank = 1 + the number of published LSOAs with a higher score (rank 1 = most deprived),
    decile = the published decile at that rank. Ranks stay within Wales; never compare them with England's.
    """
    wimd = _csv(shared / "deprivation" / "wimd2019" / "imd2019_wales_lsoa11.csv.gz").select(
        "lsoa11_code", *[pl.col(f"{d}_{m}").cast(pl.Float64) for d in ("IMD", "Crime") for m in ("score", "rank", "decile")])
    parents = lookup.filter(pl.col("change_code") != "X").select("lsoa11_code", "lsoa21_code").unique().join(
        wimd, on="lsoa11_code")
    out = parents.group_by("lsoa21_code").agg(pl.len().alias("parents"), *[
        pl.col(f"{d}_{m}").first() for d in ("IMD", "Crime") for m in ("rank", "decile")],
        pl.col("IMD_score").mean(), pl.col("Crime_score").mean())
    for domain in ("IMD", "Crime"):
        published = wimd.sort(f"{domain}_score", descending=True)
        scores, deciles = published[f"{domain}_score"].to_numpy(), published[f"{domain}_decile"].to_list()
        merged = out["parents"] > 1
        rank = [int((scores > value).sum()) + 1 for value in out[f"{domain}_score"]]
        out = out.with_columns(
            pl.when(merged).then(pl.Series(rank, dtype=pl.Float64)).otherwise(pl.col(f"{domain}_rank")).alias(f"{domain}_rank"),
            pl.when(merged).then(pl.Series([deciles[r - 1] for r in rank], dtype=pl.Float64))
            .otherwise(pl.col(f"{domain}_decile")).alias(f"{domain}_decile"))
    return out.select(
        "lsoa21_code",
        pl.col("IMD_rank").cast(pl.Int64).alias("imd_rank"),
        pl.col("IMD_decile").cast(pl.Int64).alias("imd_decile"),
        pl.col("IMD_score").round(6).alias("imd_score"),
        pl.col("Crime_rank").cast(pl.Int64).alias("crime_rank"),
        pl.col("Crime_decile").cast(pl.Int64).alias("crime_decile"),
    ).sort("lsoa21_code")


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

    _write(welsh_deprivation(shared, lookup), "wimd.csv.gz")
    _write(
        _csv(pop / "humaniverse_demographr" / "ethnicity21_ltla21.csv.gz")
        .filter(pl.col("ethnic_group").str.ends_with("(number)"))  # the file holds each group as a count and a percent
        .select(
            pl.col("ltla21_code").alias("lad21_code"),
            pl.col("ltla21_name").alias("lad21_name"),
            pl.col("ethnic_group").str.replace(r"\s*\(number\)$", ""),
            pl.col("value").cast(pl.Float64).cast(pl.Int64).alias("residents"),
        ),
        "ethnicity_lad21.csv.gz",
    )
    national_geography(shared)


if __name__ == "__main__":
    build(Path(sys.argv[1]))
