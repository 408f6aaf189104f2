"""The register of candidate issues the partnership scores, read from an editable TOML file.

Each issue says which police.uk crime categories and partner sources measure it, so the data can
suggest scores; an issue that nothing measures is kept, and its lack of data becomes evidence of
low confidence. Issues raised from the horizon scan are appended with their origin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w

from cspkit.errors import ConfigError
from cspkit.tomlfile import read_toml

#: The crime_type labels police.uk publishes today (street-level files).
POLICE_UK_CATEGORIES = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Issue:
    """One candidate issue for the risk matrix."""

    id: str
    name: str
    description: str = ""
    crime_categories: tuple[str, ...] = ()
    partner_sources: tuple[str, ...] = ()
    origin: str = ""
    proxy: str = ""  # when the data stand in for the issue rather than measure it: how, in a phrase

    @property
    def has_data_mapping(self) -> bool:
        return bool(self.crime_categories or self.partner_sources)


@dataclass(frozen=True)
class IssueRegister:
    id: str
    version: str
    issues: tuple[Issue, ...]
    source: str = "<issues>"

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.issues)

    def get(self, issue_id: str) -> Issue:
        for issue in self.issues:
            if issue.id == issue_id:
                return issue
        raise KeyError(issue_id)


def _fail(source: str, where: str, message: str) -> ConfigError:
    return ConfigError(f"{where}: {message}", file=source)


def _names(value: Any, source: str, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(source, where, f"'{key}' must be a list of names")
    return tuple(v.strip() for v in value)


def check_issue(issue: Issue, source: str, where: str) -> None:
    """Check one issue's id and data mappings; raise a ConfigError naming it."""
    if not _ID.match(issue.id):
        raise _fail(source, where, f"id {issue.id!r} must be lower case letters, digits and underscores")
    if not issue.name.strip():
        raise _fail(source, where, "'name' must not be empty")
    for category in issue.crime_categories:
        if category not in POLICE_UK_CATEGORIES:
            raise _fail(
                source, where,
                f"unknown police.uk crime category {category!r} (use the exact label, e.g. 'Vehicle crime')",
            )
    for partner in issue.partner_sources:
        if not _ID.match(partner):
            raise _fail(source, where, f"partner source {partner!r} must be lower case letters, digits and underscores")


def parse_issues(data: dict[str, Any], source: str = "<issues>") -> IssueRegister:
    """Build and check an :class:`IssueRegister` from parsed TOML."""
    head = data.get("register", {})
    if not isinstance(head, dict):
        raise _fail(source, "top level", "[register] must be a table")
    entries = data.get("issues")
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise _fail(source, "top level", "the register needs at least one [[issues]] entry")
    issues: list[Issue] = []
    for number, entry in enumerate(entries, start=1):
        ident = entry.get("id")
        where = f"[[issues]] number {number}" + (f" '{ident}'" if isinstance(ident, str) else "")
        unknown = set(entry) - {"id", "name", "description", "crime_categories", "partner_sources", "origin", "proxy"}
        if unknown:
            raise _fail(source, where, f"unknown key '{sorted(unknown)[0]}'")
        if not isinstance(ident, str) or not isinstance(entry.get("name"), str):
            raise _fail(source, where, "'id' and 'name' are required text")
        issue = Issue(
            id=ident.strip(),
            name=entry["name"].strip(),
            description=str(entry.get("description", "")).strip(),
            crime_categories=_names(entry.get("crime_categories"), source, where, "crime_categories"),
            partner_sources=_names(entry.get("partner_sources"), source, where, "partner_sources"),
            origin=str(entry.get("origin", "")).strip(),
            proxy=str(entry.get("proxy", "")).strip(),
        )
        check_issue(issue, source, where)
        if issue.id in {i.id for i in issues}:
            raise _fail(source, where, f"duplicate issue id '{issue.id}'")
        issues.append(issue)
    return IssueRegister(
        id=str(head.get("id", "issues")),
        version=str(head.get("version", "1")),
        issues=tuple(issues),
        source=source,
    )


def default_issues_path() -> Path:
    return Path(str(resources.files("cspkit.risk") / "issues" / "default.toml"))


def load_issues(path: str | Path | None = None) -> IssueRegister:
    """Read and check an issues file; ``None`` gives the register shipped with cspkit."""
    path = Path(path) if path is not None else default_issues_path()
    return parse_issues(read_toml(path, "issues file"), source=str(path))


def add_issue(register: IssueRegister, issue: Issue) -> IssueRegister:
    """A new register with ``issue`` appended (e.g. an emerging issue from the horizon scan)."""
    check_issue(issue, register.source, f"new issue '{issue.id}'")
    if issue.id in register.ids:
        raise _fail(register.source, f"new issue '{issue.id}'", "an issue with this id is already in the register")
    return replace(register, issues=(*register.issues, issue))


def issues_to_toml(register: IssueRegister) -> str:
    """The register as TOML text, in the same layout as the shipped file."""
    entries = []
    for issue in register.issues:
        entry: dict[str, Any] = {
            "id": issue.id,
            "name": issue.name,
            "description": issue.description,
            "crime_categories": list(issue.crime_categories),
            "partner_sources": list(issue.partner_sources),
        }
        if issue.origin:
            entry["origin"] = issue.origin
        if issue.proxy:
            entry["proxy"] = issue.proxy
        entries.append(entry)
    return tomli_w.dumps({"register": {"id": register.id, "version": register.version}, "issues": entries})


def write_issues(register: IssueRegister, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(issues_to_toml(register), encoding="utf-8")
    return path
