"""The focus group's votes and its recorded decision, read from input files so documents can be rebuilt.

``votes.toml`` holds the ranked ballots (one per organisation or per person, as the file says);
``decision.toml`` holds what the partnership agreed, in its own words: priorities, knowledge gaps and
issues for consideration, each with the rationale. The vote informs the decision; it does not replace it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from cspkit.errors import InputError
from cspkit.priorities.files import SHEET_ROW, flag, items, read_toml, read_workbook, text, texts
from cspkit.priorities.voting import Ballot, BallotUnit


@dataclass(frozen=True)
class Votes:
    unit: BallotUnit
    candidates: tuple[str, ...]
    ballots: tuple[Ballot, ...]
    synthetic: bool
    source: Path


@dataclass(frozen=True)
class AgreedIssue:
    """An agreed priority or knowledge gap, with the rationale in the partnership's words."""

    issue_id: str
    title: str
    rationale: str
    how_we_will_learn: str = ""  # knowledge gaps: how the partnership will come to know


@dataclass(frozen=True)
class Consideration:
    """An issue watched but not prioritised, and why."""

    issue_id: str
    title: str
    reason: str


@dataclass(frozen=True)
class Decision:
    meeting: str
    date: str
    priorities: tuple[AgreedIssue, ...]
    knowledge_gaps: tuple[AgreedIssue, ...]
    considerations: tuple[Consideration, ...]
    synthetic: bool
    source: Path


def _check_issue(issue: str, known: Collection[str] | None, path: Path, row: int, key: str = "issue") -> str:
    if known is not None and issue not in known:
        raise InputError(f"unknown issue {issue!r}; it is not in the issue register", file=path, row=row, column=key)
    return issue


def load_votes(path: str | Path, known_issues: Collection[str] | None = None) -> Votes:
    """Read ``votes.toml``: ``unit``, ``candidates`` and one ``[[ballot]]`` per voter."""
    path = Path(path)
    raw = read_toml(path)
    unit = raw.get("unit", "organisation")
    if unit not in ("organisation", "person"):
        raise InputError('\'unit\' must be "organisation" or "person"', file=path, column="unit")
    candidates = raw.get("candidates")
    if not isinstance(candidates, list) or len(candidates) < 2 or not all(isinstance(c, str) for c in candidates):
        raise InputError("'candidates' must list at least two issue ids", file=path, column="candidates")
    for c in candidates:
        _check_issue(c, known_issues, path, 0, "candidates")
    ballots = []
    for row, item in enumerate(items(raw, "ballot", path, required=True), start=1):
        ballots.append(
            Ballot(
                organisation=text(item, "organisation", path, row),
                voter=text(item, "voter", path, row, default=text(item, "organisation", path, row)),
                ranking=texts(item, "ranking", path, row),
            )
        )
    return Votes(
        unit=unit, candidates=tuple(candidates), ballots=tuple(ballots), synthetic=flag(raw, "synthetic", path), source=path
    )


#: The sheets of a decision workbook and the ``[[...]]`` lists of a decision TOML file they hold.
DECISION_SHEETS = {"priority": "Priorities", "knowledge_gap": "Knowledge gaps", "consideration": "Considerations"}


def load_decision(path: str | Path, known_issues: Collection[str] | None = None) -> Decision:
    """Read the decision: TOML (``[[priority]]``, ``[[knowledge_gap]]``, ``[[consideration]]``) or an XLSX
    workbook with the sheets Priorities, Knowledge gaps and Considerations (first row: column names) and an
    optional Meeting sheet (rows of setting, value: meeting, date, synthetic)."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        raw = read_workbook(path, DECISION_SHEETS, settings_sheet="Meeting")
        places = {key: (f"{path}, sheet '{sheet}'", 2) for key, sheet in DECISION_SHEETS.items()}
    else:
        raw = read_toml(path)
        places = {key: (str(path), 1) for key in DECISION_SHEETS}
    return _parse_decision(raw, path, places, known_issues)


def _parse_decision(raw: dict, path: Path, places: dict[str, tuple[str, int]], known_issues: Collection[str] | None) -> Decision:
    """``places``: per list, the file (and sheet) to name in an error and the row number of its first item."""

    def rows(key: str, required: bool = False):
        where, first = places[key]
        for n, item in enumerate(items(raw, key, Path(where), required=required), start=first):
            yield Path(where), item.get(SHEET_ROW, n), item

    priorities = tuple(
        AgreedIssue(_check_issue(text(i, "issue", f, n), known_issues, f, n), text(i, "title", f, n), text(i, "rationale", f, n))
        for f, n, i in rows("priority", required=True)
    )
    gaps = tuple(
        AgreedIssue(
            _check_issue(text(i, "issue", f, n), known_issues, f, n),
            text(i, "title", f, n),
            text(i, "rationale", f, n),
            text(i, "how_we_will_learn", f, n),
        )
        for f, n, i in rows("knowledge_gap")
    )
    considerations = tuple(
        Consideration(_check_issue(text(i, "issue", f, n), known_issues, f, n), text(i, "title", f, n), text(i, "reason", f, n))
        for f, n, i in rows("consideration")
    )
    chosen = [p.issue_id for p in priorities] + [g.issue_id for g in gaps]
    if len(set(chosen)) != len(chosen):
        raise InputError("an issue is agreed twice (as a priority and a knowledge gap, or twice over)", file=path)
    return Decision(
        meeting=text(raw, "meeting", path, 0, default="Partnership focus group"),
        date=text(raw, "date", path, 0, default="not recorded"),
        priorities=priorities,
        knowledge_gaps=gaps,
        considerations=considerations,
        synthetic=flag(raw, "synthetic", path),
        source=path,
    )
