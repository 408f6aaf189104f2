"""Stop and search by self-defined ethnicity against the area's Census 2021 population.

The equalities question a committee asks: are some groups searched more often than others, per
resident? Rates per 1,000 residents of each broad ethnic group (Asian, Black, Mixed, White, Other),
and each group's disproportionality ratio against White residents with a Katz log interval
(the usual interval for a ratio of two rates; Katz et al. 1978). Searches whose ethnicity was not
stated are counted but given no rate: their group is unknown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
from scipy.stats import norm

from cspkit.errors import AnalysisError

CENSUS_ETHNICITY = Path(__file__).parents[1] / "data" / "reference" / "ethnicity_lad21.csv.gz"
GROUPS = ("Asian", "Black", "Mixed", "White", "Other")
REFERENCE = "White"
NOT_STATED = "Not stated"


def police_group(label: str | None) -> str:
    """police.uk's self-defined ethnicity (e.g. 'Black/African/Caribbean/Black British - African') as a broad group."""
    if not label or label.endswith("Not stated"):
        return NOT_STATED
    head = label.split(" - ")[0].split("/")[0].strip()
    return "Other" if head.startswith("Other") else head


def census_group(label: str) -> str:
    """A Census 2021 ethnic group (e.g. 'Asian, Asian British or Asian Welsh: Indian') as a broad group."""
    head = label.split(":")[0].split(",")[0].split(" ")[0]
    return "Other" if head == "Other" else head


def census_ethnicity(lad_codes: Sequence[str], path: Path = CENSUS_ETHNICITY) -> pl.DataFrame:
    """Usual residents by broad ethnic group for the districts (Census 2021; bundled, OGL v3)."""
    table = pl.read_csv(path).filter(pl.col("lad21_code").is_in(list(lad_codes)))
    if not table.height:
        raise AnalysisError(f"no Census 2021 ethnic-group figures for {', '.join(lad_codes)} in {path.name}")
    return (
        table.with_columns(pl.col("ethnic_group").map_elements(census_group, return_dtype=pl.String).alias("group"))
        .group_by("group")
        .agg(pl.col("residents").sum())
    )


def searches_by_group(con: duckdb.DuckDBPyConnection, lad_codes: Sequence[str], start: date, end: date) -> pl.DataFrame:
    """Searches in the districts over the months start..end, by broad self-defined ethnic group."""
    rows = con.execute(
        "SELECT self_defined_ethnicity, count(*) FROM stop_search WHERE list_contains(?, lad_code) "
        "AND month BETWEEN ? AND ? GROUP BY 1",
        [list(lad_codes), start, end],
    ).fetchall()
    frame = pl.DataFrame(rows, schema={"label": pl.String, "searches": pl.Int64}, orient="row")
    return (
        frame.with_columns(pl.col("label").map_elements(police_group, return_dtype=pl.String, skip_nulls=False).alias("group"))
        .group_by("group")
        .agg(pl.col("searches").sum())
    )


def katz_interval(a: int, n1: int, c: int, n2: int, confidence: float = 0.95) -> tuple[float, float, float]:
    """The ratio of rates a/n1 over c/n2 and its Katz log interval: exp(ln RR +- z sqrt(1/a - 1/n1 + 1/c - 1/n2))."""
    ratio = (a / n1) / (c / n2)
    z = norm.ppf(0.5 + confidence / 2)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return ratio, math.exp(math.log(ratio) - z * se), math.exp(math.log(ratio) + z * se)


def disproportionality(searches: pl.DataFrame, residents: pl.DataFrame, reference: str = REFERENCE) -> pl.DataFrame:
    """Per group: searches, residents, searches per 1,000 residents, and the ratio to ``reference`` with its interval.

    A group with no searches, or a reference with none, has no ratio (the log interval needs counts above 0).
    """
    table = (
        pl.DataFrame({"group": [*GROUPS, NOT_STATED]})
        .join(searches, on="group", how="left")
        .join(residents, on="group", how="left")
        .with_columns(pl.col("searches").fill_null(0))
        .with_columns((pl.col("searches") / pl.col("residents") * 1000).alias("rate_per_1000"))
    )
    ref = table.filter(pl.col("group") == reference).row(0, named=True)
    ratios = []
    for row in table.iter_rows(named=True):
        usable = row["residents"] and row["searches"] and ref["searches"] and row["group"] != reference
        ratios.append(katz_interval(row["searches"], row["residents"], ref["searches"], ref["residents"]) if usable
                      else (1.0, None, None) if row["group"] == reference else (None, None, None))
    return table.with_columns(
        pl.Series("ratio", [r[0] for r in ratios], dtype=pl.Float64),
        pl.Series("ci_low", [r[1] for r in ratios], dtype=pl.Float64),
        pl.Series("ci_high", [r[2] for r in ratios], dtype=pl.Float64),
    )
