"""Coverage: which forces published which months, checked before any figure compares them.

A warehouse rarely holds every force for every month: a CSP loads its own force for three years and
every force for one peer month, British Transport Police (BTP) may be loaded for some months only,
and a force sometimes publishes a thin month. Counting whatever rows happen to be there makes a
month look safer or worse than it was. So:

- **Counts and comparisons** (this year against last, the trend) of an area count only the forces
  that published every month of the period, so every comparison inside it compares like with like;
  the others are listed in a note that reaches the documents. The force reporting most of the area's
  rows must have published every month, or the analysis stops. "Published" means the force has street
  rows anywhere in the warehouse that month (a neighbour that reports no crime in the area in some
  month still published it).
- **Thin months** are flagged: a force-month with fewer than half the rows of that force's median
  month (over every month the warehouse holds of it, at least three). The median is robust: one thin
  month does not lower the bar it is judged by, and a force's ordinary month-to-month swing never
  comes near half (Bedfordshire's 36 months: 77% to 113% of its median).
- **Peers**: a district enters a peer group only when the force that polices it published every month
  of the peer period. The force that polices a district is the one (other than BTP) reporting the most
  rows in it; when a district's own force is missing, that is a neighbour reporting a few crimes over
  its border, far below its rate per resident in its own districts. A district counts as policed by
  its top force only when that force's rows per resident there are at least ``SPILL_SHARE`` of the
  force's highest district rate. In January 2024 (39 forces loaded; Greater Manchester, Metropolitan,
  West Midlands and West Yorkshire missing) the districts of the missing forces had 0.01% to 0.6% of their top force's
  highest rate; every other district had at least 26%, but the Isles of Scilly (5.8%: one crime among
  2,054 residents).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import polars as pl

from cspkit.analysis.area import Period
from cspkit.analysis.scope import Scope
from cspkit.data.police_files import TRANSPORT_POLICE, force_name
from cspkit.errors import AnalysisError

#: A force-month with fewer rows than this share of the force's median month is flagged as thin.
THIN_SHARE = 0.5
#: Months of a force the warehouse must hold before its median month is a fair yardstick.
THIN_MIN_MONTHS = 3
#: A district's top force polices it only when its rows per resident there reach this share of its highest district's.
SPILL_SHARE = 0.02


def published_months(con: duckdb.DuckDBPyConnection, forces: Iterable[str] | None = None) -> pl.DataFrame:
    """``force``, ``month``, ``rows``: street rows of each force in each month the warehouse holds (every district)."""
    wanted = list(forces) if forces is not None else None
    condition = "WHERE force IN (SELECT unnest(?))" if wanted is not None else ""
    return con.sql(
        f"SELECT force, month::DATE AS month, count(*)::BIGINT AS rows FROM street {condition} GROUP BY ALL ORDER BY ALL",
        params=[wanted] if wanted is not None else None,
    ).pl()


def complete_forces(published: pl.DataFrame, period: Period) -> set[str]:
    """The forces with rows in every month of ``period``."""
    inside = published.filter(pl.col("month").is_between(period.start, period.end))
    counts = inside.group_by("force").agg(pl.col("month").n_unique().alias("months"))
    return set(counts.filter(pl.col("months") == period.months)["force"])


def thin_months(published: pl.DataFrame, period: Period) -> pl.DataFrame:
    """``force``, ``month``, ``rows``, ``median_rows``, ``share``: months of ``period`` below ``THIN_SHARE`` of the
    force's median month (judged only for forces with at least ``THIN_MIN_MONTHS`` months held)."""
    yardstick = (
        published.group_by("force")
        .agg(pl.col("rows").median().alias("median_rows"), pl.len().alias("held"))
        .filter(pl.col("held") >= THIN_MIN_MONTHS)
    )
    return (
        published.filter(pl.col("month").is_between(period.start, period.end))
        .join(yardstick, on="force")
        .with_columns((pl.col("rows") / pl.col("median_rows")).alias("share"))
        .filter(pl.col("share") < THIN_SHARE)
        .select("force", "month", "rows", "median_rows", "share")
        .sort("force", "month")
    )


@dataclass(frozen=True)
class AreaCoverage:
    """The forces an area's counts include, those left out (months published, rows in the area) and thin months."""

    period: Period
    counted: tuple[str, ...]
    left_out: pl.DataFrame  # force, months (published in the period), rows (in the area)
    thin: pl.DataFrame  # see thin_months
    #: The area's main force (most rows, not BTP) when too few of its months are held to judge a thin one.
    unjudged: tuple[tuple[str, int], ...] = ()

    def note(self) -> str:
        """Sentences for the documents (empty when every force published every month and none is thin)."""
        parts = []
        if self.left_out.height:
            listed = ", ".join(f"{force_name(r['force'])} ({r['months']} of {self.period.months} months, "
                               f"{r['rows']:,} row{'' if r['rows'] == 1 else 's'} in the area)"
                               for r in self.left_out.iter_rows(named=True))
            parts.append(f"Counts and comparisons include only the forces that published every month of "
                         f"{self.period.label()} ({', '.join(map(force_name, self.counted)) or 'none'}); left out: {listed}")
        if self.thin.height:
            listed = ", ".join(f"{force_name(r['force'])} {r['month']:%Y-%m} ({r['rows']:,} rows, "
                               f"{r['share']:.0%} of its median month)"
                               for r in self.thin.iter_rows(named=True))
            parts.append(f"Months a force published incompletely (under {THIN_SHARE:.0%} of its median month): {listed}")
        if self.unjudged:
            listed = ", ".join(f"{force_name(force)} ({held} month{'' if held == 1 else 's'} held)"
                               for force, held in self.unjudged)
            parts.append(f"Whether a month is incomplete cannot be judged with fewer than {THIN_MIN_MONTHS} months of a "
                         f"force held: {listed}")
        return "; ".join(parts)


def area_coverage(scope: Scope, period: Period | None = None) -> AreaCoverage:
    """Which of the forces with rows in the scope's area published every month of ``period`` (default the scope's)."""
    period = period or scope.period
    condition, params = scope.where(period)
    in_area = scope.con.sql(
        f"SELECT force, count(*)::BIGINT AS rows FROM {scope.street} WHERE {condition} GROUP BY 1 ORDER BY 1", params=params
    ).pl()
    published = published_months(scope.con, in_area["force"].to_list())
    complete = complete_forces(published, period)
    months = (published.filter(pl.col("month").is_between(period.start, period.end))
              .group_by("force").agg(pl.len().cast(pl.Int64).alias("months")))
    _require_main_force(in_area, published, complete, period)
    _require_own_force(scope, in_area, period)
    left_out = (in_area.filter(~pl.col("force").is_in(list(complete)))
                .join(months, on="force", how="left").with_columns(pl.col("months").fill_null(0))
                .select("force", "months", "rows").sort("force"))
    counted = tuple(f for f in in_area["force"].to_list() if f in complete)
    held = dict(published.group_by("force").agg(pl.len()).iter_rows())
    main = in_area.filter(pl.col("force") != TRANSPORT_POLICE).sort("rows", descending=True)["force"][:1].to_list()
    unjudged = tuple((force, held[force]) for force in main if held[force] < THIN_MIN_MONTHS)
    return AreaCoverage(period, counted, left_out, thin_months(published, period), unjudged)


def _require_main_force(in_area: pl.DataFrame, published: pl.DataFrame, complete: set[str], period: Period) -> None:
    """The force reporting most of the area's rows (not BTP) must have published every month: without it every
    count is wrong, so the run stops rather than leave the force out."""
    territorial = in_area.filter(pl.col("force") != TRANSPORT_POLICE).sort("rows", descending=True)
    if territorial.is_empty() or territorial["force"][0] in complete:
        return
    main = territorial["force"][0]
    held = set(published.filter(pl.col("force") == main)["month"])
    missing = [m for m in period.month_list() if m not in held]
    shown = ", ".join(f"{m:%Y-%m}" for m in missing[:6]) + (" ..." if len(missing) > 6 else "")
    raise AnalysisError(f"{force_name(main)}, the force reporting most of the area's crimes, has no police.uk data for "
                        f"{len(missing)} month(s) of {period.label()}: {shown}; ingest them or shorten the period "
                        "(counts are never assumed zero)")


def _require_own_force(scope: Scope, in_area: pl.DataFrame, period: Period) -> None:
    """Each of the area's districts must hold rows of the force that polices it: when only BTP's and neighbours'
    rows are there (its force not loaded), every count would be a sliver of the real one."""
    districts = list(scope.area.lad_codes)
    policed = district_forces(scope.con, period, in_area["force"].to_list())
    # A district without residents in the warehouse cannot be judged here (its rates fail elsewhere, by name).
    own = set(policed.filter(pl.col("lad_code").is_in(districts) & pl.col("rate_share").ge(SPILL_SHARE).fill_null(True))
              ["lad_code"])
    missing = [d for d in districts if d not in own]
    if missing:
        shown = ", ".join(f"{force_name(r['force'])} {r['rows']:,}"
                          for r in in_area.sort("rows", descending=True).iter_rows(named=True))
        names = dict(scope.con.execute("SELECT lad_code, lad_name FROM lad WHERE lad_code IN (SELECT unnest(?))",
                                       [missing]).fetchall())
        named = ", ".join(f"{names[d]} ({d})" if names.get(d) else d for d in missing)
        raise AnalysisError(
            f"the warehouse has no police.uk data in {period.label()} from the force that polices {named}: "
            f"the rows there come only from forces policing elsewhere ({shown}); ingest its force's files "
            "(cspkit fetch police) so counts are not a sliver of the real ones")


def district_forces(con: duckdb.DuckDBPyConnection, period: Period, forces: Iterable[str] | None = None) -> pl.DataFrame:
    """``lad_code``, ``force``, ``rows``, ``rate_share``, ``covered``: each district's top force (not BTP) over
    ``period``, its rows per resident there as a share of its highest district's, and whether it polices the
    district and published every month of the period. ``forces``: count only these forces' rows (all the
    forces with rows in the districts that matter give their right answer, for a fraction of the reading)."""
    only = "AND force IN (SELECT unnest(?))" if forces is not None else ""
    top = con.sql(
        f"""WITH counted AS (
               SELECT lad_code, force, count(*)::BIGINT AS rows FROM street
               WHERE month BETWEEN ? AND ? AND lad_code IS NOT NULL AND force IS DISTINCT FROM ? {only} GROUP BY ALL),
           residents AS (
               SELECT l.lad_code, sum(p.residents)::DOUBLE AS residents
               FROM population p JOIN lsoa l USING (lsoa21_code) GROUP BY 1),
           best AS (
               SELECT lad_code, arg_max(force, rows) AS force, max(rows) AS rows FROM counted GROUP BY 1)
           SELECT b.lad_code, b.force, b.rows, b.rows / r.residents AS rate
           FROM best b LEFT JOIN residents r USING (lad_code)""",
        params=[period.start, period.end, TRANSPORT_POLICE, *([list(forces)] if forces is not None else [])],
    ).pl()
    complete = complete_forces(published_months(con, top["force"].unique().to_list()), period)
    return (
        top.with_columns((pl.col("rate") / pl.col("rate").max().over("force")).alias("rate_share"))
        .with_columns(((pl.col("rate_share") >= SPILL_SHARE).fill_null(False) & pl.col("force").is_in(list(complete)))
                      .alias("covered"))
        .select("lad_code", "force", "rows", "rate_share", "covered")
        .sort("lad_code")
    )
