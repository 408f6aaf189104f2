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
from cspkit.priorities.files import flag, items, read_toml, text, texts
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


def load_decision(path: str | Path, known_issues: Collection[str] | None = None) -> Decision:
    """Read ``decision.toml``: ``[[priority]]``, ``[[knowledge_gap]]`` and ``[[consideration]]``."""
    path = Path(path)
    raw = read_toml(path)
    priorities = tuple(
        AgreedIssue(
            _check_issue(text(i, "issue", path, n), known_issues, path, n),
            text(i, "title", path, n),
            text(i, "rationale", path, n),
        )
        for n, i in enumerate(items(raw, "priority", path, required=True), start=1)
    )
    gaps = tuple(
        AgreedIssue(
            _check_issue(text(i, "issue", path, n), known_issues, path, n),
            text(i, "title", path, n),
            text(i, "rationale", path, n),
            text(i, "how_we_will_learn", path, n),
        )
        for n, i in enumerate(items(raw, "knowledge_gap", path), start=1)
    )
    considerations = tuple(
        Consideration(
            _check_issue(text(i, "issue", path, n), known_issues, path, n), text(i, "title", path, n), text(i, "reason", path, n)
        )
        for n, i in enumerate(items(raw, "consideration", path), start=1)
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
