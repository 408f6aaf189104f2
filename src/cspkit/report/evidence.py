"""The evidence a document is built from: plain values gathered once by the pipeline.

Each step's results arrive here in the shape the documents need (Polars tables with the columns
named below, sentences already worded by the step that owns the method). The builders only
arrange and format them, so a number in a document is always the number a step computed.
A step that did not run leaves its field ``None`` and says why in :attr:`AssessmentEvidence.steps`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from cspkit.analysis.area import Period
from cspkit.analysis.partner_profile import PartnerProfile
from cspkit.analysis.profile import AreaProfile
from cspkit.analysis.suppression import suppress_table
from cspkit.priorities.achievements import PreviousPlan
from cspkit.priorities.decision import Decision
from cspkit.priorities.voting import VoteResult
from cspkit.report.measures import Measure

SYNTHETIC = "SYNTHETIC"


@dataclass(frozen=True)
class StepResult:
    """What one step of ``cspkit assess`` did: done, skipped (with the reason) or failed."""

    step: str
    status: str  # done | skipped | failed
    detail: str
    seconds: float = 0.0


@dataclass(frozen=True)
class Headline:
    """One headline figure: the latest 12 months' count and rate, the analysis module's sentence, provenance."""

    label: str
    count: int
    rate_per_1000: float
    sentence: str
    provenance: str


@dataclass(frozen=True)
class IssueFigures:
    """The analysis behind one issue, for its section of the assessment.

    Tables:
    - ``monthly``: month (Date), count (Int64), rolling_12_month_mean (Float64, null for the first 11 months)
    - ``categories``: category, previous_12, latest_12 (counts)
    - ``peers``: area, rate_per_1000 (the CSP's own row named ``focus_area``), over ``peers_period``
    - ``lsoa``: lsoa21_code, count, rate_per_1000, gi_z, hotspot ("hot spot", "cold spot", "not significant")
    - ``outcomes``: outcome, count, share_pct (of the issue's crimes over the period), the last row "All outcomes"
    - ``emerging``: the analysis module's emerging hot spot table (lsoa21_code, steps, hot_steps, cold_steps,
      trend_tau, trend_p_value, classification)
    """

    issue_id: str
    name: str
    unit: str
    monthly: pl.DataFrame
    sentences: tuple[str, ...] = ()
    categories: pl.DataFrame | None = None
    peers: pl.DataFrame | None = None
    peers_period: str = ""  # the months the peer rates cover, in words
    focus_area: str = ""
    lsoa: pl.DataFrame | None = None
    outcomes: pl.DataFrame | None = None
    repeats: tuple[str, ...] = ()
    provenance: tuple[str, ...] = ()
    not_shown: tuple[str, ...] = ()  # what the analysis could not compute for this issue, and why
    emerging: pl.DataFrame | None = None


@dataclass(frozen=True)
class RiskEvidence:
    """The risk matrix results.

    ``table``: the risk module's ranked results (rank, issue_id, issue, risk_score, one column per
    criterion group, n_scorers, max_range, discuss, knowledge_gap_class). ``heat``: its heat map cells
    (row_order, row_band, column_order, column_band, issues).
    """

    table: pl.DataFrame
    heat: pl.DataFrame
    row_label: str
    column_label: str
    method: str
    scorers: int
    synthetic: bool
    provenance: str


@dataclass(frozen=True)
class HorizonEvidence:
    """Horizon-scanning register: category (PESTELO), title, description, source, horizon_months,
    likelihood, impact, score, scope (local or national), linked_issues."""

    table: pl.DataFrame
    synthetic: bool
    provenance: str


@dataclass(frozen=True)
class SurveyEvidence:
    """Survey findings.

    ``estimates``: question, answer, weighted_pct, ci_low, ci_high, unweighted_pct, base, base_note.
    ``concerns``: rank, issue_id, concern, share_pct, ci_low, ci_high.
    ``themes``: theme, share_pct, quotes.
    ``differences``: breakdown, group, question, measure, group_pct, ci_low, ci_high, rest_pct,
    difference, verdict, base, base_note: groups whose headline answers differ from everyone else's by more than chance.
    """

    responses: int
    estimates: pl.DataFrame
    concerns: pl.DataFrame
    themes: pl.DataFrame | None
    weighting: str
    synthetic: bool
    provenance: str
    headline: tuple[str, ...] = ()
    differences: pl.DataFrame | None = None


@dataclass
class AssessmentEvidence:
    """Everything the strategic assessment and the committee report say, gathered once."""

    csp_name: str
    area_name: str
    area_codes: tuple[str, ...]
    period: str
    #: What "latest" figures cover: "latest 12 months", or the real months of a shorter period ("March 2024").
    latest_period: str = "latest 12 months"
    threshold: int = 5
    alpha: float = 0.05  # the analysis' significance level: q-values below it are called significant
    steps: list[StepResult] = field(default_factory=list)
    headlines: list[Headline] = field(default_factory=list)
    issues: dict[str, IssueFigures] = field(default_factory=dict)
    issue_names: dict[str, str] = field(default_factory=dict)
    boundaries: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    wards: Mapping[str, str] = field(default_factory=dict)  # LSOA code -> ward name, to label the maps
    board: pl.DataFrame | None = None
    shortlist: pl.DataFrame | None = None
    shortlist_rule: str = ""
    votes: VoteResult | None = None
    votes_synthetic: bool = False
    decision: Decision | None = None
    previous: PreviousPlan | None = None
    achievements: pl.DataFrame | None = None
    risk: RiskEvidence | None = None
    horizon: HorizonEvidence | None = None
    survey: SurveyEvidence | None = None
    committee: dict[str, Any] = field(default_factory=dict)
    synthetic_partner_sources: list[str] = field(default_factory=list)
    measures: dict[str, Measure] = field(default_factory=dict)  # what measures each register issue
    changes: pl.DataFrame | None = None  # the analysis module's tested changes by police.uk category
    hotspots: pl.DataFrame | None = None  # the analysis module's Gi* table for all recorded incidents
    places: dict[str, str] = field(default_factory=dict)  # LSOA code -> its name and ward, for readers
    stop_search: pl.DataFrame | None = None  # searches by self-defined ethnicity against Census 2021
    profile: AreaProfile | None = None
    rate_contexts: list[tuple[Period, pl.DataFrame]] = field(default_factory=list)
    partner_profiles: dict[str, PartnerProfile] = field(default_factory=dict)
    substance_sources: tuple[str, ...] = ()

    @property
    def latest_heading(self) -> str:
        """:attr:`latest_period` as a column heading: "Latest 12 months" or "March 2024"."""
        return self.latest_period[:1].upper() + self.latest_period[1:]

    @property
    def latest_phrase(self) -> str:
        """:attr:`latest_period` inside a sentence: "the latest 12 months" or "March 2024"."""
        return f"the {self.latest_period}" if self.latest_period.startswith("latest") else self.latest_period

    def place(self, lsoa21_code: str) -> str:
        """A neighbourhood as readers know it: its name and ward (codes stay in the CSV tables)."""
        return self.places.get(lsoa21_code, lsoa21_code)

    def publishable(self, frame: pl.DataFrame, counts: Sequence[str], derived: Mapping[str, str | Sequence[str]] | None = None,
                    total_row: int | None = None, pooled: Sequence[str] = (), ranked: bool = False) -> pl.DataFrame:
        """``frame`` with its counts (and figures derived from them) suppressed by the analysis module's rule.

        Rows where a count is missing keep an en dash; they hold no number to protect. With
        ``total_row`` (e.g. -1, and no count missing), a hidden count is protected from being worked
        out from the total by hiding a second one (secondary suppression). ``derived`` maps a figure
        to the count(s) it comes from; ``pooled`` figures (computed from every row together, such as
        z-scores) are left out when any count is hidden; ``ranked`` moves rows with a hidden count to
        the end (see :func:`~cspkit.analysis.suppression.suppress_table`).
        """
        counts = [c for c in counts if c in frame.columns]
        sources = {k: [v] if isinstance(v, str) else list(v) for k, v in (derived or {}).items()}
        derived = {k: v for k, v in sources.items() if k in frame.columns and all(c in counts for c in v)}
        pooled = [c for c in pooled if c in frame.columns]
        if not counts or not frame.height:
            return frame
        indexed = frame.with_row_index("_row")
        complete = indexed.filter(pl.all_horizontal(pl.col(c).is_not_null() for c in counts))
        missing = indexed.filter(~pl.all_horizontal(pl.col(c).is_not_null() for c in counts))
        shown = suppress_table(
            complete.select(*frame.columns, "_row").with_columns(pl.col(c).cast(pl.Int64) for c in counts),
            counts,
            self.threshold,
            derived=derived,
            small_base=None,
            total_row=total_row if not missing.height else None,
            pooled=pooled,
            ranked=ranked,
        )
        blanks = missing.with_columns(pl.col(c).cast(pl.String).fill_null("–") for c in [*counts, *derived]).with_columns(
            pl.col(c).cast(pl.String) for c in [*counts, *derived]
        )
        published = pl.concat([shown, blanks.select(shown.columns)], how="vertical_relaxed")
        return (published if ranked else published.sort("_row")).drop("_row")

    def count(self, value: float | None) -> str:
        """One count as it may be published."""
        if value is None:
            return "–"
        return self.publishable(pl.DataFrame({"n": [int(value)]}), ["n"])["n"][0]

    @property
    def suppression_note(self) -> str:
        if self.threshold <= 1:
            return "Small-number suppression is switched off for this assessment."
        return (
            f'Counts from 1 to {self.threshold - 1} are shown as "<{self.threshold}"; a count shown as "*" is hidden '
            "so that a small count cannot be worked out from a total. Rates, shares and differences from hidden counts "
            "are hidden with them; figures computed from every row together (hot spot z-scores, rolling means) are left "
            "out of a table that hides a count; and in a table ordered by rate, rows with a hidden count come last, in "
            "code order, so their place in the order says nothing about them."
        )

    def name_of(self, issue_id: str) -> str:
        return self.issue_names.get(issue_id, issue_id.replace("_", " ").capitalize())

    def step(self, name: str) -> StepResult | None:
        return next((s for s in self.steps if s.step == name), None)

    def synthetic_inputs(self) -> list[str]:
        """Which inputs are synthetic, for the notice on the cover."""
        named = [
            ("risk matrix scores", self.risk is not None and self.risk.synthetic),
            ("horizon-scanning register", self.horizon is not None and self.horizon.synthetic),
            ("residents' survey responses", self.survey is not None and self.survey.synthetic),
            ("focus-group votes", self.votes is not None and self.votes_synthetic),
            ("focus-group decision", self.decision is not None and self.decision.synthetic),
            ("previous priorities and achievements", self.previous is not None and self.previous.synthetic),
            (f"partner data ({', '.join(self.synthetic_partner_sources)})", bool(self.synthetic_partner_sources)),
        ]
        return [name for name, synthetic in named if synthetic]

    def synthetic_notice(self) -> str | None:
        names = self.synthetic_inputs()
        if not names:
            return None
        return (
            f"{SYNTHETIC} DEMONSTRATION INPUTS: the {', '.join(names)} in this document are synthetic, made up to "
            "demonstrate the method. They are not the views of any real partnership or resident. "
            "Police recorded crime (police.uk) and population figures are real published data."
        )
