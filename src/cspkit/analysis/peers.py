"""Peer comparison: is the area's rate unusual among districts like it?

Peers are the ``k`` districts nearest to the CSP on standardised profile variables (like the
Home Office's Most Similar Groups, but from the data at hand), or a list the partnership gives.
Profile variables: log of residents, the share of residents in each Census age band, the
residents-weighted mean IMD score, and log population density. The warehouse has no land areas,
so density is estimated from the LSOA centroids: LSOAs hold similar numbers of people, so where they
are close together people are dense. Each LSOA is given a disc whose radius is the distance to its
nearest LSOA centroid, and density = residents / total disc area (see docs/analysis.md for how close
this comes to published densities). Crime counts are aggregated in DuckDB, so a national warehouse's
street table is never copied out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from scipy.spatial import cKDTree

from cspkit.analysis.area import Period
from cspkit.analysis.coverage import complete_forces, district_forces, published_months
from cspkit.analysis.hotspots import EARTH_RADIUS_KM
from cspkit.analysis.scope import ALL_CRIME, ASB, Scope, require_table
from cspkit.data.police_files import TRANSPORT_POLICE
from cspkit.errors import AnalysisError

MIN_PEERS = 3
PEER_METHOD = (
    "k nearest districts on standardised log residents, age-band shares, mean IMD score and log estimated density; "
    "IQR fences and mean +/- 2 sd of the peers' rates"
)


def peer_method(group: pl.DataFrame) -> str:
    """:data:`PEER_METHOD`, saying so when the area had no IMD score to match on (England's IMD covers
    England only, so a Welsh area's peers are matched without deprivation)."""
    if group.filter("is_area")["imd_score"].null_count() == 0:
        return PEER_METHOD
    return PEER_METHOD.replace(", mean IMD score", "") + (
        "; deprivation left out of the match, as England's IMD covers England only and the area has no IMD score"
    )


def whole_districts(scope: Scope) -> list[str]:
    """The area's districts, when the area is exactly those districts (peers compare districts)."""
    lads = list(scope.area.lad_codes)
    whole = scope.con.execute("SELECT count(*) FROM lsoa WHERE lad_code IN (SELECT unnest(?))", [lads]).fetchall()[0][0]
    if whole != len(scope.area.lsoas):
        raise AnalysisError("peer comparison is for whole districts; the area includes part of a district (a ward or LSOAs)")
    return lads


def _disc_areas(con) -> pl.DataFrame:
    """``lad_code``, ``disc_km2``: each district's LSOAs' nearest-neighbour discs, summed (null when a
    centroid is missing or all centroids coincide)."""
    frame = con.sql("SELECT lad_code, latitude, longitude FROM lsoa WHERE lad_code IS NOT NULL").pl()
    located = frame.drop_nulls(["latitude", "longitude"])
    if len(located) < 2:
        return frame.select("lad_code").unique().with_columns(pl.lit(None, dtype=pl.Float64).alias("disc_km2"))
    lat = np.radians(located["latitude"].to_numpy())
    lon = np.radians(located["longitude"].to_numpy())
    points = np.column_stack([lon * np.cos(lat), lat]) * EARTH_RADIUS_KM
    nearest, _ = cKDTree(points).query(points, k=2)
    discs = located.select("lad_code").with_columns(pl.Series("disc", np.pi * nearest[:, 1] ** 2))
    missing = frame.filter(pl.col("latitude").is_null() | pl.col("longitude").is_null())["lad_code"].unique()
    return (
        discs.group_by("lad_code")
        .agg(pl.col("disc").sum().alias("disc_km2"))
        .join(frame.select("lad_code").unique(), on="lad_code", how="right")
        .with_columns(
            pl.when(pl.col("lad_code").is_in(missing.implode()) | (pl.col("disc_km2") <= 0))
            .then(None)
            .otherwise(pl.col("disc_km2"))
            .alias("disc_km2")
        )
    )


def lad_profiles(con) -> pl.DataFrame:
    """One row per district: ``lad_code``, ``lad_name``, ``imd_score``, ``residents``, ``share <age band>``...,
    ``disc_km2`` and ``density`` (estimated residents per km2)."""
    require_table(con, "population")
    by_band = con.sql(
        """SELECT l.lad_code, p.age_band, sum(p.residents)::BIGINT AS residents
           FROM population p JOIN lsoa l USING (lsoa21_code) WHERE l.lad_code IS NOT NULL GROUP BY ALL"""
    ).pl()
    if by_band.is_empty():
        raise AnalysisError("no population by district: load the lsoa and population reference tables")
    wide = by_band.pivot(on="age_band", index="lad_code", values="residents").fill_null(0)
    bands = sorted(c for c in wide.columns if c != "lad_code")
    wide = wide.with_columns(pl.sum_horizontal(bands).alias("residents"))
    wide = wide.select("lad_code", "residents", *[(pl.col(b) / pl.col("residents")).alias(f"share {b}") for b in bands])
    imd = con.sql(
        """SELECT l.lad_code, any_value(l.lad_name) AS lad_name,
                  (sum(i.imd_score * p.residents)
                   / nullif(sum(p.residents) FILTER (WHERE i.imd_score IS NOT NULL), 0))::DOUBLE AS imd_score
           FROM lsoa l
           LEFT JOIN (SELECT lsoa21_code, sum(residents)::BIGINT AS residents FROM population GROUP BY 1) p USING (lsoa21_code)
           LEFT JOIN imd i USING (lsoa21_code)
           WHERE l.lad_code IS NOT NULL GROUP BY 1"""
    ).pl()
    return (
        imd.join(wide, on="lad_code", how="inner")
        .join(_disc_areas(con), on="lad_code", how="left")
        .with_columns((pl.col("residents") / pl.col("disc_km2")).alias("density"))
        .sort("lad_code")
    )


def _features(profiles: pl.DataFrame) -> list[str]:
    return ["log_residents", *[c for c in profiles.columns if c.startswith("share ")], "imd_score", "log_density"]


def peer_group(con, area_lads: Sequence[str], period: Period, k: int = 10, peers: Sequence[str] | None = None) -> pl.DataFrame:
    """The CSP (its districts combined) and its peers: ``lad_code``, ``lad_name``, ``residents``,
    the profile variables, ``distance`` (standardised Euclidean, 0 for the area) and ``is_area``.

    Candidates must be policed by a force that published every month of the period
    (:func:`~cspkit.analysis.coverage.district_forces`): a district whose force is missing, or missed a
    month, would look safer than it is.
    """
    profiles = lad_profiles(con)
    unknown = set(area_lads) - set(profiles["lad_code"])
    if unknown:
        raise AnalysisError(f"no population profile for district(s) {', '.join(sorted(unknown))}")
    covered = district_forces(con, period).filter("covered")["lad_code"]
    uncovered = sorted(set(area_lads) - set(covered))
    if uncovered:
        raise AnalysisError(f"the force that polices {', '.join(uncovered)} has no police.uk data for some month of "
                            f"{period.label()}: its peers cannot be compared")
    profiles = profiles.with_columns(
        pl.col("residents").log().alias("log_residents"), pl.col("density").log().alias("log_density")
    )
    shares = [c for c in profiles.columns if c.startswith("share ")]
    area_rows = profiles.filter(pl.col("lad_code").is_in(list(area_lads)))
    residents = area_rows["residents"].sum()
    area = (
        pl.DataFrame(
            {
                "lad_code": ",".join(area_lads),
                "lad_name": ", ".join(area_rows["lad_name"].cast(pl.String).fill_null("").to_list()),
                "residents": residents,
                **{s: (area_rows[s] * area_rows["residents"]).sum() / residents for s in shares},
                "imd_score": (area_rows["imd_score"] * area_rows["residents"]).sum() / residents
                if area_rows["imd_score"].null_count() == 0
                else None,
                "log_residents": float(np.log(residents)),
                "disc_km2": area_rows["disc_km2"].sum() if area_rows["disc_km2"].null_count() == 0 else None,
            }
        )
        .with_columns((pl.col("residents") / pl.col("disc_km2")).alias("density"))
        .with_columns(pl.col("density").log().alias("log_density"))
        .select(profiles.columns)
        .cast(profiles.schema)
    )
    candidates = profiles.filter(~pl.col("lad_code").is_in(list(area_lads)) & pl.col("lad_code").is_in(covered.implode()))
    if peers:
        missing = set(peers) - set(candidates["lad_code"])
        if missing:
            raise AnalysisError(
                f"peer district(s) {', '.join(sorted(missing))} have no population profile "
                f"or their force lacks police.uk data for some month of {period.label()}"
            )
        chosen = candidates.filter(pl.col("lad_code").is_in(list(peers))).with_columns(
            pl.lit(None, dtype=pl.Float64).alias("distance")
        )
    else:
        # A variable the area itself lacks (IMD outside England, density without centroids) is left out.
        features = [f for f in _features(profiles) if area[f][0] is not None]
        candidates = candidates.drop_nulls(features)
        if len(candidates) < MIN_PEERS:
            raise AnalysisError(
                f"peer comparison needs at least {MIN_PEERS} other districts with population, deprivation and police.uk data "
                f"for every month of {period.label()}; the warehouse has {len(candidates)}"
            )
        matrix = candidates.select(features).to_numpy()
        sd = matrix.std(axis=0)
        sd[sd == 0] = 1.0
        distance = np.sqrt((((matrix - area.select(features).to_numpy()) / sd) ** 2).sum(axis=1))
        chosen = candidates.with_columns(pl.Series("distance", distance)).sort("distance").head(k)
    return pl.concat(
        [
            area.with_columns(pl.lit(0.0).alias("distance"), pl.lit(True).alias("is_area")),
            chosen.with_columns(pl.lit(False).alias("is_area")),
        ],
        how="vertical_relaxed",
    ).select("lad_code", "lad_name", "residents", *shares, "imd_score", "density", "distance", "is_area")


def peer_rates(con, group: pl.DataFrame, area_lads: Sequence[str], period: Period) -> pl.DataFrame:
    """``crime_type``, ``lad_code``, ``lad_name``, ``count``, ``residents``, ``rate_per_1000_residents``,
    ``is_area``, ``rank`` (1 = highest rate) for every category and all crime (ASB excluded)."""
    peers = group.filter(~pl.col("is_area"))["lad_code"].to_list()
    unit = {code: code for code in peers} | {code: group.filter(pl.col("is_area"))["lad_code"][0] for code in area_lads}
    # British Transport Police crimes fall in districts too, but a CSP's own download is its
    # territorial force's: BTP rows count for every unit or for none, so the rates compare alike.
    btp_in_area = con.execute(
        "SELECT count(*) FROM street WHERE force = ? AND lad_code IN (SELECT unnest(?)) AND month BETWEEN ? AND ?",
        [TRANSPORT_POLICE, list(area_lads), period.start, period.end],
    ).fetchall()[0][0]
    # Only forces that published every month count: a neighbour or BTP loaded for some months would favour units.
    forces = complete_forces(published_months(con), period) - (set() if btp_in_area else {TRANSPORT_POLICE})
    counted = con.sql(
        """SELECT lad_code, crime_type, count(*)::BIGINT AS count FROM street
           WHERE lad_code IN (SELECT unnest(?)) AND month BETWEEN ? AND ? AND force IN (SELECT unnest(?)) GROUP BY ALL""",
        params=[list(unit), period.start, period.end, sorted(forces)],
    ).pl()
    counted = (
        counted.with_columns(pl.col("lad_code").replace_strict(unit))
        .group_by("lad_code", "crime_type")
        .agg(pl.col("count").sum())
    )
    all_crime = (
        counted.filter(pl.col("crime_type") != ASB)
        .group_by("lad_code")
        .agg(pl.col("count").sum())
        .with_columns(pl.lit(ALL_CRIME).alias("crime_type"))
        .select(counted.columns)
    )
    counted = pl.concat([counted, all_crime])
    grid = group.select("lad_code", "lad_name", "residents", "is_area").join(counted.select("crime_type").unique(), how="cross")
    return (
        grid.join(counted, on=["lad_code", "crime_type"], how="left")
        .with_columns(pl.col("count").fill_null(0))
        .with_columns((pl.col("count") / pl.col("residents") * 1000).alias("rate_per_1000_residents"))
        .with_columns(
            pl.col("rate_per_1000_residents").rank("min", descending=True).over("crime_type").cast(pl.Int64).alias("rank")
        )
        .select("crime_type", "lad_code", "lad_name", "count", "residents", "rate_per_1000_residents", "is_area", "rank")
        .sort("crime_type", "rank")
    )


def peer_position(rates: pl.DataFrame) -> pl.DataFrame:
    """Where the area's rate lies among its peers' rates, per category.

    ``outside_iqr_fences``: beyond Q1 - 1.5 IQR or Q3 + 1.5 IQR of the peers; ``outside_2sd``: beyond
    the peers' mean +/- 2 standard deviations (sample sd).
    """
    rows = []
    for (crime_type,), frame in rates.group_by(["crime_type"], maintain_order=True):
        area = frame.filter(pl.col("is_area"))
        peer = frame.filter(~pl.col("is_area"))["rate_per_1000_residents"].to_numpy()
        value = float(area["rate_per_1000_residents"][0])
        q1, median, q3 = np.percentile(peer, [25, 50, 75])
        low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
        mean, sd = float(peer.mean()), float(peer.std(ddof=1)) if len(peer) > 1 else 0.0
        position = (
            "above the peer group's usual range"
            if value > high
            else "below the peer group's usual range"
            if value < low
            else "within the peer group's usual range"
        )
        rows.append(
            {
                "crime_type": crime_type,
                "area_rate": value,
                "rank": int(area["rank"][0]),
                "units": len(frame),
                "peer_median": float(median),
                "peer_q1": float(q1),
                "peer_q3": float(q3),
                "lower_fence": float(low),
                "upper_fence": float(high),
                "peer_mean": mean,
                "peer_sd": sd,
                "outside_iqr_fences": bool(value < low or value > high),
                "outside_2sd": bool(abs(value - mean) > 2 * sd),
                "position": position,
            }
        )
    return pl.DataFrame(rows).sort("crime_type")
