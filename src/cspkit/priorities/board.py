"""The evidence board: every candidate issue's evidence side by side, and a suggested shortlist.

The board is what the focus group looks at before it votes. The shortlist rule is data
(``priorities/data/shortlist.toml``) so a partnership can read and change it; :func:`suggest_shortlist`
writes the reason beside each suggestion in words a partner can check against the board.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from cspkit.errors import ConfigError

if TYPE_CHECKING:
    from cspkit.config import AssessmentConfig

DEFAULT_RULE = Path(__file__).parent / "data" / "shortlist.toml"


@dataclass(frozen=True)
class TestedChange:
    """A change between two periods as the analysis module tested it."""

    __test__ = False  # not a pytest class

    before: float
    after: float
    percent: float | None
    p_value: float | None
    significant: bool
    verdict: str = ""  # the analysis module's words for the test result
    provenance: str = ""
    q_value: float | None = None  # Benjamini-Hochberg, over the changes tested together; significant means q < alpha
    test: str = ""  # which test gave p_value

    @property
    def absolute(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class IssueEvidence:
    """Everything the board shows for one candidate issue; None where no evidence exists."""

    issue_id: str
    name: str
    risk_score: float | None = None
    risk_rank: int | None = None
    harm: float | None = None
    volume: float | None = None  # incidents in the latest 12 months
    rate_per_1000: float | None = None
    change_3y: TestedChange | None = None
    change_1y: TestedChange | None = None
    concern_rank: int | None = None
    concern_share: float | None = None  # share of residents naming it, 0 to 1
    knowledge_gap_class: str | None = None
    horizon: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShortlistRule:
    version: str
    knowledge_gap_classes: tuple[str, ...]
    top_risk_ranks: int
    top_concerns: int
    supporting_risk_ranks: int
    max_candidates: int

    def describe(self) -> str:
        """The rule in one paragraph, for the methodology section."""
        return (
            f"An issue is suggested as a priority candidate when it is in the top {self.top_risk_ranks} of the risk matrix, "
            f"or is one of residents' top {self.top_concerns} concerns and within the top {self.supporting_risk_ranks} "
            f"of the matrix, or shows a statistically significant rise and is within the top {self.supporting_risk_ranks}; "
            f"at most {self.max_candidates} candidates, in risk order. Issues the matrix classes as a knowledge gap are "
            f"suggested as knowledge gaps instead (shortlist rule version {self.version})."
        )


def configured_rule(config: AssessmentConfig | None) -> ShortlistRule:
    """The rule file named by the assessment's ``[priorities] shortlist_rule``, else the default rule."""
    rule_file = config.section("priorities").get("shortlist_rule") if config is not None else None
    return load_rule(config.resolve(rule_file)) if rule_file else load_rule()


def load_rule(path: str | Path = DEFAULT_RULE) -> ShortlistRule:
    """Read and check a shortlist rule file."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the shortlist rule: {exc}", file=path) from exc
    values: dict[str, int] = {}
    for key in ("top_risk_ranks", "top_concerns", "supporting_risk_ranks", "max_candidates"):
        value = raw.get(key)
        if not isinstance(value, int) or value < 1:
            raise ConfigError(f"'{key}' must be a whole number of at least 1", file=path, column=key)
        values[key] = value
    classes = raw.get("knowledge_gap_classes", ["knowledge gap"])
    if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
        raise ConfigError("'knowledge_gap_classes' must be a list of words", file=path, column="knowledge_gap_classes")
    return ShortlistRule(version=str(raw.get("version", "1")), knowledge_gap_classes=tuple(classes), **values)


BOARD_SCHEMA = {
    "issue_id": pl.String,
    "issue": pl.String,
    "risk_rank": pl.Int64,
    "risk_score": pl.Float64,
    "harm": pl.Float64,
    "volume_12m": pl.Float64,
    "rate_per_1000": pl.Float64,
    "change_3y_pct": pl.Float64,
    "change_3y_significant": pl.Boolean,
    "change_1y_pct": pl.Float64,
    "change_1y_significant": pl.Boolean,
    "concern_rank": pl.Int64,
    "concern_share": pl.Float64,
    "knowledge_gap_class": pl.String,
    "horizon": pl.String,
}


def evidence_board(issues: Sequence[IssueEvidence]) -> pl.DataFrame:
    """One row per issue, ordered by risk rank (issues without a rank last, by name)."""
    rows = [
        {
            "issue_id": e.issue_id,
            "issue": e.name,
            "risk_rank": e.risk_rank,
            "risk_score": e.risk_score,
            "harm": e.harm,
            "volume_12m": e.volume,
            "rate_per_1000": e.rate_per_1000,
            "change_3y_pct": e.change_3y.percent if e.change_3y else None,
            "change_3y_significant": e.change_3y.significant if e.change_3y else None,
            "change_1y_pct": e.change_1y.percent if e.change_1y else None,
            "change_1y_significant": e.change_1y.significant if e.change_1y else None,
            "concern_rank": e.concern_rank,
            "concern_share": e.concern_share,
            "knowledge_gap_class": e.knowledge_gap_class,
            "horizon": "; ".join(e.horizon),
        }
        for e in issues
    ]
    return pl.DataFrame(rows, schema=BOARD_SCHEMA).sort(["risk_rank", "issue"], nulls_last=True)


def _rising(change: TestedChange | None) -> bool:
    return change is not None and change.significant and change.absolute > 0


def suggest_shortlist(issues: Sequence[IssueEvidence], rule: ShortlistRule) -> pl.DataFrame:
    """Suggested priority candidates and knowledge gaps, each with the reason the rule gives.

    Columns: issue_id, issue, suggestion ("priority candidate" or "knowledge gap"), risk_rank, reason.
    """
    rows: list[dict] = []
    for e in sorted(issues, key=lambda e: (e.risk_rank is None, e.risk_rank or 0, e.name)):
        if e.knowledge_gap_class in rule.knowledge_gap_classes:
            rows.append(_row(e, "knowledge gap", ["classed as a knowledge gap by the risk matrix (high harm, low confidence)"]))
            continue
        reasons: list[str] = []
        rank = e.risk_rank
        if rank is not None and rank <= rule.top_risk_ranks:
            reasons.append(f"risk rank {rank}, in the top {rule.top_risk_ranks}")
        supported = rank is not None and rank <= rule.supporting_risk_ranks
        if supported and e.concern_rank is not None and e.concern_rank <= rule.top_concerns:
            reasons.append(f"residents' concern rank {e.concern_rank}")
        if supported and (_rising(e.change_1y) or _rising(e.change_3y)):
            reasons.append("statistically significant rise")
        if reasons:
            rows.append(_row(e, "priority candidate", reasons))
    candidates = [r for r in rows if r["suggestion"] == "priority candidate"][: rule.max_candidates]
    gaps = [r for r in rows if r["suggestion"] == "knowledge gap"]
    schema = {"issue_id": pl.String, "issue": pl.String, "suggestion": pl.String, "risk_rank": pl.Int64, "reason": pl.String}
    return pl.DataFrame(candidates + gaps, schema=schema)


def _row(e: IssueEvidence, suggestion: str, reasons: list[str]) -> dict:
    return {
        "issue_id": e.issue_id,
        "issue": e.name,
        "suggestion": suggestion,
        "risk_rank": e.risk_rank,
        "reason": "; ".join(reasons),
    }
