"""Where and when: the area an analysis covers and the months it spans.

An area is whatever the partnership asks about (the whole CSP, a ward, one LSOA or a mix), and
every figure is computed over the LSOA 2021 codes it resolves to, so an LSOA count, a ward count and
the CSP total always add up the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from cspkit.data.districts import area_name
from cspkit.errors import AnalysisError

if TYPE_CHECKING:
    import duckdb


def parse_month(text: str, what: str = "month") -> date:
    """``YYYY-MM`` to the first day of that month."""
    try:
        year, month = (int(part) for part in str(text).strip().split("-"))
        return date(year, month, 1)
    except ValueError:
        raise AnalysisError(f"{what} must be a month written YYYY-MM, not {text!r}") from None


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Whole months from ``start`` to ``end`` inclusive (both the first day of their month)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start.day != 1 or self.end.day != 1:
            raise AnalysisError("a period runs over whole months: use the first day of each month")
        if self.start > self.end:
            raise AnalysisError(f"the period starts ({self.start:%Y-%m}) after it ends ({self.end:%Y-%m})")

    @classmethod
    def parse(cls, start: str, end: str) -> Period:
        return cls(parse_month(start, "the first month"), parse_month(end, "the last month"))

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def month_list(self) -> list[date]:
        return [add_months(self.start, i) for i in range(self.months)]

    def label(self) -> str:
        """'2023-05 to 2024-04', or '2024-01' for one month."""
        return f"{self.start:%Y-%m}" if self.months == 1 else f"{self.start:%Y-%m} to {self.end:%Y-%m}"

    def in_words(self) -> str:
        """For a reader: 'January 2024', or 'May 2023 to April 2024'."""
        return f"{self.start:%B %Y}" if self.months == 1 else f"{self.start:%B %Y} to {self.end:%B %Y}"

    def latest_12(self) -> Period:
        """The last 12 months of the period."""
        self._need(12, "the latest 12 months")
        return Period(add_months(self.end, -11), self.end)

    def latest_year(self) -> Period:
        """The latest 12 months, or the whole period when it is shorter (its figures then name their real months)."""
        return self.latest_12() if self.months >= 12 else self

    def latest_words(self) -> str:
        """What :meth:`latest_year` covers, for a reader: 'latest 12 months', or 'March 2024' over one month."""
        return "latest 12 months" if self.months >= 12 else self.in_words()

    def previous_12(self) -> Period:
        """The 12 months before the latest 12: the usual 'this year against last year'."""
        self._need(24, "the latest 12 months against the previous 12")
        return Period(add_months(self.end, -23), add_months(self.end, -12))

    def years(self) -> list[Period]:
        """Consecutive 12-month blocks ending at the period's end, oldest first (the 3-year view)."""
        self._need(12, "a yearly view")
        count = self.months // 12
        return [Period(add_months(self.end, -12 * k - 11), add_months(self.end, -12 * k)) for k in reversed(range(count))]

    def _need(self, months: int, what: str) -> None:
        if self.months < months:
            raise AnalysisError(f"{what} needs at least {months} months; the period {self.label()} has {self.months}")


@dataclass(frozen=True)
class Area:
    """What the user asked for: codes (district, ward or LSOA) or names, as given."""

    codes: tuple[str, ...]

    @classmethod
    def parse(cls, text: str | list[str] | tuple[str, ...]) -> Area:
        """``"E06000056"``, ``"E05012345,E01000001"`` or a list of codes or names."""
        items = text.split(",") if isinstance(text, str) else list(text)
        codes = tuple(dict.fromkeys(item.strip() for item in items if item and item.strip()))
        if not codes:
            raise AnalysisError("no area given: name a district, ward or LSOA code")
        return cls(codes)


@dataclass(frozen=True)
class ResolvedArea:
    """An area as LSOA 2021 codes, with the districts it touches and a readable name."""

    codes: tuple[str, ...]
    name: str
    lsoas: tuple[str, ...]
    lad_codes: tuple[str, ...]


_LEVELS = (
    ("lad_code", "lad_name", "district"),
    ("ward_code", "ward_name", "ward"),
    ("lsoa21_code", "lsoa21_name", "LSOA"),
)


def resolve_area(con: duckdb.DuckDBPyConnection, area: Area) -> ResolvedArea:
    """Resolve each code or name through the ``lsoa`` table; anything unknown is an error, not a guess."""
    if not con.execute("SELECT count(*) FROM lsoa").fetchall()[0][0]:
        raise AnalysisError("the warehouse has no LSOA reference table loaded; run 'cspkit ingest geography' first")
    lsoas: dict[str, None] = {}
    names: list[str] = []
    for code in area.codes:
        for code_column, name_column, level in _LEVELS:
            rows = con.execute(
                f"SELECT lsoa21_code, {name_column} FROM lsoa "
                f"WHERE {code_column} = ? OR lower({name_column}) = lower(?) ORDER BY lsoa21_code",
                [code, code],
            ).fetchall()
            if rows:
                lsoas.update(dict.fromkeys(r[0] for r in rows))
                names.append(rows[0][1] or f"{level} {code}")
                break
        else:
            raise AnalysisError(
                f"unknown area {code!r}: it is not a district, ward or LSOA 2021 code or name in the warehouse's lsoa table"
            )
    lads = con.execute(
        "SELECT DISTINCT lad_code FROM lsoa WHERE lsoa21_code IN (SELECT unnest(?)) ORDER BY 1", [list(lsoas)]
    ).fetchall()
    return ResolvedArea(
        codes=area.codes,
        name=area_name(list(dict.fromkeys(names))),
        lsoas=tuple(lsoas),
        lad_codes=tuple(r[0] for r in lads if r[0]),
    )
