"""The horizon-scanning register: future developments the partnership should plan for (PESTELO).

Entries are plain records checked here, whatever file they came from (:mod:`cspkit.horizon.files`
reads and writes TOML, CSV and XLSX). The register gives the assessment's horizon-scanning section
(entries grouped by PESTELO category, most likely and most serious first) and can raise an entry
as a new candidate issue for the risk matrix: an "emerging issue".
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl

from cspkit.errors import InputError
from cspkit.risk.register import Issue, IssueRegister, add_issue

SCOPES = ("local", "national")
FIELDS = (
    "id", "category", "title", "description", "source", "horizon_months", "likelihood", "impact", "scope",
    "linked_issues", "raises_issue",
)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    description: str


@dataclass(frozen=True)
class Scales:
    """PESTELO categories in their order, and the labels of the 1-5 likelihood and impact levels."""

    categories: tuple[Category, ...]
    likelihood: Mapping[int, str]
    impact: Mapping[int, str]

    @property
    def category_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.categories)


def load_scales() -> Scales:
    raw = tomllib.loads((resources.files("cspkit.horizon") / "scales.toml").read_text(encoding="utf-8"))
    return Scales(
        categories=tuple(Category(c["id"], c["name"], c["description"]) for c in raw["categories"]),
        likelihood={int(lv["value"]): lv["label"] for lv in raw["likelihood"]["levels"]},
        impact={int(lv["value"]): lv["label"] for lv in raw["impact"]["levels"]},
    )


@dataclass(frozen=True)
class HorizonEntry:
    """One development on the horizon."""

    id: str
    category: str
    title: str
    description: str
    source: str
    horizon_months: int
    likelihood: int
    impact: int
    scope: str
    linked_issues: tuple[str, ...] = ()
    raises_issue: bool = False

    @property
    def score(self) -> int:
        """Likelihood x impact, 1 to 25: the order within a category."""
        return self.likelihood * self.impact


@dataclass(frozen=True)
class HorizonRegister:
    title: str
    entries: tuple[HorizonEntry, ...]
    synthetic: bool = False
    source: str = "<horizon>"

    def get(self, entry_id: str) -> HorizonEntry:
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise KeyError(entry_id)


class _RowCheck:
    """Reads one raw row into typed values, recording problems with the row and column."""

    def __init__(self, source: str, row: int, problems: list[InputError]) -> None:
        self.source, self.row, self.problems = source, row, problems

    def fail(self, column: str, message: str) -> None:
        self.problems.append(InputError(message, file=self.source, row=self.row, column=column))

    def text(self, raw: Mapping[str, Any], key: str, required: bool = True) -> str:
        value = raw.get(key)
        text = "" if value is None else str(value).strip()
        if required and not text:
            self.fail(key, f"'{key}' is required")
        return text

    def whole(self, raw: Mapping[str, Any], key: str, low: int, high: int | None) -> int:
        value = raw.get(key)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        top = f" to {high}" if high is not None else " or more"
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
            self.fail(key, f"'{key}' must be a whole number from {low}{top}, not {value!r}")
            return low
        return value

    def names(self, raw: Mapping[str, Any], key: str) -> tuple[str, ...]:
        value = raw.get(key)
        if value is None or value == "":
            return ()
        if isinstance(value, str):
            value = re.split(r"[;,]", value)
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            self.fail(key, f"'{key}' must list issue ids")
            return ()
        return tuple(v.strip() for v in value if v.strip())

    def flag(self, raw: Mapping[str, Any], key: str) -> bool:
        value = raw.get(key, False)
        if isinstance(value, bool):
            return value
        text = "" if value is None else str(value).strip().lower()
        if text in ("", "no", "false", "0", "n"):
            return False
        if text in ("yes", "true", "1", "y"):
            return True
        self.fail(key, f"'{key}' must be yes or no, not {value!r}")
        return False


def parse_entries(rows: Sequence[Mapping[str, Any]], source: str, first_row: int = 1) -> tuple[HorizonEntry, ...]:
    """Check raw rows (dicts keyed by :data:`FIELDS`) and return entries; one InputError lists every problem.

    ``first_row`` is the number the first row has in its file (e.g. 2 for a CSV with a header).
    """
    scales = load_scales()
    names = {c.name.lower(): c.id for c in scales.categories}
    problems: list[InputError] = []
    entries: list[HorizonEntry] = []
    seen: set[str] = set()
    for offset, raw in enumerate(rows):
        check = _RowCheck(source, first_row + offset, problems)
        unknown = [k for k in raw if k not in FIELDS and raw[k] not in (None, "")]
        for key in unknown:
            check.fail(key, f"unknown column '{key}' (columns: {', '.join(FIELDS)})")
        ident = check.text(raw, "id")
        if ident and not _ID.match(ident):
            check.fail("id", f"id {ident!r} must be lower case letters, digits and underscores")
        if ident in seen:
            check.fail("id", f"duplicate id '{ident}'")
        seen.add(ident)
        category = check.text(raw, "category").lower()
        category = names.get(category, category)
        if category and category not in scales.category_ids:
            check.fail("category", f"unknown category {category!r} (PESTELO: {', '.join(scales.category_ids)})")
        scope = check.text(raw, "scope").lower()
        if scope and scope not in SCOPES:
            check.fail("scope", f"scope must be local or national, not {scope!r}")
        entries.append(
            HorizonEntry(
                id=ident,
                category=category,
                title=check.text(raw, "title"),
                description=check.text(raw, "description", required=False),
                source=check.text(raw, "source", required=False),
                horizon_months=check.whole(raw, "horizon_months", 0, None),
                likelihood=check.whole(raw, "likelihood", min(scales.likelihood), max(scales.likelihood)),
                impact=check.whole(raw, "impact", min(scales.impact), max(scales.impact)),
                scope=scope,
                linked_issues=check.names(raw, "linked_issues"),
                raises_issue=check.flag(raw, "raises_issue"),
            )
        )
    if problems:
        first = problems[0]
        more = "; ".join(f"row {p.row}, column '{p.column}': {p.message}" for p in problems[1:10])
        extra = f" (and {len(problems) - 1} more: {more})" if len(problems) > 1 else ""
        raise InputError(first.message + extra, file=source, row=first.row, column=first.column)
    return tuple(entries)


def check_links(register: HorizonRegister, issues: IssueRegister) -> None:
    """Every linked issue must be in the issues register (an entry's own emerging issue counts)."""
    known = set(issues.ids) | {e.id for e in register.entries if e.raises_issue}
    for entry in register.entries:
        for issue_id in entry.linked_issues:
            if issue_id not in known:
                raise InputError(
                    f"entry '{entry.id}' links to unknown issue '{issue_id}' (not in the issues register {issues.id})",
                    file=register.source, column="linked_issues",
                )


def emerging_issue(entry: HorizonEntry) -> Issue:
    """The candidate issue an entry raises: no data maps to it yet, so it will show low confidence."""
    return Issue(
        id=entry.id,
        name=entry.title,
        description=f"Emerging issue from the horizon scan: {entry.description}".strip(),
        origin=f"horizon:{entry.id}",
    )


def raise_emerging_issues(register: HorizonRegister, issues: IssueRegister, entry_ids: Sequence[str] = ()) -> IssueRegister:
    """Add the named entries (or, if none are named, every entry marked ``raises_issue``) to the issues register.

    Entries already raised (an issue with the same id exists) are left as they are, so running this
    twice changes nothing.
    """
    chosen = []
    for entry_id in entry_ids:
        try:
            chosen.append(register.get(entry_id))
        except KeyError:
            raise InputError(f"no entry '{entry_id}' in the horizon register", file=register.source) from None
    if not entry_ids:
        chosen = [e for e in register.entries if e.raises_issue]
    for entry in chosen:
        if entry.id not in issues.ids:
            issues = add_issue(issues, emerging_issue(entry))
    return issues


SECTION_SCHEMA = {
    "category_order": pl.Int64,
    "category": pl.String,
    "id": pl.String,
    "title": pl.String,
    "description": pl.String,
    "source": pl.String,
    "horizon_months": pl.Int64,
    "likelihood": pl.Int64,
    "likelihood_label": pl.String,
    "impact": pl.Int64,
    "impact_label": pl.String,
    "score": pl.Int64,
    "scope": pl.String,
    "linked_issues": pl.String,
    "emerging_issue": pl.Boolean,
}


def horizon_section(register: HorizonRegister) -> pl.DataFrame:
    """The section's table: entries grouped by PESTELO category, then by likelihood x impact, highest first."""
    scales = load_scales()
    order = {c.id: n for n, c in enumerate(scales.categories, start=1)}
    names = {c.id: c.name for c in scales.categories}
    rows = [
        {
            "category_order": order[e.category],
            "category": names[e.category],
            "id": e.id,
            "title": e.title,
            "description": e.description,
            "source": e.source,
            "horizon_months": e.horizon_months,
            "likelihood": e.likelihood,
            "likelihood_label": scales.likelihood[e.likelihood],
            "impact": e.impact,
            "impact_label": scales.impact[e.impact],
            "score": e.score,
            "scope": e.scope,
            "linked_issues": ", ".join(e.linked_issues),
            "emerging_issue": e.raises_issue,
        }
        for e in register.entries
    ]
    rows.sort(key=lambda r: (r["category_order"], -r["score"], r["title"]))
    return pl.DataFrame(rows, schema=SECTION_SCHEMA)


def demo_register_path() -> Path:
    """The SYNTHETIC demo register shipped with cspkit (for the demo assessment only)."""
    return Path(str(resources.files("cspkit.horizon") / "demo_register.toml"))
