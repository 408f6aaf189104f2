"""The rows an analysis may use: one area, one period, checked against what the warehouse holds.

Every query of incident tables goes through :class:`Scope`, so each figure covers exactly the
area's LSOAs and the period's months, and a month missing from the warehouse is an error rather
than a silent zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import count

import duckdb

from cspkit.analysis.area import Period, ResolvedArea
from cspkit.errors import AnalysisError
from cspkit.provenance import Provenance

ASB = "Anti-social behaviour"
ALL_CRIME = "All crime (excluding anti-social behaviour)"
_copies = count(1)
#: The street columns a scope's copy holds. Crime IDs are left out: they are long random strings,
#: costly to read from a national table, and only the outcomes join needs them (by
#: ``source_file`` and ``source_row``, which name one row: ``street`` is a view, without row ids).
COPIED_COLUMNS = (
    "source_file",
    "source_row",
    "force",
    "month",
    "crime_type",
    "lsoa21_code",
    "lad_code",
    "location",
    "longitude",
    "latitude",
    "last_outcome_category",
)


@dataclass(frozen=True)
class Scope:
    """A read connection with the area and period every query is limited to."""

    con: duckdb.DuckDBPyConnection
    area: ResolvedArea
    period: Period
    #: The table police.uk rows are read from: ``street``, or the area's own copy (:meth:`materialise`).
    street: str = "street"
    #: The period the ``street`` copy holds (None when reading ``street`` itself).
    copied: Period | None = None
    _sources: dict[tuple, tuple[str, ...]] = field(default_factory=dict, init=False, compare=False, repr=False)

    def materialise(self) -> Scope:
        """Copy the area's street rows for the period into a temporary table, read once.

        A national warehouse holds tens of millions of rows; every later query then reads only the
        area's few thousand.
        """
        name = f"scope_street_{next(_copies)}"
        condition, params = self.where()
        columns = ", ".join(COPIED_COLUMNS)
        self.con.execute(
            f"CREATE TEMP TABLE {name} AS SELECT {columns} FROM street WHERE {condition}", params
        )
        return replace(self, street=name, copied=self.period)

    def where(self, period: Period | None = None, alias: str = "") -> tuple[str, list]:
        """SQL condition and parameters selecting the area's LSOAs and the period's months
        (columns qualified with ``alias.`` when one is given)."""
        prefix = f"{alias}." if alias else ""
        period = period or self.period
        if self.copied and not (self.copied.start <= period.start and period.end <= self.copied.end):
            raise AnalysisError(f"this scope holds {self.copied.label()} only; open a new scope for {period.label()}")
        return (
            f"{prefix}lsoa21_code IN (SELECT unnest(?)) AND {prefix}month BETWEEN ? AND ?",
            [list(self.area.lsoas), period.start, period.end],
        )

    def sources(self, table: str, period: Period | None = None) -> tuple[str, ...]:
        """The source files behind the rows in scope, for provenance."""
        table = self.street if table == "street" else table
        key = (table, period or self.period)
        if key not in self._sources:
            condition, params = self.where(period)
            rows = self.con.execute(f"SELECT DISTINCT source_file FROM {table} WHERE {condition} ORDER BY 1", params).fetchall()
            self._sources[key] = tuple(r[0] for r in rows)
        return self._sources[key]

    def provenance(self, method: str, table: str = "street", period: Period | None = None) -> Provenance:
        return Provenance(
            method=method,
            sources=self.sources(table, period),
            area_codes=self.area.codes,
            period=(period or self.period).label(),
        )

    def require_street_months(self) -> None:
        """Every month of the period must have police.uk rows for the area's districts."""
        require_table(self.con, "street")
        condition, params = self.where()
        months = self.con.execute(f"SELECT count(DISTINCT month) FROM {self.street} WHERE {condition}", params).fetchall()[0][0]
        if months == self.period.months:
            return
        lads = list(self.area.lad_codes)
        present = {
            r[0]
            for r in self.con.execute(
                "SELECT DISTINCT month FROM street WHERE lad_code IN (SELECT unnest(?)) AND month BETWEEN ? AND ?",
                [lads, self.period.start, self.period.end],
            ).fetchall()
        }
        if not present:
            raise AnalysisError(
                f"no police.uk data in the warehouse for {self.area.name} in {self.period.label()}; "
                "ingest the months first or choose another period" + self._months_held(lads)
            )
        missing = [m for m in self.period.month_list() if m not in present]
        if missing:
            shown = ", ".join(f"{m:%Y-%m}" for m in missing[:6]) + (" ..." if len(missing) > 6 else "")
            raise AnalysisError(
                f"the warehouse has no police.uk data for {len(missing)} month(s) of {self.period.label()} "
                f"in {self.area.name}: {shown}; ingest them or shorten the period (counts are never assumed zero)"
                + self._months_held(lads)
            )

    def _months_held(self, lads: list[str]) -> str:
        """What the warehouse does hold for the districts, so the user can set a period that fits."""
        first, last = self.con.execute(
            "SELECT min(month), max(month) FROM street WHERE lad_code IN (SELECT unnest(?))", [lads]
        ).fetchall()[0]
        if first is None:
            return ""
        return f"; it holds {first:%Y-%m} to {last:%Y-%m} there: set period_start and period_end within those months"


def has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the warehouse has ``table`` (fetching every row, as DuckDB needs before the next query)."""
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]).fetchall()[0][0])


def require_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    if not has_table(con, table):
        raise AnalysisError(f"the warehouse has no '{table}' table; ingest that data first")
