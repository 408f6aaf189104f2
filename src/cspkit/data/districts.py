"""The districts a partnership can cover: every local authority district in England and Wales.

Read from the bundled ONS tables (``reference/lad.csv.gz``, ``lad_alias.csv.gz`` and ``lsoa.csv.gz``)
with the standard library only, so that ``cspkit init`` and the questionnaire can check an area and
list its wards without a warehouse, DuckDB or polars (``cspkit init`` answers in a fraction of a second).
"""

from __future__ import annotations

import csv
import difflib
import gzip
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cspkit.errors import ConfigError
from cspkit.nation import COUNTRIES, country_of

REFERENCE = Path(__file__).parent / "reference"
_SUFFIXES = (", City of", ", County of")


@dataclass(frozen=True)
class District:
    """One local authority district (ONS LAD 2024)."""

    code: str
    ons_name: str

    @property
    def name(self) -> str:
        """The name as people say it: "Bristol", not ONS's "Bristol, City of"."""
        for suffix in _SUFFIXES:
            if self.ons_name.endswith(suffix):
                return self.ons_name.removesuffix(suffix)
        return self.ons_name

    @property
    def country(self) -> str:
        return COUNTRIES[self.code[0]]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


@dataclass(frozen=True)
class Ward:
    """An electoral ward (2024) of a district, as the bundled best-fit LSOA lookup has it."""

    code: str
    name: str
    lad_code: str


def _rows(name: str) -> list[dict[str, str]]:
    with gzip.open(REFERENCE / name, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def districts() -> dict[str, District]:
    """Every current district by code."""
    return {row["lad_code"]: District(row["lad_code"], row["lad_name"]) for row in _rows("lad.csv.gz")}


@cache
def _former_codes() -> dict[str, tuple[str, str]]:
    """Codes of districts merged or recoded since 2011: old code -> (old name, current code)."""
    return {
        row["lad_code"]: (row["lad_name"], row["lad_code_active"])
        for row in _rows("lad_alias.csv.gz")
        if row["lad_code"] != row["lad_code_active"]
    }


def _key(text: str) -> str:
    """A name compared without case, punctuation, "City of" or "&"/"and" differences."""
    text = text.lower().replace("&", " and ")
    for suffix in _SUFFIXES:
        text = text.replace(suffix.lower(), " ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def find_district(text: str) -> District:
    """The district a code or name means, or a :class:`ConfigError` that suggests the close matches."""
    given = text.strip()
    known = districts()
    code = given.upper()
    if code in known:
        return known[code]
    by_name = {_key(d.ons_name): d for d in known.values()} | {_key(d.name): d for d in known.values()}
    if _key(given) in by_name:
        return by_name[_key(given)]
    former = _former_codes()
    for old_code, (old_name, current) in former.items():
        if code == old_code or _key(given) == _key(old_name):
            raise ConfigError(
                f"{old_name} ({old_code}) is no longer a district: it is now part of {known[current]}; use {current}"
            )
    raise ConfigError(f"unknown district {given!r}" + _suggestion(given, known, by_name))


def _suggestion(given: str, known: dict[str, District], by_name: dict[str, District]) -> str:
    if re.fullmatch(r"[EWew]\d{8}", given.strip()):
        close = difflib.get_close_matches(given.strip().upper(), list(known), n=3, cutoff=0.8)
        matches = [known[c] for c in close]
    else:
        close = difflib.get_close_matches(_key(given), list(by_name), n=3, cutoff=0.6)
        matches = list(dict.fromkeys(by_name[c] for c in close))
    if not matches:
        return ": give an ONS district code (E06, E07, E08, E09 or W06 followed by digits) or a district's name"
    return ": did you mean " + " or ".join(str(m) for m in matches) + "?"


def find_districts(items: str | Iterable[str]) -> tuple[District, ...]:
    """The districts of a CSP from codes or names (comma-separated or a list); one nation only.

    A name that itself holds a comma ("Bristol, City of") is tried whole before it is split.
    """
    found: list[District] = []
    for item in [items] if isinstance(items, str) else list(items):
        try:
            found.append(find_district(item))
        except ConfigError:
            parts = [p for p in item.split(",") if p.strip()]
            if len(parts) < 2:
                raise
            found.extend(find_district(p) for p in parts)
    unique = tuple(dict.fromkeys(found))
    if not unique:
        raise ConfigError("no area given: name at least one district by its ONS code or name")
    country_of([d.code for d in unique])
    return unique


def area_name(names: Sequence[str]) -> str:
    """"Oxford", or "Merthyr Tydfil and Rhondda Cynon Taf" for a joint partnership (any places, in order)."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@cache
def wards_of(lad_codes: tuple[str, ...]) -> tuple[Ward, ...]:
    """The wards of the districts, in name order (lines are filtered before parsing: 35,000 rows)."""
    wanted = set(lad_codes)
    seen: dict[str, Ward] = {}
    with gzip.open(REFERENCE / "lsoa.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        header = next(csv.reader([handle.readline()]))
        for line in handle:
            if not any(code in line for code in wanted):
                continue
            row = dict(zip(header, next(csv.reader([line])), strict=True))
            if row["lad_code"] in wanted and row["ward_code"]:
                seen.setdefault(row["ward_code"], Ward(row["ward_code"], row["ward_name"], row["lad_code"]))
    return tuple(sorted(seen.values(), key=lambda w: (w.name.lower(), w.code)))


_DISTRICT_CODE = re.compile(r"[EW]0[6-9]\d{6}")


def check_district_codes(codes: Iterable[str], file: str | Path | None = None) -> None:
    """Refuse a district code that is not a current district, before any step loads data for it.

    Without this an ``assessment.toml`` edited to a wrong code ingested every file, then wrote documents
    for an area with no rows. Ward, LSOA codes and names are left to the analysis, which resolves them.
    """
    for code in codes:
        if _DISTRICT_CODE.fullmatch(code.strip().upper()):
            try:
                find_district(code)
            except ConfigError as exc:
                raise ConfigError(f"area_codes: {exc.message}", file=file) from None
