"""A scorer's score for one issue and criterion, and the checks every score must pass.

These are plain records and pure functions so the CLI, the workbook import and the web app
(which keeps its own ORM) all apply the same rules: a value must be a level of its criterion,
the issue and criterion must exist, and overriding a data-suggested value needs a reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from cspkit.errors import InputError
from cspkit.risk.method import Method
from cspkit.risk.register import IssueRegister


@dataclass(frozen=True)
class Score:
    """One scorer's value for one issue on one criterion."""

    organisation: str
    scorer: str
    issue_id: str
    criterion: str
    value: float
    suggested: float | None = None
    reason: str = ""
    scored_at: datetime | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Who scored what: one current score per key."""
        return (self.organisation, self.scorer, self.issue_id, self.criterion)

    @property
    def is_override(self) -> bool:
        """The scorer chose a value other than the one the data suggested."""
        return self.suggested is not None and self.value != self.suggested


def score_problems(score: Score, method: Method, register: IssueRegister) -> list[str]:
    """Everything wrong with one score, in words for the scorer (empty when it is valid)."""
    problems = []
    if not score.organisation.strip() or not score.scorer.strip():
        problems.append("the scorer's organisation and name are required")
    if score.issue_id not in register.ids:
        problems.append(f"unknown issue '{score.issue_id}'")
    if score.criterion not in method.criterion_ids:
        problems.append(f"unknown criterion '{score.criterion}' in method {method.label}")
        return problems
    criterion = method.criterion(score.criterion)
    if score.value not in criterion.values:
        allowed = ", ".join(f"{v:g}" for v in criterion.values)
        problems.append(f"{score.value:g} is not a level of '{criterion.name}' (allowed: {allowed})")
    if score.suggested is not None and score.suggested not in criterion.values:
        problems.append(f"suggested value {score.suggested:g} is not a level of '{criterion.name}'")
    if score.is_override and not score.reason.strip():
        problems.append(
            f"a reason is required when the score ({score.value:g}) differs from the suggested score ({score.suggested:g})"
        )
    return problems


def validate_scores(scores: Iterable[Score], method: Method, register: IssueRegister, source: str = "scores") -> None:
    """Raise one InputError listing every invalid or duplicated score; return quietly if all are valid."""
    problems = []
    seen: set[tuple[str, str, str, str]] = set()
    for number, score in enumerate(scores, start=1):
        where = f"score {number} ({score.organisation}/{score.scorer}, {score.issue_id}, {score.criterion})"
        problems += [f"{where}: {p}" for p in score_problems(score, method, register)]
        if score.key in seen:
            problems.append(f"{where}: scored twice by the same scorer")
        seen.add(score.key)
    if problems:
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
        raise InputError(f"{len(problems)} invalid score(s): {shown}", file=source)
